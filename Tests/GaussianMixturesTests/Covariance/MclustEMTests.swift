import Foundation
import Testing
@testable import GaussianMixtures

/// A fixture written by Tests/Fixtures/mclust/me.R: mclust's `me()` for every model from one start.
struct MclustMeFixture: Decodable {
    struct Fit: Decodable {
        let weights: [Double]
        let means: [[Double]]
        let covariances: [[[Double]]]
        let loglik: Double
        let parameters: Int
        let bic: Double
    }
    let data: String
    let components: Int
    let iterations: Int
    let start: [[Double]]
    let models: [String: Fit]

    static let names = ["iris", "old-faithful", "wdbc-mean"]

    static func load(_ name: String) throws -> MclustMeFixture {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/mclust/me-\(name).json")
        return try JSONDecoder().decode(MclustMeFixture.self, from: Data(contentsOf: url))
    }
}

@Suite("mclust's fourteen models against mclust's me()")
struct MclustEMTests {
    static let cases: [(String, CovarianceKind)] = MclustMeFixture.names.flatMap { name in
        CovarianceKind.mclustOrder.map { (name, $0) }
    }

    /// From mclust's start, no regulariser, 25 M-steps (the first from the start):
    /// weights, means, covariances and the log-likelihood equal mclust's to 1e-8
    /// relative for the closed-form models, 1e-6 for the iterative ones.
    @Test("25 EM steps from the same responsibilities equal mclust's me()", arguments: cases)
    func sameAsMe(_ name: String, _ kind: CovarianceKind) throws {
        let fixture = try MclustMeFixture.load(name)
        let expected = try #require(fixture.models[kind.mclustName], "mclust fitted \(kind.mclustName)")
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent(fixture.data).path)
        let start = try DataMatrix(rows: fixture.start)
        // Our first M-step is the start's; each iteration adds an E-step and an M-step.
        let options = FitOptions(componentCount: fixture.components, covarianceKind: kind,
                                 initialization: .responsibilities(start), maxIterations: fixture.iterations - 1,
                                 tolerance: 0, covarianceRegularization: 0)
        let fit = try ExpectationMaximization.fit(data, options: options)
        let tolerance = kind.mclustModel.isIterative ? 1e-6 : 1e-8
        let model = fit.model
        let logLikelihood = fit.report.meanLogLikelihood * Double(data.sampleCount)
        #expect(abs(logLikelihood - expected.loglik) <= tolerance * abs(expected.loglik),
                "log-likelihood \(logLikelihood) vs mclust's \(expected.loglik)")
        // Parameter counts are nMclustParams, so BIC is mclust's with the sign flipped.
        #expect(model.parameterCount == expected.parameters)
        let bic = GaussianMixture.bic(meanLogLikelihood: fit.report.meanLogLikelihood, sampleCount: data.sampleCount,
                                      parameterCount: model.parameterCount)
        #expect(abs(-bic - expected.bic) <= tolerance * abs(expected.bic), "BIC \(bic) vs mclust's \(expected.bic)")
        let weights = worstRelativeError(model.weights, expected.weights, floor: 1e-300)
        #expect(weights.error <= tolerance, "weights: relative error \(weights.error) at \(weights.index)")
        let means = worstRelativeError(model.means.flatMap { $0 }, expected.means.flatMap { $0 }, floor: 1e-300)
        #expect(means.error <= tolerance, "means: relative error \(means.error) at \(means.index)")
        for k in 0..<fixture.components {
            // Entries relative to √(Σ_rr Σ_cc), the scale of a covariance (a correlation's denominator).
            let sigma = expected.covariances[k]
            let actual = model.covarianceMatrix(component: k)
            let d = sigma.count
            var worst = 0.0
            for r in 0..<d {
                for c in 0..<d {
                    let scale = (sigma[r][r] * sigma[c][c]).squareRoot()
                    worst = max(worst, abs(actual[r][c] - sigma[r][c]) / scale)
                }
            }
            #expect(worst <= tolerance, "covariances[\(k)]: relative error \(worst)")
        }
    }
}
