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
}
