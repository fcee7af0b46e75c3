import CMixtureKernels
import Foundation

// The E-step kernel: log P(x, c = k) for a block of rows at once.
//
//   log P(x, c = k) = log w_k − ½ (d log 2π + log det Σ_k + |z|²),  z = L_k⁻¹ (x − μ_k).
// How |z|² is computed is the covariance family's choice (LogJointKernel.swift):
// a BLAS-3 triangular solve per component for full and tied, one DGEMM of the
// expanded square per block for diagonal and spherical. Rows are then
// normalised with a max-shifted log-sum-exp. Names: `b` rows in
// the block, `d` features, `K` components; `lj` is the b×K log-joint block.

/// Number of rows evaluated together: large enough for BLAS-3 efficiency,
/// small enough that a block and its scratch stay in cache.
func blockRowCount(featureCount d: Int, componentCount K: Int) -> Int {
    max(64, min(4096, (1 << 18) / max(d, K, 1)))
}

/// Evaluates log P(x, c = k) for blocks of rows under one mixture, with the
/// kernel the mixture's covariance family provides.
struct BlockEvaluator {
    let model: GaussianMixture
    /// log w_k − ½ (d log 2π + log det Σ_k).
    let normalizers: [Double]
    let blockRows: Int
    private var kernel: any LogJointKernel

    init(model: GaussianMixture, blockRows: Int) {
        let d = Double(model.featureCount)
        self.model = model
        self.blockRows = blockRows
        let normalizers = (0..<model.componentCount).map { k in
            model.logWeights[k] - 0.5 * (d * log(2 * Double.pi) + model.family.logDeterminant(component: k))
        }
        self.normalizers = normalizers
        kernel = model.family.logJointKernel(means: model.flatMeans, normalizers: normalizers, blockRows: blockRows)
    }

    /// Writes log P(x_r, c = k) to `logJoint[r·K + k]` for the `rows` rows at `block`.
    mutating func logJoint(of block: UnsafePointer<Double>, rows: Int, into logJoint: UnsafeMutablePointer<Double>) {
        precondition(rows <= blockRows, "block larger than the evaluator's scratch")
        kernel.logJoint(of: block, rows: rows, into: logJoint)
    }
}

/// Normalises each row of a b×K log-joint block in place.
///
/// Afterwards `values` holds P(c = k | x) (or log P(c = k | x) when `keepLog`)
/// and `logDensity[r]` holds log P(x_r) = logsumexp_k log P(x_r, c = k).
/// One exponential per value: with m the row maximum (at k = a) and
/// e_k = exp(v_k − m), log P(x) = m + log1p(Σ_{k≠a} e_k) as in `logSumExp`, and
/// P(c = k | x) = e_k / (1 + Σ_{k≠a} e_k); the exponentials and the rows'
/// log1p run in the vector kernels (`mixture_normalize_rows`).
func normalizeRows(
    _ values: UnsafeMutablePointer<Double>, rows: Int, componentCount kCount: Int,
    logDensity: UnsafeMutablePointer<Double>, keepLog: Bool = false, level: KernelLevel = activeKernelLevel
) {
    guard rows > 0 else { return }
    let skipped = withUnsafeTemporaryAllocation(of: Double.self, capacity: rows) { scratch in
        mixture_normalize_rows(level, values, rows, kCount, logDensity, scratch.baseAddress!, keepLog ? 1 : 0)
    }
    guard skipped > 0 else { return }
    for r in 0..<rows where logDensity[r].isNaN {
        // Every value −∞ (or a +∞/NaN): the plain formulas, whatever they give.
        let row = values + r &* kCount
        let lse = logSumExp(UnsafeBufferPointer(start: row, count: kCount))
        logDensity[r] = lse
        for k in 0..<kCount { row[k] = keepLog ? row[k] - lse : exp(row[k] - lse) }
    }
}
