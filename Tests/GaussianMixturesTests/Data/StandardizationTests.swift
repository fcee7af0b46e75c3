import Foundation
import Testing
@testable import GaussianMixtures

@Suite("Standardisation and the map back to the original units")
struct StandardizationTests {
    /// Iris with its columns rescaled by very different factors, so the map back matters.
    static let data: DataMatrix = {
        let iris = try! DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/iris.csv").path)
        let factors = [1000.0, 0.01, 3.0, 250.0], offsets = [5e4, -2.0, 0.0, 1e3]
        let values = (0..<iris.sampleCount).flatMap { i in (0..<4).map { j in offsets[j] + factors[j] * iris[i, j] } }
        return try! DataMatrix(values: values, sampleCount: iris.sampleCount, featureCount: 4, featureNames: iris.featureNames)
    }()

    @Test("means and population standard deviations, weighted by frequency weights as by copies")
    func moments() throws {
        let x = try DataMatrix(rows: [[1, 10], [2, 10], [4, 10]])
        let s = Standardization(of: x)
        #expect(s.means == [7.0 / 3, 10])
        #expect(abs(s.deviations[0] - (14.0 / 9).squareRoot()) < 1e-15)
        #expect(s.deviations[1] == 1)   // a constant column is only centred
        let weighted = Standardization(of: x, weights: [2, 0, 1])
        let copies = Standardization(of: try DataMatrix(rows: [[1, 10], [1, 10], [4, 10]]))
        #expect(abs(weighted.means[0] - copies.means[0]) < 1e-15 && abs(weighted.deviations[0] - copies.deviations[0]) < 1e-15)
        let z = s.standardize(x)
        #expect(abs(Standardization(of: z).deviations[0] - 1) < 1e-15 && abs(Standardization(of: z).means[0]) < 1e-15)
    }

    @Test("mapped back, a model fitted on standardised data gives the same responsibilities and log-densities lower by Σ log s",
          arguments: CovarianceKind.allCases)
    func mapBack(kind: CovarianceKind) throws {
        let x = Self.data
        let s = Standardization(of: x)
        let z = s.standardize(x)
        let fitted = try ExpectationMaximization.fit(z, options: FitOptions(componentCount: 3, covarianceKind: kind, seed: 3)).model
        let model = try s.originalUnits(fitted)
        // The family that holds S Σ S exactly.
        let expectedKind: CovarianceKind = switch kind {
        case .full, .tied, .diagonal: kind
        case .spherical, .EII, .EEI, .VEI, .EVI: .diagonal
        default: .full
        }
        #expect(model.covarianceKind == expectedKind)
        #expect(model.weights == fitted.weights)
        for k in 0..<3 {
            for j in 0..<4 { #expect(abs(model.means[k][j] - (s.means[j] + s.deviations[j] * fitted.means[k][j])) <= 1e-12 * abs(model.means[k][j])) }
            let sz = fitted.covarianceMatrix(component: k), sx = model.covarianceMatrix(component: k)
            for r in 0..<4 {
                for c in 0..<4 {
                    #expect(abs(sx[r][c] - s.deviations[r] * sz[r][c] * s.deviations[c]) <= 1e-13 * (sx[r][r] * sx[c][c]).squareRoot())
                }
            }
        }
        let (rx, lx) = (try model.responsibilities(for: x), try model.logDensities(of: x))
        let (rz, lz) = (try fitted.responsibilities(for: z), try fitted.logDensities(of: z))
        let worstResponsibility = zip(rx.values, rz.values).map { abs($0 - $1) }.max()!
        #expect(worstResponsibility < 1e-12, "\(kind): responsibilities differ by \(worstResponsibility)")
        let shift = s.logScale
        let worstDensity = zip(lx, lz).map { abs($0 - ($1 - shift)) / max(1, abs($0)) }.max()!
        #expect(worstDensity < 1e-12, "\(kind): log-densities off by \(worstDensity)")
        // The total: n · Σ log s exactly, up to rounding of the sums.
        let n = Double(x.sampleCount)
        let totalShift = lz.reduce(0, +) - lx.reduce(0, +)
        #expect(abs(totalShift - n * shift) <= 1e-12 * abs(lx.reduce(0, +)))
    }
}
