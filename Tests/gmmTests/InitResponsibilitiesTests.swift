// `gmm fit --init-responsibilities FILE`: the start is an M-step from the table;
// a bad table is a data error (65) naming the file, line and column; flags that
// contradict it are usage errors (64).

import Foundation
import Testing

@Suite("gmm fit --init-responsibilities")
struct InitResponsibilitiesTests {
    /// A table of `rows` rows and `k` columns, one-hot on `row % k`, with a header.
    func oneHot(rows: Int, k: Int) -> String {
        (["a,b,c".split(separator: ",").prefix(k).joined(separator: ",")]
            + (0..<rows).map { i in (0..<k).map { $0 == i % k ? "1" : "0" }.joined(separator: ",") })
            .joined(separator: "\n") + "\n"
    }

    @Test("the column count sets K; the model equals the one started from the same M-step")
    func startsFromTable() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        try box.write("r.csv", oneHot(rows: 272, k: 3))
        try box.succeed(["fit", "old-faithful.csv", "--init-responsibilities", "r.csv", "--max-iter", "0", "-o", "start.json",
                         "--order", "mean"])
        let start = try #require(box.text("start.json"))
        #expect(start.contains("\"n_components\": 3"))
        #expect(start.contains("\"init\": \"responsibilities\""))
        // Continuing from that M-step's model gives the same fit as the table.
        try box.succeed(["fit", "old-faithful.csv", "--init-responsibilities", "r.csv", "-k", "3", "--max-iter", "10",
                         "--tol", "0", "-o", "a.json", "--order", "mean"])
        try box.succeed(["fit", "old-faithful.csv", "--init-model", "start.json", "--max-iter", "10", "--tol", "0",
                         "-o", "b.json"])
        let a = try #require(box.text("a.json")), b = try #require(box.text("b.json"))
        func parameters(_ text: String) -> Substring { text[text.range(of: "\"weights\"")!.lowerBound...].prefix(400) }
        #expect(parameters(a) == parameters(b))
    }

    @Test("bad tables are data errors naming file, line and column")
    func badTables() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        var lines = oneHot(rows: 272, k: 2).split(separator: "\n").map(String.init)
        let cases: [(String, [String], [String], Int32)] = {
            var negative = lines
            negative[3] = "1.5,-0.5"
            var offSum = lines
            offSum[5] = "0.5,0.4"
            return [
                ("short.csv", Array(lines.dropLast()), ["short.csv", "271 rows", "272 rows"], 65),
                ("negative.csv", negative, ["negative.csv:4:2", "non-negative", "-0.5"], 65),
                ("sum.csv", offSum, ["sum.csv:6:", "sum to 1", "0.9"], 65),
                ("text.csv", lines.enumerated().map { $0 == 2 ? "x,1" : $1 }, ["text.csv:3:1"], 65),
            ]
        }()
        for (name, table, facts, status) in cases {
            try box.write(name, table.joined(separator: "\n") + "\n")
            let outcome = try box.run(["fit", "old-faithful.csv", "--init-responsibilities", name, "-o", "m.json"])
            expectCleanFailure(outcome, status: status, facts: facts)
            #expect(box.text("m.json") == nil)
        }
        lines = oneHot(rows: 272, k: 2).split(separator: "\n").map(String.init)
        try box.write("r.csv", lines.joined(separator: "\n") + "\n")
        expectCleanFailure(try box.run(["fit", "old-faithful.csv", "--init-responsibilities", "r.csv", "-k", "3"]),
                           status: 65, facts: ["r.csv", "2 columns", "-k is 3"])
        for extra in [["--n-init", "2"], ["--init", "random"], ["--online", "--batch-size", "50"]] {
            expectCleanFailure(try box.run(["fit", "old-faithful.csv", "--init-responsibilities", "r.csv"] + extra),
                               status: 64, facts: ["--init-responsibilities"])
        }
    }

    @Test("weights, missing values and variational fits take the table")
    func otherPaths() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        try box.write("r.csv", oneHot(rows: 272, k: 2))
        try box.write("w.csv", "w\n" + (0..<272).map { String($0 % 3) }.joined(separator: "\n") + "\n")
        try box.succeed(["fit", "old-faithful.csv", "--init-responsibilities", "r.csv", "--sample-weights", "w.csv"])
        try box.succeed(["fit", "old-faithful.csv", "--init-responsibilities", "r.csv", "--missing", "marginalize"])
        try box.succeed(["fit", "old-faithful.csv", "--init-responsibilities", "r.csv", "--method", "variational",
                         "-o", "v.json"])
        #expect(box.text("v.json")?.contains("\"init\": \"responsibilities\"") == true)
    }
}
