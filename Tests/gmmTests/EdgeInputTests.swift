// Hostile, degenerate and surprising inputs, each run through the built `gmm`:
// no crash, no NaN printed, the contract's exit status, one clear line, and
// nothing left behind. Every case here failed before the fix that goes with it.

import Foundation
import Testing

@Suite("Edge inputs: no crash, no NaN, no silent wrong answer")
struct EdgeInputTests {
    /// `text` holds no NaN as a number (`nan`, `-nan`, `NaN`).
    static func printsNaN(_ text: String) -> Bool {
        text.lowercased().split(whereSeparator: { ",\n \t[]():".contains($0) }).contains { $0 == "nan" || $0 == "-nan" }
    }

    /// A float64 C-order `.npy` file of `rows`×`columns` values from a small generator.
    static func npy(rows: Int, columns: Int) -> [UInt8] {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        bytes += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)] + Array(header.utf8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<(rows * columns) {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let value = Double(state >> 11) / Double(1 << 53) - 0.5
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
        }
        return bytes
    }

    // MARK: Resources

    @Test("a million-cell line is refused up front, not allocated")
    func millionFeatures() throws {
        let box = try Sandbox()
        try box.write("wide.csv", Array(repeating: "1", count: 1_000_000).joined(separator: ",") + "\n")
        expectCleanFailure(try box.run(["fit", "wide.csv", "-o", "m.json"]), status: 65,
                           facts: ["wide.csv", "1000000 features", "more rows than features"])
        #expect(try box.listing() == ["wide.csv"])
    }

    @Test("a model too large for the machine's memory is refused with the size it needs")
    func modelLargerThanMemory() throws {
        let box = try Sandbox()
        try box.write("data.npy", bytes: Self.npy(rows: 2001, columns: 2000))
        expectCleanFailure(try box.run(["fit", "data.npy", "-k", "2000", "-o", "m.json"]), status: 65,
                           facts: ["2000 components", "2000 features", "GiB", "memory"])
    }

    @Test("few rows of many features: full and tied refused at once, diagonal fits and reads back fast")
    func wideFewRows() throws {
        let box = try Sandbox()
        try box.write("w.npy", bytes: Self.npy(rows: 3, columns: 10_000))
        for kind in ["full", "tied"] {
            expectCleanFailure(try box.run(["fit", "w.npy", "--covariance", kind, "-o", "m.json"]), status: 65,
                               facts: ["3 rows", "10000 features", "more rows than features"])
        }
        try box.write("v.npy", bytes: Self.npy(rows: 3, columns: 100_000))
        try box.succeed(["fit", "v.npy", "--covariance", "diag", "-o", "d.json", "-q"])
        let info = try box.succeed(["info", "d.json"]).stdout
        #expect(info.contains("… (99992 more)"))
        #expect(info.split(separator: "\n").allSatisfy { $0.count < 400 }, "a summary, not a dump")
        #expect(try box.succeed(["score", "d.json", "v.npy"]).stdout.split(separator: "\n").count == 4)
        #expect(try box.succeed(["sample", "d.json", "-n", "2"]).stdout.split(separator: "\n").count == 3)
        let conditioned = try box.succeed(["condition", "d.json", "--given", "x0=0", "-o", "c.json"])
        #expect(conditioned.status == 0 && box.bytes("c.json") != nil)
    }

    @Test("weights whose total overflows, and a collapse under huge weights, are clean errors")
    func hugeWeights() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        try box.write("w.txt", String(repeating: "1e308\n", count: 272))
        expectCleanFailure(try box.run(["fit", "old-faithful.csv", "-k", "2", "--sample-weights", "w.txt", "-o", "m.json"]),
                           status: 65, facts: ["w.txt", "weights", "largest double"])
        try box.write("t.csv", "x,y\n1,2\n1,2\n3,4\n")
        try box.write("w3.txt", "1e20\n1e20\n1e20\n")
        expectCleanFailure(try box.run(["fit", "t.csv", "-k", "2", "--reg-covar", "0", "--sample-weights", "w3.txt"]),
                           status: 65, facts: ["collapsed", "2e+20"])
        let select = try box.run(["select", "t.csv", "--components", "1-2", "--reg-covar", "0", "--sample-weights", "w3.txt"])
        #expect(!select.crashed && [0, 65].contains(select.status), "\(select.stderr)")
        #expect(!select.stderr.contains("Fatal error"))
    }

    @Test("a negative weight is reported at its own line, header or not, blank lines counted")
    func negativeWeightLine() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        let weights = Array(repeating: "1", count: 100) + ["-1"] + Array(repeating: "1", count: 171)
        try box.write("plain.txt", weights.joined(separator: "\n") + "\n")
        try box.write("header.txt", "w\n\n" + weights.joined(separator: "\n") + "\n")
        expectCleanFailure(try box.run(["fit", "old-faithful.csv", "--sample-weights", "plain.txt"]), status: 65,
                           facts: ["plain.txt:101:", "-1.0"])
        expectCleanFailure(try box.run(["fit", "old-faithful.csv", "--sample-weights", "header.txt"]), status: 65,
                           facts: ["header.txt:103:"])
    }

    @Test("endless binary streams stop at the first NUL byte", arguments: ["/dev/zero", "/dev/urandom"])
    func endlessStreams(_ device: String) throws {
        let box = try Sandbox()
        expectCleanFailure(try box.run(["fit", device]), status: 65, facts: [device, "NUL byte"])
    }

    // MARK: No NaN for far rows

    @Test("rows near 1e155 and beyond get exact P(c|x), log P(x) = -inf said once, never NaN")
    func farRows() throws {
        let box = try Sandbox()
        try box.fitFaithful()
        try box.write("far.csv", "eruptions,waiting\n1e155,70\n3,1e200\n-1e300,1e300\n1e-300,70\n3,70\n")
        let commands: [[String]] = [
            ["predict", "m.json", "far.csv", "--probabilities"], ["predict", "m.json", "far.csv", "--probabilities", "--log"],
            ["predict", "m.json", "far.csv", "--details"], ["info", "m.json", "far.csv"], ["score", "m.json", "far.csv"],
            ["regress", "m.json", "far.csv", "--targets", "eruptions", "--interval", "0.9"],
        ]
        for args in commands {
            let outcome = try box.succeed(args)
            #expect(!Self.printsNaN(outcome.stdout + outcome.stderr), "\(args): \(outcome.stdout) \(outcome.stderr)")
        }
        let probabilities = Table(try box.succeed(["predict", "m.json", "far.csv", "--probabilities"]).stdout).numbers
        for row in probabilities { #expect(abs(row.reduce(0, +) - 1) < 1e-12) }
        #expect(probabilities[0] == [1, 0] && probabilities[1] == [0, 1])
        let score = try box.succeed(["score", "m.json", "far.csv"])
        #expect(Table(score.stdout).numbers.prefix(3).allSatisfy { $0 == [-.infinity] })
        #expect(score.stderr.components(separatedBy: "underflows to -inf").count == 2, "said once: \(score.stderr)")

        try box.write("gaps.csv", "eruptions,waiting\n1e155,\n,1e200\n3,\n")
        for args in [["impute", "m.json", "gaps.csv"], ["predict", "m.json", "gaps.csv", "--missing", "marginalize", "--details"],
                     ["score", "m.json", "gaps.csv", "--missing", "marginalize"]] {
            let outcome = try box.succeed(args)
            #expect(!Self.printsNaN(outcome.stdout + outcome.stderr), "\(args): \(outcome.stdout) \(outcome.stderr)")
        }
        for value in ["1e300", "-1e300", "1e-300"] {
            let outcome = try box.succeed(["condition", "m.json", "--given", "waiting=\(value)"])
            #expect(!Self.printsNaN(outcome.stdout), "\(value): \(outcome.stdout)")
        }
    }

    @Test("a fit on values whose squares overflow names the cell instead of a 'collapse'")
    func hugeValuesInFit() throws {
        let box = try Sandbox()
        try box.write("big.csv", "a,b\n1,2\n3,4\n5,1e200\n2,2\n")
        for extra in [[], ["--covariance", "diag"], ["--method", "variational"]] {
            expectCleanFailure(try box.run(["fit", "big.csv", "-k", "2"] + extra), status: 65,
                               facts: ["big.csv", "data row 3, column 2", "1e+200", "rescale"])
        }
    }

    // MARK: Usage

    @Test("repeated --given values combine; a feature given twice, or nothing given, is usage")
    func repeatedGiven() throws {
        let box = try Sandbox()
        try box.copyBundled("iris.csv")
        try box.succeed(["fit", "iris.csv", "-k", "2", "-o", "m.json"])
        let split = try box.succeed(["condition", "m.json", "--given", "sepal_length=5", "--given", "sepal_width=3"]).stdout
        let joined = try box.succeed(["condition", "m.json", "--given", "sepal_length=5,sepal_width=3"]).stdout
        #expect(split == joined && split.contains("sepal_length = 5.0, sepal_width = 3.0"))
        expectCleanFailure(try box.run(["condition", "m.json", "--given", "sepal_width=1", "--given", "sepal_width=2"]),
                           status: 64, facts: ["sepal_width", "twice"])
        expectCleanFailure(try box.run(["condition", "m.json", "--given", "sepal_width=1,sepal_width=2"]),
                           status: 64, facts: ["twice"])
        expectCleanFailure(try box.run(["condition", "m.json", "--given", ""]), status: 64, facts: ["--given"])
        expectCleanFailure(try box.run(["regress", "m.json", "iris.csv",
                                        "--targets", "sepal_length,sepal_width,petal_length,petal_width"]),
                           status: 64, facts: ["--targets", "every feature"])
    }

    @Test("condition writes its model with -o or --output, the same option")
    func conditionOutput() throws {
        let box = try Sandbox()
        try box.copyBundled("iris.csv")
        try box.succeed(["fit", "iris.csv", "-k", "2", "-o", "m.json"])
        try box.succeed(["condition", "m.json", "--given", "sepal_length=5", "-o", "a.json"])
        try box.succeed(["condition", "m.json", "--given", "sepal_length=5", "--output", "b.json"])
        #expect(box.bytes("a.json") == box.bytes("b.json") && box.bytes("a.json") != nil)
    }

    @Test("a column is weights or a feature, not both")
    func weightColumnAlsoFeature() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        expectCleanFailure(try box.run(["fit", "old-faithful.csv", "--weight-column", "waiting", "--columns", "waiting"]),
                           status: 64, facts: ["--weight-column", "--columns"])
    }

    @Test("negative numbers are option values: range messages, and legitimate negatives accepted")
    func negativeValues() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        for (args, fact) in [(["--tol", "-1"], "--tol"), (["-k", "-1"], "components"), (["--seed", "-1"], "seed"),
                             (["--n-init", "-3"], "--n-init"), (["--max-iter", "-1"], "--max-iter")] {
            let outcome = try box.run(["fit", "old-faithful.csv"] + args)
            expectCleanFailure(outcome, status: 64, facts: [fact])
            #expect(!outcome.stderr.contains("Missing value"))
        }
        try box.succeed(["fit", "old-faithful.csv", "-k", "2", "--method", "variational", "--mean-prior", "-1,2", "-q"])
    }

    @Test("an EM fit of identical rows succeeds as scikit-learn's does, and names the constant columns")
    func constantColumnsWarned() throws {
        let box = try Sandbox()
        try box.write("same.csv", "x,y\n" + String(repeating: "1,2\n", count: 50))
        for kind in ["full", "diag", "spherical", "tied"] {
            let outcome = try box.succeed(["fit", "same.csv", "-k", "2", "--covariance", kind, "-q"])
            #expect(outcome.stderr.contains("columns \"x\", \"y\" are constant"), "\(outcome.stderr)")
        }
    }

    @Test("a variational fit of identical rows blames the data, not a flag never given")
    func variationalDegenerateData() throws {
        let box = try Sandbox()
        try box.write("same.csv", "a,b\n1,2\n1,3\n1,4\n1,5\n")
        let outcome = try box.run(["fit", "same.csv", "-k", "2", "--method", "variational"])
        expectCleanFailure(outcome, status: 65, facts: ["same.csv", "\"a\"", "constant"])
        #expect(!outcome.stderr.contains("--covariance-prior must"))
    }

    // MARK: Outputs and standard streams

    @Test("-o - is standard output for every command, and no file named '-' appears")
    func dashIsStandardOutput() throws {
        let box = try Sandbox()
        try box.fitFaithful()
        #expect(try box.succeed(["fit", "old-faithful.csv", "-k", "2", "-o", "-", "-q"]).stdout.hasPrefix("{"))
        #expect(try box.succeed(["predict", "m.json", "old-faithful.csv", "-o", "-"]).stdout.hasPrefix("component\n"))
        #expect(try box.succeed(["score", "m.json", "old-faithful.csv", "-o", "-"]).stdout.hasPrefix("log_density\n"))
        #expect(try box.succeed(["sample", "m.json", "-n", "3", "-o", "-"]).stdout.hasPrefix("eruptions,waiting\n"))
        #expect(try box.succeed(["condition", "m.json", "--given", "waiting=70", "-o", "-"]).stdout.hasPrefix("{"))
        #expect(try box.succeed(["convert", "old-faithful.csv", "-"]).stdout.hasPrefix("eruptions,waiting\n"))
        #expect(!(try box.listing()).contains("-"))
    }

    @Test("standard input is matched to the model's features by header name")
    func standardInputByName() throws {
        let box = try Sandbox()
        try box.fitFaithful()
        let swapped = "waiting,label,eruptions\n79,a,3.6\n54,b,1.8\n"
        try box.write("swapped.csv", swapped)
        let fromFile = try box.succeed(["predict", "m.json", "swapped.csv", "--probabilities"]).stdout
        #expect(try box.succeed(["predict", "m.json", "-", "--probabilities"], stdin: swapped).stdout == fromFile)
    }

    @Test("plot refuses a name it would not write the format of")
    func plotExtension() throws {
        let box = try Sandbox()
        try box.fitFaithful()
        expectCleanFailure(try box.run(["plot", "m.json", "old-faithful.csv", "-o", "out.png"]), status: 64,
                           facts: ["SVG", "out.png"])
        #expect(!(try box.listing()).contains("out.png"))
    }

    @Test("a signal during a streamed output leaves no file, with the shell's status",
          arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143)), (SIGHUP, Int32(129))])
    func signalDuringOutput(_ signal: Int32, _ status: Int32) throws {
        let box = try Sandbox()
        try box.fitFaithful()
        let before = try box.listing()
        let process = Process()
        process.executableURL = gmmExecutable
        process.arguments = ["sample", "m.json", "-n", "50000000", "-o", "big.csv"]
        process.currentDirectoryURL = box.work
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for the temporary file to appear, so the signal lands mid-write.
        let deadline = Date().addingTimeInterval(20)
        while try box.listing() == before && Date() < deadline { usleep(20_000) }
        usleep(100_000)
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == status)
        let after = try box.listing()
        #expect(after == before, "left: \(after.subtracting(before))")
    }

    // MARK: Messages

    @Test("a text column is named, with the way out; another delimiter is recognised")
    func badCellMessages() throws {
        let box = try Sandbox()
        try box.write("text.csv", "a,b,name\n1,2,x\n3,4,y\n5,6,z\n")
        expectCleanFailure(try box.run(["fit", "text.csv"]), status: 65,
                           facts: ["text.csv:2:3", "column \"name\"", "--columns"])
        try box.succeed(["fit", "text.csv", "--columns", "a,b", "--covariance", "diag", "-q"])
        try box.write("semi.csv", "a;b\n1;2\n3;4\n")
        expectCleanFailure(try box.run(["fit", "semi.csv"]), status: 65, facts: ["semi.csv:2:1", "semicolons", "--delimiter ';'"])
        try box.write("semi.csv", "a;b\n1;2\n3;4.5\n2;7\n")
        try box.write("comma.csv", "a,b\n1,2\n3,4.5\n2,7\n")
        let semicolons = try box.succeed(["fit", "semi.csv", "--delimiter", ";", "--covariance", "diag", "-o", "-", "-q"]).stdout
        #expect(semicolons == (try box.succeed(["fit", "comma.csv", "--covariance", "diag", "-o", "-", "-q"]).stdout))
        try box.write("m.json", semicolons)
        let piped = try box.succeed(["score", "m.json", "-", "--delimiter", ";"], stdin: "a;b\n1;2\n3;4.5\n2;7\n")
        #expect(Table(piped.stdout).numbers.count == 3)
        for bad in ["1", "ab", "."] {
            expectCleanFailure(try box.run(["fit", "semi.csv", "--delimiter", bad]), status: 64, facts: ["--delimiter"])
        }
    }

    @Test("fit without -o says the model was not saved")
    func modelNotSaved() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        #expect(try box.succeed(["fit", "old-faithful.csv", "-k", "2"]).stderr.contains("model not saved"))
    }
}
