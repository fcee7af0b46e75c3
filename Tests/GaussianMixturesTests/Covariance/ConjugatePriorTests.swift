import Foundation
import Testing
@testable import GaussianMixtures

/// A fixture written by Tests/Fixtures/mclust/prior.R: mclust's `me()` with `priorControl()`.
struct MclustPriorFixture: Decodable {
    struct Hyper: Decodable {
        let shrinkage: Double
        let mean: [Double]
        let dof: Double
        let scale: Scale
    }
    enum Scale: Decodable {
        case number(Double)
        case matrix([[Double]])
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let x = try? c.decode(Double.self) { self = .number(x) } else { self = .matrix(try c.decode([[Double]].self)) }
        }
    }
    struct Fit: Decodable {
        let prior: Hyper
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
    /// `nil` where mclust cannot fit the model with the prior (VEI, EVI, VVI on the raw wdbc-mean columns).
    let models: [String: Fit?]
    let unsupported: [String]

    static let names = ["iris", "old-faithful", "wdbc-mean", "wdbc-mean-scaled"]
    static let supported: [CovarianceKind] = CovarianceKind.mclustOrder.filter(ConjugatePrior.isSupported)

    static func load(_ name: String) throws -> MclustPriorFixture {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/mclust/prior-\(name).json")
        return try JSONDecoder().decode(MclustPriorFixture.self, from: Data(contentsOf: url))
    }
}

/// prior-bic-iris.json: mclustBIC's table with the prior.
struct MclustPriorTableFixture: Decodable {
    struct Fit: Decodable {
        let model: String
        let G: Int
        let iterations: Int?
        let bic_mclust: Double?
    }
    let data: String
    let fits: [Fit]
}

@Suite("mclust's conjugate prior (MAP EM) against mclust")
struct ConjugatePriorTests {
    static let cases: [(String, CovarianceKind)] = MclustPriorFixture.names.flatMap { name in
        MclustPriorFixture.supported.map { (name, $0) }
    }

    /// From mclust's start, no regulariser, 25 MAP M-steps (the first from the start):
    /// the default hyper-parameters equal `defaultPrior`'s to 1e-12; weights, means,
    /// covariances and the log-likelihood equal mclust's to 1e-8 relative for the
    /// closed-form models, 1e-6 for the iterative ones (VEI, VEV).
    @Test("25 MAP EM steps from the same responsibilities equal mclust's me(prior = priorControl())", arguments: cases)
    func sameAsMe(_ name: String, _ kind: CovarianceKind) throws {
        let fixture = try MclustPriorFixture.load(name)
        guard let entry = fixture.models[kind.mclustName], let expected = entry else {
            // mclust fails there; only the raw wdbc-mean columns have such models.
            #expect(name == "wdbc-mean" && [CovarianceKind.VEI, .EVI, .diagonal].contains(kind))
            return
        }
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent(fixture.data).path)
        let prior = try ConjugatePrior.mclustDefault(for: data, componentCount: fixture.components, kind: kind)
        #expect(prior.shrinkage == expected.prior.shrinkage)
        #expect(prior.degreesOfFreedom == expected.prior.dof)
        // Column means of standardised data are rounding noise (1e-16): relative to at least 0.01.
        #expect(worstRelativeError(prior.mean, expected.prior.mean, floor: 0.01).error <= 1e-12)
        switch (prior.scale, expected.prior.scale) {
        case let (.variance(v), .number(e)): #expect(abs(v - e) <= 1e-12 * e)
        case let (.matrix(m), .matrix(e)):
            #expect(worstRelativeError(m.flatMap { $0 }, e.flatMap { $0 }, floor: 1e-300).error <= 1e-12)
        default: Issue.record("scale of the wrong form for \(kind.mclustName)")
        }
        let options = FitOptions(componentCount: fixture.components, covarianceKind: kind,
                                 initialization: .responsibilities(try DataMatrix(rows: fixture.start)),
                                 maxIterations: fixture.iterations - 1, tolerance: 0, covarianceRegularization: 0,
                                 prior: prior)
        let fit = try ExpectationMaximization.fit(data, options: options)
        let tolerance = kind.mclustModel.isIterative ? 1e-6 : 1e-8
        let model = fit.model
        // The reported log-likelihood is the log-likelihood, not the log-posterior, as me() reports it.
        let logLikelihood = fit.report.meanLogLikelihood * Double(data.sampleCount)
        #expect(abs(logLikelihood - expected.loglik) <= tolerance * abs(expected.loglik),
                "log-likelihood \(logLikelihood) vs mclust's \(expected.loglik)")
        #expect(model.parameterCount == expected.parameters)
        let bic = GaussianMixture.bic(meanLogLikelihood: fit.report.meanLogLikelihood, sampleCount: data.sampleCount,
                                      parameterCount: model.parameterCount)
        #expect(abs(-bic - expected.bic) <= tolerance * abs(expected.bic), "BIC \(bic) vs mclust's \(expected.bic)")
        let weights = worstRelativeError(model.weights, expected.weights, floor: 1e-300)
        #expect(weights.error <= tolerance, "weights: relative error \(weights.error) at \(weights.index)")
        let means = worstRelativeError(model.means.flatMap { $0 }, expected.means.flatMap { $0 }, floor: 1e-300)
        #expect(means.error <= tolerance, "means: relative error \(means.error) at \(means.index)")
        for k in 0..<fixture.components {
            let sigma = expected.covariances[k]
            let actual = model.covarianceMatrix(component: k)
            let d = sigma.count
            var worst = 0.0
            for r in 0..<d {
                for c in 0..<d {
                    worst = max(worst, abs(actual[r][c] - sigma[r][c]) / (sigma[r][r] * sigma[c][c]).squareRoot())
                }
            }
            #expect(worst <= tolerance, "covariances[\(k)]: relative error \(worst)")
        }
    }

    /// mclust defines no prior for VEE, EVE, VVE and EVV; a fit refuses it, naming the model.
    @Test("the four models without a prior in mclust are refused", arguments: ["VEE", "EVE", "VVE", "EVV"])
    func unsupported(_ name: String) throws {
        let fixture = try MclustPriorFixture.load("iris")
        #expect(fixture.unsupported.contains(name))
        let kind = try #require(CovarianceKind(name: name))
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent(fixture.data).path)
        #expect(throws: ConjugatePrior.unsupported(kind)) {
            _ = try ConjugatePrior.mclustDefault(for: data, componentCount: 3, kind: kind)
        }
        let prior = try ConjugatePrior.mclustDefault(for: data, componentCount: 3, kind: .full)
        let options = FitOptions(componentCount: 3, covarianceKind: kind, prior: prior)
        #expect(throws: ConjugatePrior.unsupported(kind)) { try options.validate() as Void }
        #expect(ConjugatePrior.unsupported(kind).description.contains(name))
    }

    /// The fits MAP EM is not implemented for refuse a prior instead of ignoring it.
    @Test("online, variational and missing-value fits refuse the prior")
    func refusedElsewhere() throws {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/iris.csv").path)
        var options = FitOptions(componentCount: 2, covarianceKind: .full, maxIterations: 3)
        options.prior = try ConjugatePrior.mclustDefault(for: data, componentCount: 2, kind: .full)
        func isPriorError(_ error: any Error) -> Bool {
            if case .invalidOption(name: "prior", _)? = error as? FitError { return true }
            return false
        }
        #expect(performing: { _ = try OnlineExpectationMaximization.fit(data, options: options, online: OnlineFitOptions(batchSize: 50)) },
                throws: isPriorError)
        #expect(performing: { _ = try VariationalInference.fit(data, options: VariationalFitOptions(fit: options)) },
                throws: isPriorError)
        var rows = (0..<data.sampleCount).map { i in (0..<4).map { j in data[i, j] } }
        rows[0][1] = .nan
        let gappy = try IncompleteDataMatrix(rows: rows)
        #expect(performing: { _ = try ExpectationMaximization.fit(gappy, options: options) }, throws: isPriorError)
    }

    /// mclustBIC(iris, G = 1:9, prior = priorControl()): every cell from the same hc start
    /// with as many M-steps as mclust made, no regulariser, to 1e-6 relative.
    @Test("the same number of MAP EM steps from the hc start gives mclustBIC's table with the prior")
    func tableEqualsMclust() throws {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/mclust/prior-bic-iris.json")
        let fixture = try JSONDecoder().decode(MclustPriorTableFixture.self, from: Data(contentsOf: url))
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent(fixture.data).path)
        let tree = try AgglomerationTree(data: data, seed: 0)
        var compared = 0
        for cell in fixture.fits {
            guard let expected = cell.bic_mclust, let iterations = cell.iterations else { continue }
            let kind = try #require(CovarianceKind(name: cell.model))
            let prior = try ConjugatePrior.mclustDefault(for: data, componentCount: cell.G, kind: kind)
            let options = FitOptions(componentCount: cell.G, covarianceKind: kind, initialization: .hierarchicalTree(tree),
                                     maxIterations: max(iterations - 1, 0), tolerance: 0, covarianceRegularization: 0,
                                     prior: prior)
            let fit = try ExpectationMaximization.fit(data, options: options)
            let bic = GaussianMixture.bic(meanLogLikelihood: fit.report.meanLogLikelihood, sampleCount: data.sampleCount,
                                          parameterCount: fit.model.parameterCount)
            #expect(abs(-bic - expected) <= 1e-6 * abs(expected), "\(cell.model) G=\(cell.G): BIC \(-bic) vs mclust \(expected)")
            compared += 1
        }
        #expect(compared >= 80)
    }

    /// `gmm select --prior`'s defaults (hc start, K = 1…9, the ten models, --tol 1e-3,
    /// --reg-covar 1e-6) choose what Mclust(prior = priorControl()) chooses, with its BIC to 1e-3.
    @Test("select with the prior chooses Mclust(prior = priorControl())'s model", arguments: ["iris", "old-faithful"])
    func sameChoice(_ name: String) throws {
        struct Choice: Decodable { let data: String; let model: String; let G: Int; let bic: Double }
        struct File: Decodable { let choices: [String: Choice] }
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/mclust/prior-choice.json")
        let expected = try #require(try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).choices[name])
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent(expected.data).path)
        let table = ModelSearch.run(data, componentCounts: Array(1...9), kinds: MclustPriorFixture.supported,
                                    options: FitOptions(initialization: .hierarchical), criterion: .bic, usesMclustPrior: true)
        let best = try #require(table.best)
        #expect(best.covarianceKind.mclustName == expected.model && best.componentCount == expected.G)
        let bic = try #require(best.bic)
        #expect(abs(-bic - expected.bic) <= 1e-3 * abs(expected.bic), "BIC \(-bic) vs mclust's \(expected.bic)")
    }

    /// MAP EM never lowers the log-posterior (the trace), up to rounding, for every
    /// supported model: on iris from mclust's start, 60 iterations. EEI's means are
    /// not shrunk in mclust's step (nor ours), so its step is not an exact maximiser;
    /// it is checked with the same tolerance, which it meets on these data.
    @Test("MAP EM never lowers the log-posterior", arguments: MclustPriorFixture.supported)
    func ascent(_ kind: CovarianceKind) throws {
        let fixture = try MclustPriorFixture.load("iris")
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent(fixture.data).path)
        let prior = try ConjugatePrior.mclustDefault(for: data, componentCount: 3, kind: kind)
        let options = FitOptions(componentCount: 3, covarianceKind: kind,
                                 initialization: .responsibilities(try DataMatrix(rows: fixture.start)),
                                 maxIterations: 60, tolerance: 0, covarianceRegularization: 0, prior: prior)
        let fit = try ExpectationMaximization.fit(data, options: options)
        let trace = fit.report.logLikelihoodTrace
        // The inner loops of VEI and VEV stop at mclust's tolerance, √ε relative.
        // EEI's mclust step leaves the means unshrunk, so it misses the maximiser by O(κ):
        // its log-posterior may fall by that much (about 1e-8 relative per step here).
        let slack = kind == .EEI ? 1e-6 : kind.mclustModel.isIterative ? 1e-7 : 1e-12
        for i in 1..<trace.count {
            #expect(trace[i] >= trace[i - 1] - slack * abs(trace[i - 1]), "iteration \(i + 1): \(trace[i]) < \(trace[i - 1])")
        }
        // The trace is the log-posterior: the log-likelihood plus log p(θ), per row.
        let stats = fit.model.statistics(of: data)
        let posterior = (stats.logLikelihood + prior.logDensity(of: fit.model)) / Double(data.sampleCount)
        #expect(posterior > fit.report.meanLogLikelihood - 1e3 && posterior.isFinite)
    }

    /// Degenerate clusters: 6 copies of one point, or 3 distinct points in 5 dimensions
    /// (fewer rows than features: singular for VVV, not for the models that share
    /// a shape or are axis-aligned). Without the prior the cluster's covariance
    /// collapses; with it the fit is finite.
    @Test("a degenerate cluster collapses without the prior and fits with it",
          arguments: [(CovarianceKind.full, false), (.diagonal, false), (.spherical, false), (.VEV, false), (.full, true)])
    func degenerate(_ kind: CovarianceKind, _ fewerRowsThanFeatures: Bool) throws {
        let d = fewerRowsThanFeatures ? 5 : 3
        var rows: [[Double]] = []
        for i in 0..<40 {
            var row = [Double](repeating: 0, count: d)
            let t = Double(i)
            row[0] = sin(1.3 * t)
            row[1] = 2 * cos(0.7 * t)
            row[2] = sin(2.1 * t + 1)
            for j in 3..<d { row[j] = cos(Double(j) * t + 0.5) }
            rows.append(row)
        }
        var small: [[Double]] = []
        for i in 0..<(fewerRowsThanFeatures ? 3 : 6) {
            var row = [Double](repeating: 10, count: d)
            if fewerRowsThanFeatures {
                for j in 0..<d { row[j] += Double((i * 7 + j * 3) % 5) }
            }
            small.append(row)
        }
        rows += small
        let n = rows.count
        let data = try DataMatrix(rows: rows)
        let start = try DataMatrix(rows: (0..<n).map { $0 < 40 ? [1, 0] : [0, 1] })
        let plain = FitOptions(componentCount: 2, covarianceKind: kind, initialization: .responsibilities(start),
                               maxIterations: 20, tolerance: 0, covarianceRegularization: 0)
        #expect(throws: FitError.self) { _ = try ExpectationMaximization.fit(data, options: plain) }
        var options = plain
        options.prior = try ConjugatePrior.mclustDefault(for: data, componentCount: 2, kind: kind)
        let fit = try ExpectationMaximization.fit(data, options: options)
        #expect(fit.report.meanLogLikelihood.isFinite)
        #expect(abs(fit.model.weights[1] - Double(small.count) / Double(n)) < 1e-6)
        for k in 0..<2 { #expect(fit.model.covarianceMatrix(component: k).joined().allSatisfy { $0.isFinite }) }
    }

    /// The same seed gives the same bits, with a random start.
    @Test("same seed, same model, with the prior")
    func deterministic() throws {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/iris.csv").path)
        let prior = try ConjugatePrior.mclustDefault(for: data, componentCount: 3, kind: .VEV)
        let options = FitOptions(componentCount: 3, covarianceKind: .VEV, initialization: .kMeans, initializationCount: 2,
                                 seed: 11, prior: prior)
        let a = try ExpectationMaximization.fit(data, options: options)
        let b = try ExpectationMaximization.fit(data, options: options)
        #expect(a.model == b.model)
        #expect(a.report.logLikelihoodTrace == b.report.logLikelihoodTrace)
    }
}
