import Foundation

// The E-step for data with gaps (Ghahramani & Jordan, "Supervised learning
// from incomplete data via an EM approach", NIPS 1994).
//
// Responsibilities come from each row's marginal on its observed coordinates:
//   r_ik ∝ w_k N(x_o | μ_k,o, Σ_k,oo)
// and the observed-data log-likelihood is Σ_i log Σ_k w_k N(x_o | …). The
// M-step needs E[x] and E[x xᵀ] under each component's posterior; with the
// conditional mean x̂_ik (x_o on o, μ_m + W u on m) and conditional covariance
// C_k (on m×m, zero elsewhere):
//   Σ_i r_ik E[x − s_k]                = Σ_i r_ik (x̂_ik − s_k)
//   Σ_i r_ik E[(x − s_k)(x − s_k)ᵀ]    = Σ_i r_ik (x̂_ik − s_k)(x̂_ik − s_k)ᵀ + (Σ_i r_ik) C_k
// which are exactly the shifted moments `SufficientStatistics` holds for
// complete data, so the ordinary M-step (and with it every covariance
// family, the regulariser and the soft-count floor) applies unchanged.
//
// Determinism: the work is a fixed list of (pattern, block of rows) items,
// cut into at most `maximumChunkCount` chunks by item count alone; chunks are reduced
// concurrently and added in chunk order, so the bits do not depend on the
// thread count.

enum MissingDataStep {
    /// Rows evaluated together within a pattern.
    static func blockRows(featureCount d: Int, componentCount kCount: Int) -> Int {
        min(512, blockRowCount(featureCount: d, componentCount: kCount))
    }

    /// The statistics of the rows of `patterns` under `model`, moments around the model's means.
    ///
    /// - Throws: `CovarianceError` when an observed block cannot be factored.
    static func statistics(
        of patterns: MissingPatterns, under model: GaussianMixture, weights: [Double]?, threads: Int,
        known: KnownComponents? = nil
    ) throws(CovarianceError) -> SufficientStatistics {
        let d = patterns.featureCount
        let kCount = model.componentCount
        let block = blockRows(featureCount: d, componentCount: kCount)
        let shape = type(of: model.family).momentShape
        var items: [(pattern: Int, rows: Range<Int>)] = []
        for (p, pattern) in patterns.patterns.enumerated() {
            var start = 0
            while start < pattern.rows.count {
                let end = min(pattern.rows.count, start + block)
                items.append((p, start..<end))
                start = end
            }
        }
        let chunks = max(1, min(maximumChunkCount, items.count))
        let shifts = model.flatMeans
        let total = ParallelWork.orderedReduce(
            count: chunks, threads: threads,
            makeWorker: { Scratch(blockRows: block, featureCount: d, componentCount: kCount) }
        ) { scratch, c in
            Result { () throws(CovarianceError) -> SufficientStatistics in
                var stats = SufficientStatistics.zero(componentCount: kCount, featureCount: d, momentShape: shape,
                                                      shifts: shifts)
                scratch.workspace.beginAccumulating(stats)
                // A pattern's marginal lives while the chunk works through its rows: memory stays
                // small however many patterns there are (a pattern cut by a chunk boundary is prepared twice).
                var current: (pattern: Int, marginal: PatternMarginal)?
                for item in items[(items.count * c / chunks)..<(items.count * (c + 1) / chunks)] {
                    if current?.pattern != item.pattern {
                        current = (item.pattern, try PatternMarginal(model: model, pattern: patterns.patterns[item.pattern]))
                    }
                    accumulate(current!.marginal, rows: item.rows, weights: weights, known: known, into: &stats,
                               scratch: scratch)
                }
                scratch.workspace.endAccumulating(into: &stats)
                return stats
            }
        } combine: { a, b in
            // The first failure in chunk order, else the sum in chunk order.
            a.flatMap { first in b.map { first + $0 } }
        }
        return try total!.get()
    }

    /// The most chunks a pass is cut into (fixed, so that the bits do not depend on the thread count).
    static let maximumChunkCount = 16

    /// One worker's scratch memory: the kernels' workspace (a block's log-joint and
    /// log-density, and the statistics being accumulated) and the marginals' buffers.
    final class Scratch {
        let workspace: KernelWorkspace
        /// Per component, the whitened observed part of a block's rows (K × rows × |o|).
        var whitened: ScratchBuffer<Double>
        /// One component's conditional means of the missing coordinates (rows × |m|).
        var conditionalMeans: ScratchBuffer<Double>
        /// The rows' completed deviations x̂ − s_k (rows × d).
        var centred: ScratchBuffer<Double>

        init(blockRows: Int, featureCount d: Int, componentCount kCount: Int) {
            workspace = KernelWorkspace(blockRows: blockRows, componentCount: kCount, featureCount: d)
            whitened = ScratchBuffer(count: blockRows * d * kCount)
            conditionalMeans = ScratchBuffer(count: blockRows * d)
            centred = ScratchBuffer(count: blockRows * d)
        }
    }

    /// Adds the rows `range` (positions within the pattern) of `marginal`'s pattern: their
    /// log-likelihood, weight and count to `stats`, their soft counts, sums and moments to the
    /// statistics `scratch.workspace` accumulates (between its `beginAccumulating` and `endAccumulating`).
    static func accumulate(
        _ marginal: PatternMarginal, rows range: Range<Int>, weights: [Double]?, known: KnownComponents? = nil,
        into stats: inout SufficientStatistics, scratch: Scratch
    ) {
        let pattern = marginal.pattern
        let (o, m) = (pattern.observed, pattern.missing)
        let (no, nm) = (o.count, m.count)
        let d = stats.featureCount
        let kCount = stats.componentCount
        let rows = range.count
        let moments = stats.momentShape.count(featureCount: d)
        let isMatrix = stats.momentShape == .matrix
        stats.sampleCount += rows
        let workspace = scratch.workspace
        let u = scratch.whitened.mutablePointer(), cm = scratch.conditionalMeans.mutablePointer()
        let y = scratch.centred.mutablePointer()
        let resp = workspace.responsibilities.mutablePointer(count: workspace.blockRows * kCount)
        let ld = workspace.logDensity.mutablePointer(count: workspace.blockRows)
        let shift = workspace.shifts.pointer, counts = workspace.counts.mutablePointer()
        let sums = workspace.sums.mutablePointer(), mom = workspace.moments.mutablePointer()
        pattern.observedValues.withUnsafeBufferPointer { xAll in
            let xo = xAll.baseAddress! + range.lowerBound &* no
            marginal.evaluate(xo, rows: rows, whitened: u, logJoint: resp)
            normalizeRows(resp, rows: rows, componentCount: kCount, logDensity: ld, keepLog: known != nil)
            known?.clamp(resp, rows: rows, componentCount: kCount, logDensity: ld) {
                pattern.rows[range.lowerBound + $0]
            }
            if let weights {
                for r in 0..<rows {
                    let w = weights[pattern.rows[range.lowerBound + r]]
                    stats.logLikelihood += w == 0 ? 0 : w * ld[r]
                    stats.totalWeight += w
                    for k in 0..<kCount { resp[r &* kCount &+ k] *= w }
                }
            } else {
                for r in 0..<rows { stats.logLikelihood += ld[r] }
                stats.totalWeight += Double(rows)
            }
            for k in 0..<kCount {
                marginal.conditionalMeans(component: k, whitened: u + k &* rows &* no, rows: rows, into: cm)
                let s = shift + k &* d
                let sumK = sums + k &* d
                let momK = mom + k &* moments
                var rk = 0.0
                for r in 0..<rows {
                    let w = resp[r &* kCount &+ k]
                    rk += w
                    let yr = y + r &* d
                    for (c, j) in o.enumerated() { yr[j] = xo[r &* no &+ c] - s[j] }
                    for (t, j) in m.enumerated() { yr[j] = cm[r &* nm &+ t] - s[j] }
                    for j in 0..<d { sumK[j] += w * yr[j] }
                    if isMatrix {
                        let root = w.squareRoot()
                        for j in 0..<d { yr[j] *= root }
                    } else {
                        for j in 0..<d { momK[j] += w * yr[j] * yr[j] }
                    }
                }
                counts[k] += rk
                if isMatrix {
                    GSLLinearAlgebra.addGramUpper(UnsafePointer(y), rows: rows, dimension: d, into: momK)
                }
                // The conditional covariance of the missing coordinates, once per block: (Σ_r r_rk) C_k.
                if nm > 0 {
                    let cov = marginal.components[k].conditionalCovariance
                    if isMatrix {
                        for (a, i) in m.enumerated() {
                            for b in a..<nm { momK[i &* d &+ m[b]] += rk * cov[a &* nm &+ b] }
                        }
                    } else {
                        for (a, i) in m.enumerated() { momK[i] += rk * cov[a &* nm &+ a] }
                    }
                }
            }
        }
    }
}
