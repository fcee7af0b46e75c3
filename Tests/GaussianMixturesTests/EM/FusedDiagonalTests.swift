import Foundation
import Testing
@testable import GaussianMixtures

/// The diagonal and spherical families' fused E-step and moment kernel (`fusedDiagonalStatistics`,
/// `ExpandedDiagonalKernel.addStatistics`): the statistics of the definition written out within
/// 1e-12 at every kernel variant the CPU runs, and of the DGEMM path over whole passes, awkward
/// data included.
@Suite("Fused diagonal statistics")
struct FusedDiagonalTests {
    static let levels = supportedKernelLevels.map(\.rawValue)

    /// A block's statistics from the definition: log-joints by the direct form, normalised by
    /// `normalizeRows` at `level`, moments summed row by row around the shifts.
    func definition(
        x: [Double], rows: Int, d: Int, kCount: Int, means: [Double], precisions: [Double], normalizers: [Double],
        shifts: [Double], weights: [Double]?, level: KernelLevel
    ) -> (counts: [Double], sums: [Double], moments: [Double], logLikelihood: Double) {
        var lj = [Double](repeating: 0, count: rows * kCount)
        for r in 0..<rows {
            for k in 0..<kCount {
                var q = 0.0
                for j in 0..<d {
                    let v = x[r * d + j] - means[k * d + j]
                    q += v * v * precisions[k * d + j]
                }
                lj[r * kCount + k] = normalizers[k] - 0.5 * q
            }
        }
        var density = [Double](repeating: 0, count: rows)
        normalizeRows(&lj, rows: rows, componentCount: kCount, logDensity: &density, level: level)
        var ll = 0.0
        var counts = [Double](repeating: 0, count: kCount), sums = [Double](repeating: 0, count: kCount * d)
        var moments = [Double](repeating: 0, count: kCount * d)
        for r in 0..<rows {
            let w = weights?[r] ?? 1
            ll += w == 0 ? 0 : w * density[r]
            for k in 0..<kCount {
                let p = lj[r * kCount + k] * w
                counts[k] += p
                for j in 0..<d {
                    let v = x[r * d + j] - shifts[k * d + j]
                    sums[k * d + j] += p * v
                    moments[k * d + j] += p * v * v
                }
            }
        }
        return (counts, sums, moments, ll)
    }

    /// Counts, moments and the log-likelihood within 1e-12 relative of `expected`; sums within
    /// 1e-12 of `sumScale` times the total count (sums around the shifts cancel).
    func expectClose(
        _ got: (counts: [Double], sums: [Double], moments: [Double], logLikelihood: Double),
        _ expected: (counts: [Double], sums: [Double], moments: [Double], logLikelihood: Double),
        sumScale: Double, _ label: String
    ) {
        let total = expected.counts.reduce(0, +)
        #expect(worstRelative(got.counts, expected.counts, floor: 1e-300) <= 1e-12, "\(label)")
        #expect(worstRelative(got.sums, expected.sums, floor: sumScale * total) <= 1e-12, "\(label)")
        #expect(worstRelative(got.moments, expected.moments, floor: 1e-300) <= 1e-12, "\(label)")
        #expect(abs(got.logLikelihood - expected.logLikelihood) <= 1e-12 * abs(expected.logLikelihood), "\(label)")
    }

    @Test("fusedDiagonalStatistics: the definition's statistics within 1e-12, weighted rows, any d and row count",
          arguments: levels)
    func kernelAgreement(_ raw: UInt32) {
        let level = KernelLevel(rawValue: raw)
        for d in [1, 2, 3, 4, 5, 7, 8, 13, 32] {
            for (kCount, rows) in [(1, 300), (3, 13), (4, 1000), (9, 261), (20, 77)] {
                let u = uniforms(rows * d + kCount * (3 * d + 1), seed: UInt64(d * 100 + kCount))
                // Means spread over a few units around 1000 (a large offset against unit spreads).
                let means = (0..<(kCount * d)).map { 1000 + 6 * u[$0] }
                let precisions = (0..<(kCount * d)).map { 1 / (0.25 + u[kCount * d + $0]) }
                let shifts = (0..<(kCount * d)).map { means[$0] + 0.5 * (u[2 * kCount * d + $0] - 0.5) }
                let normalizers = (0..<kCount).map { -1 - u[3 * kCount * d + $0] }
                let x = (0..<(rows * d)).map { 1000 + 6 * u[kCount * (3 * d + 1) + $0] }
                let rowWeights = (0..<rows).map { $0 % 7 == 3 ? 0 : 0.25 + u[$0 % (rows * d)] }
                for weights in [nil, rowWeights] {
                    let expected = definition(x: x, rows: rows, d: d, kCount: kCount, means: means,
                                              precisions: precisions, normalizers: normalizers, shifts: shifts,
                                              weights: weights, level: level)
                    var counts = [Double](repeating: 0, count: kCount), sums = [Double](repeating: 0, count: kCount * d)
                    var moments = [Double](repeating: 0, count: kCount * d)
                    var scratch = [Double](repeating: .nan,
                                           count: fusedDiagonalScratchCount(featureCount: d, componentCount: kCount))
                    var ll = Double.nan
                    let done = fusedDiagonalStatistics(
                        block: x, rows: rows, featureCount: d, componentCount: kCount, means: means,
                        precisions: precisions, normalizers: normalizers, shifts: shifts, centre: means, weights: weights,
                        counts: &counts, sums: &sums, moments: &moments, logLikelihood: &ll, scratch: &scratch,
                        level: level)
                    #expect(done)
                    // Sums around the shifts cancel: in units of the rows' spread (a few units) times the count.
                    expectClose((counts, sums, moments, ll), expected, sumScale: 6,
                                "d = \(d), K = \(kCount), rows \(rows), weights \(weights != nil), \(level.name)")
                }
            }
        }
    }

    @Test("fusedDiagonalStatistics on separated components (most groups of rows left out of a component's moments): within 1e-12",
          arguments: levels)
    func separatedAgreement(_ raw: UInt32) {
        let level = KernelLevel(rawValue: raw)
        for (d, kCount, rows) in [(8, 6, 997), (16, 5, 512), (33, 9, 300)] {
            let u = uniforms(rows * d + kCount * d, seed: UInt64(7 * d + kCount))
            // Component k centred at 25·k on every feature, spreads near 1: neighbours ~25σ apart.
            let means = (0..<(kCount * d)).map { Double(25 * ($0 / d)) + u[$0] }
            let precisions = (0..<(kCount * d)).map { 1 / (0.5 + u[(kCount * d + $0) % (rows * d)]) }
            let normalizers = (0..<kCount).map { -Double($0) }
            // Rows in component order r % K, so that every group of eight mixes components.
            let x = (0..<(rows * d)).map { i in means[(i / d) % kCount * d + i % d] + 2 * (u[kCount * d + i] - 0.5) }
            let expected = definition(x: x, rows: rows, d: d, kCount: kCount, means: means, precisions: precisions,
                                      normalizers: normalizers, shifts: means, weights: nil, level: level)
            var counts = [Double](repeating: 0, count: kCount), sums = [Double](repeating: 0, count: kCount * d)
            var moments = [Double](repeating: 0, count: kCount * d)
            var scratch = [Double](repeating: .nan, count: fusedDiagonalScratchCount(featureCount: d, componentCount: kCount))
            var ll = Double.nan
            let centre = (0..<d).map { j in (0..<kCount).map { means[$0 * d + j] }.reduce(0, +) / Double(kCount) }
            let done = fusedDiagonalStatistics(
                block: x, rows: rows, featureCount: d, componentCount: kCount, means: means, precisions: precisions,
                normalizers: normalizers, shifts: means, centre: centre, weights: nil, counts: &counts, sums: &sums,
                moments: &moments, logLikelihood: &ll, scratch: &scratch, level: level)
            #expect(done)
            expectClose((counts, sums, moments, ll), expected, sumScale: 1, "d = \(d), K = \(kCount), \(level.name)")
        }
    }

    @Test("fusedDiagonalStatistics: a row whose every log-joint overflows, or a NaN, leaves everything as it was",
          arguments: levels)
    func distantRow(_ raw: UInt32) {
        let level = KernelLevel(rawValue: raw)
        let d = 3, kCount = 3, rows = 21
        let means = [0.0, 0, 0, 5, 5, 5, -3, 2, 1], precisions = [Double](repeating: 1, count: kCount * d)
        let normalizers = [-1.0, -2, -3]
        for bad in [1e200, .nan] {
            for at in [0, 12, 20] {
                var x = (0..<(rows * d)).map { Double($0 % 5) }
                x[at * d + 1] = bad
                var counts = [1.0, 2, 3], sums = [Double](repeating: 7, count: kCount * d)
                var moments = [Double](repeating: 9, count: kCount * d)
                var scratch = [Double](repeating: 0, count: fusedDiagonalScratchCount(featureCount: d, componentCount: kCount))
                var ll = 42.0
                let done = fusedDiagonalStatistics(
                    block: x, rows: rows, featureCount: d, componentCount: kCount, means: means,
                    precisions: precisions, normalizers: normalizers, shifts: means, centre: means, weights: nil,
                    counts: &counts,
                    sums: &sums, moments: &moments, logLikelihood: &ll, scratch: &scratch, level: level)
                #expect(!done && counts == [1, 2, 3] && ll == 42, "row \(at) = \(bad), \(level.name)")
                #expect(sums.allSatisfy { $0 == 7 } && moments.allSatisfy { $0 == 9 })
            }
        }
    }

    /// Fused and DGEMM-path statistics of one exact pass.
    func expectAgreement(_ data: DataMatrix, _ model: GaussianMixture, weights: [Double]? = nil, _ label: String) {
        let fused = ExpectationStep.statistics(of: data, under: model, weights: weights, skipsNegligibleComponents: false)
        let plain = ExpectationStep.statistics(of: data, under: model, weights: weights, skipsNegligibleComponents: false,
                                               fusesStatistics: false)
        let d = data.featureCount
        #expect(fused.momentShape == .diagonal && fused.moments.count == model.componentCount * d, "\(label)")
        #expect(fused.sampleCount == plain.sampleCount && fused.totalWeight == plain.totalWeight, "\(label)")
        #expect(worstRelative(fused.softCounts, plain.softCounts, floor: 1e-300) <= 1e-12, "\(label)")
        for k in 0..<model.componentCount {
            for j in 0..<d {
                // |Δa_kj| against √(N_k M_kj): the error of the new mean in standard deviations.
                let scale = (plain.softCounts[k] * plain.moments[k * d + j]).squareRoot()
                #expect(abs(fused.sums[k * d + j] - plain.sums[k * d + j]) <= 1e-12 * max(scale, 1e-300),
                        "\(label): sum \(k), \(j)")
            }
        }
        // The DGEMM path moves its moments from the centre of the means to each shift, which
        // cancels up to `expansionLimit` of them (about 4096·ε·a few relative); the fused kernel's
        // direct sums are the ones the kernel test holds to the definition at 1e-12.
        #expect(worstRelative(fused.moments, plain.moments, floor: 1e-300) <= 1e-11, "\(label)")
        #expect(abs(fused.logLikelihood - plain.logLikelihood) <= 1e-12 * abs(plain.logLikelihood), "\(label)")
        #expect(fused.logLikelihood.isFinite && !fused.moments.contains { $0.isNaN }, "\(label)")
    }

    /// A diagonal or spherical mixture with its means and one spread per component.
    func mixture(_ kind: CovarianceKind, means: [[Double]], spreads: [Double]) throws -> GaussianMixture {
        let kCount = means.count, d = means[0].count
        let weights = (0..<kCount).map { Double($0 + 1) }, total = weights.reduce(0, +)
        let parameters: CovarianceParameters = kind == .spherical
            ? .spherical(spreads.map { $0 * $0 })
            : .diagonal((0..<kCount).map { k in (0..<d).map { j in pow(spreads[k] * (1 + 0.2 * Double(j % 3)), 2) } })
        return try GaussianMixture(weights: weights.map { $0 / total }, means: means, covariances: parameters)
    }

    @Test("a pass: fused and DGEMM-path statistics within 1e-12 on random and awkward data",
          arguments: [CovarianceKind.diagonal, .spherical])
    func passAgreement(_ kind: CovarianceKind) throws {
        for (d, kCount) in [(1, 3), (2, 4), (3, 5), (8, 8), (13, 4), (32, 16)] {
            let means = (0..<kCount).map { k in (0..<d).map { j in Double(3 * k) + 0.5 * Double(j) } }
            let spreads = (0..<kCount).map { 1 + 0.1 * Double($0) }
            let model = try mixture(kind, means: means, spreads: spreads)
            #expect(BlockEvaluator(model: model, blockRows: 64).fusedMomentShape == .diagonal)
            // 1003 rows: not a multiple of 8, nor of a sub-block.
            let data = model.sample(count: 1003, seed: UInt64(d)).samples
            expectAgreement(data, model, "\(kind) d = \(d)")
            expectAgreement(data, model, weights: (0..<1003).map { Double($0 % 4) * 0.75 }, "\(kind) d = \(d), weighted")
            // Large means against small spreads.
            let far = try mixture(kind, means: means.map { $0.map { 1e6 + 1e-3 * $0 } }, spreads: spreads.map { 1e-3 * $0 })
            expectAgreement(far.sample(count: 517, seed: 9).samples, far, "\(kind) d = \(d), offset 1e6")
            // K = 1.
            let one = try mixture(kind, means: [means[0]], spreads: [1])
            expectAgreement(one.sample(count: 99, seed: 3).samples, one, "\(kind) d = \(d), K = 1")
        }
        // Above the limit d·K the DGEMM path runs, fused or not.
        let large = try mixture(kind, means: (0..<32).map { k in (0..<32).map { Double(k + $0) } },
                                spreads: [Double](repeating: 1, count: 32))
        #expect(BlockEvaluator(model: large, blockRows: 64).fusedMomentShape == nil)
    }

    @Test("a block with a row too far from every component takes the DGEMM path: the same bits")
    func farRowPass() throws {
        let model = try mixture(.diagonal, means: [[0, 0], [5, 5], [-3, 2]], spreads: [1, 2, 1])
        var values = model.sample(count: 300, seed: 4).samples.values
        values[300] = 1e200
        values[301] = -1e200
        let data = try DataMatrix(values: values, sampleCount: 300, featureCount: 2)
        // (Such rows never reach a fit: `checkMagnitudes` refuses them. Here the pass must only not
        // differ from the DGEMM path's, whatever that gives: NaN moments from 0·∞ included.)
        for weights in [nil, (0..<300).map { $0 == 150 ? 0.0 : 1 }] {
            let fused = ExpectationStep.statistics(of: data, under: model, weights: weights,
                                                   skipsNegligibleComponents: false)
            let plain = ExpectationStep.statistics(of: data, under: model, weights: weights,
                                                   skipsNegligibleComponents: false, fusesStatistics: false)
            let bits = { (s: SufficientStatistics) in
                (s.softCounts + s.sums + s.moments + [s.logLikelihood]).map(\.bitPattern)
            }
            #expect(bits(fused) == bits(plain), "weights \(weights != nil)")
        }
    }

    @Test("fused diagonal passes give the same bits on 1, 2 and 3 threads", arguments: [CovarianceKind.diagonal, .spherical])
    func threads(_ kind: CovarianceKind) throws {
        let (data, _) = try syntheticData(seed: 21, count: 20_000)
        let model = try ExpectationMaximization.fit(
            data, options: FitOptions(componentCount: 4, covarianceKind: kind, maxIterations: 2, seed: 3)).model
        let results = (1...3).map {
            ExpectationStep.statistics(of: data, under: model, threads: $0, skipsNegligibleComponents: false)
        }
        #expect(results[1] == results[0] && results[2] == results[0])
    }
}
