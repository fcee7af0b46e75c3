import Dispatch
import Foundation
import Synchronization

// The threads behind `WorkerPool.forEach`: kept for the life of the process, and
// kept awake for a moment after each loop.
//
// An EM pass is one parallel loop, and EM runs one pass per iteration with only
// the M-step between them. With `DispatchQueue.concurrentPerform` the second
// thread began its first item 80–130 µs after the loop began (it sleeps between
// loops and the kernel wakes it), which on a 0.45 ms pass (the benchmark's full
// 100 000×2, K = 4 case on two threads) left a fifth of the second core unused.
// A member of this team instead waits for its next loop by watching a counter for
// up to `spinLimit` after it finished the last one, and sleeps on a condition
// only after that; so between the passes of a fit it is already running.
//
// One loop runs on the team at a time: a `forEach` that finds it busy (a loop
// started from inside another's item, or from another thread) takes
// `concurrentPerform` as before. A member runs only the items of the loops it is
// called for, so the results are those of `concurrentPerform`: which thread runs
// which item never changes them (ParallelWork.swift).

final class ThreadTeam: @unchecked Sendable {
    // @unchecked: `members` and `job` are written only by the thread that holds `busy`;
    // a member reads `job` after acquiring its own ticket, which the holder stores
    // after writing `job`, and the holder clears `job` only after every member it
    // called has released `remaining`.

    /// The process's team.
    static let shared = ThreadTeam()

    /// How long a member watches for its next loop before it sleeps: 2 ms, ten times the
    /// longest gap between two passes of a fit that the kernel's wake-up (~0.1 ms) would
    /// weigh on.
    static let spinLimit: UInt64 = 2_000_000

    private final class Member: @unchecked Sendable {
        // @unchecked: the fields are atomics.
        /// How many loops this member has been called for (written by the caller).
        let ticket = Atomic<Int>(0)
    }

    private let busy = Atomic<Bool>(false)
    /// Members of the current loop that have not finished their part yet.
    private let remaining = Atomic<Int>(0)
    /// Members asleep on `wakeUp`, or about to be.
    private let sleepers = Atomic<Int>(0)
    private let wakeUp = NSCondition()
    private var members: [Member] = []
    private var job: ((Int) -> Void)?

    /// `body(t)` for t in 0..<threads, t = 0 on the calling thread and each other t on a
    /// thread of its own, returning when all have returned.
    func run(threads: Int, _ body: (Int) -> Void) {
        guard threads > 1 else {
            if threads == 1 { body(0) }
            return
        }
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            withoutActuallyEscaping(body) { body in
                nonisolated(unsafe) let body = body
                DispatchQueue.concurrentPerform(iterations: threads) { body($0) }
            }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        while members.count < threads - 1 { startMember(index: members.count + 1) }
        withoutActuallyEscaping(body) { body in
            job = body
            remaining.store(threads - 1, ordering: .sequentiallyConsistent)
            for member in members.prefix(threads - 1) {
                member.ticket.add(1, ordering: .sequentiallyConsistent)
            }
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                wakeUp.lock()
                wakeUp.broadcast()
                wakeUp.unlock()
            }
            body(0)
            while remaining.load(ordering: .acquiring) > 0 {}
            job = nil
        }
    }

    private func startMember(index: Int) {
        let member = Member()
        members.append(member)
        let thread = Thread { [unowned self] in self.serve(member, index: index) }
        thread.name = "gmm-team-\(index)"
        thread.stackSize = 8 << 20   // as the main thread's, whatever the platform's default for new threads
        thread.start()
    }

    /// A member's life: wait for its ticket to move (watching, then asleep), run its part, repeat.
    private func serve(_ member: Member, index: Int) {
        var served = 0
        while true {
            if member.ticket.load(ordering: .acquiring) == served {
                let deadline = DispatchTime.now().uptimeNanoseconds + Self.spinLimit
                var spins = 0
                while member.ticket.load(ordering: .acquiring) == served {
                    spins += 1
                    if spins % 256 == 0, DispatchTime.now().uptimeNanoseconds > deadline { break }
                }
                if member.ticket.load(ordering: .sequentiallyConsistent) == served {
                    wakeUp.lock()
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while member.ticket.load(ordering: .sequentiallyConsistent) == served { wakeUp.wait() }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    wakeUp.unlock()
                }
            }
            served += 1
            job!(index)
            remaining.subtract(1, ordering: .releasing)
        }
    }
}
