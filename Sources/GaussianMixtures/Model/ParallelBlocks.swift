import Dispatch
import Foundation

// Posterior passes (predict, score, details) on several threads, streaming in row order.
//
// The rows are cut into the E-step's blocks (`blockRowCount`: fixed by d and
// K, never by the thread count). Blocks are evaluated in rounds of up to
// 2·threads blocks at once, each into its own output slot, the same way the
// E-step schedules its chunks (`DispatchQueue.concurrentPerform`, every
// worker taking the next block from a shared counter); then the calling
// thread hands the round's slots to the consumer in row order. A block's
// numbers depend only on its rows and the model, so the output is the same to
// the bit whatever the thread count, and memory is bounded by one round of
// blocks: no n×K array is formed.

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
    evaluate: @escaping (inout Worker, Range<Int>, Slot) -> Void,
    deliver: (Range<Int>, Slot) throws(E) -> Void
) throws(E) {
    let blocks = (n + blockRows - 1) / blockRows
    guard blocks > 0 else { return }
    let workerCount = max(1, min(threads, blocks))
    let round = BlockRound(workers: (0..<workerCount).map { _ in makeWorker() },
                           slots: (0..<(workerCount == 1 ? 1 : min(2 * workerCount, blocks))).map { _ in makeSlot() },
                           evaluate: evaluate)
    var first = 0
    while first < blocks {
        let count = min(round.slots.count, blocks - first)
        let ranges = (0..<count).map { s in
            let start = (first + s) * blockRows
            return start..<min(n, start + blockRows)
        }
        round.run(ranges)
        for s in 0..<count { try deliver(ranges[s], round.slots[s]) }
        first += count
    }
}

/// One round's shared state: worker w is touched only by iteration w of
/// `concurrentPerform`, slot s only by the iteration that took s from the
/// counter, and the caller reads the slots after the round has ended.
private final class BlockRound<Worker, Slot: AnyObject>: @unchecked Sendable {
    // @unchecked: see the type's comment; the counter is guarded by `lock`.
    private let workers: UnsafeMutableBufferPointer<Worker>
    let slots: [Slot]
    private let evaluate: (inout Worker, Range<Int>, Slot) -> Void
    private var ranges: [Range<Int>] = []
    private var next = 0
    private let lock = NSLock()

    init(workers: [Worker], slots: [Slot], evaluate: @escaping (inout Worker, Range<Int>, Slot) -> Void) {
        self.workers = .allocate(capacity: workers.count)
        _ = self.workers.initialize(from: workers)
        self.slots = slots
        self.evaluate = evaluate
    }

    deinit {
        workers.baseAddress!.deinitialize(count: workers.count)
        workers.deallocate()
    }

    /// Evaluates `ranges[s]` into `slots[s]` for every s, concurrently.
    func run(_ ranges: [Range<Int>]) {
        self.ranges = ranges
        next = 0
        let active = min(workers.count, ranges.count)
        if active == 1 {
            for s in ranges.indices { evaluate(&workers[0], ranges[s], slots[s]) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: active) { w in
            while let s = self.take() { self.evaluate(&self.workers[w], self.ranges[s], self.slots[s]) }
        }
    }

    private func take() -> Int? {
        lock.withLock {
            guard next < ranges.count else { return nil }
            defer { next += 1 }
            return next
        }
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
