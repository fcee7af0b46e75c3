import Foundation
import Testing
@testable import GaussianMixtures

// Agreement with scikit-learn 1.9 from the same starting model: the golden
// files hold sklearn's results after 10 (and 1) EM iterations with tol 0,
// plus predict_proba / score_samples on rows that were not trained on.

struct GoldenCase: CustomTestStringConvertible, Sendable {
    let file: String
    let index: Int
    let kind: CovarianceKind
    let components: Int
    var testDescription: String { "\(file) \(kind.rawValue) K=\(components)" }
}

let goldenCases: [GoldenCase] = GoldenFile.names.flatMap { name -> [GoldenCase] in
    guard let golden = try? GoldenFile.load(name) else { return [] }
    return golden.cases.enumerated().compactMap { idx, c in
        guard let kind = CovarianceKind(rawValue: c.covariance_type) else { return nil }
        return GoldenCase(file: name, index: idx, kind: kind, components: c.n_components)
    }
}

@Suite("Agreement with scikit-learn")
struct ScikitLearnAgreementTests {
    static let tolerance = 1e-8

    func setUp(_ gc: GoldenCase) throws -> (GoldenFile, GoldenFile.Case, DataMatrix, GaussianMixture) {
        let golden = try GoldenFile.load(gc.file)
        let c = golden.cases[gc.index]
        let data = try golden.dataMatrix()
        let start = try GaussianMixture(
            weights: c.`init`.weights, means: c.`init`.means,
            covariances: covarianceParameters(gc.kind, c.`init`.covariances, components: gc.components, features: data.featureCount),
            featureNames: data.featureNames)
        return (golden, c, data, start)
    }

    func expectClose(_ actual: [Double], _ expected: [Double], _ what: String, floor: Double = 1e-12,
                     tolerance: Double = tolerance) {
        let worst = worstRelativeError(actual, expected, floor: floor)
        #expect(worst.error <= tolerance, "\(what)[\(worst.index)]: relative error \(worst.error)")
    }

    @Test("starting model: score_samples", arguments: goldenCases)
    func startingDensities(_ gc: GoldenCase) throws {
        let (_, c, data, start) = try setUp(gc)
        let rows = try DataMatrix(rows: c.init_score_samples.rows.map { data.row($0) })
        expectClose(try start.logDensities(of: rows), c.init_score_samples.values, "log density", tolerance: 1e-12)
    }

    @Test("ten EM iterations from the same start", arguments: goldenCases)
    func tenIterations(_ gc: GoldenCase) throws {
        let (golden, c, data, start) = try setUp(gc)
        let options = FitOptions(componentCount: gc.components, covarianceKind: gc.kind, initialization: .model(start),
                                 maxIterations: c.max_iter, tolerance: c.tol, covarianceRegularization: golden.reg_covar)
        let fit = try ExpectationMaximization.fit(data, options: options)
        let e = c.expected
        expectClose(fit.model.weights, e.weights, "weights")
        let scale = e.means.flatMap { $0 }.map(abs).max()!
        expectClose(fit.model.means.flatMap { $0 }, e.means.flatMap { $0 }, "means", floor: 1e-6 * scale)
        let cov = e.covariances.numbers
        expectClose(fit.model.covariances.flattened, cov, "covariances", floor: 1e-6 * cov.map(abs).max()!)
        #expect(fit.report.iterationCount == e.n_iter)
        #expect(fit.report.hasConverged == e.converged)
        expectClose(fit.report.logLikelihoodTrace, e.lower_bounds, "lower bound trace")
        expectClose([fit.report.meanLogLikelihood], [e.mean_log_likelihood], "mean log-likelihood")
        #expect(fit.model.parameterCount == e.n_parameters)
        let summary = FitSummary(report: fit.report, model: fit.model)
        expectClose([summary.bic, summary.aic], [e.bic, e.aic], "bic, aic")

        // The fitted model on rows it was not trained on, including far-away ones.
        let query = try DataMatrix(rows: c.query.rows)
        expectClose(try fit.model.logDensities(of: query), c.query.score_samples, "score_samples")
        let resp = try fit.model.responsibilities(for: query)
        let expected = c.query.predict_proba.flatMap { $0 }
        let worstAbsolute = zip(resp.values, expected).map { abs($0 - $1) }.max()!
        // On synthetic-3d (means near 1000) scikit-learn's diag, spherical and tied
        // M-steps use the one-pass E[x²] − μ² form, which loses ~5e-10 relative in
        // every variance there; after ten iterations that moves a few posterior
        // probabilities by up to ~4e-8. Our moments are centred (see the
        // translation-invariance test), so the difference is scikit-learn's.
        let probabilityTolerance = gc.file == "synthetic-3d" && gc.kind != .full ? 1e-7 : 1e-8
        #expect(worstAbsolute <= probabilityTolerance, "predict_proba: absolute error \(worstAbsolute)")
        #expect(try fit.model.labels(for: query) == c.query.predict)
    }

    @Test("one EM iteration from the same start", arguments: goldenCases)
    func oneIteration(_ gc: GoldenCase) throws {
        let (golden, c, data, start) = try setUp(gc)
        let options = FitOptions(componentCount: gc.components, covarianceKind: gc.kind, initialization: .model(start),
                                 maxIterations: 1, tolerance: 0, covarianceRegularization: golden.reg_covar)
        let fit = try ExpectationMaximization.fit(data, options: options)
        let e = c.expected_one_iteration
        expectClose(fit.model.weights, e.weights, "weights")
        expectClose(fit.model.means.flatMap { $0 }, e.means.flatMap { $0 }, "means", floor: 1e-3)
        let cov = e.covariances.numbers
        expectClose(fit.model.covariances.flattened, cov, "covariances", floor: 1e-6 * cov.map(abs).max()!)
        // 1e-10, not tighter: scikit-learn's diag and spherical E-steps expand
        // |x − μ|² into x² − 2xμ + μ², which cancels on synthetic-3d (means near 1000).
        expectClose(fit.report.logLikelihoodTrace, [e.lower_bound], "lower bound", tolerance: 1e-10)
    }

    @Test("default k-means start with 5 restarts is at least as good as scikit-learn's", arguments: GoldenFile.names)
    func defaultFits(_ name: String) throws {
        let golden = try GoldenFile.load(name)
        let data = try golden.dataMatrix()
        for reference in golden.default_fits {
            let options = FitOptions(componentCount: reference.n_components, initializationCount: reference.n_init)
            let fit = try ExpectationMaximization.fit(data, options: options)
            // K ≤ 3: both find the same optimum, so ours must not be worse. K = 5 has
            // many local optima and the two libraries draw different k-means seeds:
            // over 30 seeds the medians agree within 0.05 %, so one seed may land
            // either side; we ask for the same neighbourhood (0.1 %).
            let slack = reference.n_components <= 3 ? 1e-9 : 1e-3
            #expect(fit.report.meanLogLikelihood >= reference.mean_log_likelihood - slack * abs(reference.mean_log_likelihood),
                    "K=\(reference.n_components): ours \(fit.report.meanLogLikelihood), scikit-learn \(reference.mean_log_likelihood)")
        }
    }
}
