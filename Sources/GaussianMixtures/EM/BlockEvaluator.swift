import Foundation

// The E-step kernel: log P(x, c = k) for a block of rows at once.
//
// For each component the block is centred on μ_k into scratch memory, whitened
// in one BLAS-3 triangular solve (z = L_k⁻¹ (x − μ_k) for every row), and the
// squared norms of the rows give the Mahalanobis distances:
//   log P(x, c = k) = log w_k − ½ (d log 2π + log det Σ_k + |z|²).
// Rows are then normalised with a max-shifted log-sum-exp. Names: `b` rows in
// the block, `d` features, `K` components; `lj` is the b×K log-joint block.

/// Number of rows evaluated together: large enough for BLAS-3 efficiency,
/// small enough that a block and its scratch stay in cache.
func blockRowCount(featureCount d: Int, componentCount K: Int) -> Int {
    max(64, min(4096, (1 << 18) / max(d, K, 1)))
}

/// Evaluates log P(x, c = k) for blocks of rows under one mixture.
struct BlockEvaluator {
    let model: GaussianMixture
    /// log w_k − ½ (d log 2π + log det Σ_k).
    let normalizers: [Double]
    let blockRows: Int
    private var scratch: [Double]

    init(model: GaussianMixture, blockRows: Int) {
        let d = Double(model.featureCount)
        self.model = model
        self.blockRows = blockRows
        normalizers = (0..<model.componentCount).map { k in
            model.logWeights[k] - 0.5 * (d * log(2 * Double.pi) + model.family.logDeterminant(component: k))
        }
        scratch = [Double](repeating: 0, count: blockRows * model.featureCount)
    }

    /// Writes log P(x_r, c = k) to `logJoint[r·K + k]` for the `rows` rows at `block`.
    mutating func logJoint(of block: UnsafePointer<Double>, rows: Int, into logJoint: UnsafeMutablePointer<Double>) {
        precondition(rows <= blockRows, "block larger than the evaluator's scratch")
        let d = model.featureCount
        let kCount = model.componentCount
        let family = model.family
        let normalizers = self.normalizers
        model.flatMeans.withUnsafeBufferPointer { mu in
            scratch.withUnsafeMutableBufferPointer { z in
                let z = z.baseAddress!
                for k in 0..<kCount {
                    let muK = mu.baseAddress! + k &* d
                    for r in 0..<rows {
                        let x = block + r &* d
                        let zr = z + r &* d
                        for j in 0..<d { zr[j] = x[j] - muK[j] }
                    }
                    family.whiten(z, rows: rows, component: k)
                    let c = normalizers[k]
                    for r in 0..<rows {
                        let zr = z + r &* d
                        var q = 0.0
                        for j in 0..<d { q += zr[j] * zr[j] }
                        logJoint[r &* kCount &+ k] = c - 0.5 * q
                    }
                }
            }
        }
    }
}

/// Normalises each row of a b×K log-joint block in place.
///
/// Afterwards `values` holds P(c = k | x) (or log P(c = k | x) when `keepLog`)
/// and `logDensity[r]` holds log P(x_r) = logsumexp_k log P(x_r, c = k).
func normalizeRows(
    _ values: UnsafeMutablePointer<Double>, rows: Int, componentCount kCount: Int,
    logDensity: UnsafeMutablePointer<Double>, keepLog: Bool = false
) {
    for r in 0..<rows {
        let row = values + r &* kCount
        let lse = logSumExp(UnsafeBufferPointer(start: row, count: kCount))
        logDensity[r] = lse
        if keepLog {
            for k in 0..<kCount { row[k] -= lse }
        } else {
            for k in 0..<kCount { row[k] = exp(row[k] - lse) }
        }
    }
}
