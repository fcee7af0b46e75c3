// `gmm convert` (CSV ⇄ .npy, TSV, columns, errors) and `gmm fit --online`
// end to end, plus the hint that a large CSV should be converted.

import Foundation
import Testing

@Suite("gmm convert and gmm fit --online")
struct ConvertOnlineTests {
    /// A CSV with awkward numbers: 17 significant digits, subnormal, huge, negative zero, integers.
    static let awkward = """
        a,b,c
        0.1,-2.5e-310,1.7976931348623157e308
        3.141592653589793,-0.0,12345678901234567890
        1e-5,2.220446049250313e-16,-7
        """ + "\n"

    @Test("CSV → .npy → CSV gives the same numbers to the bit, and the .npy is NumPy's float64 C-order layout")
    func roundTrip() throws {
        let box = try Sandbox()
        try box.write("in.csv", Self.awkward)
        let toNpy = try box.succeed(["convert", "in.csv", "out.npy"])
        #expect(toNpy.stderr.contains("converted 3 rows × 3 columns: in.csv → out.npy"))
        #expect(toNpy.stderr.contains("x0 = a, x1 = b, x2 = c"))
        let values = Table(Self.awkward).numbers.flatMap { $0 }
        let npy = try #require(box.bytes("out.npy"))
        #expect(npy == npyFile(descr: "<f8", shape: [3, 3], payload: float64Bytes(values)))
        #expect(npy.count == 128 + 72)   // a 128-byte header (data aligned to 64), 9 doubles
        try box.succeed(["convert", "out.npy", "back.csv"])
        let back = try #require(box.text("back.csv"))
        #expect(back.hasPrefix("x0,x1,x2\n"))
        let original = Table(Self.awkward).numbers.flatMap { $0 }.map(\.bitPattern)
        #expect(Table(back).numbers.flatMap { $0 }.map(\.bitPattern) == original)
        // Converting the CSV straight back to CSV keeps the names too.
        let direct = try box.succeed(["convert", "in.csv", "-"]).stdout
        #expect(direct == "a,b,c\n" + back.split(separator: "\n", maxSplits: 1)[1])
    }

    @Test("TSV output, --columns, standard input, and Fortran-order / float32 .npy normalised to float64 C order")
    func formatsAndColumns() throws {
        let box = try Sandbox()
        try box.write("in.csv", Self.awkward)
        try box.succeed(["convert", "in.csv", "out.tsv", "--columns", "c,a"])
        #expect(box.text("out.tsv") == "c\ta\n1.7976931348623157e+308\t0.1\n1.2345678901234567e+19\t3.141592653589793\n-7.0\t1e-05\n")
        let piped = try box.succeed(["convert", "-", "p.npy", "-q"], stdin: "1,2\n3,4\n")
        #expect(piped.stderr.isEmpty)
        #expect(box.bytes("p.npy") == npyFile(descr: "<f8", shape: [2, 2], payload: float64Bytes([1, 2, 3, 4])))
        // Column-major float32 [[1, 2], [3, 4]] is stored as 1, 3, 2, 4.
        let f4 = [Float(1), 3, 2, 4].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian) { Array($0) } }
        try box.write("f.npy", bytes: npyFile(descr: "<f4", shape: [2, 2], fortranOrder: true, payload: f4))
        try box.succeed(["convert", "f.npy", "c.npy"])
        #expect(box.bytes("c.npy") == npyFile(descr: "<f8", shape: [2, 2], payload: float64Bytes([1, 2, 3, 4])))
    }

    @Test("convert errors: bad cell, unknown column, missing input, unwritable output, bad .npy; nothing left behind")
    func errors() throws {
        let box = try Sandbox()
        try box.write("bad.csv", "a,b\n1,2\n3,abc\n")
        expectCleanFailure(try box.run(["convert", "bad.csv", "out.npy"]), status: 65, facts: ["bad.csv:3:2", "abc"])
        try box.write("in.csv", Self.awkward)
        expectCleanFailure(try box.run(["convert", "in.csv", "out.npy", "--columns", "zz"]), status: 65, facts: ["in.csv", "zz"])
        expectCleanFailure(try box.run(["convert", "missing.csv", "out.npy"]), status: 66, facts: ["missing.csv"])
        expectCleanFailure(try box.run(["convert", "in.csv", "no/such/folder/out.npy"]), status: 73, facts: ["out.npy"])
        try box.write("big-endian.npy", bytes: npyFile(descr: ">f8", shape: [1, 1], payload: float64Bytes([1], bigEndian: true)))
        expectCleanFailure(try box.run(["convert", "big-endian.npy", "out.csv"]), status: 65, facts: ["big-endian.npy", "big-endian"])
        try box.write("short.npy", bytes: Array(npyFile(descr: "<f8", shape: [4, 2], payload: float64Bytes([1, 2, 3])).dropLast(3)))
        expectCleanFailure(try box.run(["convert", "short.npy", "out.csv"]), status: 65, facts: ["short.npy", "truncated"])
        #expect(try box.listing() == ["bad.csv", "big-endian.npy", "in.csv", "short.npy"])
    }

    @Test("fit --online on the .npy writes a model whose log-likelihood is close to batch EM's, with the online options recorded")
    func onlineFit() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        try box.succeed(["convert", "old-faithful.csv", "faithful.npy", "-q"])
        let batch = try box.succeed(["fit", "faithful.npy", "-k", "2", "-o", "batch.json"])
        let online = try box.succeed(["fit", "faithful.npy", "-k", "2", "--online", "--batch-size", "32",
                                      "--step-decay", "0.7", "--epochs", "3", "-o", "online.json"])
        let batchLL = try #require(number(after: "mean log-likelihood:", in: batch.stderr))
        let onlineLL = try #require(number(after: "mean log-likelihood:", in: online.stderr))
        #expect(abs(batchLL - onlineLL) < 0.02, "batch \(batchLL), online \(onlineLL)")
        #expect(!online.stderr.contains("did not converge"))
        let model = try #require(box.text("online.json"))
        #expect(model.contains("\"method\": \"online\", \"batch_size\": 32, \"step_decay\": 0.7, \"epochs\": 3"))
        // 272 rows in batches of 32: 8 full batches and a 16-row one, per epoch.
        #expect(model.contains("\"n_iter\": 27"))
        // The saved log-likelihood is the model's own on all rows.
        let scored = try box.succeed(["score", "online.json", "old-faithful.csv"])
        #expect(number(after: "mean log-likelihood:", in: scored.stderr) == onlineLL)
        // Same seed, same file, byte for byte.
        try box.succeed(["fit", "faithful.npy", "-k", "2", "--online", "--batch-size", "32", "--step-decay", "0.7",
                         "--epochs", "3", "-o", "again.json"])
        #expect(box.bytes("again.json") == box.bytes("online.json"))
    }

    @Test("online flags: ranges, needing --online, not with --method variational")
    func onlineUsage() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        for (args, fact) in [
            (["--online", "--step-decay", "0.5"], "--step-decay"), (["--online", "--step-decay", "1.5"], "--step-decay"),
            (["--online", "--batch-size", "0"], "--batch-size"), (["--online", "--epochs", "0"], "--epochs"),
            (["--batch-size", "10"], "--online"), (["--online", "--method", "variational"], "--online"),
        ] {
            expectCleanFailure(try box.run(["fit", "old-faithful.csv", "-k", "2"] + args), status: 64, facts: [fact])
        }
        expectCleanFailure(try box.run(["fit", "old-faithful.csv", "-k", "3", "--online", "--batch-size", "2"]),
                           status: 65, facts: ["old-faithful.csv", "3 components", "2 rows"])
    }

    @Test("a CSV large compared with physical memory gets a one-line hint to convert it; a .npy does not")
    func largeTextHint() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        try box.succeed(["convert", "old-faithful.csv", "faithful.npy", "-q"])
        let small = ["GMM_PHYSICAL_MEMORY": "8000"]
        let hinted = try box.succeed(["fit", "old-faithful.csv", "-k", "2", "-q"], environment: small)
        #expect(hinted.stderrLines.count == 1)
        #expect(hinted.stderr.contains("gmm convert old-faithful.csv old-faithful.npy"))
        #expect(try box.succeed(["fit", "faithful.npy", "-k", "2", "-q"], environment: small).stderr.isEmpty)
        #expect(try box.succeed(["fit", "old-faithful.csv", "-k", "2", "-q"]).stderr.isEmpty)
    }
}
