import Dispatch
import Foundation

// One pass over the rows: rows → responsibilities → sufficient statistics.
//
// The rows are cut into a fixed number of chunks (aligned to blocks, the same
// whatever the thread count); each chunk is reduced to its own statistics,
// block by block, and the chunks' statistics are added in chunk order. So a
// pass gives the same bits on one thread or many. No N×K array of
// responsibilities is ever formed: each block's b×K responsibilities live in
// a scratch buffer only while that block is reduced.

/// The signature of a block filler: writes the b×K responsibilities of rows
/// `range` (at `block`) and each row's log P(x) (left at 0 where there is none).
typealias BlockFiller = (_ range: Range<Int>, _ block: UnsafePointer<Double>, _ rows: Int,
                         _ resp: UnsafeMutablePointer<Double>, _ logDensity: UnsafeMutablePointer<Double>) -> Void

enum ExpectationStep {
    /// The statistics of `data` under `model`, with moments taken around the
    /// model's means and the log-likelihood of every row summed; `momentShape`
    /// defaults to what the model's own family needs.
    ///
    /// - Parameter weights: one non-negative frequency weight per row, or `nil` for all 1.
    /// - Parameter threads: how many chunks run at once (the result does not depend on it).
    static func statistics(
        of data: DataMatrix, under model: GaussianMixture, weights: [Double]? = nil, momentShape: MomentShape? = nil,
        threads: Int = 1
    ) -> SufficientStatistics {
        let blockRows = blockRowCount(featureCount: data.featureCount, componentCount: model.componentCount)
        let shape = momentShape ?? type(of: model.family).momentShape
        let kCount = model.componentCount
        return reduceChunks(data, blockRows: blockRows, threads: threads) { rows in
            // Each chunk has its own evaluator: scratch memory is never shared between threads.
            var evaluator = BlockEvaluator(model: model, blockRows: blockRows)
            return accumulateRows(rows, of: data, weights: weights, componentCount: kCount, momentShape: shape,
                                  shifts: model.flatMeans, blockRows: blockRows) { _, block, count, resp, logDensity in
                evaluator.logJoint(of: block, rows: count, into: resp)
                normalizeRows(resp, rows: count, componentCount: kCount, logDensity: logDensity)
            }
        }
    }

    /// Number of chunks a pass cuts `n` rows into: fixed by n and the block size only.
    static func chunkCount(rows n: Int, blockRows: Int) -> Int {
        max(1, min(16, (n + blockRows - 1) / blockRows))
    }

    /// Reduces every chunk with `reduce` (concurrently, up to `threads` at once)
    /// and adds the chunks' statistics in chunk order.
    static func reduceChunks(
        _ data: DataMatrix, blockRows: Int, threads: Int,
        _ reduce: @escaping @Sendable (Range<Int>) -> SufficientStatistics
    ) -> SufficientStatistics {
        let n = data.sampleCount
        let chunks = chunkCount(rows: n, blockRows: blockRows)
        // Chunk c covers whole blocks; the last chunk takes the remainder.
        let blocks = (n + blockRows - 1) / blockRows
        let bounds = (0...chunks).map { c in c == chunks ? n : min(n, (blocks * c / chunks) * blockRows) }
        let ranges = (0..<chunks).map { bounds[$0]..<bounds[$0 + 1] }
        let slots = ChunkSlots(count: chunks)
        let workers = max(1, min(threads, chunks))
        if workers == 1 {
            for c in 0..<chunks { slots.set(c, reduce(ranges[c])) }
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while let c = slots.nextChunk() { slots.set(c, reduce(ranges[c])) }
            }
        }
        let parts = slots.values
        return parts.dropFirst().reduce(parts[0], +)
    }

    /// Accumulates statistics block by block, in row order, on one thread.
    /// `fill` writes the b×K responsibilities of rows `range` (at `block`) and
    /// each row's log P(x) (left at 0 where there is none, as during
    /// initialisation); the rows' weights then scale both. The chunk partition
    /// and reduction order are those of the concurrent pass, so both agree to the bit.
    static func accumulate(
        _ data: DataMatrix, weights: [Double]?, componentCount kCount: Int, momentShape: MomentShape,
        shifts: [Double], blockRows: Int, fill: BlockFiller
    ) -> SufficientStatistics {
        withoutActuallyEscaping(fill) { fill in
            nonisolated(unsafe) let fill = fill
            return reduceChunks(data, blockRows: blockRows, threads: 1) { rows in
                accumulateRows(rows, of: data, weights: weights, componentCount: kCount, momentShape: momentShape,
                               shifts: shifts, blockRows: blockRows, fill: fill)
            }
        }
    }

    /// The statistics of the rows `range`, block by block.
    static func accumulateRows(
        _ range: Range<Int>, of data: DataMatrix, weights: [Double]?, componentCount kCount: Int,
        momentShape: MomentShape, shifts: [Double], blockRows: Int, fill: BlockFiller
    ) -> SufficientStatistics {
        precondition(weights == nil || weights!.count == data.sampleCount, "one weight per row")
        let d = data.featureCount
        var stats = SufficientStatistics.zero(
            componentCount: kCount, featureCount: d, momentShape: momentShape, shifts: shifts)
        var scratch = AccumulationScratch(blockRows: blockRows, featureCount: d)
        var resp = [Double](repeating: 0, count: blockRows * kCount)
        var logDensity = [Double](repeating: 0, count: blockRows)
        data.withUnsafeBufferPointer { x in
            resp.withUnsafeMutableBufferPointer { respBuf in
                logDensity.withUnsafeMutableBufferPointer { ld in
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let rows = min(blockRows, range.upperBound - start)
                        let block = x.baseAddress! + start * d
                        for r in 0..<rows { ld[r] = 0 }
                        fill(start..<(start + rows), block, rows, respBuf.baseAddress!, ld.baseAddress!)
                        if let weights {
                            for r in 0..<rows {
                                let w = weights[start + r]
                                // A zero weight removes the row, even a row whose density underflows.
                                stats.logLikelihood += w == 0 ? 0 : w * ld[r]
                                stats.totalWeight += w
                                for k in 0..<kCount { respBuf[r * kCount + k] *= w }
                            }
                        } else {
                            for r in 0..<rows { stats.logLikelihood += ld[r] }
                            stats.totalWeight += Double(rows)
                        }
                        stats.accumulate(block: block, rows: rows, responsibilities: respBuf.baseAddress!, scratch: &scratch)
                        data.dropResidentPages(rows: start..<(start + rows))
                        start += rows
                    }
                }
            }
        }
        data.dropResidentPages(rows: range, outward: true)
        return stats
    }
}

/// Per-chunk results written by index from concurrent workers, handed out once each.
private final class ChunkSlots: @unchecked Sendable {
    // @unchecked: all state is guarded by `lock`.
    private var slots: [SufficientStatistics?]
    private var next = 0
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func nextChunk() -> Int? {
        lock.withLock {
            guard next < slots.count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func set(_ c: Int, _ stats: SufficientStatistics) { lock.withLock { slots[c] = stats } }

    var values: [SufficientStatistics] { lock.withLock { slots.map { $0! } } }
}
