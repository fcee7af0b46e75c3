import Foundation
import Testing
@testable import GaussianMixtures

@Suite("Online EM")
struct OnlineExpectationMaximizationTests {
    /// Three well-separated components in 3-D, 6000 rows.
    static let separated: (data: DataMatrix, truth: GaussianMixture) = {
        let truth = try! GaussianMixture(
            weights: [0.5, 0.3, 0.2], means: [[0, 0, 0], [8, 1, -2], [-3, 9, 4]],
            covariances: .full([[[1, 0.3, 0], [0.3, 2, 0.1], [0, 0.1, 0.5]],
                                [[0.6, 0, 0.2], [0, 0.4, 0], [0.2, 0, 1.5]],
                                [[2, -0.5, 0], [-0.5, 1, 0], [0, 0, 1]]]))
        return (truth.sample(count: 6000, seed: 11).samples, truth)
    }()

    @Test("re-centred statistics equal the statistics taken around the new shifts directly", arguments: CovarianceKind.allCases)
    func recentring(_ kind: CovarianceKind) throws {
        let data = Self.separated.data
        let model = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 3, covarianceKind: kind,
                                                                             maxIterations: 2, seed: 1)).model
        let moved = try GaussianMixture(weights: model.weights, means: model.means.map { $0.map { $0 + 3.5 } },
                                        covariances: model.covariances)
        // The same responsibilities (those of `model`), moments around two different shifts.
        let resp = try model.responsibilities(for: data)
        func statistics(around shifts: [Double]) -> SufficientStatistics {
            ExpectationStep.accumulate(data, weights: nil, componentCount: 3, momentShape: kind.family.momentShape,
                                       shifts: shifts, blockRows: 256) { range, _, rows, out, _ in
                for r in 0..<rows { for k in 0..<3 { out[r * 3 + k] = resp[range.lowerBound + r, k] } }
            }
        }
        let direct = statistics(around: moved.flatMeans)
        let recentred = statistics(around: model.flatMeans).recentred(on: moved.flatMeans)
        #expect(recentred.shifts == direct.shifts)
        #expect(recentred.softCounts == direct.softCounts)
        for (a, b) in [(recentred.sums, direct.sums), (recentred.moments, direct.moments)] {
            let scale = b.map(abs).max()!
            let worst = zip(a, b).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-11 * scale, "worst difference \(worst) of \(scale)")
        }
        // Moving there and back is the identity up to rounding.
        let back = recentred.recentred(on: model.flatMeans)
        let original = statistics(around: model.flatMeans)
        let scale = original.moments.map(abs).max()!
        #expect(zip(back.moments, original.moments).allSatisfy { abs($0 - $1) <= 1e-11 * scale })
    }

    @Test("a fresh state's first update (γ = 1) on all rows is exactly one batch-EM iteration", arguments: CovarianceKind.allCases)
    func firstUpdateIsBatchStep(_ kind: CovarianceKind) throws {
        let data = Self.separated.data
        let start = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 3, covarianceKind: kind,
                                                                             maxIterations: 0, seed: 2)).model
        let batch = try ExpectationMaximization.fit(data, options: FitOptions(
            componentCount: 3, covarianceKind: kind, initialization: .model(start), maxIterations: 1, tolerance: 0))
        var online = try OnlineExpectationMaximization(model: start, schedule: .decaying(exponent: 0.6))
        #expect(online.nextStep(batchWeight: 6000) == 1)
        try online.update(with: data)
        #expect(online.latestStep == 1)
        #expect(online.model == batch.model)
        #expect(online.latestBatchMeanLogLikelihood == batch.report.logLikelihoodTrace[0])
    }

    @Test("the blend with γ = 1 returns the batch's statistics exactly; γ = 0 keeps the running ones")
    func interpolationEnds() throws {
        let data = Self.separated.data
        let model = Self.separated.truth
        let a = ExpectationStep.statistics(of: data.rows(0..<3000), under: model)
        let b = ExpectationStep.statistics(of: data.rows(3000..<6000), under: model)
        let one = a.interpolated(toward: b, step: 1)
        #expect(one.softCounts == b.softCounts && one.sums == b.sums && one.moments == b.moments)
        let zero = a.interpolated(toward: b, step: 0)
        #expect(zero.softCounts == a.softCounts && zero.sums == a.sums && zero.moments == a.moments)
    }

    @Test("step sizes follow (a + 1)^(−ρ) and w / (W + w)")
    func schedules() throws {
        let data = Self.separated.data
        var decaying = try OnlineExpectationMaximization(model: Self.separated.truth, schedule: .decaying(exponent: 0.7))
        var steps: [Double] = []
        for t in 0..<4 {
            try decaying.update(with: data.rows((t * 1000)..<((t + 1) * 1000)))
            steps.append(decaying.latestStep!)
        }
        #expect(steps == [1, pow(2, -0.7), pow(3, -0.7), pow(4, -0.7)])
        var cumulative = try OnlineExpectationMaximization(model: Self.separated.truth, priorWeight: 3000)
        try cumulative.update(with: data.rows(0..<1000))
        #expect(cumulative.latestStep == 0.25)
        try cumulative.update(with: data.rows(1000..<3000))
        #expect(cumulative.latestStep == 2000.0 / 6000)
        #expect(cumulative.updateCount == 2 && cumulative.rowCount == 3000)
    }

    @Test("a model seeded as the summary of its own rows, updated with no new information, stays put")
    func priorIsStationary() throws {
        // Statistics implied by the model feed an M-step that returns the model (up to the 10ε floor).
        let truth = Self.separated.truth
        for kind in CovarianceKind.allCases {
            let data = Self.separated.data
            let model = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 3, covarianceKind: kind, maxIterations: 3, seed: 3)).model
            let implied = SufficientStatistics.implied(by: model, weight: 6000, regularization: 1e-6)
            let again = try MaximizationStep.parameters(from: implied, family: kind.family, regularization: 1e-6,
                                                        featureNames: model.featureNames, previous: model.family)
            // mclust's iterative M-steps (VEI, VEE, EVE, VVE, VEV) stop their inner loop at a relative change of
            // √ε ≈ 1.5e-8, so they return the model to that tolerance, not to the bit.
            let tolerance = kind.mclustModel.isIterative ? 1e-6 : 1e-12
            for k in 0..<3 {
                #expect(abs(again.weights[k] - model.weights[k]) <= tolerance)
                let a = again.covarianceMatrix(component: k).flatMap { $0 }
                let b = model.covarianceMatrix(component: k).flatMap { $0 }
                #expect(zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) })
                #expect(zip(again.means[k], model.means[k]).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) })
            }
        }
        _ = truth
    }

    @Test("online EM on a well-separated mixture gets within 0.01 of batch EM's mean log-likelihood", arguments: [CovarianceKind.full, .diagonal])
    func closeToBatch(_ kind: CovarianceKind) throws {
        let data = Self.separated.data
        let options = FitOptions(componentCount: 3, covarianceKind: kind, seed: 5)
        let batch = try ExpectationMaximization.fit(data, options: options)
        let online = try OnlineExpectationMaximization.fit(
            data, options: options, online: OnlineFitOptions(batchSize: 300, stepDecay: 0.6, epochCount: 1))
        #expect(online.report.iterationCount == 20)
        #expect(online.report.logLikelihoodTrace.count == 20)
        #expect(online.report.sampleCount == 6000)
        #expect(!online.report.hasConverged)
        let gap = batch.report.meanLogLikelihood - online.report.meanLogLikelihood
        #expect(abs(gap) < 0.01, "batch \(batch.report.meanLogLikelihood), online \(online.report.meanLogLikelihood)")
        // The reported value is the full-data mean log-likelihood of the returned model.
        let direct = try online.model.meanLogLikelihood(of: data)
        #expect(abs(direct - online.report.meanLogLikelihood) <= 1e-12 * abs(direct))
    }

    @Test("the same seed gives the same online fit, bit for bit, on any thread count")
    func reproducible() throws {
        let data = Self.separated.data
        let online = OnlineFitOptions(batchSize: 1000, stepDecay: 0.8, epochCount: 2)
        let a = try OnlineExpectationMaximization.fit(data, options: FitOptions(componentCount: 3, seed: 9, threadCount: 1), online: online)
        let b = try OnlineExpectationMaximization.fit(data, options: FitOptions(componentCount: 3, seed: 9, threadCount: 2), online: online)
        #expect(a.model == b.model)
        #expect(a.report == b.report)
        let c = try OnlineExpectationMaximization.fit(data, options: FitOptions(componentCount: 3, seed: 10), online: online)
        #expect(c.report.logLikelihoodTrace != a.report.logLikelihoodTrace)
    }

    @Test("batches: granules of up to 1024 rows, every row in exactly one batch per epoch, a short tail merged")
    func batchPlan() throws {
        for (n, size) in [(20_000, 1000), (10_000, 3000), (5000, 4096), (1500, 65536), (7, 2)] {
            let plan = BatchPlan(rowCount: n, batchSize: size)
            let order = plan.shuffledGranules(using: GSLRandom(seed: 4))
            var seen = [Int](repeating: 0, count: n)
            var sizes: [Int] = []
            for b in 0..<plan.batchCount {
                var rows = 0
                for g in plan.granuleRange(b) {
                    let start = order[g] * plan.granuleRows
                    for i in start..<min(start + plan.granuleRows, n) { seen[i] += 1; rows += 1 }
                }
                sizes.append(rows)
            }
            #expect(seen.allSatisfy { $0 == 1 }, "n \(n), batch size \(size)")
            let nominal = plan.granulesPerBatch * plan.granuleRows
            #expect(sizes.dropLast().allSatisfy { $0 <= nominal })
            #expect(plan.batchCount == 1 || sizes.last! * 2 >= nominal - plan.granuleRows)
        }
    }

    @Test("FitResult.update(with:) weighs the model as its training rows: new rows move it as one EM step on all rows would")
    func fittedModelUpdate() throws {
        let data = Self.separated.data
        var fit = try ExpectationMaximization.fit(data.rows(0..<3000), options: FitOptions(componentCount: 3, seed: 6))
        let before = fit.model
        try fit.update(with: data.rows(3000..<6000))
        #expect(fit.report.sampleCount == 6000)
        // The new rows come from the same mixture: the model barely moves.
        for k in 0..<3 {
            #expect(abs(fit.model.weights[k] - before.weights[k]) < 0.01)
            #expect(zip(fit.model.means[k], before.means[k]).allSatisfy { abs($0 - $1) < 0.05 })
        }
        // Rows from elsewhere pull a component toward them.
        var shifted = fit
        let far = try DataMatrix(rows: Array(repeating: [8.5, 1.0, -2.0], count: 600))
        try shifted.update(with: far)
        let k = fit.model.means.firstIndex { abs($0[0] - 8) < 1 }!
        #expect(shifted.model.means[k][0] > fit.model.means[k][0])
    }

    @Test("bad input: ρ outside (0.5, 1], wrong columns, too few rows in the first batch")
    func errors() throws {
        let truth = Self.separated.truth
        #expect(throws: FitError.self) { try OnlineExpectationMaximization(model: truth, schedule: .decaying(exponent: 0.5)) }
        #expect(throws: FitError.self) { try OnlineExpectationMaximization(model: truth, priorWeight: 0) }
        var state = try OnlineExpectationMaximization(model: truth)
        let twoColumns = try DataMatrix(rows: [[1, 2], [3, 4]])
        #expect(throws: FitError.featureCountMismatch(expected: 3, actual: 2)) { try state.update(with: twoColumns) }
        #expect(state.updateCount == 0)
        #expect(throws: FitError.tooFewSamples(samples: 2, components: 3)) {
            try OnlineExpectationMaximization.fit(Self.separated.data, options: FitOptions(componentCount: 3),
                                                  online: OnlineFitOptions(batchSize: 2))
        }
    }
}
