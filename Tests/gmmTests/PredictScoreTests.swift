// `gmm predict` and `gmm score` on a model fitted to Old Faithful: headers,
// row counts, probabilities that sum to 1, labels that are their argmax,
// log densities whose mean is the model's own mean log-likelihood, numbers in
// shortest round-trip form, and --output equal to standard output.

import Testing

@Suite("gmm predict and score")
struct PredictScoreTests {
    @Test("predict prints one label per row")
    func labels() throws {
        let box = try Sandbox()
        try box.fitFaithful()

        let outcome = try box.succeed(["predict", "m.json", "old-faithful.csv"])

        let table = Table(outcome.stdout)
        #expect(table.header == "component")
        #expect(table.rows.count == 272)
        #expect(table.rows.allSatisfy { $0 == ["0"] || $0 == ["1"] })
        #expect(Set(table.rows.map { $0[0] }) == ["0", "1"], "both components are used")
    }

    @Test("--probabilities rows sum to 1 and their argmax is the label", arguments: [1, 2, 3])
    func probabilities(_ componentCount: Int) throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        try box.succeed(["fit", "old-faithful.csv", "-k", String(componentCount), "-o", "m.json"])

        let probabilities = Table(try box.succeed(["predict", "m.json", "old-faithful.csv", "--probabilities"]).stdout)
        let labels = Table(try box.succeed(["predict", "m.json", "old-faithful.csv"]).stdout)

        #expect(probabilities.header == (0..<componentCount).map { "p\($0)" }.joined(separator: ","))
        try #require(probabilities.rows.count == 272 && labels.rows.count == 272)
        for (i, row) in probabilities.numbers.enumerated() {
            #expect(row.count == componentCount, "row \(i)")
            #expect(row.allSatisfy { $0 >= 0 && $0 <= 1 }, "row \(i): \(row)")
            #expect(abs(row.reduce(0, +) - 1) <= 1e-12, "row \(i) sums to \(row.reduce(0, +))")
            let argmax = row.indices.max { row[$0] < row[$1] } ?? -1
            #expect(labels.rows[i] == [Substring(String(argmax))], "row \(i): \(row) vs label \(labels.rows[i])")
        }
        for cell in probabilities.rows.joined() {
            #expect(isShortestRoundTrip(cell), "\(cell) is in shortest round-trip form")
        }
    }

    @Test("score's mean equals its column's mean and the model's mean log-likelihood")
    func scoreAgreesWithFit() throws {
        let box = try Sandbox()
        try box.fitFaithful()

        let outcome = try box.succeed(["score", "m.json", "old-faithful.csv"])

        let table = Table(outcome.stdout)
        #expect(table.header == "log_density")
        #expect(table.rows.count == 272)
        #expect(table.rows.allSatisfy { $0.count == 1 })
        let values = table.numbers.map { $0[0] }
        #expect(values.allSatisfy { $0.isFinite })
        for cell in table.rows.joined() {
            #expect(isShortestRoundTrip(cell), "\(cell) is in shortest round-trip form")
        }
        let columnMean = values.reduce(0, +) / Double(values.count)
        let printedMean = try #require(number(after: "mean log-likelihood:", in: outcome.stderr),
                                       "the mean is on standard error: \(outcome.stderr)")
        let model = try ModelJSON.read("m.json", in: box)
        // The summary rounds to 6 significant digits (Formatting.swift): within half a unit of the 6th.
        #expect(isClose(printedMean, columnMean, relative: 5e-6), "\(printedMean) vs \(columnMean)")
        #expect(outcome.stderr.contains("mean log-likelihood: \(String(format: "%.6g", columnMean)) over 272 rows"),
                "\(outcome.stderr)")
        #expect(isClose(columnMean, model.meanLogLikelihood, relative: 1e-12))
    }

    static let tableCommands: [[String]] = [
        ["predict", "m.json", "old-faithful.csv"],
        ["predict", "m.json", "old-faithful.csv", "--probabilities"],
        ["score", "m.json", "old-faithful.csv"],
        ["sample", "m.json", "-n", "50", "--seed", "4"],
        ["sample", "m.json", "-n", "50", "--seed", "4", "--labels"],
    ]

    @Test("--output writes the same bytes as standard output", arguments: tableCommands, ["--output", "-o"])
    func outputFileEqualsStandardOutput(_ command: [String], _ flag: String) throws {
        let box = try Sandbox()
        try box.fitFaithful()

        let printed = try box.succeed(command).stdout
        let written = try box.succeed(command + [flag, "table.csv"])

        #expect(written.stdout.isEmpty)
        #expect(!printed.isEmpty)
        #expect(box.text("table.csv") == printed)
        #expect(try box.listing() == ["old-faithful.csv", "m.json", "table.csv"], "no temporary file left")
    }

    @Test("standard input gives the same output as the file", arguments: [
        ["predict", "m.json", "-"],
        ["predict", "m.json", "-", "--probabilities"],
        ["score", "m.json", "-"],
    ])
    func standardInputEqualsFile(_ command: [String]) throws {
        let box = try Sandbox()
        try box.fitFaithful()
        let csv = try #require(box.text("old-faithful.csv"))

        let fromStdin = try box.succeed(command, stdin: csv).stdout
        let fromFile = try box.succeed(command.map { $0 == "-" ? "old-faithful.csv" : $0 }).stdout

        #expect(!fromFile.isEmpty)
        #expect(fromStdin == fromFile)
    }
}
