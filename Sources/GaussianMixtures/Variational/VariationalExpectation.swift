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
    ///
    /// - Parameter threads: how many chunks run at once; the result does not depend on it.
    func expectationPass(_ data: DataMatrix, weights: [Double]?, threads: Int = 1) -> (stats: SufficientStatistics, entropy: Double) {
        let (stats, entropy, _) = expectationPass(data, weights: weights, keepingResponsibilities: false, threads: threads)
        return (stats, entropy)
    }

    /// The same pass, also returning the n×K responsibilities when asked (else empty).
    ///
    /// The rows are cut into the EM pass's fixed chunks, each reduced on its own
    /// (`ExpectationStep.reduceChunks`), so any thread count gives the same bits.
    /// Each row's entropy −Σ_k r_ik log r_ik travels in the slot the EM pass uses for
    /// log P(x): the pass scales it by the row's weight and sums it in the fixed
    /// order, and it is read back out of `logLikelihood`.
    func expectationPass(
        _ data: DataMatrix, weights: [Double]?, keepingResponsibilities: Bool, threads: Int = 1
    ) -> (stats: SufficientStatistics, entropy: Double, responsibilities: [Double]) {
        let kCount = componentCount
        let d = featureCount
        let blockRows = variationalBlockRows(featureCount: d, componentCount: kCount)
        let offsets = expectedLogJointOffsets
        let constants = (0..<kCount).map { k in
            offsets[k] - 0.5 * (Double(d) * log(2 * Double.pi) + family.logDeterminant(component: k))
        }
        let kept = keepingResponsibilities ? KeptResponsibilities(count: data.sampleCount * kCount) : nil
        let pass = VariationalPass(family: family, means: flatMeans, constants: constants, blockRows: blockRows,
                                   kept: kept, data: data, weights: weights)
        var stats = ExpectationStep.reduceChunks(data, blockRows: blockRows, threads: max(1, threads),
                                                 worker: pass.worker)
        let entropy = stats.logLikelihood
        stats.logLikelihood = 0
        return (stats, entropy, kept?.values ?? [])
    }
}

/// The variational E-step for one block at a time, with its scratch memory. One
/// kernel per worker, used by one thread. A class rather than captured `var`s:
/// Swift 6.3's ClosureLifetimeFixup pass crashes on the latter here.
private final class VariationalBlockKernel {
    let family: any CovarianceFamily
    let means: [Double]
    let constants: [Double]
    let blockRows: Int
    let kept: KeptResponsibilities?
    var scratch: [Double]

    init(family: any CovarianceFamily, means: [Double], constants: [Double], blockRows: Int,
         kept: KeptResponsibilities?) {
        self.family = family
        self.means = means
        self.constants = constants
        self.blockRows = blockRows
        self.kept = kept
        scratch = [Double](repeating: 0, count: blockRows * family.featureCount)
    }

    /// The statistics of the rows `rows`, block by block, with each row's entropy in `logLikelihood`.
    func statistics(of rows: Range<Int>, in data: DataMatrix, weights: [Double]?,
                    momentShape: MomentShape, workspace: KernelWorkspace) -> SufficientStatistics {
        ExpectationStep.accumulateRows(
            rows, of: data, weights: weights, componentCount: constants.count, momentShape: momentShape, shifts: means,
            blockRows: blockRows, workspace: workspace, fill: fill)
    }

    /// Writes the b×K responsibilities of the `rows` rows at `block` (rows `range` of
    /// the data), and each row's entropy −Σ_k r_k log r_k to `rowEntropy`.
    func fill(_ range: Range<Int>, _ block: UnsafePointer<Double>, _ rows: Int, _ resp: UnsafeMutablePointer<Double>,
              _ rowEntropy: UnsafeMutablePointer<Double>) {
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
            var entropy = 0.0
            for k in 0..<kCount {
                let logR = row[k] - lse
                let p = exp(logR)
                entropy -= p * logR
                row[k] = p
            }
            rowEntropy[r] = entropy
        }
        kept?.store(resp, rows: range, componentCount: kCount)
    }
}

/// What every chunk of one variational pass shares (read-only).
private struct VariationalPass: Sendable {
    let family: any CovarianceFamily
    let means: [Double]
    let constants: [Double]
    let blockRows: Int
    let kept: KeptResponsibilities?
    let data: DataMatrix
    let weights: [Double]?

    /// One worker's chunk reducer; each worker has its own kernel and buffers, so
    /// scratch memory is never shared between threads, and is set up once per pass.
    @Sendable func worker() -> (Range<Int>) -> SufficientStatistics {
        let kernel = VariationalBlockKernel(family: family, means: means, constants: constants, blockRows: blockRows,
                                            kept: kept)
        let workspace = KernelWorkspace(blockRows: blockRows, componentCount: constants.count,
                                        featureCount: family.featureCount)
        return { rows in
            kernel.statistics(of: rows, in: data, weights: weights, momentShape: type(of: family).momentShape,
                              workspace: workspace)
        }
    }
}

/// An n×K array that concurrent chunks fill, each its own rows.
private final class KeptResponsibilities: @unchecked Sendable {
    // @unchecked: chunks write disjoint row ranges, and `values` is read after every chunk ended.
    private let buffer: UnsafeMutableBufferPointer<Double>
    init(count: Int) { buffer = .allocate(capacity: count); buffer.initialize(repeating: 0) }
    deinit { buffer.deallocate() }
    func store(_ resp: UnsafePointer<Double>, rows: Range<Int>, componentCount kCount: Int) {
        (buffer.baseAddress! + rows.lowerBound * kCount).update(from: resp, count: rows.count * kCount)
    }
    var values: [Double] { Array(buffer) }
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
