import Foundation
import Testing
@testable import GaussianMixtures

@Suite("EM invariants")
struct InvariantTests {
    let faithful: DataMatrix = try! DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/old-faithful.csv").path)
    let iris: DataMatrix = try! DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/iris.csv").path)

    @Test("responsibilities lie in [0, 1] and each row sums to 1; log P(x) is the log-sum-exp of the joint")
    func responsibilities() throws {
        let fit = try ExpectationMaximization.fit(iris, options: FitOptions(componentCount: 3, seed: 1))
        let model = fit.model
        let resp = try model.responsibilities(for: iris)
        let density = try model.logDensities(of: iris)
        for i in 0..<iris.sampleCount {
            let row = resp.row(i)
            #expect(row.allSatisfy { $0 >= 0 && $0 <= 1 })
            #expect(abs(row.reduce(0, +) - 1) <= 1e-12)
            // Independent re-derivation with an explicit determinant and inverse.
            let joint = (0..<model.componentCount).map { k in
                log(model.weights[k]) + naiveLogNormal(iris.row(i), mean: model.means[k], covariance: model.covarianceMatrix(component: k))
            }
            let lse = joint.max()! + log(joint.map { exp($0 - joint.max()!) }.reduce(0, +))
            #expect(abs(density[i] - lse) <= 1e-10 * abs(lse))
            for k in 0..<model.componentCount {
                #expect(abs(row[row.startIndex + k] - exp(joint[k] - lse)) <= 1e-10)
            }
        }
    }

    @Test("with no regulariser the log-likelihood never decreases", arguments: [1, 2, 3, 5])
    func monotone(_ k: Int) throws {
        for (data, seed) in [(faithful, UInt64(3)), (iris, UInt64(4))] {
            let options = FitOptions(componentCount: k, initialization: .randomResponsibilities, maxIterations: 60,
                                     tolerance: 0, covarianceRegularization: 0, seed: seed)
            let fit = try ExpectationMaximization.fit(data, options: options)
            let trace = fit.report.logLikelihoodTrace + [fit.report.meanLogLikelihood]
            for t in 1..<trace.count {
                #expect(trace[t] >= trace[t - 1] - 1e-12 * abs(trace[t - 1]), "iteration \(t): \(trace[t - 1]) → \(trace[t])")
            }
        }
    }

    @Test("statistics of row blocks add up to the statistics of all rows")
    func blockwiseStatistics() throws {
        let model = try ExpectationMaximization.fit(iris, options: FitOptions(componentCount: 3, maxIterations: 5)).model
        let whole = ExpectationStep.statistics(of: iris, under: model)
        for blockRows in [1, 7, 64, 150] {
            let parts = stride(from: 0, to: iris.sampleCount, by: blockRows).map { start -> SufficientStatistics in
                let rows = iris.rows(start..<min(start + blockRows, iris.sampleCount))
                return ExpectationStep.statistics(of: rows, under: model)
            }
            let sum = parts.dropFirst().reduce(parts[0], +)
            #expect(sum.sampleCount == whole.sampleCount)
            for (a, b) in [(sum.softCounts, whole.softCounts), (sum.sums, whole.sums), (sum.moments, whole.moments)] {
                let scale = b.map(abs).max()!
                #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * scale })
            }
            #expect(abs(sum.logLikelihood - whole.logLikelihood) <= 1e-12 * abs(whole.logLikelihood))
        }
    }

    @Test("the same seed gives the same bytes; another seed may not", arguments: [InitializationMethod.kMeans, .kMeansPlusPlus, .randomResponsibilities, .randomSamples])
    func reproducible(_ method: InitializationMethod) throws {
        let options = FitOptions(componentCount: 3, initialization: method, initializationCount: 2, seed: 42)
        let a = try ExpectationMaximization.fit(iris, options: options)
        let b = try ExpectationMaximization.fit(iris, options: options)
        #expect(a.model == b.model)
        #expect(ModelFile.encode(a.model, summary: FitSummary(report: a.report, model: a.model))
            == ModelFile.encode(b.model, summary: FitSummary(report: b.report, model: b.model)))
    }

    @Test("the fit is the same to the bit on 1, 2 or 3 threads")
    func threadCountInvariance() throws {
        let (data, _) = try syntheticData(seed: 5, count: 270_000)  // 66 blocks, 64 chunks (two of two blocks)
        let fits = try [1, 2, 3].map { threads in
            try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 3, maxIterations: 5, tolerance: 0, threadCount: threads))
        }
        #expect(fits[0].model == fits[1].model && fits[1].model == fits[2].model)
        #expect(fits[0].report == fits[1].report && fits[1].report == fits[2].report)
        #expect(ExpectationStep.chunkCount(rows: 270_000, blockRows: 4096) == 64)
    }

    @Test("the reported log-likelihood is that of the returned parameters")
    func finalEStep() throws {
        for k in [1, 2, 3] {
            let fit = try ExpectationMaximization.fit(faithful, options: FitOptions(componentCount: k, seed: 9))
            // Equal up to the order of the sum: the fit's last pass adds log P(x) in eight lanes per
            // block (the fused kernel, FusedStatisticsTests), scoring row by row. A few roundings of
            // Σ |log P(x)|, far below what one EM step changes.
            let scored = try fit.model.meanLogLikelihood(of: faithful)
            #expect(abs(scored - fit.report.meanLogLikelihood) <= 1e-13 * abs(scored))
            #expect(fit.report.logLikelihoodTrace.last! <= fit.report.meanLogLikelihood + 1e-12)
        }
    }

    @Test("more restarts never give a worse best fit")
    func restarts() throws {
        let one = try ExpectationMaximization.fit(iris, options: FitOptions(componentCount: 4, initialization: .randomSamples, seed: 5))
        let five = try ExpectationMaximization.fit(iris, options: FitOptions(componentCount: 4, initialization: .randomSamples, initializationCount: 5, seed: 5))
        #expect(five.report.meanLogLikelihood >= one.report.meanLogLikelihood)
        #expect(five.report.initializationLogLikelihoods.count == 5)
    }

    @Test("max-iter 0 returns the starting model")
    func zeroIterations() throws {
        let start = try ExpectationMaximization.fit(faithful, options: FitOptions(componentCount: 2, maxIterations: 3)).model
        let fit = try ExpectationMaximization.fit(faithful, options: FitOptions(componentCount: 2, initialization: .model(start), maxIterations: 0))
        #expect(fit.model == start)
        #expect(fit.report.iterationCount == 0)
        #expect(!fit.report.hasConverged)
    }

    @Test("a collapsing component is reported by number, never as NaN")
    func collapse() throws {
        // Three distinct points repeated: a fourth component has nothing to hold.
        let rows = (0..<30).map { i -> [Double] in [[0, 0], [1, 1], [2, 0]][i % 3] }
        let data = try DataMatrix(rows: rows)
        let options = FitOptions(componentCount: 4, initialization: .randomResponsibilities, maxIterations: 200,
                                 tolerance: 0, covarianceRegularization: 0, seed: 1)
        #expect {
            try ExpectationMaximization.fit(data, options: options)
        } throws: { error in
            guard case let FitError.componentCollapsed(component, _, _)? = error as? FitError else { return false }
            return component != nil && (error as! FitError).description.contains("--reg-covar")
        }
    }

    @Test("more components than rows is an error")
    func tooFewRows() throws {
        let data = try DataMatrix(rows: [[1, 2], [3, 4]])
        #expect(throws: FitError.tooFewSamples(samples: 2, components: 3)) {
            try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 3))
        }
    }

    @Test("a recovered mixture matches the one the data was drawn from")
    func recovery() throws {
        let (data, truth) = try syntheticData(seed: 11, count: 20_000)
        let fit = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 2, initializationCount: 2))
        let order = fit.model.weights[0] < fit.model.weights[1] ? [0, 1] : [1, 0]
        for (k, t) in zip(order, 0..<2) {
            #expect(abs(fit.model.weights[k] - truth.weights[t]) < 0.02)
            for j in 0..<2 { #expect(abs(fit.model.means[k][j] - truth.means[t][j]) < 0.05) }
        }
    }
}

/// log N(x | μ, Σ) the textbook way: explicit determinant and inverse (2×2 … 4×4 by cofactors/Gauss).
func naiveLogNormal(_ x: [Double], mean: [Double], covariance: [[Double]]) -> Double {
    let d = x.count
    // Gauss–Jordan inverse and determinant, deliberately independent of the Cholesky path.
    var a = covariance
    var inv = (0..<d).map { r in (0..<d).map { c in r == c ? 1.0 : 0.0 } }
    var det = 1.0
    for c in 0..<d {
        let p = (c..<d).max { abs(a[$0][c]) < abs(a[$1][c]) }!
        if p != c { a.swapAt(p, c); inv.swapAt(p, c); det = -det }
        let pivot = a[c][c]
        det *= pivot
        for j in 0..<d { a[c][j] /= pivot; inv[c][j] /= pivot }
        for r in 0..<d where r != c {
            let f = a[r][c]
            for j in 0..<d { a[r][j] -= f * a[c][j]; inv[r][j] -= f * inv[c][j] }
        }
    }
    let diff = zip(x, mean).map { $0 - $1 }
    var q = 0.0
    for r in 0..<d { for c in 0..<d { q += diff[r] * inv[r][c] * diff[c] } }
    return -0.5 * (Double(d) * log(2 * Double.pi) + log(det) + q)
}
