// `gmm fit --checkpoint/--resume` and the graceful Ctrl-C, end to end: a fit
// stopped after any iteration (by --max-iter, by the hidden stand-in for
// Ctrl-C at a known iteration, by a real SIGINT or a kill -9) and resumed ends
// with the model file of the uninterrupted fit, byte for byte; checkpoints of
// other data or options are refused naming what differs.

import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Rows in three blobs over `features` columns (a fixed linear congruential stream), with every
/// `gapEvery`-th row missing one cell when `gapEvery` is set.
func checkpointData(rows: Int, features: Int = 3, seed: UInt64 = 1, gapEvery: Int? = nil) -> String {
    var state = seed
    func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
    var lines = [(0..<features).map { "x\($0)" }.joined(separator: ",")]
    for i in 0..<rows {
        let centre = Double(i % 3) * 2.5
        var cells = (0..<features).map { j in String(centre * Double(j % 2 == 0 ? 1 : -1) + uniform() * 2 + uniform()) }
        if let gapEvery, i % gapEvery == 0 { cells[i % features] = "" }
        lines.append(cells.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
}

/// One weight per row, 0 to 3 in steps of 0.5.
func checkpointWeights(rows: Int) -> String {
    (0..<rows).map { String(Double(($0 * 5) % 7) / 2) }.joined(separator: "\n") + "\n"
}

/// A member of a JSON model file.
func jsonMember(_ box: Sandbox, _ file: String, _ key: String) throws -> Any? {
    let data = try #require(box.bytes(file))
    let object = try #require(try JSONSerialization.jsonObject(with: Data(data)) as? [String: Any])
    return object[key]
}

@Suite("fit --checkpoint and --resume")
struct CheckpointTests {
    enum Variant: String, CaseIterable { case plain, weighted, gaps }

    private static func setUp(_ variant: Variant) throws -> (Sandbox, [String]) {
        let box = try Sandbox()
        try box.write("d.csv", checkpointData(rows: 400, gapEvery: variant == .gaps ? 5 : nil))
        try box.write("w.txt", checkpointWeights(rows: 400))
        let extra: [String] = switch variant {
        case .plain: []
        case .weighted: ["--sample-weights", "w.txt"]
        case .gaps: ["--missing", "marginalize"]
        }
        return (box, ["fit", "d.csv", "-k", "3", "--tol", "1e-9", "--seed", "4", "-q"] + extra)
    }

    @Test("stopped after iteration k by --max-iter and resumed: the uninterrupted model file, byte for byte",
          arguments: ["full", "diag", "spherical", "tied"], Variant.allCases)
    func resumeAfterMaxIter(_ kind: String, _ variant: Variant) throws {
        let (box, fit) = try Self.setUp(variant)
        let args = fit + ["--covariance", kind, "--max-iter", "60"]
        try box.succeed(args + ["-o", "whole.json", "--threads", "2"])
        let whole = try #require(box.bytes("whole.json"))
        for k in [1, 3] {
            // The first part on one thread, the rest on two: the E-step is the same to the bit.
            try box.succeed(fit + ["--covariance", kind, "--max-iter", "\(k)", "--threads", "1",
                                   "--checkpoint", "c\(k).json", "--checkpoint-every", "1", "-o", "part.json"])
            #expect(try jsonMember(box, "c\(k).json", "n_components") as? Int == 3, "a checkpoint is a model file")
            try box.succeed(args + ["--resume", "c\(k).json", "-o", "resumed\(k).json", "--threads", "2"])
            #expect(box.bytes("resumed\(k).json") == whole, "\(kind) \(variant) resumed after iteration \(k)")
            #expect(try jsonMember(box, "resumed\(k).json", "log_likelihood_trace") as? [Double]
                    == jsonMember(box, "whole.json", "log_likelihood_trace") as? [Double])
        }
    }

    @Test("--n-init 3 stopped in the second restart keeps the first and ends as the uninterrupted fit",
          arguments: Variant.allCases)
    func resumeInSecondRestart(_ variant: Variant) throws {
        let (box, fit) = try Self.setUp(variant)
        try box.succeed(fit + ["--n-init", "3", "-o", "whole.json"])
        // Restart 1 of --n-init 3 is the fit of --n-init 1 (restart seeds do not depend on the count).
        try box.succeed(fit + ["--n-init", "1", "-o", "first.json"])
        let firstIterations = try #require(try jsonMember(box, "first.json", "n_iter") as? Int)
        let stopped = try box.run(fit + ["--n-init", "3", "--checkpoint", "c.json", "--checkpoint-every", "1000",
                                         "--stop-after-iterations", "\(firstIterations + 2)", "-o", "part.json"])
        #expect(stopped.status == 130, "\(stopped.stderr)")
        let state = try #require(try jsonMember(box, "c.json", "checkpoint") as? [String: Any])
        #expect(state["restart"] as? Int == 1 && state["iteration"] as? Int == 2)
        #expect((state["finished_restarts"] as? [Any])?.count == 1)
        #expect(try jsonMember(box, "part.json", "interrupted") as? Bool == true)
        try box.succeed(fit + ["--n-init", "3", "--resume", "c.json", "-o", "resumed.json", "--threads", "1"])
        #expect(box.bytes("resumed.json") == box.bytes("whole.json"))
    }

    @Test("checkpoints of other data or other options are refused, naming what differs")
    func refusals() throws {
        let (box, fit) = try Self.setUp(.plain)
        try box.succeed(fit + ["--max-iter", "2", "--checkpoint", "c.json", "--checkpoint-every", "1"])
        try box.write("other.csv", checkpointData(rows: 400, seed: 9))
        var other = fit
        other[1] = "other.csv"
        expectCleanFailure(try box.run(other + ["--resume", "c.json"]), status: 64, facts: ["c.json", "fingerprint"])
        for (flag, value) in [("-k", "4"), ("--covariance", "diag"), ("--seed", "5")] {
            expectCleanFailure(try box.run(fit + [flag, value, "--resume", "c.json"]), status: 64, facts: [flag, "c.json"])
        }
        expectCleanFailure(try box.run(fit + ["--exact", "--resume", "c.json"]), status: 64, facts: ["--exact", "c.json"])
        expectCleanFailure(try box.run(fit + ["--checkpoint", "m.json", "-o", "m.json"]), status: 64, facts: ["m.json"])
        expectCleanFailure(try box.run(fit + ["--checkpoint-every", "2"]), status: 64, facts: ["--checkpoint"])
        expectCleanFailure(try box.run(fit + ["--resume", "missing.json"]), status: 66, facts: ["missing.json"])
        try box.write("garbled.json", "{\"format\": ")
        expectCleanFailure(try box.run(fit + ["--resume", "garbled.json"]), status: 65, facts: ["garbled.json"])
        expectCleanFailure(try box.run(fit + ["--online", "--resume", "c.json"]), status: 65, facts: ["c.json", "batch EM"])
        expectCleanFailure(try box.run(fit + ["--method", "variational", "--resume", "c.json"]), status: 65,
                           facts: ["c.json", "variational"])
    }

    @Test("variational fits stopped after iteration k by --max-iter and resumed: the uninterrupted model file, byte for byte",
          arguments: ["full", "diag", "spherical", "tied"], [Variant.plain, .weighted])
    func variationalResumeAfterMaxIter(_ kind: String, _ variant: Variant) throws {
        let (box, fit) = try Self.setUp(variant)
        let args = fit + ["--method", "variational", "--covariance", kind, "--max-iter", "60"]
        try box.succeed(args + ["-o", "whole.json", "--threads", "2"])
        let whole = try #require(box.bytes("whole.json"))
        for k in [1, 3] {
            try box.succeed(fit + ["--method", "variational", "--covariance", kind, "--max-iter", "\(k)", "--threads", "1",
                                   "--checkpoint", "c\(k).json", "--checkpoint-every", "1", "-o", "part.json"])
            #expect(try jsonMember(box, "c\(k).json", "method") as? String == "variational", "a checkpoint is a variational model file")
            try box.succeed(args + ["--resume", "c\(k).json", "-o", "resumed\(k).json", "--threads", "2"])
            #expect(box.bytes("resumed\(k).json") == whole, "\(kind) \(variant) resumed after iteration \(k)")
        }
    }

    @Test("a variational checkpoint taken in the last of 3 restarts (finished restarts kept) or at the converging iteration resumes to the same bytes")
    func variationalFinishedRestarts() throws {
        let (box, fit) = try Self.setUp(.plain)
        let args = fit + ["--method", "variational", "--n-init", "3", "--max-iter", "8"]
        try box.succeed(args + ["-o", "whole.json"])
        try box.succeed(args + ["--checkpoint", "c.json", "--checkpoint-every", "1"])
        try box.succeed(args + ["--resume", "c.json", "-o", "resumed.json"])
        #expect(box.bytes("resumed.json") == box.bytes("whole.json"))
        // A converged fit's last checkpoint is its converging iteration: resuming ends there.
        let converging = fit + ["--method", "variational", "-k", "2", "--tol", "1e-3"]
        try box.succeed(converging + ["-o", "whole2.json", "--checkpoint", "c2.json", "--checkpoint-every", "1"])
        #expect(try jsonMember(box, "whole2.json", "converged") as? Bool == true)
        try box.succeed(converging + ["--resume", "c2.json", "-o", "resumed2.json"])
        #expect(box.bytes("resumed2.json") == box.bytes("whole2.json"))
    }

    @Test("variational checkpoints of other priors or options are refused, naming what differs; an EM fit refuses them")
    func variationalRefusals() throws {
        let (box, fit) = try Self.setUp(.plain)
        let args = fit + ["--method", "variational"]
        try box.succeed(args + ["--max-iter", "2", "--checkpoint", "c.json", "--checkpoint-every", "1"])
        for (flag, value) in [("--weight-prior", "dirichlet"), ("--weight-concentration", "0.5"),
                              ("--mean-precision-prior", "2"), ("-k", "4"), ("--seed", "5")] {
            expectCleanFailure(try box.run(args + [flag, value, "--resume", "c.json"]), status: 64, facts: [flag, "c.json"])
        }
        try box.write("other.csv", checkpointData(rows: 400, seed: 9))
        var other = args
        other[1] = "other.csv"
        expectCleanFailure(try box.run(other + ["--resume", "c.json"]), status: 64, facts: ["c.json", "fingerprint"])
        expectCleanFailure(try box.run(fit + ["--resume", "c.json"]), status: 65, facts: ["c.json", "variational"])
    }

    /// Starts a slow `gmm fit` writing a checkpoint after every iteration; returns once the checkpoint exists.
    private static func startSlowFit(_ box: Sandbox, extra: [String]) throws -> Process {
        let process = Process()
        process.executableURL = gmmExecutable
        process.arguments = ["fit", "big.csv", "-k", "6", "--tol", "0", "--seed", "1", "-q", "--checkpoint", "c.json",
                             "--checkpoint-every", "1", "-o", "out.json"] + extra
        process.currentDirectoryURL = box.work
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while box.bytes("c.json") == nil && process.isRunning && Date() < deadline { usleep(20_000) }
        return process
    }

    @Test("the first Ctrl-C ends the iteration, saves the model marked interrupted and exits 130, leaving no temporary file")
    func gracefulInterrupt() throws {
        let box = try Sandbox()
        try box.write("big.csv", checkpointData(rows: 20000, features: 6))
        let process = try Self.startSlowFit(box, extra: ["--max-iter", "100000"])
        #expect(process.isRunning)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 130)
        #expect(try jsonMember(box, "out.json", "interrupted") as? Bool == true)
        #expect(try jsonMember(box, "out.json", "converged") as? Bool == false)
        try box.succeed(["info", "out.json"])
        #expect(try box.listing() == ["big.csv", "c.json", "out.json"])
        // The checkpoint holds the state the model was saved from.
        let state = try #require(try jsonMember(box, "c.json", "checkpoint") as? [String: Any])
        #expect(state["iteration"] as? Int == (try jsonMember(box, "out.json", "n_iter") as? Int))
    }

    @Test("a second Ctrl-C ends the fit at once, with 130 and no temporary file")
    func secondInterrupt() throws {
        let box = try Sandbox()
        try box.write("big.csv", checkpointData(rows: 20000, features: 6))
        let process = try Self.startSlowFit(box, extra: ["--max-iter", "100000"])
        kill(process.processIdentifier, SIGINT)
        usleep(30_000)   // two signals sent together would merge into one
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 130)
        // Only whole files: the data, the last checkpoint, and the model if the first signal's iteration ended in time.
        #expect(try box.listing().subtracting(["big.csv", "c.json", "out.json"]).isEmpty)
    }

    @Test("a fit killed with SIGKILL after a checkpoint resumes to the uninterrupted model file")
    func resumeAfterKill() throws {
        let box = try Sandbox()
        try box.write("big.csv", checkpointData(rows: 20000, features: 6))
        let process = try Self.startSlowFit(box, extra: ["--max-iter", "25", "--threads", "1"])
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(box.bytes("out.json") == nil)
        let args = ["fit", "big.csv", "-k", "6", "--tol", "0", "--seed", "1", "-q", "--max-iter", "25"]
        try box.succeed(args + ["--resume", "c.json", "-o", "resumed.json"])
        try box.succeed(args + ["-o", "whole.json"])
        #expect(box.bytes("resumed.json") == box.bytes("whole.json"))
    }
}
