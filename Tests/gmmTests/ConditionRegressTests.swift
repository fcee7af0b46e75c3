// `gmm condition` and `gmm regress`.

import Foundation
import Testing

@Suite("gmm condition and regress")
struct ConditionRegressTests {
    @Test("condition prints the conditional mixture, writes it as a model, and samples from it")
    func condition() throws {
        let box = try Sandbox()
        try box.fitFaithful()
        let printed = try box.succeed(["condition", "m.json", "--given", "waiting=80"]).stdout
        #expect(printed.hasPrefix("P(eruptions | waiting = 80.0):"))
        try box.succeed(["condition", "m.json", "--given", "waiting=80", "-o", "c.json"])
        let bytes = try #require(box.bytes("c.json"))
        let model = try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(model["n_features"] as? Int == 1 && model["feature_names"] as? [String] == ["eruptions"])
        let drawn = Table(try box.succeed(["condition", "m.json", "--given", "1=80", "--sample", "2000", "--seed", "4"]).stdout)
        #expect(drawn.header == "eruptions" && drawn.rows.count == 2000)
        // After a long wait the eruption is long: the conditional mean is near 4.3 minutes.
        let mean = drawn.numbers.map { $0[0] }.reduce(0, +) / 2000
        #expect(abs(mean - 4.29) < 0.05)
    }

    @Test("regress predicts the target from the other columns, with an interval around the mean")
    func regress() throws {
        let box = try Sandbox()
        try box.fitFaithful()
        let table = Table(try box.succeed(["regress", "m.json", "old-faithful.csv", "--targets", "eruptions", "--interval", "0.9"]).stdout)
        #expect(table.header == "eruptions,eruptions_lower,eruptions_upper")
        #expect(table.rows.count == 272)
        for row in table.numbers { #expect(row[1] < row[0] && row[0] < row[2]) }
        // The waiting time explains eruptions well: most rows fall inside their 90 % interval.
        let actual = try faithfulRows().map { $0[0] }
        let inside = zip(actual, table.numbers).filter { $0 >= $1[1] && $0 <= $1[2] }.count
        #expect(inside > 230)
    }

    @Test("unknown features and bad --given are clear errors")
    func errors() throws {
        let box = try Sandbox()
        try box.fitFaithful()
        expectCleanFailure(try box.run(["condition", "m.json", "--given", "nope=1"]), status: 65, facts: ["nope"])
        expectCleanFailure(try box.run(["condition", "m.json", "--given", "waiting"]), status: 64, facts: ["--given"])
        expectCleanFailure(try box.run(["condition", "m.json", "--given", "waiting=1,eruptions=2"]), status: 65, facts: ["every feature is given"])
        expectCleanFailure(try box.run(["regress", "m.json", "old-faithful.csv", "--targets", "nope"]), status: 65, facts: ["nope"])
        expectCleanFailure(try box.run(["regress", "m.json", "old-faithful.csv", "--targets", "eruptions", "--interval", "1.5"]),
                           status: 64, facts: ["--interval"])
    }
}

@Suite("gmm predict on a variational model")
struct VariationalPredictTests {
    @Test("P(c|x) rows sum to 1 and the labels are their argmax")
    func responsibilities() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        try box.succeed(["fit", "old-faithful.csv", "-k", "4", "--method", "variational", "--max-iter", "300", "-q", "-o", "vb.json"])
        let probabilities = Table(try box.succeed(["predict", "vb.json", "old-faithful.csv", "--probabilities"]).stdout)
        let labels = Table(try box.succeed(["predict", "vb.json", "old-faithful.csv"]).stdout)
        #expect(probabilities.header == "p0,p1,p2,p3" && probabilities.rows.count == 272)
        for (p, label) in zip(probabilities.numbers, labels.numbers) {
            #expect(abs(p.reduce(0, +) - 1) < 1e-12)
            #expect(Double(p.indices.max { p[$0] < p[$1] }!) == label[0])
        }
    }
}
