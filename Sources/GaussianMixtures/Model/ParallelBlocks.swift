import Foundation

// Posterior passes (predict, score, details) on several threads, streaming in row order.
//
// The rows are cut into the E-step's blocks (`blockRowCount`: fixed by d and
// K, never by the thread count). Blocks are evaluated in rounds of up to
// 2·threads blocks at once, each into its own output slot, by the library's
// one parallel loop (`WorkerPool.forEach`, ParallelWork.swift: every worker
// taking the next block from a shared counter, with its own evaluator kept
// from round to round); then the calling thread hands the round's slots to the
// consumer in row order. A block's numbers depend only on its rows and the
// model, so the output is the same to the bit whatever the thread count, and
// memory is bounded by one round of blocks: no n×K array is formed.

/// Evaluates consecutive blocks of `0..<rowCount`, up to `threads` at once, and
/// delivers them in row order on the calling thread.
///
/// - Parameters:
///   - makeWorker: per-thread state (an evaluator and its scratch memory).
///   - makeSlot: storage for one block's results; a round has up to 2·threads slots.
///   - evaluate: fills a slot with the results of the rows `range`; runs on any thread.
///   - deliver: receives each block's rows and slot, in row order, on the calling thread.
func forEachBlockInOrder<Worker, Slot: AnyObject, E: Error>(
    rowCount n: Int, blockRows: Int, threads: Int,
    makeWorker: () -> Worker, makeSlot: () -> Slot,
    evaluate: (inout Worker, Range<Int>, Slot) -> Void,
    deliver: (Range<Int>, Slot) throws(E) -> Void
) throws(E) {
    let blocks = (n + blockRows - 1) / blockRows
    guard blocks > 0 else { return }
    let workerCount = max(1, min(threads, blocks))
    let workers = WorkerPool<Worker>(threads: workerCount)
    let slots = (0..<(workerCount == 1 ? 1 : min(2 * workerCount, blocks))).map { _ in makeSlot() }
    var first = 0
    while first < blocks {
        let count = min(slots.count, blocks - first)
        let ranges = (0..<count).map { s in
            let start = (first + s) * blockRows
            return start..<min(n, start + blockRows)
        }
        workers.forEach(count: count, makeWorker: makeWorker) { worker, s in evaluate(&worker, ranges[s], slots[s]) }
        for s in 0..<count { try deliver(ranges[s], slots[s]) }
        first += count
    }
}

/// One block's posterior: b×K responsibilities and b log-densities, in memory the slot owns.
final class PosteriorSlot {
    let responsibilities: UnsafeMutablePointer<Double>
    let logDensities: UnsafeMutablePointer<Double>
    /// P(noise|x) (or its log) per row; unused without a noise component.
    let noise: UnsafeMutablePointer<Double>

    init(blockRows: Int, componentCount: Int) {
        responsibilities = .allocate(capacity: blockRows * componentCount)
        responsibilities.initialize(repeating: 0, count: blockRows * componentCount)
        logDensities = .allocate(capacity: blockRows)
        logDensities.initialize(repeating: 0, count: blockRows)
        noise = .allocate(capacity: blockRows)
        noise.initialize(repeating: 0, count: blockRows)
    }

    deinit {
        responsibilities.deallocate()
        logDensities.deallocate()
        noise.deallocate()
    }
}

extension GaussianMixture {
    /// The number of threads a posterior pass uses: `threads`, or every core.
    func resolvedThreadCount(_ threads: Int?) -> Int {
        max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
    }
}

/// One block's assignment details.
final class DetailSlot {
    var details: [AssignmentDetail] = []
}
