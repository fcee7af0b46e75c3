import Foundation
import Testing
@testable import GaussianMixtures

// The posterior-predictive density is a normalised density and tends to the
// plug-in density as the data grow; the ELBO never decreases; a Dirichlet-
// process fit switches off the components the data do not need.

/// `count` rows drawn from a known mixture of well-separated components.
func separatedData(seed: UInt64, count: Int, featureCount d: Int) throws -> DataMatrix {
    let means: [[Double]] = d == 1 ? [[-6], [0], [7]] : [[-6, 0], [0, 6], [7, -1]]
    let truth = try GaussianMixture(
        weights: [0.5, 0.3, 0.2], means: means,
        covariances: .full(means.map { _ in (0..<d).map { r in (0..<d).map { c in r == c ? 1.0 : (d > 1 ? 0.3 : 0) } } }))
    return truth.sample(count: count, seed: seed).samples
}

func variationalFit(_ data: DataMatrix, k: Int, kind: CovarianceKind = .full, prior: WeightPrior = .dirichletProcess,
                    maxIterations: Int = 200, tolerance: Double = 1e-3, seed: UInt64 = 0) throws -> VariationalFitResult {
    try VariationalInference.fit(data, options: VariationalFitOptions(
        fit: FitOptions(componentCount: k, covarianceKind: kind, maxIterations: maxIterations, tolerance: tolerance,
                        seed: seed),
        weightPrior: prior))
}

@Suite("Variational: predictive density, ELBO, effective components")
struct VariationalPredictiveTests {
    @Test("the predictive density integrates to 1 on a 1-D grid", arguments: WeightPrior.allCases)
    func integratesTo1In1D(_ prior: WeightPrior) throws {
        let data = try separatedData(seed: 3, count: 60, featureCount: 1)
        let posterior = try variationalFit(data, k: 3, prior: prior).posterior
        let step = 0.01
        let grid = try DataMatrix(rows: stride(from: -400.0, through: 400.0, by: step).map { [$0] })
        let total = try posterior.logPredictiveDensities(of: grid).reduce(0) { $0 + exp($1) } * step
        #expect(abs(total - 1) < 2e-3, "∫ p(x) dx = \(total)")
        let plugIn = try posterior.logPlugInDensities(of: grid).reduce(0) { $0 + exp($1) } * step
        #expect(abs(plugIn - 1) < 1e-9, "plug-in ∫ = \(plugIn)")
    }

    @Test("the predictive density integrates to 1 on a 2-D grid", arguments: CovarianceKind.scikitLearnKinds)
    func integratesTo1In2D(_ kind: CovarianceKind) throws {
        let data = try separatedData(seed: 5, count: 90, featureCount: 2)
        let posterior = try variationalFit(data, k: 3, kind: kind, prior: .dirichlet).posterior
        let step = 0.1
        let axis = Array(stride(from: -40.0, through: 40.0, by: step))
        let grid = try DataMatrix(rows: axis.flatMap { a in axis.map { [a, $0] } })
        let total = try posterior.logPredictiveDensities(of: grid).reduce(0) { $0 + exp($1) } * step * step
        #expect(abs(total - 1) < 2e-3, "\(kind.rawValue): ∬ p(x) dx = \(total)")
    }

    @Test("the predictive density approaches the plug-in density as n grows")
    func approachesPlugIn() throws {
        let probe = try separatedData(seed: 99, count: 300, featureCount: 2)
        var gaps: [Double] = []
        for n in [60, 600, 6000] {
            let posterior = try variationalFit(try separatedData(seed: 11, count: n, featureCount: 2), k: 3,
                                               prior: .dirichlet).posterior
            let predictive = try posterior.logPredictiveDensities(of: probe)
            let plugIn = try posterior.logPlugInDensities(of: probe)
            gaps.append(zip(predictive, plugIn).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(probe.sampleCount))
        }
        #expect(gaps[0] > gaps[1] && gaps[1] > gaps[2], "mean |log p − log p̂| by n: \(gaps)")
        #expect(gaps[2] < 2e-3, "gaps \(gaps)")
    }

    @Test("the predictive density of one component is the textbook Student t")
    func textbookStudentT() throws {
        let data = try separatedData(seed: 7, count: 40, featureCount: 1)
        let p = try variationalFit(data, k: 1).posterior
        let (dof, s) = p.studentT(component: 0)
        let scale2 = s * p.covarianceMatrix(component: 0)[0]
        for x in [-3.0, 0.5, 12.0] {
            let centred: Double = x - p.means[0][0]
            let z2: Double = centred * centred / scale2
            let normaliser: Double = lgamma((dof + 1) / 2) - lgamma(dof / 2) - 0.5 * log(dof * Double.pi * scale2)
            let expected: Double = normaliser - (dof + 1) / 2 * log(1 + z2 / dof)
            let actual = try p.logPredictiveDensities(of: try DataMatrix(rows: [[x]]))[0]
            #expect(abs(actual - expected) < 1e-12 * max(1, abs(expected)))
        }
        let v = p.studentT(component: 0)
        #expect(v.degrees == p.degreesOfFreedom[0])  // ν + 1 − d with d = 1
    }

    @Test("the ELBO never decreases", arguments: CovarianceKind.scikitLearnKinds)
    func elboNeverDecreases(_ kind: CovarianceKind) throws {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/old-faithful.csv").path)
        for prior in WeightPrior.allCases {
            let trace = try variationalFit(data, k: 6, kind: kind, prior: prior, maxIterations: 60, tolerance: 0)
                .report.lowerBoundTrace
            for i in trace.indices.dropFirst() {
                #expect(trace[i] >= trace[i - 1] - 1e-9 * abs(trace[i - 1]),
                        "\(kind.rawValue) \(prior.rawValue): ELBO fell at iteration \(i + 1): \(trace[i - 1]) → \(trace[i])")
            }
        }
    }

    @Test("K = 10 on three well-separated components leaves 3 effective components", arguments: [1, 2, 3] as [UInt64])
    func switchesOffUnneededComponents(_ seed: UInt64) throws {
        let data = try separatedData(seed: seed, count: 600, featureCount: 2)
        let fit = try variationalFit(data, k: 10, maxIterations: 2000, tolerance: 1e-6, seed: seed)
        #expect(fit.posterior.effectiveComponents().count == 3, "weights \(fit.posterior.weights)")
    }

    @Test("predictive draws have the predictive's mean and a wider spread than the plug-in's")
    func predictiveSampling() throws {
        let data = try separatedData(seed: 13, count: 30, featureCount: 1)
        let p = try variationalFit(data, k: 1).posterior
        let draws = p.samplePredictive(count: 200_000, seed: 4).samples.values
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count - 1)
        let (dof, s) = p.studentT(component: 0)
        let expectedVariance = s * p.covarianceMatrix(component: 0)[0] * dof / (dof - 2)
        #expect(abs(mean - p.means[0][0]) < 0.02)
        #expect(abs(variance / expectedVariance - 1) < 0.03, "variance \(variance) vs \(expectedVariance)")
        #expect(p.samplePredictive(count: 10, seed: 4).samples.values == p.samplePredictive(count: 10, seed: 4).samples.values)
    }
}
