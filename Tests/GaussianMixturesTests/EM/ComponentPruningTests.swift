import Foundation
import Testing
@testable import GaussianMixtures

/// The E-step's skipping of negligible components (ComponentPruning.swift): pruned and
/// exact passes and fits agree within 1e-12, and skipping happens where it should.
@Suite("E-step pruning")
struct ComponentPruningTests {
    /// 16 round clusters on a 4×4 grid, 30 standard deviations apart: most groups of rows see one.
    static let separated: (DataMatrix, GaussianMixture) = {
        let means: [[Double]] = (0..<16).map { (k: Int) -> [Double] in [30 * Double(k % 4), 30 * Double(k / 4)] }
        let weights: [Double] = (0..<16).map { (k: Int) -> Double in (1 + 0.03 * Double(k - 8)) / 16 }
        let covariances: [[[Double]]] = (0..<16).map { (k: Int) -> [[Double]] in [[1 + 0.05 * Double(k), 0.3], [0.3, 1]] }
        let truth = try! GaussianMixture(weights: weights.map { $0 / weights.reduce(0, +) }, means: means,
                                         covariances: .full(covariances))
        return (truth.sample(count: 12_000, seed: 7).samples, truth)
    }()

    static let overlapping: DataMatrix = try! syntheticData(seed: 11, count: 3_000).0

    static let kinds = CovarianceKind.allCases

    /// Weights, means and covariances of two fits, worst relative error over all of them.
    func worstModelError(_ a: GaussianMixture, _ b: GaussianMixture) -> Double {
        var worst = worstRelativeError(a.weights, b.weights, floor: 1e-300).error
        worst = max(worst, worstRelativeError(a.flatMeans, b.flatMeans, floor: 1).error)
        for k in 0..<a.componentCount {
            let ca: [Double] = a.covarianceMatrix(component: k).flatMap { $0 }
            let cb: [Double] = b.covarianceMatrix(component: k).flatMap { $0 }
            let scale = cb.map(abs).max()!
            worst = max(worst, worstRelativeError(ca, cb, floor: scale).error)
        }
        return worst
    }

    @Test("fits with and without skipping agree within 1e-12 on separated data, and skip most pairs", arguments: kinds)
    func separatedFits(_ kind: CovarianceKind) throws {
        let data = Self.separated.0
        var options = FitOptions(componentCount: 16, covarianceKind: kind, maxIterations: 6, tolerance: 0, seed: 3)
        let pruned = try ExpectationMaximization.fit(data, options: options)
        options.skipsNegligibleComponents = false
        let exact = try ExpectationMaximization.fit(data, options: options)
        #expect(exact.expectationSkips.skippedPairs == 0)
        #expect(pruned.expectationSkips.skippedShare > 0.5, "\(pruned.expectationSkips)")
        #expect(worstModelError(pruned.model, exact.model) <= 1e-12)
        let ll = (pruned.report.logLikelihoodTrace + [pruned.report.meanLogLikelihood],
                  exact.report.logLikelihoodTrace + [exact.report.meanLogLikelihood])
        #expect(worstRelativeError(ll.0, ll.1, floor: 1e-300).error <= 1e-12)
    }

    @Test("fits with and without skipping agree within 1e-12 on overlapping data", arguments: kinds)
    func overlappingFits(_ kind: CovarianceKind) throws {
        var options = FitOptions(componentCount: 16, covarianceKind: kind, maxIterations: 8, tolerance: 0, seed: 5)
        let pruned = try ExpectationMaximization.fit(Self.overlapping, options: options)
        options.skipsNegligibleComponents = false
        let exact = try ExpectationMaximization.fit(Self.overlapping, options: options)
        #expect(worstModelError(pruned.model, exact.model) <= 1e-12)
        #expect(abs(pruned.report.meanLogLikelihood - exact.report.meanLogLikelihood)
            <= 1e-12 * abs(exact.report.meanLogLikelihood))
    }

    @Test("one pass: statistics within 1e-12 of the exact pass, weighted rows too", arguments: kinds)
    func passStatistics(_ kind: CovarianceKind) throws {
        let data = Self.separated.0
        let model = try ExpectationMaximization.fit(
            data, options: FitOptions(componentCount: 16, covarianceKind: kind, maxIterations: 3, seed: 3)).model
        let weights = (0..<data.sampleCount).map { Double($0 % 5) * 0.5 }
        for w in [nil, weights] {
            let pruned = ExpectationStep.statistics(of: data, under: model, weights: w)
            let exact = ExpectationStep.statistics(of: data, under: model, weights: w, skipsNegligibleComponents: false)
            let tally = try #require(pruned.pruning)
            #expect(tally.skippedPairs > tally.evaluatedPairs)
            #expect(tally.repeatedPasses == 0)
            #expect(exact.pruning == nil)
            #expect(worstRelativeError(pruned.softCounts, exact.softCounts, floor: 1e-300).error <= 1e-12)
            // Sums around the means nearly cancel: compared in units of each component's spread,
            // |Δa_kj| against √(N_k M_kjj) (the error of its new mean in standard deviations).
            let d = 2, m = exact.momentShape.count(featureCount: d)
            for k in 0..<16 {
                for j in 0..<d {
                    let mjj = exact.momentShape == .matrix ? exact.moments[k * m + j * d + j] : exact.moments[k * m + j]
                    #expect(abs(pruned.sums[k * d + j] - exact.sums[k * d + j])
                        <= 1e-12 * (exact.softCounts[k] * mjj).squareRoot())
                }
            }
            #expect(worstRelativeError(pruned.moments, exact.moments, floor: exact.moments.map(abs).max()!).error
                <= 1e-12)
            #expect(abs(pruned.logLikelihood - exact.logLikelihood) <= 1e-12 * abs(exact.logLikelihood))
        }
    }

    @Test("responsibilities: kept ones within 1e-12, skipped ones exact zeros where the exact ones are negligible",
          arguments: [CovarianceKind.full, .diagonal, .spherical, .tied, .VEV, .EEI])
    func responsibilities(_ kind: CovarianceKind) throws {
        let data = Self.separated.0
        let model = try ExpectationMaximization.fit(
            data, options: FitOptions(componentCount: 16, covarianceKind: kind, maxIterations: 3, seed: 3)).model
        let kCount = 16, rows = min(data.sampleCount, blockRowCount(featureCount: 2, componentCount: kCount))
        var evaluator = BlockEvaluator(model: model, blockRows: rows)
        let pruner = ComponentPruner(model: model, normalizers: evaluator.normalizers, blockRows: rows)
        var exact = [Double](repeating: 0, count: rows * kCount), pruned = exact
        var exactDensity = [Double](repeating: 0, count: rows), prunedDensity = exactDensity
        data.withUnsafeBufferPointer { x in
            evaluator.posterior(of: x.baseAddress!, rows: rows, into: &exact, logDensity: &exactDensity)
            pruner.posterior(of: x.baseAddress!, rows: rows, weights: nil, offset: 0, evaluator: &evaluator,
                             into: &pruned, logDensity: &prunedDensity)
        }
        #expect(pruner.tally.skippedPairs > 0)
        #expect(pruner.tally.skippedPairs + pruner.tally.evaluatedPairs == rows * kCount)
        for idx in exact.indices {
            if pruned[idx] == 0 {
                #expect(exact[idx] <= negligibleFraction, "row \(idx / kCount), component \(idx % kCount)")
            } else {
                #expect(abs(pruned[idx] - exact[idx]) <= 1e-12 * exact[idx])
            }
        }
        #expect(worstRelativeError(prunedDensity, exactDensity, floor: 1).error <= 1e-13)
    }

    @Test("the same bits on 1, 2 and 3 threads")
    func threads() throws {
        var results: [FitResult] = []
        for t in 1...3 {
            let options = FitOptions(componentCount: 16, maxIterations: 4, tolerance: 0, seed: 3, threadCount: t)
            results.append(try ExpectationMaximization.fit(Self.separated.0, options: options))
        }
        for r in results.dropFirst() {
            #expect(r.model == results[0].model)
            #expect(r.report == results[0].report)
            let (a, b) = (r.expectationSkips, results[0].expectationSkips)
            #expect(a.skippedPairs == b.skippedPairs && a.evaluatedPairs == b.evaluatedPairs)
        }
        #expect(results[0].expectationSkips.skippedPairs > 0)
    }

    @Test("d = 20 (the rank-update moments, above the moment kernel's 16): one pass within 1e-12 of the exact one",
          arguments: [CovarianceKind.full, .tied, .diagonal])
    func wideRows(_ kind: CovarianceKind) throws {
        let d = 20
        // A 4×4 grid in the first two coordinates (the median splits cut those), 0 in the other 18.
        let means: [[Double]] = (0..<16).map { (k: Int) -> [Double] in
            (0..<d).map { j in j == 0 ? 30 * Double(k % 4) : j == 1 ? 30 * Double(k / 4) : 0 }
        }
        let truth = try GaussianMixture(weights: [Double](repeating: 1.0 / 16, count: 16), means: means,
                                        covariances: .spherical([Double](repeating: 1, count: 16)))
        let data = truth.sample(count: 3_000, seed: 9).samples
        let model = try ExpectationMaximization.fit(
            data, options: FitOptions(componentCount: 16, covarianceKind: kind, maxIterations: 3, seed: 2)).model
        let pruned = ExpectationStep.statistics(of: data, under: model)
        let exact = ExpectationStep.statistics(of: data, under: model, skipsNegligibleComponents: false)
        #expect(try #require(pruned.pruning).skippedPairs > 0)
        #expect(worstRelativeError(pruned.softCounts, exact.softCounts, floor: 1e-300).error <= 1e-12)
        #expect(worstRelativeError(pruned.moments, exact.moments, floor: exact.moments.map(abs).max()!).error <= 1e-12)
        #expect(abs(pruned.logLikelihood - exact.logLikelihood) <= 1e-12 * abs(exact.logLikelihood))
    }

    @Test("below 16 components a pass runs exactly (grouping would cost more) and counts its pairs")
    func fewComponents() throws {
        let data = Self.overlapping
        let model = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 3, maxIterations: 3)).model
        let pass = ExpectationStep.statistics(of: data, under: model)
        let exact = ExpectationStep.statistics(of: data, under: model, skipsNegligibleComponents: false)
        #expect(pass.pruning?.skippedPairs == 0 && pass.pruning?.evaluatedPairs == 3 * data.sampleCount)
        #expect(pass.softCounts == exact.softCounts && pass.moments == exact.moments
            && pass.logLikelihood == exact.logLikelihood)
    }

    /// `count` rows from K round clusters on a grid (`side` per row of the grid, 30 standard
    /// deviations apart in the first two coordinates), and that mixture.
    static func grid(components kCount: Int, side: Int, features d: Int, diagonal: Bool,
                     count: Int) throws -> (DataMatrix, GaussianMixture) {
        let means: [[Double]] = (0..<kCount).map { k in
            (0..<d).map { j in j == 0 ? 30 * Double(k % side) : j == 1 ? 30 * Double(k / side) : 0 }
        }
        let weights = [Double](repeating: 1 / Double(kCount), count: kCount)
        let covariances: CovarianceParameters = diagonal
            ? .diagonal((0..<kCount).map { _ in [Double](repeating: 1, count: d) })
            : .full((0..<kCount).map { _ in (0..<d).map { i in (0..<d).map { j in i == j ? 1 : 0 } } })
        let truth = try GaussianMixture(weights: weights, means: means, covariances: covariances)
        return (truth.sample(count: count, seed: 5).samples, truth)
    }

    @Test("a pass skips only when the pairs it saves cost more than grouping the rows")
    func groupingCost() throws {
        // Diagonal d = 32, K = 16, separated: most pairs could be skipped, but 16 pairs of
        // 4·32 flops cost less than grouping a row (200·32): the pass runs exactly.
        let (wide, wideTruth) = try Self.grid(components: 16, side: 4, features: 32, diagonal: true, count: 17_000)
        let widePass = ExpectationStep.statistics(of: wide, under: wideTruth)
        let wideExact = ExpectationStep.statistics(of: wide, under: wideTruth, skipsNegligibleComponents: false)
        #expect(widePass.pruning?.skippedPairs == 0 && widePass.pruning?.evaluatedPairs == 16 * wide.sampleCount)
        #expect(widePass.softCounts == wideExact.softCounts && widePass.moments == wideExact.moments)
        // Full d = 2, K = 64, separated: most pairs skipped (86 %) save more than grouping costs.
        let (flat, flatTruth) = try Self.grid(components: 64, side: 8, features: 2, diagonal: false, count: 20_000)
        let flatPass = ExpectationStep.statistics(of: flat, under: flatTruth)
        let tally = try #require(flatPass.pruning)
        #expect(Double(tally.skippedPairs) > 0.75 * Double(tally.skippedPairs + tally.evaluatedPairs), "\(tally)")
    }

    @Test("a pass that would skip more than rounding is repeated exactly")
    func repeatedPass() throws {
        // Component 16 has weight 0.2 but sits ~17 standard deviations from every cluster: all of its
        // responsibilities are ~1e-60, so skipping them everywhere would lose all of its soft count.
        let (data, truth) = Self.separated
        let means = truth.means + [[45, 45 + 17]]
        let weights = truth.weights.map { $0 * 0.8 } + [0.2]
        let model = try GaussianMixture(weights: weights, means: means,
                                        covariances: .full((0..<17).map { _ in [[1, 0], [0, 1]] }))
        let pruned = ExpectationStep.statistics(of: data, under: model)
        let exact = ExpectationStep.statistics(of: data, under: model, skipsNegligibleComponents: false)
        #expect(pruned.pruning?.repeatedPasses == 1)
        #expect(exact.softCounts[16] > 0)
        #expect(pruned.softCounts == exact.softCounts && pruned.moments == exact.moments)
    }

    @Test("the quadratic floors bound the Mahalanobis distance from below", arguments: kinds)
    func floors(_ kind: CovarianceKind) throws {
        let model = try ExpectationMaximization.fit(
            Self.overlapping, options: FitOptions(componentCount: 3, covarianceKind: kind, maxIterations: 2, seed: 1)).model
        let floors = quadraticFloors(of: model.family)
        var random = SystemRandomNumberGenerator()
        for k in 0..<3 {
            for _ in 0..<50 {
                var v = [Double.random(in: -5...5, using: &random), Double.random(in: -5...5, using: &random)]
                let lower = floors[2 * k] * v[0] * v[0] + floors[2 * k + 1] * v[1] * v[1]
                v.withUnsafeMutableBufferPointer { model.family.whiten($0.baseAddress!, rows: 1, component: k) }
                #expect(lower <= v[0] * v[0] + v[1] * v[1])
            }
        }
    }

    @Test("the kernels' component subsets equal the full kernels' columns, at every kernel level")
    func kernelSubsets() throws {
        let data = Self.separated.0
        let rows = 37, components = [5, 0, 11, 3]
        for level in supportedKernelLevels {
        for d in [2, 20] {
            let generator = GSLRandom(seed: UInt64(d))
            let x = (0..<(rows * d)).map { _ in 8 * generator.uniform() - 4 }
            for shared in [false, true] {
                let factors = (0..<(shared ? 1 : 16)).map { k in
                    var m = [Double](repeating: 0, count: d * d)
                    for i in 0..<d { m[i * d + i] = 1 + 0.1 * Double(k + i) }
                    if d > 1 { m[1] = 0.2; m[d] = 0.2 }
                    return try! CholeskyFactor(factoring: m, dimension: d)
                }
                let means = (0..<(16 * d)).map { Double($0 % 7) - 3 }
                let normalizers = (0..<16).map { -Double($0) }
                var kernel = ForwardSubstitutionKernel(factors: factors, means: means, normalizers: normalizers,
                                                       level: level)
                var full = [Double](repeating: 0, count: rows * 16), subset = [Double](repeating: 0, count: rows * 4)
                x.withUnsafeBufferPointer { x in
                    kernel.logJoint(of: x.baseAddress!, rows: rows, into: &full)
                    kernel.logJoint(of: x.baseAddress!, rows: rows, components: components, into: &subset)
                }
                for r in 0..<rows {
                    for (i, k) in components.enumerated() { #expect(subset[r * 4 + i] == full[r * 16 + k]) }
                }
            }
        }
        }
        // The diagonal (DGEMM) and general kernels: columns agree to rounding.
        for kind in [CovarianceKind.diagonal, .spherical, .EEI, .VEV] {
            let model = try ExpectationMaximization.fit(
                data, options: FitOptions(componentCount: 16, covarianceKind: kind, maxIterations: 1, seed: 3)).model
            var evaluator = BlockEvaluator(model: model, blockRows: 64)
            var full = [Double](repeating: 0, count: 64 * 16), subset = [Double](repeating: 0, count: 64 * 4)
            data.withUnsafeBufferPointer { x in
                evaluator.logJoint(of: x.baseAddress!, rows: 64, into: &full)
                evaluator.logJoint(of: x.baseAddress!, rows: 64, components: components, into: &subset)
            }
            for r in 0..<64 {
                for (i, k) in components.enumerated() {
                    #expect(abs(subset[r * 4 + i] - full[r * 16 + k]) <= 1e-12 * max(1, abs(full[r * 16 + k])))
                }
            }
        }
    }
}
