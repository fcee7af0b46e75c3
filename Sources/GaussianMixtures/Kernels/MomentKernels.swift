import CMixtureKernels

// The M-step's statistics kernels: full moments for small d, and the tests and
// sums that leave a block's negligible responsibilities out (SufficientStatistics.swift
// says which are negligible and why).

/// Adds a block's full-covariance statistics (d ≤ `momentKernelLimit`) around per-component shifts:
/// counts[k] += Σ_r w_rk, sums[k·d + i] += Σ_r w_rk (x_ri − s_ki), and the upper
/// triangle of moments[k·d·d …] += Σ_r w_rk (x_r − s_k)(x_r − s_k)ᵀ, with w the
/// rows×K responsibilities (`mixture_accumulate_moments`). `scratch` holds
/// `momentScratchCount(…)` doubles. Does nothing for larger d.
func accumulateMoments(
    block: UnsafePointer<Double>, rows: Int, featureCount d: Int, componentCount kCount: Int,
    responsibilities: UnsafePointer<Double>, shifts: UnsafePointer<Double>, counts: UnsafeMutablePointer<Double>,
    sums: UnsafeMutablePointer<Double>, moments: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>,
    level: KernelLevel = activeKernelLevel
) {
    mixture_accumulate_moments(level, block, rows, d, kCount, responsibilities, shifts, counts, sums, moments, scratch)
}

/// Full and tied, one component: over the rows whose weight w_r = weights[r·weightStride] is kept
/// (nonzero and w_r ≥ threshold or w_r ≥ spreadThreshold · (1/spreads[r])), with v_r = x_r − shift:
/// sums[j] += Σ_r w_r v_rj and total += Σ_r w_r, each in row order, and the rows √w_r v_r, in order,
/// to `out` (the operand of a rank update) (`mixture_scaled_deviations`).
/// - Returns: how many rows went to `out`.
func scaledDeviations(
    block: UnsafePointer<Double>, rows: Int, featureCount d: Int, shift: UnsafePointer<Double>,
    weights: UnsafePointer<Double>, weightStride: Int, spreads: UnsafePointer<Double>, threshold: Double,
    spreadThreshold: Double, into out: UnsafeMutablePointer<Double>, sums: UnsafeMutablePointer<Double>,
    total: inout Double, level: KernelLevel = activeKernelLevel
) -> Int {
    mixture_scaled_deviations(level, block, rows, d, shift, weights, weightStride, spreads, threshold, spreadThreshold,
                              out, sums, &total)
}

/// spreads[r] = max(1, max_j (x_rj − centre_j)²) for the rows×d rows of block (`mixture_row_spreads`).
func rowSpreads(
    block: UnsafePointer<Double>, rows: Int, featureCount d: Int, centre: UnsafePointer<Double>,
    into spreads: UnsafeMutablePointer<Double>, level: KernelLevel = activeKernelLevel
) {
    mixture_row_spreads(level, block, rows, d, centre, spreads)
}

/// sums[k] = Σ_r w_rk and sums[K + k] = Σ_r w_rk · spreads[r], each over the rows in order,
/// for the rows×K responsibilities w (`mixture_column_sums`).
func sumColumns(
    responsibilities: UnsafePointer<Double>, rows: Int, componentCount kCount: Int, spreads: UnsafePointer<Double>,
    into sums: UnsafeMutablePointer<Double>, level: KernelLevel = activeKernelLevel
) {
    mixture_column_sums(level, responsibilities, rows, kCount, spreads, sums)
}

/// How many of the rows×K responsibilities are kept under `thresholds` (t_k then t'_k, 2K values:
/// w_rk is kept when nonzero and w_rk ≥ t_k or w_rk ≥ t'_k · (1/spreads[r])): per component in
/// `perComponent` (K), the total returned, and bit k mod 64 of masks[r·W + k/64] set where w_rk is
/// kept, W = `maskWordCount(componentCount: K)` (`mixture_count_kept`).
func countKept(
    responsibilities: UnsafePointer<Double>, rows: Int, componentCount kCount: Int, spreads: UnsafePointer<Double>,
    thresholds: UnsafePointer<Double>, perComponent: UnsafeMutablePointer<Int>, masks: UnsafeMutablePointer<UInt64>,
    level: KernelLevel = activeKernelLevel
) -> Int {
    mixture_count_kept(level, responsibilities, rows, kCount, spreads, thresholds, perComponent, masks)
}

/// Diagonal moments over the kept responsibilities w_rk (`masks` and `perComponent` as `countKept`
/// gave them), with t_r = x_r − m_k, m_k = centres + k·centreStride (0: one centre for all; d: one
/// per component): products[k·2d + j] += Σ_r w_rk t_rj²,
/// products[k·2d + d + j] += Σ_r w_rk t_rj and counts[k] += Σ_r w_rk, each over the rows in order
/// (`mixture_sparse_moments`). Scratch: `positions` K values, `keptRows` and `keptWeights`
/// Σ_k perComponent[k] each.
func sparseMoments(
    block: UnsafePointer<Double>, rows: Int, featureCount d: Int, centres: UnsafePointer<Double>,
    centreStride: Int = 0, responsibilities: UnsafePointer<Double>, componentCount kCount: Int,
    masks: UnsafePointer<UInt64>,
    perComponent: UnsafePointer<Int>, products: UnsafeMutablePointer<Double>, counts: UnsafeMutablePointer<Double>,
    positions: UnsafeMutablePointer<Int>, keptRows: UnsafeMutablePointer<Int32>,
    keptWeights: UnsafeMutablePointer<Double>, level: KernelLevel = activeKernelLevel
) {
    mixture_sparse_moments(level, block, rows, d, centres, centreStride, responsibilities, kCount, masks, perComponent,
                           products, counts, positions, keptRows, keptWeights)
}

/// Full and tied covariances, d ≤ `fusedStatisticsLimit`: the E-step and the statistics of a block
/// in one pass over its rows (`mixture_fused_statistics`). With the log-joints of
/// `forwardSubstitution`, each row's log P(x) and responsibilities as `normalizeRows` forms them
/// (then multiplied by the row's weight, `weights[r]`, when given), adds counts, sums and the upper
/// moments around `shifts` as `accumulateMoments` does, and sets `logLikelihood` to
/// Σ_r w_r log P(x_r) (rows of weight 0 left out).
/// `scratch` holds `fusedScratchCount(…)` doubles.
/// - Returns: `false`, with nothing written, when a row's largest log-joint is not finite (a row
///   too far from every component for the fast formulas, or a NaN): the caller then takes the exact path.
func fusedStatistics(
    block: UnsafePointer<Double>, rows: Int, featureCount d: Int, componentCount kCount: Int, factorCount: Int,
    lower: UnsafePointer<Double>, inverseDiagonal: UnsafePointer<Double>, means: UnsafePointer<Double>,
    normalizers: UnsafePointer<Double>, shifts: UnsafePointer<Double>, weights: UnsafePointer<Double>?,
    counts: UnsafeMutablePointer<Double>, sums: UnsafeMutablePointer<Double>, moments: UnsafeMutablePointer<Double>,
    logLikelihood: inout Double, scratch: UnsafeMutablePointer<Double>, level: KernelLevel = activeKernelLevel
) -> Bool {
    mixture_fused_statistics(level, block, rows, d, kCount, factorCount, lower, inverseDiagonal, means, normalizers,
                             shifts, weights, counts, sums, moments, &logLikelihood, scratch) == 0
}

/// Diagonal and spherical covariances, any d: the E-step and the statistics of a block in one
/// pass over its rows (`mixture_fused_diagonal`). The log-joints by the direct form
/// normalizer_k − ½ Σ_j (x_j − μ_kj)² P_kj (`precisions` P_kj = 1/σ²_kj, K×d), each row's log P(x)
/// and responsibilities as `normalizeRows` forms them (times `weights[r]` when given), then
/// counts, sums and the diagonal moments Σ_r w_rk (x_rj − s_kj)² around `shifts` (from d = 8 on
/// without the groups of rows whose responsibilities are all negligible by `negligibleFraction`'s
/// rule, spreads around `centre`); `logLikelihood` set to Σ_r w_r log P(x_r) (rows of weight 0 left out).
/// `scratch` holds `fusedDiagonalScratchCount(…)` doubles.
/// - Returns: `false`, with nothing written, when a row's largest log-joint is not finite.
func fusedDiagonalStatistics(
    block: UnsafePointer<Double>, rows: Int, featureCount d: Int, componentCount kCount: Int,
    means: UnsafePointer<Double>, precisions: UnsafePointer<Double>, normalizers: UnsafePointer<Double>,
    shifts: UnsafePointer<Double>, centre: UnsafePointer<Double>, weights: UnsafePointer<Double>?,
    counts: UnsafeMutablePointer<Double>, sums: UnsafeMutablePointer<Double>, moments: UnsafeMutablePointer<Double>,
    logLikelihood: inout Double, scratch: UnsafeMutablePointer<Double>, level: KernelLevel = activeKernelLevel
) -> Bool {
    mixture_fused_diagonal(level, block, rows, d, kCount, means, precisions, normalizers, shifts, centre, weights,
                           counts, sums, moments, &logLikelihood, scratch) == 0
}
