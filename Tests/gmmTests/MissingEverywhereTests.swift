// Issue 19, item 8: `--missing marginalize` wherever data is read — select,
// classify fit, plot and report. Each result on data with gaps equals the
// equivalent computation (select's chosen candidate is `fit --missing
// marginalize` with its K, model and start, to the bit), complete data is
// unchanged by the flag, and what fit refuses with the flag select refuses too.

import Foundation
import Testing

@Suite("--missing marginalize on select, classify fit, plot and report")
struct MissingEverywhereTests {
    /// The parameters and scores of a model file (what must agree to the bit).
    private func parameters(_ name: String, in box: Sandbox) throws -> [String] {
        let model = try ModelJSON.read(name, in: box)
        return [model.covarianceType, "\(model.weights)", "\(model.means)", "\(model.covariances)",
                "\(model.meanLogLikelihood)", "\(model.bic)", "\(model.nIter)"]
    }

    @Test("select's best candidate is fit --missing marginalize with its K, model and start, to the bit",
          arguments: [[], ["--init", "kmeans"], ["--init", "hc", "--criterion", "icl"]])
    func selectEqualsFit(_ extra: [String]) throws {
        let box = try Sandbox()
        try box.write("gappy.csv", try gappyFaithful())
        let select = try box.succeed(["select", "gappy.csv", "--missing", "marginalize", "--components", "1-3",
                                      "--covariance", "full,diag,EEE", "-o", "best.json"] + extra)
        #expect(select.stderr.contains("missing values:      60 cells in 60 rows"))
        let best = try ModelJSON.read("best.json", in: box)
        let start = extra.first == "--init" ? extra[1] : "hc"   // select's default start is hc
        try box.succeed(["fit", "gappy.csv", "--missing", "marginalize", "--init", start, "-k", "\(best.nComponents)",
                         "--covariance", best.covarianceType, "-o", "fit.json"])
        #expect(try parameters("best.json", in: box) == parameters("fit.json", in: box))
        #expect(try box.text("best.json")?.contains("\"missing_values\": {\"cells\": 60, \"rows\": 60") == true)
    }

    @Test("select --missing marginalize on complete data: the same table and model as without the flag")
    func selectCompleteUnchanged() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        let args = ["select", "old-faithful.csv", "--components", "1-2", "--covariance", "full,diag"]
        try box.succeed(args + ["-o", "a.json", "--output-table", "a.csv"])
        try box.succeed(args + ["-o", "b.json", "--output-table", "b.csv", "--missing", "marginalize"])
        // Every column but `seconds` (the 9th).
        func withoutSeconds(_ name: String) throws -> [[Substring]] {
            try #require(box.text(name)).split(separator: "\n").map { line in
                var cells = line.split(separator: ",", omittingEmptySubsequences: false)
                cells.remove(at: 8)
                return cells
            }
        }
        #expect(try withoutSeconds("a.csv") == withoutSeconds("b.csv"))
        #expect(try parameters("a.json", in: box) == parameters("b.json", in: box))
    }

    @Test("select refuses with --missing marginalize what fit refuses (64); gaps without the flag are exit 65")
    func selectRefusals() throws {
        let box = try Sandbox()
        try box.write("gappy.csv", try gappyFaithful())
        for other in [["--noise"], ["--prior"], ["--standardize"], ["--method", "variational"]] {
            let outcome = try box.run(["select", "gappy.csv", "--missing", "marginalize", "--components", "1-2"] + other)
            expectCleanFailure(outcome, status: 64, facts: ["--missing marginalize cannot be used with \(other[0])"])
        }
        expectCleanFailure(try box.run(["select", "gappy.csv", "--components", "1-2"]), status: 65, facts: ["gappy.csv:5:1"])
    }

    // MARK: - classify fit

    /// Old Faithful with a class (eruptions above 3 minutes: long) and gaps: waiting empty in
    /// every 7th row, eruptions NA in most 11th rows.
    private func gappyClasses() throws -> (all: String, short: String) {
        var all = ["eruptions,waiting,kind"], short = ["eruptions,waiting"]
        for (i, row) in try faithfulRows().enumerated() {
            let kind = row[0] > 3 ? "long" : "short"
            let eruptions = i % 11 == 5 && i % 7 != 3 ? "NA" : String(row[0])
            let waiting = i % 7 == 3 ? "" : String(row[1])
            all.append("\(eruptions),\(waiting),\(kind)")
            if kind == "short" { short.append("\(eruptions),\(waiting)") }
        }
        return (all.joined(separator: "\n") + "\n", short.joined(separator: "\n") + "\n")
    }

    /// Weights, means and covariances of mixture `index` of a classifier file, or of a model file (`index` nil),
    /// as exact decimal texts.
    private func mixtureParameters(_ name: String, index: Int?, in box: Sandbox) throws -> [String] {
        let bytes = try #require(box.bytes(name))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        var model = object
        if let index {
            let mixtures = try #require(object["mixtures"] as? [[String: Any]])
            model = mixtures[index]
        }
        // Component by component, in a fixed order (fit numbers components by weight; a classifier keeps EM's order).
        let weights = try #require(model["weights"] as? [Double])
        let means = try #require(model["means"] as? [Any])
        let covariances = try #require(model["covariances"] as? [Any])
        let shared = covariances.count != weights.count   // tied: one matrix
        let components = weights.indices.map { k in
            "\(weights[k]) \(means[k]) " + (shared ? "" : "\(covariances[k])")
        }.sorted()
        return components + ["\(model["covariance_type"] ?? "absent")"] + (shared ? ["\(covariances)"] : [])
    }

    @Test("classify fit --missing marginalize: each class's mixture is fit --missing marginalize on its rows, to the bit")
    func classifyMclustDA() throws {
        let box = try Sandbox()
        let (all, short) = try gappyClasses()
        try box.write("c.csv", all)
        try box.write("short.csv", short)
        let out = try box.succeed(["classify", "fit", "c.csv", "--labels", "kind", "--missing", "marginalize", "-k", "1-2",
                                   "--covariance", "full,diag", "-o", "c.json", "--cv", "3"])
        #expect(out.stderr.contains("missing values:      60 cells in 60 rows"))
        #expect(out.stderr.contains("3-fold cross-validation"))
        // The short class: its chosen K and family, refitted alone.
        let line = try #require(out.stderrLines.first { $0.hasPrefix("  short ") })
        let cells = line.split(separator: " ")
        try box.succeed(["fit", "short.csv", "--missing", "marginalize", "--init", "hc", "-k", String(cells[4]),
                         "--covariance", String(cells[3]), "-o", "short.json"])
        #expect(try mixtureParameters("c.json", index: 1, in: box) == mixtureParameters("short.json", index: nil, in: box))
        // Its training record is P(class | x_o): what classify evaluate computes from the file.
        let evaluated = try box.succeed(["classify", "evaluate", "c.json", "c.csv", "--labels", "kind", "--missing", "marginalize"])
        let errorRate = try #require(number(after: "error rate:", in: evaluated.stdout))
        #expect(number(after: "error rate:", in: out.stderr) == errorRate)
        // Without the flag the gaps are exit 65.
        expectCleanFailure(try box.run(["classify", "fit", "c.csv", "--labels", "kind"]), status: 65, facts: ["c.csv"])
    }

    @Test("classify fit --edda --missing marginalize: the fit of fit --labels with every row labelled, to the bit")
    func classifyEDDA() throws {
        let box = try Sandbox()
        try box.write("c.csv", try gappyClasses().all)
        try box.succeed(["classify", "fit", "c.csv", "--labels", "kind", "--edda", "--missing", "marginalize",
                         "--covariance", "tied", "-o", "c.json"])
        try box.succeed(["fit", "c.csv", "--labels", "kind", "--missing", "marginalize", "-k", "2", "--covariance", "tied",
                         "-o", "f.json"])
        #expect(try mixtureParameters("c.json", index: 0, in: box) == mixtureParameters("f.json", index: nil, in: box))
    }

    @Test("classify fit --missing marginalize on complete data: the same classifier as without the flag")
    func classifyCompleteUnchanged() throws {
        let box = try Sandbox()
        var text = "eruptions,waiting,kind\n"
        for row in try faithfulRows() { text += "\(row[0]),\(row[1]),\(row[0] > 3 ? "long" : "short")\n" }
        try box.write("c.csv", text)
        let args = ["classify", "fit", "c.csv", "--labels", "kind", "-k", "1-2", "--covariance", "full,diag"]
        try box.succeed(args + ["-o", "a.json"])
        try box.succeed(args + ["-o", "b.json", "--missing", "marginalize"])
        for index in 0..<2 {
            #expect(try mixtureParameters("a.json", index: index, in: box) == mixtureParameters("b.json", index: index, in: box))
        }
    }

    // MARK: - plot and report

    /// The gappy Old Faithful, and its complete rows alone.
    private func gappyAndComplete() throws -> (gappy: String, complete: String, left: Int) {
        let gappy = try gappyFaithful()
        let lines = gappy.split(separator: "\n")
        let complete = lines.filter { !$0.contains(",,") && !$0.hasPrefix(",") && !$0.hasSuffix(",") && !$0.contains("NA") }
        return (gappy, complete.joined(separator: "\n") + "\n", lines.count - complete.count)
    }

    @Test("plot --missing marginalize draws the complete rows, the figure of those rows alone; a note counts the others",
          arguments: [[String](), ["--pairs"], ["--density"]])
    func plotLeavesGapsOut(_ extra: [String]) throws {
        let box = try Sandbox()
        try box.fitFaithful()
        let (gappy, complete, left) = try gappyAndComplete()
        try box.write("gappy.csv", gappy)
        try box.write("complete.csv", complete)
        let out = try box.succeed(["plot", "m.json", "gappy.csv", "--missing", "marginalize", "-o", "a.svg", "--title", "T"] + extra)
        try box.succeed(["plot", "m.json", "complete.csv", "-o", "b.svg", "--title", "T"] + extra)
        #expect(box.bytes("a.svg") == box.bytes("b.svg"))
        #expect(left == 60)
        #expect(out.stderr.contains("gmm: note: gappy.csv: 60 rows with missing values left out; 212 complete rows drawn"))
        #expect(!(try box.succeed(["plot", "m.json", "gappy.csv", "--missing", "marginalize", "-o", "c.svg", "-q"]).stderr.contains("note")))
        expectCleanFailure(try box.run(["plot", "m.json", "gappy.csv", "-o", "d.svg"]), status: 65, facts: ["gappy.csv:5:1"])
        try box.write("holes.csv", "eruptions,waiting\n1,\n,70\n")
        expectCleanFailure(try box.run(["plot", "m.json", "holes.csv", "--missing", "marginalize", "-o", "e.svg"]), status: 65,
                           facts: ["every row has a missing value"])
    }

    @Test("report --missing marginalize: the page of the complete rows, saying how many rows were left out")
    func reportLeavesGapsOut() throws {
        let box = try Sandbox()
        try box.fitFaithful()
        let (gappy, _, _) = try gappyAndComplete()
        try box.write("gappy.csv", gappy)
        let out = try box.succeed(["report", "m.json", "gappy.csv", "--missing", "marginalize", "-o", "r.html"])
        #expect(out.stderr.contains("gmm: note: gappy.csv: 60 rows with missing values left out; 212 complete rows drawn"))
        #expect(out.stderr.contains("of 212 rows drawn"))
        let page = try #require(box.text("r.html"))
        #expect(page.contains("60 rows with missing values left out"))
        expectCleanFailure(try box.run(["report", "m.json", "gappy.csv", "-o", "s.html"]), status: 65, facts: ["gappy.csv:5:1"])
    }
}
