import Foundation
import Testing
@testable import GaussianMixtures

/// The fused E-step and moment kernel (`fusedStatistics`, `PassWorker.fusedStatistics`): the
/// same statistics as the substitution, normalisation and moment kernels in turn, within 1e-12,
/// at every kernel variant the CPU runs, and the same statistics from a whole pass, awkward
/// data included.
@Suite("Fused E-step statistics")
struct FusedStatisticsTests {
    static let levels = supportedKernelLevels.map(\.rawValue)

    /// A block's statistics from the three separate kernels at `level`.
    func separateKernels(
        x: [Double], rows: Int, d: Int, kCount: Int, lower: [Double], inverse: [Double], means: [Double],
        normalizers: [Double], weights: [Double]?, level: KernelLevel
    ) -> (counts: [Double], sums: [Double], moments: [Double], logLikelihood: Double) {
        var lj = [Double](repeating: 0, count: rows * kCount)
        var scratch = [Double](repeating: 0, count: substitutionScratchCount(featureCount: d))
        forwardSubstitution(block: x, rows: rows, featureCount: d, componentCount: kCount, factorCount: kCount,
                            lower: lower, inverseDiagonal: inverse, means: means, normalizers: normalizers,
                            into: &lj, scratch: &scratch, level: level)
        var density = [Double](repeating: 0, count: rows)
        normalizeRows(&lj, rows: rows, componentCount: kCount, logDensity: &density, level: level)
        var ll = 0.0
        for r in 0..<rows {
            let w = weights?[r] ?? 1
            ll += w == 0 ? 0 : w * density[r]
            for k in 0..<kCount { lj[r * kCount + k] *= w }
        }
        var counts = [Double](repeating: 0, count: kCount), sums = [Double](repeating: 0, count: kCount * d)
        var moments = [Double](repeating: 0, count: kCount * d * d)
        var lanes = [Double](repeating: 0, count: momentScratchCount(featureCount: d, componentCount: kCount))
        accumulateMoments(block: x, rows: rows, featureCount: d, componentCount: kCount, responsibilities: lj,
                          shifts: means, counts: &counts, sums: &sums, moments: &moments, scratch: &lanes, level: level)
        return (counts, sums, moments, ll)
    }

    @Test("fusedStatistics: the separate kernels' statistics within 1e-12, weighted rows and any row count",
          arguments: levels)
    func kernelAgreement(_ raw: UInt32) {
        let level = KernelLevel(rawValue: raw)
        for d in 1...fusedStatisticsLimit {
            for (kCount, rows) in [(1, 300), (3, 13), (4, 1000), (9, 261), (20, 77)] {
                let seed = UInt64(d * 100 + kCount)
                let u = uniforms(rows * d + kCount * (d * d + d + 1), seed: seed)
                // Means spread over a few units around 1000 (a large offset against unit spreads).
                let means = (0..<(kCount * d)).map { 1000 + 6 * u[$0] }
                var lower = [Double](repeating: 0, count: kCount * d * d), inverse = [Double](repeating: 0, count: kCount * d)
                for k in 0..<kCount {
                    for i in 0..<d {
                        for j in 0...i {
                            let v = u[kCount * d + k * d * d + i * d + j]
                            lower[k * d * d + i * d + j] = i == j ? 0.5 + v : 0.6 * (v - 0.5)
                        }
                        inverse[k * d + i] = 1 / lower[k * d * d + i * d + i]
                    }
                }
                let normalizers = (0..<kCount).map { -1 - u[kCount * (d * d + d) + $0] }
                let x = (0..<(rows * d)).map { 1000 + 6 * u[kCount * (d * d + d + 1) + $0 % (rows * d - 1)] }
                let rowWeights = (0..<rows).map { $0 % 7 == 3 ? 0 : 0.25 + u[$0 % (rows * d)] }
                for weights in [nil, rowWeights] {
                    let expected = separateKernels(x: x, rows: rows, d: d, kCount: kCount, lower: lower,
                                                   inverse: inverse, means: means, normalizers: normalizers,
                                                   weights: weights, level: level)
                    var counts = [Double](repeating: 0, count: kCount), sums = [Double](repeating: 0, count: kCount * d)
                    var moments = [Double](repeating: 0, count: kCount * d * d)
                    var scratch = [Double](repeating: .nan, count: fusedScratchCount(featureCount: d, componentCount: kCount))
                    var ll = Double.nan
                    let done = fusedStatistics(
                        block: x, rows: rows, featureCount: d, componentCount: kCount, factorCount: kCount,
                        lower: lower, inverseDiagonal: inverse, means: means, normalizers: normalizers, shifts: means,
                        weights: weights, counts: &counts, sums: &sums, moments: &moments, logLikelihood: &ll,
                        scratch: &scratch, level: level)
                    let label = "d = \(d), K = \(kCount), rows \(rows), weights \(weights != nil), \(level.name)"
                    #expect(done, "\(label)")
                    #expect(worstRelative(counts, expected.counts, floor: 1e-300) <= 1e-12, "\(label)")
                    let total = expected.counts.reduce(0, +)
                    // Sums around the shifts cancel: in units of the rows' spread (a few units) times the count.
                    #expect(worstRelative(sums, expected.sums, floor: 6 * total) <= 1e-12, "\(label)")
                    #expect(worstRelative(moments, expected.moments, floor: expected.moments.map(abs).max()!) <= 1e-12, "\(label)")
                    #expect(abs(ll - expected.logLikelihood) <= 1e-12 * abs(expected.logLikelihood), "\(label)")
                }
            }
        }
    }

    @Test("fusedStatistics: a row whose every log-joint overflows, or a NaN, leaves everything as it was",
          arguments: levels)
    func distantRow(_ raw: UInt32) {
        let level = KernelLevel(rawValue: raw)
        let d = 2, kCount = 3, rows = 21
        let means = [0.0, 0, 5, 5, -3, 2], lower = [Double](repeating: 0, count: kCount * d * d).enumerated().map {
            $0.offset % (d * d) == 0 || $0.offset % (d * d) == 3 ? 1.0 : 0
        }
        let inverse = [Double](repeating: 1, count: kCount * d), normalizers = [-1.0, -2, -3]
        for bad in [1e200, .nan] {
            for at in [0, 12, 20] {
                var x = (0..<(rows * d)).map { Double($0 % 5) }
                x[at * d + 1] = bad
                var counts = [1.0, 2, 3], sums = [Double](repeating: 7, count: kCount * d)
                var moments = [Double](repeating: 9, count: kCount * d * d)
                var scratch = [Double](repeating: 0, count: fusedScratchCount(featureCount: d, componentCount: kCount))
                var ll = 42.0
                let done = fusedStatistics(
                    block: x, rows: rows, featureCount: d, componentCount: kCount, factorCount: kCount, lower: lower,
                    inverseDiagonal: inverse, means: means, normalizers: normalizers, shifts: means, weights: nil,
                    counts: &counts, sums: &sums, moments: &moments, logLikelihood: &ll, scratch: &scratch,
                    level: level)
                #expect(!done && counts == [1, 2, 3] && ll == 42, "row \(at) = \(bad), \(level.name)")
                #expect(sums.allSatisfy { $0 == 7 } && moments.allSatisfy { $0 == 9 })
            }
        }
    }

    /// Fused and block-path statistics of one exact pass, compared as ComponentPruningTests does.
    func expectAgreement(_ data: DataMatrix, _ model: GaussianMixture, weights: [Double]? = nil,
                         _ label: String) {
        let fused = ExpectationStep.statistics(of: data, under: model, weights: weights, skipsNegligibleComponents: false)
        let plain = ExpectationStep.statistics(of: data, under: model, weights: weights, skipsNegligibleComponents: false,
                                               fusesStatistics: false)
        let d = data.featureCount, m = d * d
        #expect(fused.sampleCount == plain.sampleCount && fused.totalWeight == plain.totalWeight, "\(label)")
        #expect(worstRelative(fused.softCounts, plain.softCounts, floor: 1e-300) <= 1e-12, "\(label)")
        for k in 0..<model.componentCount {
            for j in 0..<d {
                // |Δa_kj| against √(N_k M_kjj): the error of the new mean in standard deviations.
                let scale = (plain.softCounts[k] * plain.moments[k * m + j * d + j]).squareRoot()
                #expect(abs(fused.sums[k * d + j] - plain.sums[k * d + j]) <= 1e-12 * max(scale, 1e-300),
                        "\(label): sum \(k), \(j)")
            }
            let block = Array(plain.moments[(k * m)..<((k + 1) * m)])
            #expect(worstRelative(Array(fused.moments[(k * m)..<((k + 1) * m)]), block, floor: max(block.map(abs).max()!, 1e-300))
                <= 1e-12, "\(label): moments \(k)")
        }
        #expect(abs(fused.logLikelihood - plain.logLikelihood) <= 1e-12 * abs(plain.logLikelihood), "\(label)")
        #expect(fused.logLikelihood.isFinite && !fused.moments.contains { $0.isNaN }, "\(label)")
    }

    /// A mixture of `kind` (full or tied) from means and one covariance per component.
    func mixture(_ kind: CovarianceKind, means: [[Double]], covariances: [[[Double]]]) throws -> GaussianMixture {
        let weights = (0..<means.count).map { Double($0 + 1) }, total = weights.reduce(0, +)
        let parameters: CovarianceParameters = kind == .tied ? .tied(covariances[0]) : .full(covariances)
        return try GaussianMixture(weights: weights.map { $0 / total }, means: means, covariances: parameters)
    }

    @Test("a pass: fused and block-path statistics within 1e-12 on random and awkward data",
          arguments: [CovarianceKind.full, .tied])
    func passAgreement(_ kind: CovarianceKind) throws {
        for d in [2, 3, 5, 8] {
            let kCount = 4
            let means = (0..<kCount).map { k in (0..<d).map { j in Double(3 * k) + 0.5 * Double(j) } }
            let covariances = (0..<kCount).map { k in
                (0..<d).map { i in (0..<d).map { j in i == j ? 1 + 0.1 * Double(k) : 0.2 } }
            }
            let model = try mixture(kind, means: means, covariances: covariances)
            // 1003 rows: not a multiple of 8, nor of the block.
            let data = model.sample(count: 1003, seed: UInt64(d)).samples
            expectAgreement(data, model, "\(kind) d = \(d)")
            let weights = (0..<1003).map { Double($0 % 4) * 0.75 }
            expectAgreement(data, model, weights: weights, "\(kind) d = \(d), weighted")

            // Large means against small spreads.
            let far = try mixture(kind, means: means.map { $0.map { 1e6 + 1e-3 * $0 } },
                                  covariances: covariances.map { $0.map { $0.map { 1e-6 * $0 } } })
            expectAgreement(far.sample(count: 517, seed: 9).samples, far, "\(kind) d = \(d), offset 1e6")

            // K = 1.
            let one = try mixture(kind, means: [means[0]], covariances: [covariances[0]])
            expectAgreement(one.sample(count: 99, seed: 3).samples, one, "\(kind) d = \(d), K = 1")
        }
        // A near-singular component: variances 1 and 1e-10 along two directions, correlated 1 − 1e-10.
        let rho = 1 - 1e-10
        let singular = try mixture(kind, means: [[0, 0], [4, 4]],
                                   covariances: [[[1, rho], [rho, 1]], [[1, 0], [0, 1]]])
        expectAgreement(singular.sample(count: 801, seed: 5).samples, singular, "\(kind) near-singular")
    }

    @Test("a row too far from every component takes the block path: today's statistics, never NaN")
    func farRowPass() throws {
        let model = try mixture(.full, means: [[0, 0], [5, 5], [-3, 2]],
                                covariances: [[[1, 0.2], [0.2, 1]], [[2, 0], [0, 2]], [[1, 0], [0, 3]]])
        var values = model.sample(count: 300, seed: 4).samples.values
        values[300] = 1e200
        values[301] = -1e200
        let data = try DataMatrix(values: values, sampleCount: 300, featureCount: 2)
        // Weight 0 on the far row: every statistic finite.
        expectAgreement(data, model, weights: (0..<300).map { $0 == 150 ? 0 : 1 }, "far row of weight 0")
        // Weight 1: log P(x) = −∞ and the moments of its component +∞, as on the block path.
        let fused = ExpectationStep.statistics(of: data, under: model, skipsNegligibleComponents: false)
        let plain = ExpectationStep.statistics(of: data, under: model, skipsNegligibleComponents: false,
                                               fusesStatistics: false)
        #expect(fused.logLikelihood == -.infinity && plain.logLikelihood == -.infinity)
        #expect(worstRelative(fused.softCounts, plain.softCounts, floor: 1e-300) <= 1e-12)
        for (a, b) in zip(fused.sums + fused.moments, plain.sums + plain.moments) {
            #expect(!a.isNaN && (a == b || abs(a - b) <= 1e-12 * max(abs(b), 1e-6 * 300)), "\(a) vs \(b)")
        }
    }

    @Test("fused passes give the same bits on 1, 2 and 3 threads")
    func threads() throws {
        let (data, _) = try syntheticData(seed: 21, count: 20_000)
        let model = try ExpectationMaximization.fit(
            data, options: FitOptions(componentCount: 4, covarianceKind: .full, maxIterations: 2, seed: 3)).model
        let results = (1...3).map {
            ExpectationStep.statistics(of: data, under: model, threads: $0, skipsNegligibleComponents: false)
        }
        #expect(results[1] == results[0] && results[2] == results[0])
    }
}
