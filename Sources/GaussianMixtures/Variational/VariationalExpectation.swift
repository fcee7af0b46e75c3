import Foundation

// The variational E-step: one pass rows → responsibilities → statistics.
//
//   log ρ_ik = E[log π_k] + E[log N(x_i | μ_k, Λ_k⁻¹)]
//            = c_k − ½ (d log 2π + log det C_k + (x_i − m_k)ᵀ C_k⁻¹ (x_i − m_k)),
// with C_k = `covariances` (W_k⁻¹/ν_k) and c_k the per-component constants of
// `expectedLogJointOffsets`; r_ik = ρ_ik / Σ_k ρ_ik. The Gaussian part is the
// same whitening kernel as EM's (family.whiten on a centred block), and the
// rows are reduced to the EM's `SufficientStatistics` by
// `ExpectationStep.accumulate`, so the M-step inputs are the EM's. The pass also
// sums Σ_i w_i Σ_k r_ik log r_ik, the entropy term of the lower bound.

/// Rows per block of the variational pass (the statistics do not depend on it beyond rounding).
func variationalBlockRows(featureCount d: Int, componentCount kCount: Int) -> Int {
    max(64, min(4096, (1 << 18) / max(d, kCount, 1)))
}

extension VariationalPosterior {
    /// The statistics of `data` under the variational responsibilities, with moments
    /// around the current means m_k, and −Σ_i w_i Σ_k r_ik log r_ik.
    func expectationPass(_ data: DataMatrix, weights: [Double]?) -> (stats: SufficientStatistics, entropy: Double) {
        let (stats, entropy, _) = expectationPass(data, weights: weights, keepingResponsibilities: false)
        return (stats, entropy)
    }

    /// The same pass, also returning the n×K responsibilities when asked (else empty).
    func expectationPass(
        _ data: DataMatrix, weights: [Double]?, keepingResponsibilities: Bool
    ) -> (stats: SufficientStatistics, entropy: Double, responsibilities: [Double]) {
        let kCount = componentCount
        let d = featureCount
        let blockRows = variationalBlockRows(featureCount: d, componentCount: kCount)
        let offsets = expectedLogJointOffsets
        let constants = (0..<kCount).map { k in
            offsets[k] - 0.5 * (Double(d) * log(2 * Double.pi) + family.logDeterminant(component: k))
        }
        let kernel = VariationalBlockKernel(family: family, means: flatMeans, constants: constants, weights: weights,
                                            blockRows: blockRows)
        if keepingResponsibilities { kernel.kept = [Double](repeating: 0, count: data.sampleCount * kCount) }
        let stats = ExpectationStep.accumulate(
            data, weights: weights, componentCount: kCount, momentShape: type(of: family).momentShape,
            shifts: flatMeans, blockRows: blockRows
        ) { range, block, rows, resp, _ in kernel.fill(range, block, rows, resp) }
        return (stats, kernel.entropy, kernel.kept)
    }
}

/// The variational E-step for one block at a time, with its scratch memory and the
/// running entropy. Used by one sequential pass (`ExpectationStep.accumulate` calls
/// its filler in row order on one thread). A class rather than captured `var`s:
/// Swift 6.3's ClosureLifetimeFixup pass crashes on the latter here.
private final class VariationalBlockKernel {
    let family: any CovarianceFamily
    let means: [Double]
    let constants: [Double]
    let weights: [Double]?
    var scratch: [Double]
    var entropy = 0.0
    /// When not empty, every row's responsibilities are copied here (n×K).
    var kept: [Double] = []

    init(family: any CovarianceFamily, means: [Double], constants: [Double], weights: [Double]?, blockRows: Int) {
        self.family = family
        self.means = means
        self.constants = constants
        self.weights = weights
        scratch = [Double](repeating: 0, count: blockRows * family.featureCount)
    }

    /// Writes the b×K responsibilities of the `rows` rows at `block` (rows `range`).
    func fill(_ range: Range<Int>, _ block: UnsafePointer<Double>, _ rows: Int, _ resp: UnsafeMutablePointer<Double>) {
        let d = family.featureCount
        let kCount = constants.count
        scratch.withUnsafeMutableBufferPointer { zBuf in
            let z = zBuf.baseAddress!
            for k in 0..<kCount {
                for r in 0..<rows {
                    for j in 0..<d { z[r &* d &+ j] = block[r &* d &+ j] - means[k &* d &+ j] }
                }
                family.whiten(z, rows: rows, component: k)
                for r in 0..<rows {
                    var q = 0.0
                    for j in 0..<d { q += z[r &* d &+ j] * z[r &* d &+ j] }
                    resp[r &* kCount &+ k] = constants[k] - 0.5 * q
                }
            }
        }
        for r in 0..<rows {
            let row = resp + r &* kCount
            let lse = logSumExp(UnsafeBufferPointer(start: row, count: kCount))
            let w = weights?[range.lowerBound + r] ?? 1
            var rowEntropy = 0.0
            for k in 0..<kCount {
                let logR = row[k] - lse
                let p = exp(logR)
                rowEntropy -= p * logR
                row[k] = p
            }
            if w != 0 { entropy += w * rowEntropy }
        }
        if !kept.isEmpty {
            for idx in 0..<(rows * kCount) { kept[range.lowerBound * kCount + idx] = resp[idx] }
        }
    }
}

/// The statistics of given responsibilities (row-major n×K), with moments around
/// the data mean, and −Σ_i w_i Σ_k r_ik log r_ik (0 log 0 = 0).
func statistics(
    of data: DataMatrix, responsibilities: [Double], weights: [Double]?, componentCount kCount: Int,
    momentShape: MomentShape
) -> (stats: SufficientStatistics, entropy: Double) {
    let d = data.featureCount
    let mean = columnMeans(of: data)
    let shifts = (0..<kCount).flatMap { _ in mean }
    let box = PassScratch(count: 0)
    let stats = ExpectationStep.accumulate(
        data, weights: weights, componentCount: kCount, momentShape: momentShape, shifts: shifts,
        blockRows: variationalBlockRows(featureCount: d, componentCount: kCount)
    ) { range, _, rows, resp, _ in
        for r in 0..<rows {
            let i = range.lowerBound + r
            let w = weights?[i] ?? 1
            for k in 0..<kCount {
                let p = responsibilities[i * kCount + k]
                resp[r * kCount + k] = p
                if p > 0, w != 0 { box.entropy -= w * p * log(p) }
            }
        }
    }
    return (stats, box.entropy)
}

/// Mutable state of one sequential pass, in a box: the block filler is called
/// in row order on one thread (`ExpectationStep.accumulate`). (A box rather than
/// captured `var`s: Swift 6.3's ClosureLifetimeFixup pass crashes on the latter here.)
private final class PassScratch {
    var scratch: [Double]
    var entropy = 0.0
    init(count: Int) { scratch = [Double](repeating: 0, count: count) }
}
