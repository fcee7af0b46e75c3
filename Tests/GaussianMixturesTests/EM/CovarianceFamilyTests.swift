import Foundation
import Testing
@testable import GaussianMixtures

@Suite("Covariance families")
struct CovarianceFamilyTests {
    let iris: DataMatrix = try! DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/iris.csv").path)

    /// One M-step of `kind` from the same responsibilities (those of a fitted full model).
    func oneStep(_ kind: CovarianceKind, regularization: Double = 0) throws -> GaussianMixture {
        let start = try ExpectationMaximization.fit(iris, options: FitOptions(componentCount: 3, maxIterations: 3)).model
        let stats = ExpectationStep.statistics(of: iris, under: start, momentShape: kind.family.momentShape)
        return try MaximizationStep.parameters(from: stats, family: kind.family, regularization: regularization,
                                               featureNames: iris.featureNames)
    }

    @Test("a diagonal model scores exactly as the full model with the same diagonal matrices")
    func diagonalEqualsFull() throws {
        let variances: [[Double]] = [[0.5, 2, 0.1, 1], [1, 1, 3, 0.2]]
        let diag = try GaussianMixture(weights: [0.4, 0.6], means: [[5, 3, 1, 0.2], [6, 3, 5, 2]], covariances: .diagonal(variances))
        let full = try GaussianMixture(weights: [0.4, 0.6], means: diag.means, covariances: .full(variances.map { v in
            (0..<4).map { r in (0..<4).map { c in r == c ? v[r] : 0 } }
        }))
        let a = try diag.logDensities(of: iris), b = try full.logDensities(of: iris)
        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * abs($1) })
        #expect(try diag.responsibilities(for: iris).values.enumerated().allSatisfy { idx, p in
            abs(p - (try! full.responsibilities(for: iris)).values[idx]) <= 1e-12
        })
    }

    @Test("the tied covariance is the pooled full covariance: Σ_k w_k Σ_k")
    func tiedIsPooledFull() throws {
        let full = try oneStep(.full), tied = try oneStep(.tied)
        #expect(full.weights == tied.weights)
        #expect(full.means == tied.means)
        let d = iris.featureCount
        let shared = tied.covarianceMatrix(component: 0)
        for r in 0..<d {
            for c in 0..<d {
                let pooled = (0..<3).reduce(0.0) { $0 + full.weights[$1] * full.covarianceMatrix(component: $1)[r][c] }
                #expect(abs(pooled - shared[r][c]) <= 1e-13 * abs(shared[r][r]))
            }
        }
    }

    @Test("the spherical variance is the mean of the diagonal variances")
    func sphericalIsMeanOfDiagonal() throws {
        let diag = try oneStep(.diagonal, regularization: 1e-6), sphere = try oneStep(.spherical, regularization: 1e-6)
        guard case let .diagonal(v) = diag.covariances, case let .spherical(s) = sphere.covariances else {
            Issue.record("wrong kinds")
            return
        }
        for k in 0..<3 { #expect(abs(s[k] - v[k].reduce(0, +) / 4) <= 1e-15 * s[k]) }
        let full = try oneStep(.full, regularization: 1e-6)
        for k in 0..<3 { for j in 0..<4 { #expect(abs(v[k][j] - full.covarianceMatrix(component: k)[j][j]) <= 1e-13 * v[k][j]) } }
    }

    @Test("shifting the data by 10⁶ shifts the means and leaves the covariances (no cancellation)", arguments: CovarianceKind.allCases)
    func translationInvariance(_ kind: CovarianceKind) throws {
        let shift = 1e6
        let moved = try DataMatrix(values: iris.values.map { $0 + shift }, sampleCount: iris.sampleCount,
                                   featureCount: iris.featureCount, featureNames: iris.featureNames)
        let options = FitOptions(componentCount: 3, covarianceKind: kind, maxIterations: 5, tolerance: 0)
        let a = try ExpectationMaximization.fit(iris, options: options).model
        var movedOptions = options
        movedOptions.initialization = .model(try GaussianMixture(
            weights: try ExpectationMaximization.fit(iris, options: FitOptions(componentCount: 3, covarianceKind: kind, maxIterations: 0)).model.weights,
            means: try ExpectationMaximization.fit(iris, options: FitOptions(componentCount: 3, covarianceKind: kind, maxIterations: 0)).model.means.map { $0.map { $0 + shift } },
            covariances: try ExpectationMaximization.fit(iris, options: FitOptions(componentCount: 3, covarianceKind: kind, maxIterations: 0)).model.covariances))
        let b = try ExpectationMaximization.fit(moved, options: movedOptions).model
        let ca = a.covariances.flattened, cb = b.covariances.flattened
        let scale = ca.map(abs).max()!
        // Centred moments keep ~1e-16 × (shift / spread)² ≈ 1e-4 of the naive form's error away.
        #expect(zip(ca, cb).allSatisfy { abs($0 - $1) <= 1e-7 * scale }, "\(kind.rawValue)")
        #expect(zip(a.weights, b.weights).allSatisfy { abs($0 - $1) <= 1e-7 })
    }

    @Test("parameter counts match scikit-learn's _n_parameters", arguments: [
        (CovarianceKind.full, 3, 4, 44), (.diagonal, 3, 4, 26), (.spherical, 3, 4, 17), (.tied, 3, 4, 24),
        (.full, 1, 1, 2), (.diagonal, 1, 1, 2), (.spherical, 1, 1, 2), (.tied, 1, 1, 2),
    ])
    func parameterCounts(_ kind: CovarianceKind, _ k: Int, _ d: Int, _ expected: Int) {
        #expect(kind.parameterCount(componentCount: k, featureCount: d) == expected)
    }

    @Test("every family samples, scores and round-trips through the model file", arguments: CovarianceKind.allCases)
    func roundTrip(_ kind: CovarianceKind) throws {
        let fit = try ExpectationMaximization.fit(iris, options: FitOptions(componentCount: 2, covarianceKind: kind, seed: 4))
        let bytes = ModelFile.encode(fit.model, summary: FitSummary(report: fit.report, model: fit.model))
        let (back, _) = try ModelFile.decode(bytes, path: "m.json")
        #expect(back == fit.model)
        #expect(back.covarianceKind == kind)
        let drawn = back.sample(count: 20_000, seed: 1)
        let mean0 = (0..<drawn.samples.sampleCount).reduce(0.0) { $0 + drawn.samples[$1, 0] } / 20_000
        let expected = zip(back.weights, back.means).reduce(0.0) { $0 + $1.0 * $1.1[0] }
        #expect(abs(mean0 - expected) < 0.05)
    }
}
