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

    @Test("vectorised exp is within 2 ulp of libm, and libm's at the edges")
    func vectorExp() {
        var worst = 0.0
        var values: [Double] = []
        // A deterministic sweep of [−708, 708] plus values near integers multiples of ln 2/2.
        let n = 40_000
        for i in 0..<n { values.append(-708 + 1416 * Double(i) / Double(n - 1)) }
        for m in -2040...2040 { values.append(Double(m) * 0.5 * M_LN2) }  // the rounding boundaries of n
        values += [0, -0.0, 1e-300, -1e-300, 1e-10, -1e-10]
        var copy = values
        copy.withUnsafeMutableBufferPointer { exponentiate($0.baseAddress!, count: $0.count) }
        for (x, y) in zip(values, copy) { worst = max(worst, ulps(y, Foundation.exp(x))) }
        #expect(worst <= 2, "worst error \(worst) ulp")

        // Edges: subnormal results and overflow are libm's, far below they are 0, NaN stays NaN.
        let edges: [Double] = [-710, -720, -744, -745.1, -745.2, -746, -1e300, -.infinity, 709, 709.7, 710, .infinity]
        var edgeCopy = edges
        edgeCopy.withUnsafeMutableBufferPointer { exponentiate($0.baseAddress!, count: $0.count) }
        for (x, y) in zip(edges, edgeCopy) { #expect(y == Foundation.exp(x), "exp(\(x)): \(y)") }
        var nan = [Double.nan, 1, 2]
        nan.withUnsafeMutableBufferPointer { exponentiate($0.baseAddress!, count: 3, shift: 1) }
        #expect(nan[0].isNaN && nan[1] == 1 && ulps(nan[2], M_E) <= 1)
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

    @Test("full and tied at d ≤ 8: forward substitution agrees with dtrsm", arguments: [1, 2, 3, 8])
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
            let fast = chosen(model, data), slow = reference(model, data)
            let worst = worstRelativeError(fast, slow, floor: 1)
            #expect(worst.error <= 1e-13, "d = \(d): \(worst)")
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
            var scratch = AccumulationScratch(blockRows: 500, featureCount: d)
            data.withUnsafeBufferPointer { x in
                resp.withUnsafeBufferPointer { stats.accumulate(block: x.baseAddress!, rows: 500, responsibilities: $0.baseAddress!, scratch: &scratch) }
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
}
