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

/// The M-step leaves out a block's negligible responsibilities: r_ik is kept
/// when it is nonzero and at least `negligibleFraction` times the mean of
/// column k over the block's rows, or when r_ik s_i is at least that fraction
/// of the mean of r_ik s_i, with s_i = max(1, max_j (x_ij − c_j)²) bounding the
/// size of row i's terms around the centre c (`rowSpreads`). What is
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
/// (`sparseMoments`) when a block keeps at most this share of them,
/// and by one DGEMM over all of them otherwise. A kept pair costs three to
/// five DGEMM pairs (measured at d = 32, K = 64: 9–15 ns, its row read from
/// cache for each pair, against 2.8 ns), so the two break even near here.
let sparseProductShare = 0.25

extension SufficientStatistics {
    /// Adds a block of `rows` rows with their responsibilities (rows×K), already
    /// multiplied by the rows' weights when there are any.
    mutating func accumulate(
        block x: UnsafePointer<Double>, rows: Int, responsibilities resp: UnsafePointer<Double>,
        workspace: KernelWorkspace
    ) {
        workspace.beginAccumulating(self)
        workspace.addBlock(x, rows: rows, responsibilities: resp)
        workspace.endAccumulating(into: &self)
        sampleCount += rows
    }
}

extension KernelWorkspace {
    /// Copies the shifts, soft counts, sums and moments of `stats` into the workspace,
    /// where `addBlock` then adds blocks of rows; `endAccumulating` copies them back.
    /// (Copies only: a chunk accumulated here has the bits it would have in `stats`.)
    func beginAccumulating(_ stats: SufficientStatistics) {
        precondition(stats.componentCount == componentCount && stats.featureCount == featureCount,
                     "statistics of another shape than the workspace's")
        momentShape = stats.momentShape
        shifts.assign(stats.shifts)
        counts.assign(stats.softCounts)
        sums.assign(stats.sums)
        moments.assign(stats.moments)
        let kCount = componentCount, d = featureCount
        let centre = self.centre.mutablePointer(count: d)
        let c = expansionCentre(means: stats.shifts, componentCount: kCount, featureCount: d)
        centre.update(from: c, count: d)
    }

    /// The soft counts, sums and moments accumulated since `beginAccumulating`, into `stats`.
    func endAccumulating(into stats: inout SufficientStatistics) {
        stats.softCounts = counts.array(count: stats.softCounts.count)
        stats.sums = sums.array(count: stats.sums.count)
        stats.moments = moments.array(count: stats.moments.count)
    }

    /// Adds a block of `rows` rows with their responsibilities (rows×K), already
    /// multiplied by the rows' weights when there are any, to the statistics
    /// being accumulated (the caller counts the rows).
    func addBlock(_ x: UnsafePointer<Double>, rows: Int, responsibilities resp: UnsafePointer<Double>) {
        switch momentShape {
        case .matrix: addMatrixMoments(x, rows: rows, responsibilities: resp)
        case .diagonal: addDiagonalMoments(x, rows: rows, responsibilities: resp)
        }
    }

    /// Full and tied: per component, first moments element-wise and the second
    /// moments as one BLAS-3 rank-b update (d ≤ `momentKernelLimit`: both by the moment kernel).
    private func addMatrixMoments(_ x: UnsafePointer<Double>, rows: Int, responsibilities resp: UnsafePointer<Double>) {
        let d = featureCount
        let kCount = componentCount
        let m = momentShape.count(featureCount: d)
        let shift = shifts.pointer
        let counts = self.counts.mutablePointer(), sums = self.sums.mutablePointer(), moments = self.moments.mutablePointer()
        if d <= momentKernelLimit {
            let lanes = scaled.mutablePointer(count: momentScratchCount(featureCount: d, componentCount: kCount))
            accumulateMoments(block: x, rows: rows, featureCount: d, componentCount: kCount, responsibilities: resp,
                              shifts: shift, counts: counts, sums: sums, moments: moments, scratch: lanes)
            return
        }
        let y = scaled.mutablePointer(count: rows * d)
        setNegligibleThresholds(block: x, rows: rows, responsibilities: resp)
        let spreads = self.spreads.pointer, thresholds = self.thresholds.pointer
        for k in 0..<kCount {
            var rk = 0.0
            let kept = scaledDeviations(block: x, rows: rows, featureCount: d, shift: shift + k &* d,
                                        weights: resp + k, weightStride: kCount, spreads: spreads,
                                        threshold: thresholds[k], spreadThreshold: thresholds[kCount &+ k], into: y,
                                        sums: sums + k &* d, total: &rk)
            counts[k] += rk
            // M_k += Σ_r (√r_rk c_r)(√r_rk c_r)ᵀ as one BLAS-3 rank update over the kept rows
            // (once the components separate, most of a block's responsibilities are negligible).
            if kept > 0 {
                GSLLinearAlgebra.addGramUpper(UnsafePointer(y), rows: kept, dimension: d, into: moments + k &* m)
            }
        }
    }

    /// Diagonal and spherical: both moments of every component from the products
    ///   Rᵀ [(x − c)², x − c]   (K×b by b×2d),
    /// around the mean c of the shifts, then moved exactly to each s_k
    /// (δ = s_k − c):  Σ r (x − s_k) = a_c − R δ,  Σ r (x − s_k)² = M_c − 2 δ a_c + R δ².
    /// The products are one DGEMM over all of R, or, when the block's kept
    /// responsibilities (`negligibleFraction`) are few, sums over the kept pairs
    /// alone (R_k then counts the kept ones), taken around each s_k directly, so
    /// that nothing is moved (δ = 0). When the move cancels more than
    /// `expansionLimit` of M_c (a component whose shift lies far from c compared
    /// with its spread in this block), the component's block is summed
    /// element-wise over the same responsibilities instead. With equal shifts
    /// (δ = 0) the move is exact.
    private func addDiagonalMoments(_ x: UnsafePointer<Double>, rows: Int, responsibilities resp: UnsafePointer<Double>) {
        let d = featureCount
        let kCount = componentCount
        let aroundShifts = setDiagonalProducts(block: x, rows: rows, responsibilities: resp)
        let shift = shifts.pointer, c = centre.pointer
        let counts = self.counts.mutablePointer(), sums = self.sums.mutablePointer(), moments = self.moments.mutablePointer()
        let products = self.products.pointer, blockCounts = columnSums.pointer
        let spreads = self.spreads.pointer, thresholds = self.thresholds.pointer
        let moved = self.moved.mutablePointer(count: 2 * d)
        for k in 0..<kCount {
            let rk = blockCounts[k]
            counts[k] += rk
            let s = shift + k &* d
            let sumK = sums + k &* d
            let momK = moments + k &* d
            let pK = products + k &* (2 &* d)
            var cancels = false
            for j in 0..<d {
                let delta = aroundShifts ? 0 : s[j] - c[j]
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
                    // The kernels' test, to the bit (t'·(1/s), see countKept).
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
    }

    /// Diagonal and spherical, for a block of rows: `products` = the K×2d sums of
    /// w [(x − m_k)², x − m_k] and `columnSums` (first K) = the soft counts, over the
    /// kept responsibilities pair by pair, around each shift (m_k = s_k), when at most
    /// `sparseProductShare` of them are kept, else over all of them by one DGEMM
    /// around the centre (m_k = c; `thresholds` then 0, so that nothing is left out
    /// downstream either).
    /// - Returns: whether the products are around the shifts.
    private func setDiagonalProducts(block x: UnsafePointer<Double>, rows: Int,
                                     responsibilities resp: UnsafePointer<Double>) -> Bool {
        let d = featureCount, kCount = componentCount
        let products = self.products.mutablePointer(count: kCount * 2 * d)
        setNegligibleThresholds(block: x, rows: rows, responsibilities: resp)
        let perComponent = keptCounts.mutablePointer(count: kCount)
        let masks = keptMasks.mutablePointer(count: rows * maskWordCount(componentCount: kCount))
        let kept = countKept(responsibilities: resp, rows: rows, componentCount: kCount, spreads: spreads.pointer,
                             thresholds: thresholds.pointer, perComponent: perComponent, masks: masks)
        if Double(kept) <= sparseProductShare * Double(rows * kCount) {
            let sums = columnSums.mutablePointer()
            products.update(repeating: 0, count: self.products.count)
            sums.update(repeating: 0, count: columnSums.count)
            sparseMoments(block: x, rows: rows, featureCount: d, centres: shifts.pointer, centreStride: d,
                          responsibilities: resp, componentCount: kCount, masks: masks, perComponent: perComponent,
                          products: products, counts: sums, positions: keptPositions.mutablePointer(count: kCount),
                          keptRows: keptRows.mutablePointer(count: max(kept, 1)),
                          keptWeights: keptWeights.mutablePointer(count: max(kept, 1)))
            return true
        }
        // The DGEMM sums every responsibility: R_k is the whole column sum, and none is left out below.
        thresholds.mutablePointer().update(repeating: 0, count: thresholds.count)
        let u = scaled.mutablePointer(count: rows * 2 * d)
        fillExpandedRows(x, rows: rows, featureCount: d, centre: centre.pointer, into: u)
        GSLLinearAlgebra.multiply(resp, transposeA: true, lda: kCount, UnsafePointer(u), ldb: 2 * d,
                                  into: products, ldc: 2 * d, m: kCount, n: 2 * d, p: rows)
        return false
    }

    /// For a block of rows: `spreads` around the centre, `columnSums` (Σ_i r_ik, then
    /// Σ_i r_ik s_i) and `thresholds` (`negligibleFraction` × their means).
    private func setNegligibleThresholds(block x: UnsafePointer<Double>, rows: Int,
                                         responsibilities resp: UnsafePointer<Double>) {
        let kCount = componentCount
        let spreads = self.spreads.mutablePointer(count: rows), sums = columnSums.mutablePointer(count: 2 * kCount)
        rowSpreads(block: x, rows: rows, featureCount: featureCount, centre: centre.pointer, into: spreads)
        sumColumns(responsibilities: resp, rows: rows, componentCount: kCount, spreads: spreads, into: sums)
        let scale = negligibleFraction / Double(max(rows, 1))
        let thresholds = self.thresholds.mutablePointer(count: 2 * kCount)
        for k in 0..<(2 * kCount) { thresholds[k] = sums[k] * scale }
    }
}
