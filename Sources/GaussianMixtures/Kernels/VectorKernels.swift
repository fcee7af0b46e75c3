import CMixtureKernels
import Foundation

// The element-wise and row-wise vector kernels of the E-step: exp, log1p and
// the rows' log-sum-exp normalisation.

/// Replaces every value v of `values[0..<count]` by exp(v − shift), within a
/// few ulp of libm (subnormal results and overflow included; 0 below −745.2; NaN stays NaN).
func exponentiate(_ values: UnsafeMutablePointer<Double>, count: Int, shift: Double = 0,
                  level: KernelLevel = activeKernelLevel) {
    mixture_exp_shifted(level, values, count, shift)
}

/// Replaces every value x of `values[0..<count]` by log1p(x), within a few ulp
/// of libm for 0 ≤ x < 2⁵² (libm's own result elsewhere).
func logOnePlus(_ values: UnsafeMutablePointer<Double>, count: Int, level: KernelLevel = activeKernelLevel) {
    mixture_log1p(level, values, count)
}

/// Normalises each row of a b×K log-joint block in place.
///
/// Afterwards `values` holds P(c = k | x) (or log P(c = k | x) when `keepLog`)
/// and `logDensity[r]` holds log P(x_r) = logsumexp_k log P(x_r, c = k).
/// One exponential per value: with m the row maximum (at k = a) and
/// e_k = exp(v_k − m), log P(x) = m + log1p(Σ_{k≠a} e_k) as in `logSumExp`, and
/// P(c = k | x) = e_k / (1 + Σ_{k≠a} e_k) (`mixture_normalize_rows`).
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
