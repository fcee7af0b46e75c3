// `--missing marginalize` on fit, predict and score, and `gmm impute`: data
// with gaps is an error by default, is fitted and scored through the observed
// values with the flag, the flag changes nothing for complete data, and rows
// or columns with no observed value are exit 65 naming them.

import Foundation
import Testing

/// Old Faithful with a gap in every 7th row (eruptions empty) and in most 11th rows (waiting NA):
/// 60 gaps in 60 rows.
func gappyFaithful() throws -> String {
    var lines = ["eruptions,waiting"]
    for (i, row) in try faithfulRows().enumerated() {
        let eruptions = i % 7 == 3 ? "" : String(row[0])
        let waiting = i % 11 == 5 && i % 7 != 3 ? "NA" : String(row[1])
        lines.append(eruptions + "," + waiting)
    }
    return lines.joined(separator: "\n") + "\n"
}

@Suite("gmm --missing and impute")
struct MissingValuesTests {
    @Test("gaps are an error by default, with file, line and column")
    func defaultIsError() throws {
        let box = try Sandbox()
        try box.write("gappy.csv", try gappyFaithful())
        expectCleanFailure(try box.run(["fit", "gappy.csv", "-k", "2"]), status: 65,
                           facts: ["gappy.csv:5:1", "empty cell"])
        try box.fitFaithful()
        expectCleanFailure(try box.run(["score", "m.json", "gappy.csv"]), status: 65, facts: ["gappy.csv:5:1"])
        expectCleanFailure(try box.run(["predict", "m.json", "gappy.csv", "--missing", "error"]), status: 65,
                           facts: ["gappy.csv:5:1"])
    }

    @Test("on complete data the flag changes nothing: same model file, same tables")
    func completeDataUnchanged() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        try box.succeed(["fit", "old-faithful.csv", "-k", "2", "-o", "plain.json"])
        try box.succeed(["fit", "old-faithful.csv", "-k", "2", "-o", "flag.json", "--missing", "marginalize"])
        let plain = try #require(box.text("plain.json"))
        let flagged = try #require(box.text("flag.json"))
        #expect(flagged == plain.replacingOccurrences(of: "\"seed\": 0}", with: "\"seed\": 0, \"missing\": \"marginalize\"}"))
        for command in [["score"], ["predict", "--probabilities"]] {
            let a = try box.succeed([command[0], "plain.json", "old-faithful.csv"] + command.dropFirst()).stdout
            let b = try box.succeed([command[0], "plain.json", "old-faithful.csv", "--missing", "marginalize"] + command.dropFirst()).stdout
            #expect(a == b, "\(command[0])")
        }
    }

    @Test("fit --missing marginalize records the gaps; score's mean is the fit's observed-data log-likelihood")
    func fitAndScore() throws {
        let box = try Sandbox()
        try box.write("gappy.csv", try gappyFaithful())
        let fit = try box.succeed(["fit", "gappy.csv", "-k", "2", "--missing", "marginalize", "-o", "m.json"])
        #expect(fit.stderr.contains("missing values:      60 cells in 60 rows"))
        let model = try ModelJSON.read("m.json", in: box)
        #expect(model.nSamples == 272)
        let text = try #require(box.text("m.json"))
        #expect(text.contains("\"missing\": \"marginalize\""))
        #expect(text.contains("\"missing_values\": {\"cells\": 60, \"rows\": 60"))

        let score = try box.succeed(["score", "m.json", "gappy.csv", "--missing", "marginalize"])
        let values = Table(score.stdout).numbers.map { $0[0] }
        #expect(values.count == 272 && values.allSatisfy { $0.isFinite })
        let mean = values.reduce(0, +) / 272
        #expect(isClose(mean, model.meanLogLikelihood, relative: 1e-12), "\(mean) vs \(model.meanLogLikelihood)")
        // A row missing a value has a larger density (a marginal) than the same row completed far away.
        let probabilities = Table(try box.succeed(["predict", "m.json", "gappy.csv", "--missing", "marginalize",
                                                   "--probabilities"]).stdout)
        #expect(probabilities.header == "p0,p1" && probabilities.rows.count == 272)
        for row in probabilities.numbers { #expect(abs(row.reduce(0, +) - 1) < 1e-12) }
        let labels = Table(try box.succeed(["predict", "m.json", "gappy.csv", "--missing", "marginalize"]).stdout)
        #expect(labels.rows.count == 272)
        let details = Table(try box.succeed(["predict", "m.json", "gappy.csv", "--missing", "marginalize", "--details"]).stdout)
        #expect(details.header == "component,probability,entropy,log_density,mahalanobis2,tail_probability")
        #expect(details.rows.count == 272)
        #expect(zip(details.numbers, values).allSatisfy { $0[3] == $1 }, "log_density is score's log P(x_o)")
        #expect(zip(details.rows, labels.rows).allSatisfy { $0[0] == $1[0] }, "the component is predict's label")
    }

    @Test("impute fills gaps with the conditional mean and keeps observed values; --draws stacks N copies")
    func impute() throws {
        let box = try Sandbox()
        try box.write("gappy.csv", try gappyFaithful())
        try box.succeed(["fit", "gappy.csv", "-k", "2", "--missing", "marginalize", "-o", "m.json"])
        let filled = Table(try box.succeed(["impute", "m.json", "gappy.csv"]).stdout)
        #expect(filled.header == "eruptions,waiting")
        let original = try faithfulRows()
        try #require(filled.rows.count == 272)
        for (i, row) in filled.numbers.enumerated() {
            #expect(row.allSatisfy { $0.isFinite }, "row \(i)")
            if i % 7 != 3 { #expect(row[0] == original[i][0]) }
            if i % 11 != 5 { #expect(row[1] == original[i][1]) }
        }
        // Short eruptions go with short waits: the conditional mean follows the observed value.
        let gaps = (0..<272).filter { $0 % 7 == 3 && $0 % 11 != 5 }
        let short = gaps.filter { original[$0][1] < 65 }.map { filled.numbers[$0][0] }
        let long = gaps.filter { original[$0][1] > 75 }.map { filled.numbers[$0][0] }
        #expect(short.allSatisfy { $0 < 3 } && long.allSatisfy { $0 > 3.5 })

        try box.succeed(["impute", "m.json", "gappy.csv", "--draws", "3", "--seed", "5", "-o", "draws.csv"])
        let draws = Table(try #require(box.text("draws.csv")))
        #expect(draws.header == "draw,eruptions,waiting")
        #expect(draws.rows.count == 3 * 272)
        #expect(draws.rows.map { $0[0] } == ["0", "1", "2"].flatMap { Array(repeating: Substring($0), count: 272) })
        let again = try box.succeed(["impute", "m.json", "gappy.csv", "--draws", "3", "--seed", "5"]).stdout
        #expect(again == box.text("draws.csv"), "same seed, same draws")
        #expect(draws.numbers[3][1] != draws.numbers[272 + 3][1], "independent draws differ")
        #expect(draws.numbers[0][1...] == filled.numbers[0][...], "a complete row is copied")
    }

    @Test("a row or a column with no observed value is exit 65 naming it")
    func emptyRowAndColumn() throws {
        let box = try Sandbox()
        try box.write("row.csv", "a,b\n1,2\n3,4\n\n ,NA\n5,6\n")
        try box.write("column.csv", "a,b\n1,\n3,NaN\n")
        expectCleanFailure(try box.run(["fit", "row.csv", "--missing", "marginalize"]), status: 65,
                           facts: ["row.csv:5:", "every value is missing"])
        expectCleanFailure(try box.run(["fit", "column.csv", "--missing", "marginalize"]), status: 65,
                           facts: ["column.csv", "column 2 (\"b\") is missing in every row"])
        try box.write("m.json", modelJSON(featureNames: #"["a", "b"]"#))
        expectCleanFailure(try box.run(["impute", "m.json", "row.csv"]), status: 65, facts: ["row.csv:5:"])
        expectCleanFailure(try box.run(["impute", "m.json", "row.csv", "-o", "out.csv"]), status: 65, facts: ["row.csv:5:"])
        #expect(try box.listing() == ["row.csv", "column.csv", "m.json"], "no output file left behind")
    }
}
