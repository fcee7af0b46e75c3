// `gmm fit --prior` and `gmm select --prior`: MAP EM with mclust's conjugate
// prior; the model file records the prior; combinations it does not support are
// usage errors (64) naming them.

import Foundation
import Testing

@Suite("gmm fit/select --prior")
struct PriorCommandTests {
    @Test("fit --prior writes the prior; same seed, same bytes; a refit from the file keeps its prior")
    func fitWritesPrior() throws {
        let box = try Sandbox()
        try box.copyBundled("iris.csv")
        let out = try box.succeed(["fit", "iris.csv", "-k", "3", "--covariance", "VEI", "--prior", "--reg-covar", "0",
                                   "-o", "m.json"])
        #expect(out.stderr.contains("prior:"))
        let text = try #require(box.text("m.json"))
        #expect(text.contains("\"prior\": {"))
        #expect(text.contains("\"shrinkage\": 0.01"))
        #expect(text.contains("\"dof\": 6.0"))
        // A file with the prior is an ordinary model file for every other command.
        try box.succeed(["info", "m.json"])
        try box.succeed(["score", "m.json", "iris.csv"])
        // The same seed gives the same bytes.
        try box.succeed(["fit", "iris.csv", "-k", "3", "--covariance", "VEI", "--prior", "--reg-covar", "0", "-o", "n.json"])
        #expect(box.bytes("m.json") == box.bytes("n.json"))
        // Refit on the first 100 rows from m.json: the prior is m.json's, not the subset's.
        let rows = try #require(box.text("iris.csv")).split(separator: "\n").prefix(101).joined(separator: "\n") + "\n"
        try box.write("part.csv", rows)
        try box.succeed(["fit", "part.csv", "--init-model", "m.json", "--prior", "-o", "r.json"])
        func priorBlock(_ text: String) -> Substring? {
            guard let start = text.range(of: "\"prior\": {") else { return nil }
            return text[start.lowerBound...].prefix { $0 != "}" }
        }
        let refit = try #require(box.text("r.json"))
        #expect(priorBlock(refit) != nil && priorBlock(refit) == priorBlock(text))
    }

    @Test("select --prior fits the ten models mclust defines the prior for, and writes the best one's prior")
    func selectUsesTen() throws {
        let box = try Sandbox()
        try box.copyBundled("iris.csv")
        let out = try box.succeed(["select", "iris.csv", "--prior", "--components", "2", "-o", "best.json",
                                   "--output-table", "t.csv"])
        let table = try #require(box.text("t.csv"))
        let rows = table.split(separator: "\n").dropFirst()
        #expect(rows.count == 10)
        for name in ["VEE", "EVE", "VVE", "EVV"] { #expect(!table.contains(",\(name),")) }
        #expect(!out.stdout.isEmpty)
        #expect(try #require(box.text("best.json")).contains("\"prior\": {"))
    }

    @Test("unsupported models and combinations are usage errors naming them",
          arguments: [
            (["fit", "iris.csv", "-k", "2", "--covariance", "VEE", "--prior"], "VEE"),
            (["fit", "iris.csv", "-k", "2", "--covariance", "EVV", "--prior"], "EVV"),
            (["fit", "iris.csv", "-k", "2", "--prior", "--method", "variational"], "--method variational"),
            (["fit", "iris.csv", "-k", "2", "--prior", "--online"], "--online"),
            (["fit", "iris.csv", "-k", "2", "--prior", "--missing", "marginalize"], "--missing marginalize"),
            (["select", "iris.csv", "--prior", "--covariance", "VVV,VVE"], "VVE"),
            (["select", "iris.csv", "--prior", "--method", "variational"], "--method variational"),
          ])
    func refused(_ args: [String], _ fact: String) throws {
        let box = try Sandbox()
        try box.copyBundled("iris.csv")
        expectCleanFailure(try box.run(args), status: 64, facts: [fact])
    }

    @Test("a cluster of duplicated rows collapses (exit 65) without --prior and fits with it")
    func degenerate() throws {
        let box = try Sandbox()
        var rows = ["a,b,c"]
        for i in 0..<40 {
            let t = Double(i)
            rows.append("\(sin(1.3 * t)),\(2 * cos(0.7 * t)),\(sin(2.1 * t + 1))")
        }
        rows += [String](repeating: "10,10,10", count: 6)
        try box.write("d.csv", rows.joined(separator: "\n") + "\n")
        try box.write("r.csv", "p,q\n" + (0..<46).map { $0 < 40 ? "1,0" : "0,1" }.joined(separator: "\n") + "\n")
        let args = ["fit", "d.csv", "--init-responsibilities", "r.csv", "--reg-covar", "0", "-q"]
        expectCleanFailure(try box.run(args), status: 65, facts: ["d.csv", "collapsed"])
        try box.succeed(args + ["--prior", "-o", "m.json"])
        #expect(try #require(box.text("m.json")).contains("\"prior\""))
    }

    @Test("a checkpoint of a fit with --prior resumes to the uninterrupted result, and only with --prior")
    func resume() throws {
        let box = try Sandbox()
        try box.copyBundled("iris.csv")
        let common = ["fit", "iris.csv", "-k", "3", "--covariance", "VEV", "--prior", "--tol", "0", "-q"]
        try box.succeed(common + ["--max-iter", "30", "-o", "a.json"])
        try box.succeed(common + ["--max-iter", "12", "--checkpoint", "c.json", "--checkpoint-every", "1", "-o", "partial.json"])
        try box.succeed(common + ["--max-iter", "30", "--resume", "c.json", "-o", "b.json"])
        #expect(box.bytes("a.json") == box.bytes("b.json"))
        let without = common.filter { $0 != "--prior" }
        expectCleanFailure(try box.run(without + ["--max-iter", "30", "--resume", "c.json"]), status: 64, facts: ["--prior"])
        try box.succeed(without + ["--max-iter", "12", "--checkpoint", "plain.json", "--checkpoint-every", "1", "-o", "p.json"])
        expectCleanFailure(try box.run(common + ["--max-iter", "30", "--resume", "plain.json"]), status: 64, facts: ["prior"])
    }

    @Test("a model file whose prior is malformed names the key", arguments: [
        ("\"scale\": 0.5", "\"scale\": [[1, 2], [3]]", "prior.scale"),
        ("\"dof\": 6.0", "\"dof\": -1", "prior.dof"),
        ("\"shrinkage\": 0.01", "\"shrinkage\": \"x\"", "prior.shrinkage"),
    ])
    func badPriorInFile(_ old: String, _ new: String, _ key: String) throws {
        let box = try Sandbox()
        try box.copyBundled("iris.csv")
        try box.succeed(["fit", "iris.csv", "-k", "2", "--covariance", "VVI", "--prior", "-o", "m.json"])
        var text = try #require(box.text("m.json"))
        let range = try #require(text.range(of: "\"scale\": "))
        // Make the scale the round number the cases replace.
        let end = try #require(text[range.upperBound...].firstIndex(of: "\n"))
        text.replaceSubrange(range.lowerBound..<end, with: "\"scale\": 0.5")
        text = text.replacingOccurrences(of: old, with: new)
        try box.write("bad.json", text)
        expectCleanFailure(try box.run(["info", "bad.json"]), status: 65, facts: ["bad.json", key])
    }
}
