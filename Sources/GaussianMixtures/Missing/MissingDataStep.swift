import Dispatch
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
// cut into at most 16 chunks by item count alone; chunks are reduced
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
        let chunks = max(1, min(16, items.count))
        let shifts = model.flatMeans
        let parts = orderedConcurrentMap(count: chunks, threads: threads) { c in
            Result { () throws(CovarianceError) -> SufficientStatistics in
                var stats = SufficientStatistics.zero(componentCount: kCount, featureCount: d, momentShape: shape,
                                                      shifts: shifts)
                var scratch = Scratch(blockRows: block, featureCount: d, componentCount: kCount)
                // A pattern's marginal lives while the chunk works through its rows: memory stays
                // small however many patterns there are (a pattern cut by a chunk boundary is prepared twice).
                var current: (pattern: Int, marginal: PatternMarginal)?
                for item in items[(items.count * c / chunks)..<(items.count * (c + 1) / chunks)] {
                    if current?.pattern != item.pattern {
                        current = (item.pattern, try PatternMarginal(model: model, pattern: patterns.patterns[item.pattern]))
                    }
                    accumulate(current!.marginal, rows: item.rows, weights: weights, known: known, into: &stats,
                               scratch: &scratch)
                }
                return stats
            }
        }
        var total = try parts[0].get()
        for part in parts.dropFirst() { total = total + (try part.get()) }
        return total
    }

    /// Scratch memory for one chunk.
    struct Scratch {
        var whitened: [Double]
        var logJoint: [Double]
        var logDensity: [Double]
        var means: [Double]
        var centred: [Double]
        init(blockRows: Int, featureCount d: Int, componentCount kCount: Int) {
            whitened = [Double](repeating: 0, count: blockRows * d * kCount)
            logJoint = [Double](repeating: 0, count: blockRows * kCount)
            logDensity = [Double](repeating: 0, count: blockRows)
            means = [Double](repeating: 0, count: blockRows * d)
            centred = [Double](repeating: 0, count: blockRows * d)
        }
    }

    /// Adds the rows `range` (positions within the pattern) of `marginal`'s pattern to `stats`.
    static func accumulate(
        _ marginal: PatternMarginal, rows range: Range<Int>, weights: [Double]?, known: KnownComponents? = nil,
        into stats: inout SufficientStatistics, scratch: inout Scratch
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
        pattern.observedValues.withUnsafeBufferPointer { xAll in
        scratch.whitened.withUnsafeMutableBufferPointer { uBuf in
        scratch.logJoint.withUnsafeMutableBufferPointer { resp in
        scratch.logDensity.withUnsafeMutableBufferPointer { ld in
        scratch.means.withUnsafeMutableBufferPointer { cm in
        scratch.centred.withUnsafeMutableBufferPointer { yBuf in
        stats.shifts.withUnsafeBufferPointer { shift in
        stats.softCounts.withUnsafeMutableBufferPointer { counts in
        stats.sums.withUnsafeMutableBufferPointer { sums in
        stats.moments.withUnsafeMutableBufferPointer { mom in
            let xo = xAll.baseAddress! + range.lowerBound &* no
            let u = uBuf.baseAddress!, y = yBuf.baseAddress!
            marginal.evaluate(xo, rows: rows, whitened: u, logJoint: resp.baseAddress!)
            normalizeRows(resp.baseAddress!, rows: rows, componentCount: kCount, logDensity: ld.baseAddress!,
                          keepLog: known != nil)
            known?.clamp(resp.baseAddress!, rows: rows, componentCount: kCount, logDensity: ld.baseAddress!) {
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
                marginal.conditionalMeans(component: k, whitened: u + k &* rows &* no, rows: rows, into: cm.baseAddress!)
                let s = shift.baseAddress! + k &* d
                let sumK = sums.baseAddress! + k &* d
                let momK = mom.baseAddress! + k &* moments
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
        }}}}}}}}}}
    }
}

/// `body(0) … body(count − 1)`, up to `threads` at a time, results in index order.
func orderedConcurrentMap<T>(count: Int, threads: Int, _ body: (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    let workers = max(1, min(threads, count))
    if workers == 1 { return (0..<count).map(body) }
    return withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let body = body
        let slots = OrderedSlots<T>(count: count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = slots.next() { slots.set(i, body(i)) }
        }
        return slots.values
    }
}

/// Results written by index from concurrent workers, handed out once each.
private final class OrderedSlots<T>: @unchecked Sendable {
    // @unchecked: all state is guarded by `lock`.
    private var slots: [T?]
    private var nextIndex = 0
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func next() -> Int? {
        lock.withLock {
            guard nextIndex < slots.count else { return nil }
            defer { nextIndex += 1 }
            return nextIndex
        }
    }

    func set(_ i: Int, _ value: T) { lock.withLock { slots[i] = value } }

    var values: [T] { lock.withLock { slots.map { $0! } } }
}
