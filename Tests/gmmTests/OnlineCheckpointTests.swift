// `gmm fit --online --checkpoint/--resume`, the graceful Ctrl-C of online and
// variational fits, and a Ctrl-C before anything is fitted, end to end: an
// online fit killed with SIGKILL right after its k-th checkpoint (in the first
// epoch, at the end of one, in the next) and resumed ends with the
// uninterrupted fit's model file, byte for byte; a first SIGINT ends with 130
// and a usable model marked interrupted; nothing is left half-written.

import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("fit --online --checkpoint and --resume; Ctrl-C")
struct OnlineCheckpointTests {
    /// 400 rows in batches of 50: 8 batches an epoch, 2 epochs, 2 starts.
    private static func setUp() throws -> (Sandbox, [String]) {
        let box = try Sandbox()
        try box.write("d.csv", checkpointData(rows: 400))
        try box.write("w.txt", checkpointWeights(rows: 400))
        return (box, ["fit", "d.csv", "-k", "3", "--online", "--batch-size", "50", "--epochs", "2", "--n-init", "2",
                      "--seed", "4", "-q"])
    }

    @Test("killed with SIGKILL after its k-th checkpoint and resumed: the uninterrupted model file, byte for byte",
          arguments: ["full", "diag", "spherical", "tied"], [false, true])
    func resumeAfterKill(_ kind: String, weighted: Bool) throws {
        let (box, fit) = try Self.setUp()
        let args = fit + ["--covariance", kind] + (weighted ? ["--sample-weights", "w.txt"] : [])
        try box.succeed(args + ["-o", "whole.json", "--threads", "2"])
        let whole = try #require(box.bytes("whole.json"))
        // A checkpoint every 2 updates: after update 2, 8 (the end of epoch 1) and 14 (in epoch 2).
        for k in [1, 4, 7] {
            let killed = try box.run(args + ["--checkpoint", "c\(k).json", "--checkpoint-every", "2",
                                             "--kill-after-checkpoints", "\(k)", "-o", "part.json", "--threads", "1"])
            #expect(killed.crashed && killed.status == SIGKILL, "\(killed.status): \(killed.stderr)")
            let state = try #require(try jsonMember(box, "c\(k).json", "checkpoint") as? [String: Any])
            #expect(state["method"] as? String == "online" && state["iteration"] as? Int == 2 * k)
            #expect(try jsonMember(box, "c\(k).json", "n_components") as? Int == 3, "a checkpoint is a model file")
            try box.succeed(args + ["--resume", "c\(k).json", "-o", "resumed\(k).json", "--threads", "2"])
            #expect(box.bytes("resumed\(k).json") == whole, "\(kind) weighted \(weighted) resumed after update \(2 * k)")
        }
        #expect(try box.listing() == ["d.csv", "w.txt", "whole.json", "c1.json", "c4.json", "c7.json",
                                      "resumed1.json", "resumed4.json", "resumed7.json"])
    }

    @Test("stopped by the stand-in for Ctrl-C after update k: 130, the model marked interrupted, and the checkpoint resumes to the uninterrupted model")
    func stopAndResume() throws {
        let (box, fit) = try Self.setUp()
        try box.succeed(fit + ["-o", "whole.json"])
        let stopped = try box.run(fit + ["--checkpoint", "c.json", "--checkpoint-every", "1000",
                                         "--stop-after-iterations", "11", "-o", "part.json"])
        #expect(stopped.status == 130 && !stopped.crashed, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("11 updates") && stopped.stderr.contains("--resume c.json"))
        #expect(try jsonMember(box, "part.json", "interrupted") as? Bool == true)
        #expect(try jsonMember(box, "part.json", "converged") as? Bool == false)
        #expect(try jsonMember(box, "part.json", "n_iter") as? Int == 11)
        let state = try #require(try jsonMember(box, "c.json", "checkpoint") as? [String: Any])
        #expect(state["epoch"] as? Int == 2 && state["batches_done"] as? Int == 3)
        try box.succeed(fit + ["--resume", "c.json", "-o", "resumed.json"])
        #expect(box.bytes("resumed.json") == box.bytes("whole.json"))
        expectCleanFailure(try box.run(fit + ["--epochs", "1", "--resume", "c.json"]), status: 64,
                           facts: ["c.json", "epoch 2", "--epochs 1"])
    }

    @Test("online checkpoints of other data or other options are refused, naming what differs")
    func refusals() throws {
        let (box, fit) = try Self.setUp()
        let stopped = try box.run(fit + ["--checkpoint", "c.json", "--checkpoint-every", "1", "--stop-after-iterations", "3"])
        #expect(stopped.status == 130 && box.bytes("c.json") != nil)
        try box.write("other.csv", checkpointData(rows: 400, seed: 9))
        var other = fit
        other[1] = "other.csv"
        expectCleanFailure(try box.run(other + ["--resume", "c.json"]), status: 64, facts: ["c.json", "fingerprint"])
        expectCleanFailure(try box.run(fit + ["--sample-weights", "w.txt", "--resume", "c.json"]), status: 64,
                           facts: ["c.json", "weights"])
        for (flag, value) in [("--batch-size", "60"), ("--step-decay", "0.7"), ("--seed", "5"),
                              ("-k", "4"), ("--n-init", "1"), ("--covariance", "diag")] {
            expectCleanFailure(try box.run(fit + [flag, value, "--resume", "c.json"]), status: 64, facts: [flag, "c.json"])
        }
        let batch = ["fit", "d.csv", "-k", "3", "--seed", "4", "-q"]
        expectCleanFailure(try box.run(batch + ["--resume", "c.json"]), status: 65, facts: ["c.json", "--online"])
        expectCleanFailure(try box.run(batch + ["--method", "variational", "--resume", "c.json"]), status: 65,
                           facts: ["c.json", "variational"])
        // --epochs may be raised (the checkpoint is in epoch 1): the fit of the new count.
        try box.succeed(fit + ["--epochs", "3", "--resume", "c.json", "-o", "resumed3.json"])
        try box.succeed(fit + ["--epochs", "3", "-o", "whole3.json"])
        #expect(box.bytes("resumed3.json") == box.bytes("whole3.json"))
        // --max-iter and --tol do not apply to online fits: they may differ (the model file records the new ones).
        try box.succeed(fit + ["--max-iter", "7", "--tol", "0.5", "--resume", "c.json", "-o", "resumed.json"])
        try box.succeed(fit + ["--max-iter", "7", "--tol", "0.5", "-o", "whole.json"])
        #expect(box.bytes("resumed.json") == box.bytes("whole.json"))
    }

    @Test("a first Ctrl-C during an online or a variational fit: 130, a usable model marked interrupted, no temporary file",
          arguments: [["--online", "--batch-size", "256", "--epochs", "100000"],
                      ["--method", "variational", "--max-iter", "100000", "--tol", "0"]])
    func gracefulInterrupt(_ method: [String]) throws {
        let box = try Sandbox()
        try box.write("big.csv", checkpointData(rows: 20000, features: 6))
        let process = Process()
        process.executableURL = gmmExecutable
        process.arguments = ["fit", "big.csv", "-k", "6", "--seed", "1", "-q", "--checkpoint", "c.json",
                             "--checkpoint-every", "1", "-o", "out.json"] + method
        process.currentDirectoryURL = box.work
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first checkpoint exists once the first iteration ended: Ctrl-C is graceful from then on.
        let deadline = Date().addingTimeInterval(120)
        while box.bytes("c.json") == nil && process.isRunning && Date() < deadline { usleep(20_000) }
        #expect(process.isRunning)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 130)
        #expect(try jsonMember(box, "out.json", "interrupted") as? Bool == true)
        #expect(try jsonMember(box, "out.json", "converged") as? Bool == false)
        try box.succeed(["info", "out.json"])
        try box.succeed(["predict", "out.json", "big.csv", "-o", "labels.csv"])
        #expect(try box.listing() == ["big.csv", "c.json", "out.json", "labels.csv"])
        // The checkpoint holds the state the model was saved from.
        let state = try #require(try jsonMember(box, "c.json", "checkpoint") as? [String: Any])
        #expect(state["iteration"] as? Int == (try jsonMember(box, "out.json", "n_iter") as? Int))
    }

    @Test("a Ctrl-C while the data is read ends at once with 130, one line saying nothing was fitted, and no file",
          arguments: [[], ["--online"], ["--method", "variational"]])
    func interruptBeforeFitting(_ method: [String]) throws {
        let box = try Sandbox()
        let process = Process()
        process.executableURL = gmmExecutable
        process.arguments = ["fit", "-", "-k", "2", "-o", "out.json", "--checkpoint", "c.json"] + method
        process.currentDirectoryURL = box.work
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        try process.run()
        // Half a table on standard input, never closed: gmm waits for the rest. Once it has read
        // these bytes (the pipe is empty), it is reading the data.
        input.fileHandleForWriting.write(Data("a,b\n1,2\n3,4\n".utf8))
        let deadline = Date().addingTimeInterval(60)
        while pendingBytes(input) > 0 && process.isRunning && Date() < deadline { usleep(10_000) }
        #expect(process.isRunning)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 130)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stderr.split(separator: "\n").count == 1 && stderr.contains("nothing was fitted yet"), "\(stderr)")
        #expect(try box.listing().isEmpty)
        try? input.fileHandleForWriting.close()
    }
}

/// The bytes written to `pipe` and not yet read from it.
private func pendingBytes(_ pipe: Pipe) -> Int32 {
    var count: Int32 = 0
    _ = ioctl(pipe.fileHandleForWriting.fileDescriptor, UInt(FIONREAD), &count)
    return count
}
