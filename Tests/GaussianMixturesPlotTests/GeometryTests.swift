import Foundation
import GaussianMixtures
import Testing
@testable import GaussianMixturesPlot

@Suite("Ellipses, eigenvectors, contours and projections")
struct GeometryTests {
    @Test func sigmaRadiiAreChiSquareQuantilesWithTwoDegrees() {
        // For 2 degrees of freedom the chi-square quantile is -2 log(1 - p).
        let radii = MixtureFigure.ellipseRadii
        #expect(radii.count == 2)
        for (p, r) in zip(MixtureFigure.sigmaLevels, radii) {
            #expect(abs(r * r - (-2 * log(1 - p))) < 1e-10)
        }
        #expect(abs(MixtureFigure.sigmaLevels[0] - 0.682689492137) < 1e-10)
        #expect(abs(MixtureFigure.sigmaLevels[1] - 0.954499736104) < 1e-10)
        #expect(abs(ChiSquare.quantile(probability: 0.95, degrees: 3) - 7.814727903251178) < 1e-9)
    }

    @Test func axisAlignedEllipse() {
        let e = EllipseShape(centerX: 1, centerY: 2, covariance: [[9, 0], [0, 4]], radius: 2)
        #expect(e.radiusX == 6 && e.radiusY == 4 && e.degrees == 0)
        let tall = EllipseShape(centerX: 0, centerY: 0, covariance: [[1, 0], [0, 4]], radius: 1)
        #expect(tall.radiusX == 2 && tall.radiusY == 1 && abs(abs(tall.degrees) - 90) < 1e-12)
    }

    @Test func rotatedEllipseFollowsTheCorrelation() {
        // Σ = R diag(4, 1) Rᵀ with R a rotation by 30°.
        let t = Double.pi / 6, c = cos(t), s = sin(t)
        let cov = [[4 * c * c + s * s, 3 * c * s], [3 * c * s, 4 * s * s + c * c]]
        let e = EllipseShape(centerX: 0, centerY: 0, covariance: cov, radius: 1)
        #expect(abs(e.radiusX - 2) < 1e-12 && abs(e.radiusY - 1) < 1e-12 && abs(e.degrees - 30) < 1e-10)
    }

    @Test func symmetricEigenRebuildsTheMatrix() {
        let m = [[4.0, 1, 0.5], [1, 3, 0.2], [0.5, 0.2, 1]]
        let (values, vectors) = symmetricEigen(m)
        #expect(values[0] >= values[1] && values[1] >= values[2])
        for i in 0..<3 {
            for j in 0..<3 {
                var rebuilt = 0.0
                for k in 0..<3 { rebuilt += values[k] * vectors[k][i] * vectors[k][j] }
                #expect(abs(rebuilt - m[i][j]) < 1e-12)
            }
            var dot = 0.0
            for k in 0..<3 { dot += vectors[i][k] * vectors[i][k] }
            #expect(abs(dot - 1) < 1e-12)
            let biggest: Double = vectors[i].max { abs($0) < abs($1) } ?? 0
            #expect(biggest > 0)
        }
    }

    @Test func contourOfAConeIsACircle() {
        // f = -(x² + y²) on a 41×41 grid centred at (20, 20): the level -100 is a circle of radius 10.
        let n = 41
        var values: [Double] = []
        for r in 0..<n {
            for c in 0..<n {
                let squared: Int = (c - 20) * (c - 20) + (r - 20) * (r - 20)
                values.append(-Double(squared))
            }
        }
        let segments = contourSegments(GridValues(columns: n, rows: n, values: values), level: -100)
        #expect(segments.count > 40)
        for s in segments {
            for (x, y) in [(s.x1, s.y1), (s.x2, s.y2)] {
                let dx: Double = x - 20, dy: Double = y - 20
                let radius: Double = (dx * dx + dy * dy).squareRoot()
                #expect(abs(radius - 10) < 0.1)
            }
        }
        #expect(contourSegments(GridValues(columns: n, rows: n, values: values), level: 1).isEmpty)
    }

    @Test func principalDirectionsOfStretchedData() throws {
        // Points along the line y = 2x with a little spread across it.
        let rows = (0..<50).map { i -> [Double] in
            let t = Double(i) - 25, u = (i % 2 == 0 ? 0.1 : -0.1)
            return [t - 2 * u, 2 * t + u, 5]
        }
        let projection = PlaneProjection.principal(of: try DataMatrix(rows: rows, featureNames: ["a", "b", "c"]))
        let first = projection.axes[0]
        #expect(abs(first[0] - 1 / 5.0.squareRoot()) < 1e-3 && abs(first[1] - 2 / 5.0.squareRoot()) < 1e-3 && abs(first[2]) < 1e-12)
        #expect(projection.xLabel.hasPrefix("principal direction 1 ("))
        #expect(projection.yLabel.hasPrefix("principal direction 2 ("))
        #expect(projection.note?.contains("PD1") == true)
    }

    @Test func marginalOnTwoFeaturesIsTheSubmatrix() throws {
        let data = try bundled("iris.csv")
        let model = try fitted(data, k: 2).model
        let projection = PlaneProjection.features(2, 0, names: model.featureNames)
        let marginal = try projection.marginal(of: model)
        for k in 0..<model.componentCount {
            #expect(marginal.means[k] == [model.means[k][2], model.means[k][0]])
            let full = model.covarianceMatrix(component: k), small = marginal.covarianceMatrix(component: k)
            #expect(small == [[full[2][2], full[2][0]], [full[0][2], full[0][0]]])
        }
        #expect(marginal.featureNames == ["petal_length", "sepal_length"])
    }
}
