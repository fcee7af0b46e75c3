import Foundation
import Testing
@testable import GaussianMixtures

@Suite("Parallel work and scratch buffers")
struct ParallelWorkTests {
    @Test("an ordered reduction combines in index order, whatever the thread count", arguments: [1, 2, 3, 8])
    func orderedReduce(_ threads: Int) {
        // A combination that is not commutative: concatenation.
        let joined: [Int]? = ParallelWork.orderedReduce(
            count: 37, threads: threads, makeWorker: { 0 }
        ) { (taken: inout Int, i: Int) -> [Int] in
            taken += 1
            return [i]
        } combine: { (a: [Int], b: [Int]) -> [Int] in a + b }
        #expect(joined == Array(0..<37))
        let none: Int? = ParallelWork.orderedReduce(count: 0, threads: threads, makeWorker: {}) { (_: inout Void, i: Int) in
            i
        } combine: { (a: Int, b: Int) in a + b }
        #expect(none == nil)
    }

    @Test("a map returns results by index; every index runs once", arguments: [1, 2, 5])
    func orderedMap(_ threads: Int) {
        #expect(ParallelWork.orderedMap(count: 100, threads: threads) { $0 * $0 } == (0..<100).map { $0 * $0 })
        #expect(ParallelWork.orderedMap(count: 0, threads: threads) { $0 }.isEmpty)
    }

    @Test("workers are made at most once per thread, on first use, and kept across calls")
    func workerPool() {
        let made = Counter()
        let pool = WorkerPool<[Int]>(threads: 3)
        let ran = Counter()
        for count in [10, 2, 7] {
            pool.forEach(count: count, makeWorker: { () -> [Int] in
                made.add()
                return []
            }) { seen, i in
                seen.append(i)
                ran.add()
            }
        }
        #expect(made.value >= 1 && made.value <= 3)
        #expect(ran.value == 19)
    }

    @Test("the thread team runs each part once per loop, loop after loop, and a loop inside a loop")
    func threadTeam() {
        for threads in [2, 3, 5] {
            for _ in 0..<200 {
                let parts = (0..<threads).map { _ in Counter() }
                ThreadTeam.shared.run(threads: threads) { t in parts[t].add() }
                #expect(parts.allSatisfy { $0.value == 1 })
            }
        }
        // The team is busy with the outer loop: the inner ones take concurrentPerform.
        let inner = Counter()
        ThreadTeam.shared.run(threads: 2) { _ in
            ThreadTeam.shared.run(threads: 3) { _ in inner.add() }
        }
        #expect(inner.value == 6)
        // Loops started from several threads at once: one gets the team, the others concurrentPerform.
        let total = Counter()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<50 { ThreadTeam.shared.run(threads: 2) { _ in total.add() } }
        }
        #expect(total.value == 4 * 50 * 2)
    }

    @Test("a scratch buffer grows keeping its values, and copies do not share writes")
    func scratchBuffer() {
        var a = ScratchBuffer<Double>([1, 2, 3])
        let b = a
        a.mutablePointer()[0] = 10
        #expect(b.array(count: 3) == [1, 2, 3])
        #expect(a.array(count: 3) == [10, 2, 3])
        _ = a.mutablePointer(count: 5)
        #expect(a.count == 5 && a.array(count: 5) == [10, 2, 3, 0, 0])
        a.assign([7, 8])
        #expect(a.array(count: 5) == [7, 8, 3, 0, 0])
        a[4] = 4
        #expect(a[4] == 4 && b.count == 3)
    }
}

/// A count several threads may add to.
private final class Counter: @unchecked Sendable {
    private var count = 0
    private let lock = NSLock()
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
