import Foundation
import Testing
@testable import GaussianMixtures

// The fast E-step and M-step paths against the plain ones: the vectorised exp
// against libm, the DGEMM expansion of the diagonal family and the forward
// substitution of the full family against centre → whiten → norm, and the
// DGEMM moments of the diagonal family against element-wise sums.

@Suite("Fast kernels")
struct KernelTests {
    /// Distance in units in the last place (0 when both are equal, including both 0).
    func ulps(_ a: Double, _ b: Double) -> Double {
        if a == b { return 0 }
        return abs(a - b) / b.ulp
    }

    /// The kernel variants this CPU runs, by raw value (portable always, AVX2 + FMA where present).
    static let levels = supportedKernelLevels.map(\.rawValue)

    @Test("vectorised exp is within 2 ulp of libm, subnormal and overflowing results included", arguments: levels)
    func vectorExp(_ raw: UInt32) {
        let level = KernelLevel(rawValue: raw)
        var worst = 0.0
        var values: [Double] = []
        // A deterministic sweep of [−745.1, 709.7] plus values near integers multiples of ln 2/2.
        let n = 40_000
        for i in 0..<n { values.append(-745.1 + 1454.8 * Double(i) / Double(n - 1)) }
        for i in 0..<2_000 { values.append(-745.1 + 37.1 * Double(i) / 1_999) }   // the subnormal results
        for m in -2040...2040 { values.append(Double(m) * 0.5 * M_LN2) }  // the rounding boundaries of n
        values += [0, -0.0, 1e-300, -1e-300, 1e-10, -1e-10, -710, -720, -744, 709, 709.78]
        var copy = values
        copy.withUnsafeMutableBufferPointer { exponentiate($0.baseAddress!, count: $0.count, level: level) }
        // ulps() measures subnormal results on the subnormal grid (b.ulp is the smallest subnormal there).
        for (x, y) in zip(values, copy) { worst = max(worst, ulps(y, Foundation.exp(x))) }
        #expect(worst <= 2, "worst error \(worst) ulp")

        // Edges: far below the result is 0, far above +∞, NaN stays NaN.
        let edges: [Double] = [-745.2, -746, -1e300, -.infinity, 709.8, 710, 1e300, .infinity]
        var edgeCopy = edges
        edgeCopy.withUnsafeMutableBufferPointer { exponentiate($0.baseAddress!, count: $0.count, level: level) }
        for (x, y) in zip(edges, edgeCopy) { #expect(y == Foundation.exp(x), "exp(\(x)): \(y)") }
        var nan = [Double.nan, 1, 2]
        nan.withUnsafeMutableBufferPointer { exponentiate($0.baseAddress!, count: 3, shift: 1, level: level) }
        #expect(nan[0].isNaN && nan[1] == 1 && ulps(nan[2], M_E) <= 1)
    }

    @Test("vectorised log1p is within 2 ulp of libm on [0, 2⁵²), and libm's elsewhere", arguments: levels)
    func vectorLogOnePlus(_ raw: UInt32) {
        let level = KernelLevel(rawValue: raw)
        var values: [Double] = [0, 1e-300, .leastNonzeroMagnitude, 1e-17, 1.1e-16, 2.3e-16, 1e-8, 0.5, 1, 1.5, 2, 3, 63, 1e15, 0x1p52 - 1]
        // Log-spaced over [1e-20, 1e15] and a dense sweep of [0, 4] (sums of K − 1 small terms).
        for i in 0..<40_000 { values.append(pow(10, -20 + 35 * Double(i) / 39_999)) }
        for i in 0..<20_000 { values.append(4 * Double(i) / 19_999) }
        for m in -20...20 { values.append(sqrt(2) * pow(2, Double(m)) - 1) }   // the boundaries of f ∈ [√½, √2)
        values = values.filter { $0 >= 0 }
        var copy = values
        copy.withUnsafeMutableBufferPointer { logOnePlus($0.baseAddress!, count: $0.count, level: level) }
        var worst = 0.0
        for (x, y) in zip(values, copy) { worst = max(worst, ulps(y, Foundation.log1p(x))) }
        #expect(worst <= 2, "worst error \(worst) ulp")

        let edges: [Double] = [-0.5, -1, -2, 0x1p52, 1e300, .infinity, -.infinity, -1e-20]
        var edgeCopy = edges + [.nan]
        edgeCopy.withUnsafeMutableBufferPointer { logOnePlus($0.baseAddress!, count: $0.count, level: level) }
        for (x, y) in zip(edges, edgeCopy) { #expect(y == Foundation.log1p(x) || (y.isNaN && x < -1), "log1p(\(x)): \(y)") }
        #expect(edgeCopy.last!.isNaN)
    }

    @Test("row normalisation: plain log-sum-exp formulas, rows that are all −∞, tied maxima, keepLog",
          arguments: levels)
    func rowNormalisation(_ raw: UInt32) {
        let level = KernelLevel(rawValue: raw)
        for kCount in [1, 2, 3, 4, 5, 8, 13, 64] {
            var state: UInt64 = 0x9E37_79B9 &* UInt64(kCount)
            func uniform() -> Double {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Double(state >> 11) / Double(1 << 53)
            }
            let rows = 37
            var values = (0..<(rows * kCount)).map { _ in -2000 * uniform() * uniform() }
            for k in 0..<kCount { values[5 * kCount + k] = -.infinity }          // a row with no density
            if kCount > 1 { values[7 * kCount + 1] = -.infinity }                // one impossible component
            values[9 * kCount] = -1e-300                                          // near-ties around 0
            for k in stride(from: 0, to: kCount, by: 2) { values[11 * kCount + k] = -3 }  // exact ties at the maximum
            for keepLog in [false, true] {
                var out = values
                var logDensity = [Double](repeating: 0, count: rows)
                out.withUnsafeMutableBufferPointer { v in
                    logDensity.withUnsafeMutableBufferPointer { ld in
                        normalizeRows(v.baseAddress!, rows: rows, componentCount: kCount, logDensity: ld.baseAddress!,
                                      keepLog: keepLog, level: level)
                    }
                }
                for r in 0..<rows {
                    let row = Array(values[(r * kCount)..<((r + 1) * kCount)])
                    let lse = row.withUnsafeBufferPointer { logSumExp($0) }
                    // m + log1p(rest) cancels when m < 0 < log1p(rest): absolute error a few ε·max(1, |m|).
                    #expect(logDensity[r] == lse || abs(logDensity[r] - lse) <= 1e-15 * max(1, abs(lse)),
                            "K \(kCount) row \(r): \(logDensity[r]) vs \(lse)")
                    var total = 0.0
                    for k in 0..<kCount {
                        let expected = keepLog ? row[k] - lse : Foundation.exp(row[k] - lse)
                        let got = out[r * kCount + k]
                        total += keepLog ? 0 : got
                        if expected.isNaN { #expect(got.isNaN); continue }
                        #expect(got == expected || abs(got - expected) <= 1e-13 * max(1, abs(expected)),
                                "K \(kCount) row \(r) k \(k) keepLog \(keepLog): \(got) vs \(expected)")
                    }
                    if !keepLog && lse.isFinite { #expect(abs(total - 1) <= 1e-14) }
                }
            }
        }
    }

    /// log P(x, c = k) from the general whitening kernel.
    func reference(_ model: GaussianMixture, _ data: DataMatrix) -> [Double] {
        whitening(model.family, model, data)
    }

    func whitening<F: CovarianceFamily>(_ family: F, _ model: GaussianMixture, _ data: DataMatrix) -> [Double] {
        let blockRows = data.sampleCount
        let evaluator = BlockEvaluator(model: model, blockRows: blockRows)
        var kernel = WhiteningKernel(family: family, means: model.flatMeans, normalizers: evaluator.normalizers,
                                     blockRows: blockRows)
        var out = [Double](repeating: 0, count: data.sampleCount * model.componentCount)
        data.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { kernel.logJoint(of: x.baseAddress!, rows: data.sampleCount, into: $0.baseAddress!) }
        }
        return out
    }

    /// log P(x, c = k) from the kernel the family chooses.
    func chosen(_ model: GaussianMixture, _ data: DataMatrix) -> [Double] {
        var evaluator = BlockEvaluator(model: model, blockRows: data.sampleCount)
        var out = [Double](repeating: 0, count: data.sampleCount * model.componentCount)
        data.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { evaluator.logJoint(of: x.baseAddress!, rows: data.sampleCount, into: $0.baseAddress!) }
        }
        return out
    }

    /// Rows near and far from every component, with an offset of 1000 on every feature.
    func rows(_ d: Int, count: Int, seed: UInt64) throws -> DataMatrix {
        var state = seed
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var values: [Double] = []
        for _ in 0..<(count * d) { values.append(1000 + 8 * (next() - 0.5)) }
        return try DataMatrix(values: values, sampleCount: count, featureCount: d)
    }

    @Test("diag and spherical: the DGEMM expansion agrees with whitening, near and far from the centre",
          arguments: [CovarianceKind.diagonal, .spherical])
    func expandedDiagonal(_ kind: CovarianceKind) throws {
        let d = 5
        let data = try rows(d, count: 333, seed: 3)
        // Component 2 sits 1e4 of its standard deviations away: it takes the direct path.
        let means = [[Double](repeating: 1000, count: d), [Double](repeating: 1002, count: d),
                     [Double](repeating: 1001, count: d).enumerated().map { $0.offset == 0 ? 1000 + 1e2 : $0.element }]
        let covariances: CovarianceParameters = kind == .diagonal
            ? .diagonal([[1, 2, 0.5, 3, 1], [0.2, 0.3, 0.4, 0.5, 0.6], [1e-4, 1e-4, 1e-4, 1e-4, 1e-4]])
            : .spherical([1.5, 0.25, 1e-4])
        let model = try GaussianMixture(weights: [0.5, 0.3, 0.2], means: means, covariances: covariances)
        let fast = chosen(model, data), slow = reference(model, data)
        for (f, s) in zip(fast, slow) {
            // Absolute in log P(x, c): the expansion's error bound is ε·(q + C_k)·(a few).
            #expect(abs(f - s) <= 1e-9 + 1e-13 * abs(s), "\(f) vs \(s)")
        }
    }

    @Test("full and tied: forward substitution agrees with dtrsm", arguments: [1, 2, 3, 8, 16, 17, 22, 23, 40])
    func forwardSubstitution(_ d: Int) throws {
        let data = try rows(d, count: 203, seed: UInt64(d))
        var matrices: [[[Double]]] = []
        var means: [[Double]] = []
        for k in 0..<3 {
            var m = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
            for r in 0..<d {
                for c in 0..<d { m[r][c] = r == c ? 1 + Double(k) + Double(r) : 0.3 / Double(1 + abs(r - c) + k) }
            }
            matrices.append(m)
            means.append((0..<d).map { 1000 + Double(k) - Double($0) * 0.5 })
        }
        for covariances in [CovarianceParameters.full(matrices), .tied(matrices[1])] {
            let model = try GaussianMixture(weights: [0.2, 0.3, 0.5], means: means, covariances: covariances)
            let slow = reference(model, data)
            let worst = worstRelativeError(chosen(model, data), slow, floor: 1)
            #expect(worst.error <= 1e-13, "d = \(d): \(worst)")
            // Every variant the CPU has, not only the one this process picked.
            let factors: [CholeskyFactor] = switch model.family {
            case let full as FullCovariance: full.factors
            case let tied as TiedCovariance: [tied.factor]
            default: []
            }
            let normalizers = BlockEvaluator(model: model, blockRows: 1).normalizers
            for level in supportedKernelLevels {
                var kernel = ForwardSubstitutionKernel(factors: factors, means: model.flatMeans, normalizers: normalizers,
                                                       level: level)
                var out = [Double](repeating: 0, count: data.sampleCount * 3)
                data.withUnsafeBufferPointer { x in
                    out.withUnsafeMutableBufferPointer { kernel.logJoint(of: x.baseAddress!, rows: data.sampleCount, into: $0.baseAddress!) }
                }
                let worst = worstRelativeError(out, slow, floor: 1)
                #expect(worst.error <= 1e-13, "d = \(d), level \(level.rawValue): \(worst)")
            }
        }
    }

    @Test("full moments from the vector kernel equal element-wise sums", arguments: [1, 2, 3, 5, 8, 9, 13, 16])
    func fullMoments(_ d: Int) throws {
        let kCount = 3, n = 203
        let data = try rows(d, count: n, seed: 40 + UInt64(d))
        let resp = uniforms(n * kCount, seed: 7)
        let shifts = (0..<(kCount * d)).map { 1000 + Double($0 % 7) - 3 }
        // Element-wise reference.
        var counts = [Double](repeating: 0, count: kCount), sums = [Double](repeating: 0, count: kCount * d)
        var moments = [Double](repeating: 0, count: kCount * d * d)
        let x = data.withUnsafeBufferPointer { Array($0) }
        for r in 0..<n {
            for k in 0..<kCount {
                let w = resp[r * kCount + k]
                counts[k] += w
                for i in 0..<d {
                    let vi = x[r * d + i] - shifts[k * d + i]
                    sums[k * d + i] += w * vi
                    for j in i..<d {
                        let vj = x[r * d + j] - shifts[k * d + j]
                        moments[k * d * d + i * d + j] += w * vi * vj
                    }
                }
            }
        }
        for level in supportedKernelLevels {
            var c = [Double](repeating: 0, count: kCount), s = [Double](repeating: 0, count: kCount * d)
            var m = [Double](repeating: 0, count: kCount * d * d)
            var scratch = [Double](repeating: .nan, count: momentScratchCount(featureCount: d, componentCount: kCount))
            x.withUnsafeBufferPointer { xb in resp.withUnsafeBufferPointer { rb in shifts.withUnsafeBufferPointer { sb in
                accumulateMoments(block: xb.baseAddress!, rows: n, featureCount: d, componentCount: kCount,
                                  responsibilities: rb.baseAddress!, shifts: sb.baseAddress!, counts: &c, sums: &s,
                                  moments: &m, scratch: &scratch, level: level)
            }}}
            #expect(worstRelativeError(c, counts, floor: 1).error <= 1e-13, "d = \(d), level \(level.rawValue)")
            #expect(worstRelativeError(s, sums, floor: 1).error <= 1e-13, "d = \(d), level \(level.rawValue)")
            #expect(worstRelativeError(m, moments, floor: 1).error <= 1e-13, "d = \(d), level \(level.rawValue)")
        }
    }

    @Test("full moments above d = 16 (scaled copy and dsyrk) equal element-wise sums; so do the substituted distances",
          arguments: [17, 24])
    func largeFullMoments(_ d: Int) throws {
        let kCount = 3, n = 101
        let data = try rows(d, count: n, seed: 60 + UInt64(d))
        // Rows of zero responsibility (left out of the rank update) here and there, and a
        // component (k = 2) with none in this block.
        let resp = uniforms(n * kCount, seed: 11).enumerated().map { i, r in
            i % kCount == 2 || i % 7 == 3 ? 0 : r
        }
        let shifts = (0..<(kCount * d)).map { 1000 + Double($0 % 5) - 2 }
        var stats = SufficientStatistics.zero(componentCount: kCount, featureCount: d, momentShape: .matrix,
                                              shifts: shifts)
        let workspace = KernelWorkspace(blockRows: n, componentCount: kCount, featureCount: d)
        let x = data.withUnsafeBufferPointer { Array($0) }
        x.withUnsafeBufferPointer { xb in resp.withUnsafeBufferPointer { rb in
            stats.accumulate(block: xb.baseAddress!, rows: n, responsibilities: rb.baseAddress!, workspace: workspace)
        }}
        for k in 0..<kCount {
            var count = 0.0
            var sums = [Double](repeating: 0, count: d), moments = [Double](repeating: 0, count: d * d)
            for r in 0..<n {
                let w = resp[r * kCount + k]
                count += w
                for i in 0..<d {
                    let vi = x[r * d + i] - shifts[k * d + i]
                    sums[i] += w * vi
                    for j in i..<d {
                        let vj = x[r * d + j] - shifts[k * d + j]
                        moments[i * d + j] += w * vi * vj
                    }
                }
            }
            #expect(abs(stats.softCounts[k] - count) <= 1e-13 * count)
            if k == 2 { #expect(count == 0 && stats.softCounts[k] == 0) }
            #expect(worstRelativeError(Array(stats.sums[(k * d)..<((k + 1) * d)]), sums, floor: 1).error <= 1e-13)
            // dsyrk fills the upper triangle: compare that.
            let upper = (0..<d).flatMap { i in (i..<d).map { j in stats.moments[k * d * d + i * d + j] } }
            let expected = (0..<d).flatMap { i in (i..<d).map { j in moments[i * d + j] } }
            #expect(worstRelativeError(upper, expected, floor: 1).error <= 1e-13, "d = \(d), k = \(k)")
        }

        // The kernel the family picks (eight rows, four columns of z at a time above d = 16)
        // against a scalar forward substitution.
        func entry(_ k: Int, _ r: Int, _ c: Int) -> Double {
            r == c ? 2 + Double(k) + 0.1 * Double(r) : 0.2 / Double(1 + abs(r - c) + k)
        }
        let matrices: [[[Double]]] = (0..<kCount).map { k in (0..<d).map { r in (0..<d).map { c in entry(k, r, c) } } }
        let means: [[Double]] = (0..<kCount).map { k in (0..<d).map { j in 1000 + Double(k) - 0.25 * Double(j) } }
        let model = try GaussianMixture(weights: [0.2, 0.3, 0.5], means: means, covariances: .full(matrices))
        let fast = chosen(model, data)
        let normalizers = BlockEvaluator(model: model, blockRows: 1).normalizers
        for k in 0..<kCount {
            let factor = try CholeskyFactor(factoring: matrices[k].flatMap { $0 }, dimension: d)
            for r in 0..<n {
                var z = [Double](repeating: 0, count: d)
                var q = 0.0
                for i in 0..<d {
                    var t = x[r * d + i] - means[k][i]
                    for j in 0..<i { t -= factor.lower[i * d + j] * z[j] }
                    z[i] = t / factor.lower[i * d + i]
                    q += z[i] * z[i]
                }
                let expected = normalizers[k] - 0.5 * q
                #expect(abs(fast[r * kCount + k] - expected) <= 1e-12 * max(1, abs(expected)))
            }
        }
    }

    @Test("diagonal moments from DGEMM equal element-wise sums, with equal and with distant shifts")
    func diagonalMoments() throws {
        let d = 4, kCount = 3
        let data = try rows(d, count: 500, seed: 11)
        var resp = [Double](repeating: 0, count: 500 * kCount)
        for i in 0..<500 {
            let a = Double((i * 7) % 11) + 1, b = Double((i * 3) % 5) + 1, c = 0.5
            let s = a + b + c
            resp[i * kCount] = a / s; resp[i * kCount + 1] = b / s; resp[i * kCount + 2] = c / s
        }
        let near = [Double](repeating: 1000, count: d)
        // Shifts: all equal (DGEMM, no move); close to each other (DGEMM, then moved); one component
        // shifted 1e6 away (every component's move would cancel: the element-wise fallback).
        for shifts in [near + near + near, near + near.map { $0 + 0.5 } + near.map { $0 - 0.3 },
                       near + near.map { $0 + 0.5 } + near.map { $0 + 1e6 }] {
            var stats = SufficientStatistics.zero(componentCount: kCount, featureCount: d, momentShape: .diagonal, shifts: shifts)
            let workspace = KernelWorkspace(blockRows: 500, componentCount: kCount, featureCount: d)
            data.withUnsafeBufferPointer { x in
                resp.withUnsafeBufferPointer { stats.accumulate(block: x.baseAddress!, rows: 500, responsibilities: $0.baseAddress!, workspace: workspace) }
            }
            var sums = [Double](repeating: 0, count: kCount * d), moments = sums, counts = [Double](repeating: 0, count: kCount)
            for i in 0..<500 {
                let x = data.row(i)
                for k in 0..<kCount {
                    let w = resp[i * kCount + k]
                    counts[k] += w
                    for j in 0..<d {
                        let v = x[j] - shifts[k * d + j]
                        sums[k * d + j] += w * v
                        moments[k * d + j] += w * v * v
                    }
                }
            }
            #expect(worstRelativeError(stats.softCounts, counts, floor: 1e-300).error <= 1e-14)
            #expect(worstRelativeError(stats.sums, sums, floor: 1e-9 * 500).error <= 1e-9)
            #expect(worstRelativeError(stats.moments, moments, floor: 1e-300).error <= 1e-11)
            #expect(stats.sampleCount == 500)
        }
    }

    /// Which responsibilities the M-step keeps (`negligibleFraction`), written out: around the
    /// centre of the shifts, s_r = max(1, max_j (x_rj − c_j)²), and w_rk is kept when it is
    /// nonzero and ≥ 2⁻⁵² · mean_r w_rk or ≥ (2⁻⁵² · mean_r w_rk s_r) · (1/s_r).
    func keptResponsibilities(_ x: [Double], rows n: Int, featureCount d: Int, shifts: [Double],
                              responsibilities resp: [Double], componentCount kCount: Int) -> (kept: [Bool], bySpread: Int) {
        let centre = expansionCentre(means: shifts, componentCount: kCount, featureCount: d)
        let spreads = (0..<n).map { r in (0..<d).reduce(1.0) { m, j in max(m, (x[r * d + j] - centre[j]) * (x[r * d + j] - centre[j])) } }
        var kept = [Bool](repeating: false, count: n * kCount)
        var bySpread = 0
        for k in 0..<kCount {
            var sum = 0.0, weighted = 0.0
            for r in 0..<n {
                sum += resp[r * kCount + k]
                weighted += resp[r * kCount + k] * spreads[r]
            }
            let t = sum * 0x1p-52 / Double(n), tSpread = weighted * 0x1p-52 / Double(n)
            for r in 0..<n {
                let w = resp[r * kCount + k]
                kept[r * kCount + k] = w != 0 && (w >= t || w >= tSpread * (1 / spreads[r]))
                if w != 0 && w < t && w >= tSpread * (1 / spreads[r]) { bySpread += 1 }
            }
        }
        return (kept, bySpread)
    }

    /// Responsibilities as a fitted mixture has them: two or three sizeable per row,
    /// the rest tiny (1e-25), subnormal or 0.
    func separatedResponsibilities(rows n: Int, componentCount kCount: Int, seed: UInt64) -> [Double] {
        let u = uniforms(n * kCount, seed: seed)
        return (0..<(n * kCount)).map { i in
            let r = i / kCount, k = i % kCount
            if k == r % kCount || k == (r * 7 + 3) % kCount || (k == kCount - 1 && r % 5 == 0) { return 0.2 + u[i] }
            if i % 11 == 0 { return 0 }
            if i % 13 == 0 { return Double.leastNormalMagnitude / 1024 * (1 + u[i]) }   // subnormal
            return 1e-25 * u[i]
        }
    }

    @Test("diagonal moments over few kept responsibilities (summed pair by pair) equal element-wise sums over the kept ones; what is left out is below one rounding")
    func sparseDiagonalMoments() throws {
        // d = 19: a stretch of sixteen features and three more; K = 67: two mask words and three
        // components after the last group of four.
        let d = 19, kCount = 67, n = 300
        var x = try rows(d, count: n, seed: 91).withUnsafeBufferPointer { Array($0) }
        // Row 7 lies 10⁹ away: its tiny responsibilities add ~1e-7 to moments of ~10 and are kept
        // (w s_r is large), which the tolerances below would notice.
        for j in 0..<d { x[7 * d + j] += 1e9 }
        let resp = separatedResponsibilities(rows: n, componentCount: kCount, seed: 5)
        let shifts = (0..<(kCount * d)).map { 1000 + 0.5 * Double($0 % 3) - 0.5 }
        let (kept, bySpread) = keptResponsibilities(x, rows: n, featureCount: d, shifts: shifts, responsibilities: resp,
                                                    componentCount: kCount)
        let keptCount = kept.filter { $0 }.count
        #expect(Double(keptCount) <= sparseProductShare * Double(n * kCount), "the pair-by-pair path")
        #expect(bySpread >= kCount / 2, "row 7's tiny responsibilities are kept for their spread")

        var stats = SufficientStatistics.zero(componentCount: kCount, featureCount: d, momentShape: .diagonal, shifts: shifts)
        let workspace = KernelWorkspace(blockRows: n, componentCount: kCount, featureCount: d)
        x.withUnsafeBufferPointer { xb in resp.withUnsafeBufferPointer { rb in
            stats.accumulate(block: xb.baseAddress!, rows: n, responsibilities: rb.baseAddress!, workspace: workspace)
        }}
        for k in 0..<kCount {
            var count = 0.0, all = 0.0
            var sums = [Double](repeating: 0, count: d), moments = sums
            for r in 0..<n {
                let w = resp[r * kCount + k]
                all += w
                guard kept[r * kCount + k] else { continue }
                count += w
                for j in 0..<d {
                    let v = x[r * d + j] - shifts[k * d + j]
                    sums[j] += w * v
                    moments[j] += w * v * v
                }
            }
            #expect(abs(stats.softCounts[k] - count) <= 1e-14 * count, "k = \(k)")
            #expect(abs(stats.softCounts[k] - all) <= 0x1p-52 * all + 1e-14 * all, "k = \(k)")
            let gotSums = Array(stats.sums[(k * d)..<((k + 1) * d)]), gotMoments = Array(stats.moments[(k * d)..<((k + 1) * d)])
            #expect(worstRelativeError(gotSums, sums, floor: 1e-9 * count).error <= 1e-9, "k = \(k)")
            #expect(worstRelativeError(gotMoments, moments, floor: 1e-300).error <= 1e-11, "k = \(k)")
        }
    }

    @Test("full moments above d = 16 leave out the same negligible responsibilities")
    func negligibleFullMoments() throws {
        let d = 17, kCount = 5, n = 120
        var x = try rows(d, count: n, seed: 92).withUnsafeBufferPointer { Array($0) }
        for j in 0..<d { x[3 * d + j] -= 1e9 }   // as in sparseDiagonalMoments
        let resp = separatedResponsibilities(rows: n, componentCount: kCount, seed: 6)
        let shifts = (0..<(kCount * d)).map { 1000 + Double($0 % 5) - 2 }
        let (kept, bySpread) = keptResponsibilities(x, rows: n, featureCount: d, shifts: shifts, responsibilities: resp,
                                                    componentCount: kCount)
        #expect(bySpread > 0)
        var stats = SufficientStatistics.zero(componentCount: kCount, featureCount: d, momentShape: .matrix, shifts: shifts)
        let workspace = KernelWorkspace(blockRows: n, componentCount: kCount, featureCount: d)
        x.withUnsafeBufferPointer { xb in resp.withUnsafeBufferPointer { rb in
            stats.accumulate(block: xb.baseAddress!, rows: n, responsibilities: rb.baseAddress!, workspace: workspace)
        }}
        for k in 0..<kCount {
            var count = 0.0
            var sums = [Double](repeating: 0, count: d), moments = [Double](repeating: 0, count: d * d)
            for r in 0..<n where kept[r * kCount + k] {
                let w = resp[r * kCount + k]
                count += w
                for i in 0..<d {
                    let vi = x[r * d + i] - shifts[k * d + i]
                    sums[i] += w * vi
                    for j in i..<d { moments[i * d + j] += w * vi * (x[r * d + j] - shifts[k * d + j]) }
                }
            }
            #expect(abs(stats.softCounts[k] - count) <= 1e-14 * count, "k = \(k)")
            #expect(worstRelativeError(Array(stats.sums[(k * d)..<((k + 1) * d)]), sums, floor: 1).error <= 1e-12)
            let upper = (0..<d).flatMap { i in (i..<d).map { j in stats.moments[k * d * d + i * d + j] } }
            let expected = (0..<d).flatMap { i in (i..<d).map { j in moments[i * d + j] } }
            #expect(worstRelativeError(upper, expected, floor: 1).error <= 1e-12, "k = \(k)")
        }
    }
}
