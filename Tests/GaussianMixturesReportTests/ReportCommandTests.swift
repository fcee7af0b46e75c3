// `gmm report` without a browser: the page is one self-contained file (no
// address to fetch anything from), `-o -` is standard output, and bad input
// follows the contract — one line `gmm: error: …`, the contract's status,
// and no file left behind.

import Foundation
import Testing

@Suite("gmm report command")
struct ReportCommandTests {
    static func prepared() throws -> Scratch {
        let box = try Scratch()
        try box.gmmSucceeds(["fit", "old-faithful.csv", "-k", "2", "-q", "-o", "m.json"])
        return box
    }

    @Test func selfContainedPage() throws {
        let box = try Self.prepared()
        let written = try box.gmmSucceeds(["report", "m.json", "old-faithful.csv", "-o", "r.html"])
        #expect(written.stdout.isEmpty)
        let page = try #require(box.text("r.html"))
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        for remote in ["src=\"http", "href=\"http", "@import", "url(http", "fetch(", "XMLHttpRequest"] {
            #expect(!page.contains(remote), "the page refers to \(remote)")
        }
        let standardOutput = try box.gmmSucceeds(["report", "m.json", "old-faithful.csv", "-o", "-"])
        #expect(standardOutput.stdout == page)
        #expect(try box.listing() == ["old-faithful.csv", "iris.csv", "m.json", "r.html"])
    }

    @Test func dataFromStandardInput() throws {
        let box = try Self.prepared()
        let fromFile = try box.gmmSucceeds(["report", "m.json", "old-faithful.csv", "-o", "-", "--title", "t"])
        let process = try run(URL(fileURLWithPath: "/bin/sh"), ["-c", "\"$0\" report m.json - -o - --title t < old-faithful.csv", gmmBinary.path],
                              in: box.folder)
        #expect(process.status == 0, "\(process.stderr)")
        // The same page but for the data's name in its header.
        #expect(process.stdout == fromFile.stdout.replacingOccurrences(of: "data <code>old-faithful.csv</code>", with: "data <code>&lt;stdin&gt;</code>"))
    }

    /// Each drawn row gets its own kept cells, across blank lines, quoted delimiters and rows skipped between drawn ones.
    @Test func keptCellsBelongToTheirRows() throws {
        let box = try Self.prepared()
        let lines = try #require(box.text("old-faithful.csv")).split(separator: "\n").dropFirst()
        var text = "name,eruptions,waiting\n"
        for (i, line) in lines.enumerated() {
            text += "\"id-\(i), \"\"x\"\"\",\(line)\n"
            if i % 50 == 7 { text += "\n   \n" }   // blank lines are not rows
        }
        try box.write("named.csv", text)
        let page = try box.gmmSucceeds(["report", "m.json", "named.csv", "--columns", "eruptions,waiting", "--keep-columns", "name",
                                        "--max-points", "30", "-o", "-"]).stdout
        let start = try #require(page.range(of: "<script type=\"application/json\" id=\"report-data\">"))
        let end = try #require(page.range(of: "</script>", range: start.upperBound..<page.endIndex))
        let data = try #require(try JSONSerialization.jsonObject(with: Data(page[start.upperBound..<end.lowerBound].utf8)) as? [String: Any])
        let points = try #require(data["points"] as? [String: Any])
        let rows = try #require(points["row"] as? [Int]), kept = try #require(points["kept"] as? [[String]])
        #expect(rows.count == 30 && kept.count == 30)
        for (row, cells) in zip(rows, kept) { #expect(cells == ["id-\(row), \"x\""]) }
    }

    @Test func sameSeedSamePage() throws {
        let box = try Self.prepared()
        try box.gmmSucceeds(["report", "m.json", "old-faithful.csv", "--max-points", "50", "-o", "a.html"])
        try box.gmmSucceeds(["report", "m.json", "old-faithful.csv", "--max-points", "50", "-o", "b.html"])
        try box.gmmSucceeds(["report", "m.json", "old-faithful.csv", "--max-points", "50", "--seed", "3", "-o", "c.html"])
        #expect(box.text("a.html") == box.text("b.html"))
        #expect(box.text("a.html") != box.text("c.html"))
    }

    struct Failure: Sendable, CustomTestStringConvertible {
        var args: [String]
        var status: Int32
        var fact: String
        var testDescription: String { args.joined(separator: " ") }
    }

    static let failures = [
        Failure(args: ["report", "m.json", "old-faithful.csv"], status: 64, fact: "output"),
        Failure(args: ["report", "m.json", "old-faithful.csv", "-o", "x.html", "--max-points", "5"], status: 64, fact: "--max-points"),
        Failure(args: ["report", "m.json", "-", "-o", "x.html", "--keep-columns", "0"], status: 64, fact: "--keep-columns"),
        Failure(args: ["report", "missing.json", "old-faithful.csv", "-o", "x.html"], status: 66, fact: "missing.json"),
        Failure(args: ["report", "m.json", "missing.csv", "-o", "x.html"], status: 66, fact: "missing.csv"),
        Failure(args: ["report", "m.json", "iris.csv", "-o", "x.html"], status: 65, fact: "iris.csv"),
        Failure(args: ["report", "old-faithful.csv", "old-faithful.csv", "-o", "x.html"], status: 65, fact: "old-faithful.csv"),
        Failure(args: ["report", "m.json", "old-faithful.csv", "-o", "x.html", "--keep-columns", "height"], status: 65, fact: "height"),
        Failure(args: ["report", "m.json", "old-faithful.csv", "-o", "no-such-folder/x.html"], status: 73, fact: "no-such-folder"),
        Failure(args: ["report", "one.json", "old-faithful.csv", "--columns", "waiting", "-o", "x.html"], status: 65, fact: "one feature"),
    ]

    @Test(arguments: failures)
    func failsByTheContract(_ failure: Failure) throws {
        let box = try Self.prepared()
        if failure.args.contains("one.json") {
            try box.gmmSucceeds(["fit", "old-faithful.csv", "--columns", "waiting", "-k", "2", "-q", "-o", "one.json"])
        }
        let before = try box.listing()
        let outcome = try box.gmm(failure.args)
        #expect(outcome.status == failure.status, "\(outcome.stderr)")
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("gmm: error: ") && lines[0].contains(failure.fact), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
        #expect(try box.listing() == before, "a file was left behind")
    }
}
