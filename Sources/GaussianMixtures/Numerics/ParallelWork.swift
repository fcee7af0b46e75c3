import Dispatch
import Foundation

// Work spread over threads, one way for the whole library: the E-step's chunks
// (EM and variational), the missing-data step's chunks, posterior passes' blocks
// and the model search's grid.
//
// The items 0..<count are taken in increasing order from a shared counter, each
// thread taking the next as it finishes one, so the work ends unevenly by at
// most one item. Every thread has its own worker state (an evaluator, scratch
// memory), made by that thread before its first item and kept for every item it
// takes. Results never depend on which thread ran what or when: `orderedReduce`
// combines per-item results in item order, ((r₀ ⊕ r₁) ⊕ r₂) ⊕ …, and `orderedMap`
// returns them by index, so the bits are the same for any thread count.

enum ParallelWork {
    /// `body(&worker, i)` for every i in 0..<count, up to `threads` at once; each
    /// of the threads has its own worker from `makeWorker`.
    static func forEach<Worker>(
        count: Int, threads: Int, makeWorker: () -> Worker, _ body: (inout Worker, Int) -> Void
    ) {
        guard count > 0 else { return }
        WorkerPool<Worker>(threads: min(threads, count)).forEach(count: count, makeWorker: makeWorker, body)
    }

    /// `map(&worker, i)` for every i in 0..<count, up to `threads` at once, combined in
    /// index order: ((r₀ ⊕ r₁) ⊕ r₂) ⊕ … with ⊕ = `combine`, whatever the thread count.
    /// A result waits only until every earlier one is in, so few are alive at once.
    /// - Returns: `nil` when `count` is 0.
    static func orderedReduce<Worker, T>(
        count: Int, threads: Int, makeWorker: () -> Worker, _ map: (inout Worker, Int) -> T,
        combine: (T, T) -> T
    ) -> T? {
        let results = OrderedCombination<T>(count: count)
        forEach(count: count, threads: threads, makeWorker: makeWorker) { worker, i in
            results.add(map(&worker, i), at: i, combine)
        }
        return results.total
    }

    /// `[body(0), body(1), …, body(count − 1)]`, up to `threads` at once.
    static func orderedMap<T>(count: Int, threads: Int, _ body: (Int) -> T) -> [T] {
        let results = IndexedResults<T>(count: count)
        forEach(count: count, threads: threads, makeWorker: {}) { _, i in results.set(body(i), at: i) }
        return results.values
    }
}

/// Per-thread worker state for `ParallelWork`, kept across calls of `forEach` (a
/// posterior pass evaluates its blocks in rounds with the same workers).
final class WorkerPool<Worker>: @unchecked Sendable {
    // @unchecked: worker t is touched only by the thread that runs part t of a
    // `forEach`, and `forEach` calls do not overlap.
    private let workers: UnsafeMutableBufferPointer<Worker?>

    /// Room for `max(1, threads)` workers, made when first needed.
    init(threads: Int) {
        workers = .allocate(capacity: max(1, threads))
        workers.initialize(repeating: nil)
    }

    deinit {
        workers.baseAddress!.deinitialize(count: workers.count)
        workers.deallocate()
    }

    /// `body(&worker, i)` for every i in 0..<count, up to one thread per worker at once.
    /// A thread without a worker yet makes its own with `makeWorker` before its first item,
    /// so the workers' set-up (evaluators, scratch memory) runs in parallel too; `makeWorker`
    /// must therefore be safe to call from several threads at once.
    func forEach(count: Int, makeWorker: () -> Worker, _ body: (inout Worker, Int) -> Void) {
        let active = min(workers.count, count)
        guard active > 1 else {
            guard count > 0 else { return }
            if workers[0] == nil { workers[0] = makeWorker() }
            for i in 0..<count { body(&workers[0]!, i) }
            return
        }
        let next = IndexCounter(limit: count)
        ThreadTeam.shared.run(threads: active) { t in
            while let i = next.take() {
                if self.workers[t] == nil { self.workers[t] = makeWorker() }
                body(&self.workers[t]!, i)
            }
        }
    }
}

/// Hands out 0, 1, 2, … below a limit, each once.
private final class IndexCounter: @unchecked Sendable {
    // @unchecked: `value` is guarded by `lock`.
    private let limit: Int
    private var value = 0
    private let lock = NSLock()

    init(limit: Int) { self.limit = limit }

    func take() -> Int? {
        lock.withLock {
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}

/// Results from concurrent workers combined in index order as soon as they can be.
private final class OrderedCombination<T>: @unchecked Sendable {
    // @unchecked: all state is guarded by `lock`.
    private var pending: [T?]
    private var sum: T?
    private var added = 0
    private let lock = NSLock()

    init(count: Int) { pending = Array(repeating: nil, count: count) }

    func add(_ value: T, at i: Int, _ combine: (T, T) -> T) {
        lock.withLock {
            pending[i] = value
            while added < pending.count, let part = pending[added] {
                sum = sum.map { combine($0, part) } ?? part
                pending[added] = nil
                added += 1
            }
        }
    }

    /// The combination of every result (all must be in).
    var total: T? {
        lock.withLock {
            precondition(added == pending.count, "a result is missing")
            return sum
        }
    }
}

/// Results written by index from concurrent workers, each index by one of them.
private final class IndexedResults<T>: @unchecked Sendable {
    // @unchecked: every slot is written once, by one thread, and read after every writer ended.
    private let slots: UnsafeMutableBufferPointer<T?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        _ = slots.initialize(from: repeatElement(nil, count: count))
    }

    deinit {
        slots.baseAddress?.deinitialize(count: slots.count)
        slots.deallocate()
    }

    func set(_ value: T, at i: Int) { slots[i] = value }

    var values: [T] { slots.map { $0! } }
}
