import CMixtureKernels
import Foundation

// What one pass over the rows contributes to the M-step.
//
// Moments are accumulated around a per-component shift s_k that every worker
// knows before the pass (the previous means), not around zero: subtracting
// μμᵀ from raw moments Σ r x xᵀ loses digits when means are large compared
// with spreads (scikit-learn's diagonal estimate does that). With
//   R_k = Σ_i r_ik,  a_k = Σ_i r_ik (x_i − s_k),  M_k = Σ_i r_ik (x_i − s_k)(x_i − s_k)ᵀ
// the statistics of two row blocks simply add, so threads and machines can
// each reduce their own rows and the sums combine: a monoid with `zero` and `+`.

/// Per-component soft counts, shifted first and second moments and the total
/// log-likelihood of a set of rows under a mixture.
struct SufficientStatistics: Equatable, Sendable {
    let componentCount: Int
    let featureCount: Int
    let momentShape: MomentShape
    /// The shifts s_k (K×d) the moments are taken around.
    let shifts: [Double]
    /// R_k = Σ_i r_ik.
    var softCounts: [Double]
    /// a_k = Σ_i r_ik (x_i − s_k), K×d.
    var sums: [Double]
    /// M_k, K blocks of `momentShape.count(d)`; `.matrix` blocks hold the upper triangle only.
    var moments: [Double]
    /// Σ_i w_i log P(x_i).
    var logLikelihood: Double
    /// Number of rows.
    var sampleCount: Int
    /// Σ_i w_i: the number of rows when every weight is 1.
    var totalWeight: Double
    /// R_0 = Σ_i w_i z_i0, the noise component's soft count; `nil` without one.
    var noiseCount: Double? = nil
    /// What a pruned E-step skipped (ComponentPruning.swift); `nil` for an exact one.
    var pruning: PruningTally? = nil

    static func zero(componentCount: Int, featureCount: Int, momentShape: MomentShape, shifts: [Double]) -> Self {
        precondition(shifts.count == componentCount * featureCount, "one shift vector per component")
        return SufficientStatistics(
            componentCount: componentCount, featureCount: featureCount, momentShape: momentShape, shifts: shifts,
            softCounts: [Double](repeating: 0, count: componentCount),
            sums: [Double](repeating: 0, count: componentCount * featureCount),
            moments: [Double](repeating: 0, count: componentCount * momentShape.count(featureCount: featureCount)),
            logLikelihood: 0, sampleCount: 0, totalWeight: 0)
    }

    /// The statistics of the union of two disjoint row sets (same shifts).
    static func + (a: Self, b: Self) -> Self {
        precondition(a.shifts == b.shifts && a.momentShape == b.momentShape, "statistics around different shifts")
        var c = a
        for idx in c.softCounts.indices { c.softCounts[idx] += b.softCounts[idx] }
        for idx in c.sums.indices { c.sums[idx] += b.sums[idx] }
        for idx in c.moments.indices { c.moments[idx] += b.moments[idx] }
        c.logLikelihood += b.logLikelihood
        c.sampleCount += b.sampleCount
        c.totalWeight += b.totalWeight
        if a.noiseCount != nil || b.noiseCount != nil { c.noiseCount = (a.noiseCount ?? 0) + (b.noiseCount ?? 0) }
        if let other = b.pruning { c.pruning = c.pruning.map { $0 + other } ?? other }
        return c
    }
}

/// The largest d for which full and tied moments are summed by the vector
/// kernel (`accumulateMoments`: four rows per register, each moment row's
/// accumulators held in registers over a transposed sub-block) instead of a
/// √r-scaled copy and a dsyrk per component. Measured (1 thread, CPU s per EM
/// iteration, AMD Zen 3): d = 2, K = 4, 10⁵ rows 0.0078 → 0.0047 (with the
/// other small-d kernels); d = 16, K = 16, 2·10⁴ rows 0.022 → 0.012.
let momentKernelLimit = 16

/// The M-step leaves out a block's negligible responsibilities: r_ik is kept
/// when it is nonzero and at least `negligibleFraction` times the mean of
/// column k over the block's rows, or when r_ik s_i is at least that fraction
/// of the mean of r_ik s_i, with s_i = max(1, max_j (x_ij − c_j)²) bounding the
/// size of row i's terms around the centre c (`mixture_row_spreads`). What is
/// left out then adds up to at most one rounding (2⁻⁵²) of the block's soft
/// count and of Σ_i r_ik s_i in every first and second moment (twice that for
/// moments around a shift s_k ≠ c, with s_i there bounding around c and
/// max_j (s_kj − c_j)² added): below the rounding error of the sums
/// themselves. Once the components separate, nearly all of a block's
/// responsibilities are that small, while few are exactly 0: on the
/// benchmark's diagonal case (10⁶×32, K = 64) 90 % after one iteration and
/// 98 % after four (exact zeros: 3 % and 17 %).
let negligibleFraction = 0x1p-52

/// The diagonal families sum the kept responsibilities pair by pair
/// (`mixture_sparse_moments`) when a block keeps at most this share of them,
/// and by one DGEMM over all of them otherwise. A kept pair costs three to
/// five DGEMM pairs (measured at d = 32, K = 64: 9–15 ns, its row read from
/// cache for each pair, against 2.8 ns), so the two break even near here.
let sparseProductShare = 0.25

/// Scratch memory for `SufficientStatistics.accumulate`, reused across blocks.
struct AccumulationScratch {
    /// Full and tied: √r_ik (x_i − s_k) for the rows of a block, the operand of
    /// the rank-b update. Diagonal: [(x_i − c)², x_i − c] per row (2d values).
    var scaled: [Double]
    /// Diagonal: K×2d products Rᵀ [(x − c)², x − c] of one block.
    var products: [Double] = []
    /// Per row of a block: s_i = max(1, max_j (x_ij − c_j)²).
    var spreads: [Double] = []
    /// Per component: the block's Σ_i r_ik, then its Σ_i r_ik s_i.
    var columnSums: [Double] = []
    /// Per component: the `negligibleFraction` thresholds of the two sums above.
    var thresholds: [Double] = []
    /// Per component: how many of a block's responsibilities are kept; per row, which (bit masks).
    var keptCounts: [Int] = []
    var keptMasks: [UInt64] = []
    /// The pair-by-pair diagonal moments' lists: per component a position, per kept pair its row and weight.
    var keptPositions: [Int] = []
    var keptRows: [Int32] = []
    var keptWeights: [Double] = []
    /// The buffers are sized by the first (largest) block of the family's path.
    init(blockRows: Int, featureCount: Int) {
        scaled = []
    }
}

extension SufficientStatistics {
    /// Adds a block of `rows` rows with their responsibilities (rows×K), already
    /// multiplied by the rows' weights when there are any.
    mutating func accumulate(
        block x: UnsafePointer<Double>, rows: Int, responsibilities resp: UnsafePointer<Double>,
        scratch: inout AccumulationScratch
    ) {
        switch momentShape {
        case .matrix: accumulateMatrices(block: x, rows: rows, responsibilities: resp, scratch: &scratch)
        case .diagonal: accumulateDiagonals(block: x, rows: rows, responsibilities: resp, scratch: &scratch)
        }
    }

    /// Full and tied: per component, first moments element-wise and the second
    /// moments as one BLAS-3 rank-b update.
    private mutating func accumulateMatrices(
        block x: UnsafePointer<Double>, rows: Int, responsibilities resp: UnsafePointer<Double>,
        scratch: inout AccumulationScratch
    ) {
        let d = featureCount
        let kCount = componentCount
        let m = momentShape.count(featureCount: d)
        sampleCount += rows
        if d <= momentKernelLimit {
            let lanes = momentScratchCount(featureCount: d, componentCount: kCount)
            if scratch.scaled.count < lanes { scratch.scaled = [Double](repeating: 0, count: lanes) }
            shifts.withUnsafeBufferPointer { shift in
            softCounts.withUnsafeMutableBufferPointer { counts in
            sums.withUnsafeMutableBufferPointer { sums in
            moments.withUnsafeMutableBufferPointer { moments in
            scratch.scaled.withUnsafeMutableBufferPointer { lanes in
                accumulateMoments(block: x, rows: rows, featureCount: d, componentCount: kCount, responsibilities: resp,
                                  shifts: shift.baseAddress!, counts: counts.baseAddress!, sums: sums.baseAddress!,
                                  moments: moments.baseAddress!, scratch: lanes.baseAddress!)
            }}}}}
            return
        }
        if scratch.scaled.count < rows * d { scratch.scaled = [Double](repeating: 0, count: rows * d) }
        let centre = expansionCentre(means: shifts, componentCount: kCount, featureCount: d)
        scratch.setNegligibleThresholds(block: x, rows: rows, centre: centre, responsibilities: resp,
                                        componentCount: kCount)
        shifts.withUnsafeBufferPointer { shift in
        softCounts.withUnsafeMutableBufferPointer { counts in
        sums.withUnsafeMutableBufferPointer { sums in
        moments.withUnsafeMutableBufferPointer { moments in
        scratch.scaled.withUnsafeMutableBufferPointer { yBuf in
        scratch.spreads.withUnsafeBufferPointer { spreads in
        scratch.thresholds.withUnsafeBufferPointer { thresholds in
            let y = yBuf.baseAddress!
            for k in 0..<kCount {
                let s = shift.baseAddress! + k &* d
                let sumK = sums.baseAddress! + k &* d
                let momK = moments.baseAddress! + k &* m
                var rk = 0.0
                let kept = mixture_scaled_deviations(activeKernelLevel, x, rows, d, s, resp + k, kCount,
                                                     spreads.baseAddress!, thresholds[k], thresholds[kCount + k],
                                                     y, sumK, &rk)
                counts[k] += rk
                // M_k += Σ_r (√r_rk c_r)(√r_rk c_r)ᵀ as one BLAS-3 rank update over the kept rows
                // (once the components separate, most of a block's responsibilities are negligible).
                if kept > 0 {
                    GSLLinearAlgebra.addGramUpper(UnsafePointer(y), rows: kept, dimension: d, into: momK)
                }
            }
        }}}}}}}
    }

    /// Diagonal and spherical: both moments of every component from the products
    ///   Rᵀ [(x − c)², x − c]   (K×b by b×2d),
    /// around the mean c of the shifts, then moved exactly to each s_k
    /// (δ = s_k − c):  Σ r (x − s_k) = a_c − R δ,  Σ r (x − s_k)² = M_c − 2 δ a_c + R δ².
    /// The products are one DGEMM over all of R, or, when the block's kept
    /// responsibilities (`negligibleFraction`) are few, sums over the kept pairs
    /// alone (R_k then counts the kept ones). When the move cancels more than
    /// `expansionLimit` of M_c (a component whose shift lies far from c compared
    /// with its spread in this block), the component's block is summed
    /// element-wise over the same responsibilities instead. With equal shifts
    /// (δ = 0) the move is exact.
    private mutating func accumulateDiagonals(
        block x: UnsafePointer<Double>, rows: Int, responsibilities resp: UnsafePointer<Double>,
        scratch: inout AccumulationScratch
    ) {
        let d = featureCount
        let kCount = componentCount
        sampleCount += rows
        let centre = expansionCentre(means: shifts, componentCount: kCount, featureCount: d)
        scratch.setDiagonalProducts(block: x, rows: rows, featureCount: d, centre: centre, responsibilities: resp,
                                    componentCount: kCount)
        shifts.withUnsafeBufferPointer { shift in
        softCounts.withUnsafeMutableBufferPointer { counts in
        sums.withUnsafeMutableBufferPointer { sums in
        moments.withUnsafeMutableBufferPointer { moments in
        scratch.products.withUnsafeBufferPointer { pBuf in
        scratch.columnSums.withUnsafeBufferPointer { blockCounts in
        scratch.spreads.withUnsafeBufferPointer { spreads in
        scratch.thresholds.withUnsafeBufferPointer { thresholds in
        centre.withUnsafeBufferPointer { c in
            let products = pBuf.baseAddress!
            var moved = [Double](repeating: 0, count: 2 * d)
            for k in 0..<kCount {
                let rk = blockCounts[k]
                counts[k] += rk
                let s = shift.baseAddress! + k &* d
                let sumK = sums.baseAddress! + k &* d
                let momK = moments.baseAddress! + k &* d
                let pK = products + k &* (2 &* d)
                var cancels = false
                for j in 0..<d {
                    let delta = s[j] - c[j]
                    let second = pK[j], first = pK[d &+ j]
                    let moment = second - 2 * delta * first + rk * delta * delta
                    moved[j] = first - rk * delta
                    moved[d &+ j] = moment
                    if second > expansionLimit * moment { cancels = true }
                }
                if cancels {
                    let threshold = thresholds[k], spreadThreshold = thresholds[kCount &+ k]
                    for r in 0..<rows {
                        let w = resp[r &* kCount &+ k]
                        // The kernels' test, to the bit (t'·(1/s), see mixture_count_kept).
                        guard w != 0, w >= threshold || w >= spreadThreshold * (1 / spreads[r]) else { continue }
                        let xr = x + r &* d
                        for j in 0..<d {
                            let v = xr[j] - s[j]
                            sumK[j] += w * v
                            momK[j] += w * v * v
                        }
                    }
                } else {
                    for j in 0..<d {
                        sumK[j] += moved[j]
                        momK[j] += moved[d &+ j]
                    }
                }
            }
        }}}}}}}}}
    }
}

extension AccumulationScratch {
    /// Diagonal and spherical, for a block of rows: `products` = the K×2d sums of
    /// w [(x − c)², x − c] and `columnSums` (first K) = the soft counts, over the
    /// kept responsibilities pair by pair when at most `sparseProductShare` of
    /// them are kept, else over all of them by one DGEMM (`thresholds` then 0,
    /// so that nothing is left out downstream either).
    mutating func setDiagonalProducts(
        block x: UnsafePointer<Double>, rows: Int, featureCount d: Int, centre: [Double],
        responsibilities resp: UnsafePointer<Double>, componentCount kCount: Int
    ) {
        if products.count < kCount * 2 * d { products = [Double](repeating: 0, count: kCount * 2 * d) }
        setNegligibleThresholds(block: x, rows: rows, centre: centre, responsibilities: resp, componentCount: kCount)
        if keptCounts.count != kCount { keptCounts = [Int](repeating: 0, count: kCount) }
        let words = (kCount + 63) / 64
        if keptMasks.count < rows * words { keptMasks = [UInt64](repeating: 0, count: rows * words) }
        let kept = spreads.withUnsafeBufferPointer { spreads in
        thresholds.withUnsafeBufferPointer { thresholds in
        keptCounts.withUnsafeMutableBufferPointer { perComponent in
        keptMasks.withUnsafeMutableBufferPointer { masks in
            mixture_count_kept(activeKernelLevel, resp, rows, kCount, spreads.baseAddress!, thresholds.baseAddress!,
                               perComponent.baseAddress!, masks.baseAddress!)
        }}}}
        if Double(kept) <= sparseProductShare * Double(rows * kCount) {
            if keptPositions.count < kCount { keptPositions = [Int](repeating: 0, count: kCount) }
            if keptRows.count < max(kept, 1) {
                keptRows = [Int32](repeating: 0, count: max(kept, 1))
                keptWeights = [Double](repeating: 0, count: max(kept, 1))
            }
            products.withUnsafeMutableBufferPointer { products in
            columnSums.withUnsafeMutableBufferPointer { counts in
            keptCounts.withUnsafeBufferPointer { perComponent in
            keptMasks.withUnsafeBufferPointer { masks in
            keptPositions.withUnsafeMutableBufferPointer { positions in
            keptRows.withUnsafeMutableBufferPointer { keptRows in
            keptWeights.withUnsafeMutableBufferPointer { keptWeights in
                products.update(repeating: 0)
                counts.update(repeating: 0)
                mixture_sparse_moments(activeKernelLevel, x, rows, d, centre, resp, kCount, masks.baseAddress!,
                                       perComponent.baseAddress!, products.baseAddress!, counts.baseAddress!,
                                       positions.baseAddress!, keptRows.baseAddress!, keptWeights.baseAddress!)
            }}}}}}}
        } else {
            // The DGEMM sums every responsibility: R_k is the whole column sum, and none is left out below.
            for k in thresholds.indices { thresholds[k] = 0 }
            if scaled.count < rows * 2 * d { scaled = [Double](repeating: 0, count: rows * 2 * d) }
            scaled.withUnsafeMutableBufferPointer { u in
            products.withUnsafeMutableBufferPointer { products in
                fillExpandedRows(x, rows: rows, featureCount: d, centre: centre, into: u.baseAddress!)
                GSLLinearAlgebra.multiply(resp, transposeA: true, lda: kCount, UnsafePointer(u.baseAddress!),
                                          ldb: 2 * d, into: products.baseAddress!, ldc: 2 * d, m: kCount, n: 2 * d,
                                          p: rows)
            }}
        }
    }

    /// For a block of rows: `spreads` around `centre`, `columnSums` (Σ_i r_ik, then
    /// Σ_i r_ik s_i) and `thresholds` (`negligibleFraction` × their means).
    mutating func setNegligibleThresholds(
        block x: UnsafePointer<Double>, rows: Int, centre: [Double], responsibilities resp: UnsafePointer<Double>,
        componentCount: Int
    ) {
        if spreads.count < rows { spreads = [Double](repeating: 0, count: rows) }
        if columnSums.count != 2 * componentCount {
            columnSums = [Double](repeating: 0, count: 2 * componentCount)
            thresholds = [Double](repeating: 0, count: 2 * componentCount)
        }
        spreads.withUnsafeMutableBufferPointer { spreads in
        columnSums.withUnsafeMutableBufferPointer { sums in
            mixture_row_spreads(activeKernelLevel, x, rows, centre.count, centre, spreads.baseAddress!)
            mixture_column_sums(activeKernelLevel, resp, rows, componentCount, spreads.baseAddress!, sums.baseAddress!)
        }}
        let scale = negligibleFraction / Double(max(rows, 1))
        for k in thresholds.indices { thresholds[k] = columnSums[k] * scale }
    }
}
