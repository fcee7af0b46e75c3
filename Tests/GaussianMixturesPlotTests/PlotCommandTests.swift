// `gmm plot` end to end: every kind of figure on the bundled data, and the
// contract's exit statuses with one error line and no file left behind.

import Foundation
import Testing

@Suite("gmm plot")
struct PlotCommandTests {
    /// A scratch folder holding the bundled data and a fitted Old Faithful model.
    static func prepared() throws -> Scratch {
        let box = try Scratch()
        for name in ["old-faithful.csv", "iris.csv"] {
            try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("Data/\(name)").path, toPath: box.path(name))
        }
        let fit = try box.gmm(["fit", "old-faithful.csv", "-k", "2", "-o", "m.json"])
        try #require(fit.status == 0, "\(fit.stderr)")
        return box
    }

    @Test func everyKindOfFigure() throws {
        let box = try Self.prepared()
        #expect(try box.gmm(["fit", "iris.csv", "-k", "3", "-o", "iris.json"]).status == 0)
        #expect(try box.gmm(["select", "iris.csv", "--components", "1-3", "--output-table", "sel.csv"]).status == 0)
        let runs: [[String]] = [
            ["plot", "m.json", "old-faithful.csv", "-o", "a.svg"],
            ["plot", "m.json", "old-faithful.csv", "-o", "b.svg", "--density"],
            ["plot", "iris.json", "iris.csv", "-o", "c.svg"],
            ["plot", "iris.json", "iris.csv", "-o", "d.svg", "--dims", "petal_length,1", "--density"],
            ["plot", "--selection", "sel.csv", "-o", "e.svg"],
            ["plot", "--trace", "m.json", "-o", "f.svg"],
        ]
        var figures: [String: ParsedSVG] = [:]
        for args in runs {
            let outcome = try box.gmm(args)
            #expect(outcome.status == 0, "\(args): \(outcome.stderr)")
            #expect(outcome.stdout.isEmpty)
            let file = args[args.firstIndex(of: "-o")! + 1]
            figures[file] = try ParsedSVG(try #require(box.text(file)))
        }
        let a = try #require(figures["a.svg"]), b = try #require(figures["b.svg"]), c = try #require(figures["c.svg"])
        let d = try #require(figures["d.svg"]), e = try #require(figures["e.svg"]), f = try #require(figures["f.svg"])
        #expect(try a.count(element: "ellipse") == 4)
        #expect(try a.count(class: "point") == 272)
        #expect(try b.count(class: "contour") > 2)
        #expect(try c.count(element: "ellipse") == 6)
        let principal = try c.texts(class: "axis-label")
        #expect(principal.count == 2 && principal.allSatisfy { $0.hasPrefix("principal direction") })
        #expect(try d.texts(class: "axis-label") == ["petal_length", "sepal_width"])
        #expect(try d.count(class: "contour") > 2)
        #expect(try e.count(class: "best") == 3)
        #expect(try f.count(class: "trace") == 1)
    }

    struct Failure: Sendable, CustomTestStringConvertible {
        var args: [String]
        var status: Int32
        var fact: String
        var testDescription: String { args.joined(separator: " ") }
    }

    static let failures = [
        Failure(args: ["plot", "m.json", "old-faithful.csv"], status: 64, fact: "output"),
        Failure(args: ["plot", "-o", "x.svg"], status: 64, fact: "exactly one"),
        Failure(args: ["plot", "m.json", "-o", "x.svg"], status: 64, fact: "MODEL DATA"),
        Failure(args: ["plot", "m.json", "old-faithful.csv", "--trace", "m.json", "-o", "x.svg"], status: 64, fact: "exactly one"),
        Failure(args: ["plot", "--trace", "m.json", "--density", "-o", "x.svg"], status: 64, fact: "--density"),
        Failure(args: ["plot", "m.json", "old-faithful.csv", "--dims", "0", "-o", "x.svg"], status: 64, fact: "--dims"),
        Failure(args: ["plot", "m.json", "old-faithful.csv", "--dims", "0,0", "-o", "x.svg"], status: 64, fact: "same feature"),
        Failure(args: ["plot", "m.json", "old-faithful.csv", "--dims", "0,eruptions", "-o", "x.svg"], status: 64, fact: "same feature"),
        Failure(args: ["plot", "m.json", "old-faithful.csv", "--dims", "0,7", "-o", "x.svg"], status: 64, fact: "\"7\""),
        Failure(args: ["plot", "m.json", "old-faithful.csv", "--dims", "eruptions,height", "-o", "x.svg"], status: 64, fact: "height"),
        Failure(args: ["plot", "missing.json", "old-faithful.csv", "-o", "x.svg"], status: 66, fact: "missing.json"),
        Failure(args: ["plot", "m.json", "missing.csv", "-o", "x.svg"], status: 66, fact: "missing.csv"),
        Failure(args: ["plot", "--selection", "missing.csv", "-o", "x.svg"], status: 66, fact: "missing.csv"),
        Failure(args: ["plot", "--trace", "missing.json", "-o", "x.svg"], status: 66, fact: "missing.json"),
        Failure(args: ["plot", "--selection", "old-faithful.csv", "-o", "x.svg"], status: 65, fact: "old-faithful.csv:1"),
        Failure(args: ["plot", "--selection", "bad-table.csv", "-o", "x.svg"], status: 65, fact: "bad-table.csv:2:4"),
        Failure(args: ["plot", "--trace", "no-trace.json", "-o", "x.svg"], status: 65, fact: "log_likelihood_trace"),
        Failure(args: ["plot", "m.json", "iris.csv", "-o", "x.svg"], status: 65, fact: "iris.csv"),
        Failure(args: ["plot", "one.json", "old-faithful.csv", "--pairs", "-o", "x.svg"], status: 64, fact: "one feature"),
        Failure(args: ["plot", "one.json", "old-faithful.csv", "--dims", "0,1", "-o", "x.svg"], status: 64, fact: "one feature"),
        Failure(args: ["plot", "m.json", "old-faithful.csv", "--pairs", "--density", "-o", "x.svg"], status: 64, fact: "--pairs"),
        Failure(args: ["plot", "m.json", "old-faithful.csv", "--pairs", "--dims", "0", "-o", "x.svg"], status: 64, fact: "2 to 10"),
        Failure(args: ["plot", "m.json", "old-faithful.csv", "--dims", "0,1,0", "-o", "x.svg"], status: 64, fact: "--pairs"),
        Failure(args: ["plot", "--trace", "m.json", "--pairs", "-o", "x.svg"], status: 64, fact: "--pairs"),
        Failure(args: ["plot", "wide.json", "wide.csv", "--pairs", "-o", "x.svg"], status: 64, fact: "--dims"),
        Failure(args: ["plot", "m.json", "old-faithful.csv", "-o", "nowhere/x.svg"], status: 73, fact: "nowhere/x.svg"),
        Failure(args: ["plot", "--trace", "m.json", "-o", "folder"], status: 73, fact: "folder"),
    ]

    @Test(arguments: failures)
    func failsCleanly(_ failure: Failure) throws {
        let box = try Self.prepared()
        try box.write("bad-table.csv", "components,covariance,bic,aic,icl,best\n2,full,1,x,3,1\n")
        try box.write("no-trace.json", """
            {"format": "gmm-model", "version": 1, "covariance_type": "full", "feature_names": ["eruptions", "waiting"],
             "weights": [0.25, 0.75], "means": [[2, 55], [4.3, 80]],
             "covariances": [[[0.07, 0.44], [0.44, 33.7]], [[0.17, 0.94], [0.94, 36.0]]]}
            """)
        try box.write("one.json", """
            {"format": "gmm-model", "version": 1, "covariance_type": "full", "feature_names": ["eruptions"],
             "weights": [1], "means": [[2]], "covariances": [[[0.5]]]}
            """)
        // Eleven features: too many for --pairs without --dims.
        let names = (0..<11).map { "f\($0)" }
        try box.write("wide.json", """
            {"format": "gmm-model", "version": 1, "covariance_type": "diag", "feature_names": [\(names.map { "\"\($0)\"" }.joined(separator: ", "))],
             "weights": [1], "means": [[\(Array(repeating: "0", count: 11).joined(separator: ", "))]],
             "covariances": [[\(Array(repeating: "1", count: 11).joined(separator: ", "))]]}
            """)
        try box.write("wide.csv", names.joined(separator: ",") + "\n" + Array(repeating: "0.5", count: 11).joined(separator: ",") + "\n")
        try FileManager.default.createDirectory(atPath: box.path("folder"), withIntermediateDirectories: false)
        let before = try box.listing()
        let outcome = try box.gmm(failure.args)
        #expect(outcome.status == failure.status, "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(outcome.stderr)")
        #expect(lines.first?.hasPrefix("gmm: error: ") == true, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(failure.fact), "mentions \(failure.fact): \(outcome.stderr)")
        #expect(try box.listing() == before, "no file left behind")
    }
}
