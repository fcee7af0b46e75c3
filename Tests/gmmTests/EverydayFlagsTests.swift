// `fit`/`select --standardize`, `fit --init-means FILE`, and `--keep-columns` on
// predict, score and impute: what they write, that it agrees with the same work
// done by hand, and the one-line errors (64 usage, 65 data) of bad input.

import Foundation
import Testing

/// The numbers of the JSON list `"key": [ … ]` inside `text` (shortest round-trip text, so exact).
private func numberList(_ key: String, in text: String) -> [Double]? {
    guard let start = text.range(of: "\"\(key)\": [")?.upperBound,
          let end = text[start...].firstIndex(of: "]") else { return nil }
    return text[start..<end].split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
}

/// The number after `"key": ` in a model file.
private func member(_ key: String, in text: String) -> Double? {
    number(after: "\"\(key)\": ", in: text.replacingOccurrences(of: ",", with: " "))
}

/// Iris with its columns put on very different scales (sd from about 0.004 to 430).
private func rescaledIris() throws -> String {
    let lines = try String(contentsOf: bundledData.appendingPathComponent("iris.csv"), encoding: .utf8)
        .split(separator: "\n").map(String.init)
    let factors = [1000.0, 0.01, 3.0, 250.0], offsets = [5e4, -2.0, 0.0, 1e3]
    return ([lines[0]] + lines.dropFirst().map { line in
        zip(line.split(separator: ","), zip(factors, offsets)).map { cell, scale in
            String(scale.1 + scale.0 * Double(cell)!)
        }.joined(separator: ",")
    }).joined(separator: "\n") + "\n"
}

@Suite("gmm fit and select --standardize")
struct StandardizeTests {
    @Test("the model in original units equals the fit on standardised data, mapped: same P(c|x), log-likelihood lower by Σ log sd",
          arguments: ["full", "spherical", "VEE", "EEI"])
    func mapsBack(covariance: String) throws {
        let box = try Sandbox()
        try box.write("x.csv", try rescaledIris())
        try box.succeed(["fit", "x.csv", "-k", "3", "--covariance", covariance, "--standardize", "-o", "x.json", "-q"])
        let model = try #require(box.text("x.json"))
        let m = try #require(numberList("means", in: String(model[model.range(of: "\"standardization\"")!.lowerBound...])))
        let s = try #require(numberList("deviations", in: model))
        #expect(model.contains("\"fitted_covariance_type\": \"\(covariance)\""))
        #expect(model.contains("\"standardize\": true"))
        let written = ["full": "full", "spherical": "diag", "VEE": "full", "EEI": "diag"][covariance]!
        #expect(model.contains("\"covariance_type\": \"\(written)\""))
        // The same fit by hand: standardise with the file's m and s (the library's own arithmetic), fit, compare.
        let x = Table(try #require(box.text("x.csv"))).numbers
        let z = x.map { row in (0..<4).map { (row[$0] - m[$0]) / s[$0] } }
        try box.write("z.csv", "a,b,c,d\n" + z.map { $0.map(\.description).joined(separator: ",") }.joined(separator: "\n") + "\n")
        try box.succeed(["fit", "z.csv", "-k", "3", "--covariance", covariance, "-o", "z.json", "-q"])
        let plain = try #require(box.text("z.json"))
        let logScale = s.reduce(0) { $0 + log($1) }
        let (llx, llz) = (try #require(member("mean_log_likelihood", in: model)), try #require(member("mean_log_likelihood", in: plain)))
        #expect(abs(llx - (llz - logScale)) <= 1e-12 * abs(llx), "mean log-likelihood \(llx) vs \(llz) − \(logScale)")
        // BIC keeps the fitted model's parameter count: the shift is 2 n Σ log sd exactly.
        let (bicx, bicz) = (try #require(member("bic", in: model)), try #require(member("bic", in: plain)))
        #expect(abs(bicx - (bicz + 2 * 150 * logScale)) <= 1e-12 * abs(bicx))
        let px = Table(try box.succeed(["predict", "x.json", "x.csv", "--probabilities"]).stdout).numbers
        let pz = Table(try box.succeed(["predict", "z.json", "z.csv", "--probabilities"]).stdout).numbers
        let worst = zip(px.joined(), pz.joined()).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-12, "P(c|x) differs by \(worst)")
        // gmm score on the original data agrees with the file's mean log-likelihood.
        let scores = Table(try box.succeed(["score", "x.json", "x.csv"]).stdout).numbers.map { $0[0] }
        #expect(abs(scores.reduce(0, +) / 150 - llx) <= 1e-12 * abs(llx))
    }

    @Test("a hint when column scales differ by more than 10³ and the flag is absent; none otherwise")
    func hint() throws {
        let box = try Sandbox()
        try box.write("x.csv", try rescaledIris())
        try box.copyBundled("old-faithful.csv")
        let hinted = try box.succeed(["fit", "x.csv", "-k", "2"]).stderr
        let hintLines = hinted.split(separator: "\n").filter { $0.hasPrefix("gmm: hint:") }
        #expect(hintLines.count == 1 && hintLines[0].contains("--standardize") && hintLines[0].contains("\"sepal_length\""))
        #expect(!(try box.succeed(["fit", "x.csv", "-k", "2", "--standardize"]).stderr.contains("hint")))
        #expect(!(try box.succeed(["fit", "old-faithful.csv", "-k", "2"]).stderr.contains("hint")))
        #expect(try box.succeed(["select", "x.csv", "--components", "1-2", "--covariance", "diag"]).stderr.contains("gmm: hint:"))
    }

    @Test("select --standardize: the table and the best model in original units")
    func select() throws {
        let box = try Sandbox()
        try box.write("x.csv", try rescaledIris())
        let out = try box.succeed(["select", "x.csv", "--components", "2-3", "--covariance", "VII,diag", "--standardize",
                                   "-o", "best.json", "--output-table", "t.csv"])
        #expect(!out.stderr.contains("hint"))
        let model = try #require(box.text("best.json"))
        #expect(model.contains("\"standardization\""))
        let ll = try #require(member("mean_log_likelihood", in: model))
        let scores = Table(try box.succeed(["score", "best.json", "x.csv"]).stdout).numbers.map { $0[0] }
        #expect(abs(scores.reduce(0, +) / 150 - ll) <= 1e-12 * abs(ll))
        // The table's best row: its log-likelihood is n times the model's.
        let table = Table(try #require(box.text("t.csv")))
        let best = try #require(table.rows.first { $0[9] == "1" })
        #expect(abs(Double(best[2])! - 150 * ll) <= 1e-11 * abs(150 * ll))
        #expect(abs(Double(best[4])! - (try #require(member("bic", in: model)))) <= 1e-11 * abs(Double(best[4])!))
    }

    @Test("with frequency weights the means and sds are weighted: integer weights standardise as copies of the rows")
    func weighted() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        let rows = try #require(box.text("old-faithful.csv")).split(separator: "\n")
        let weights = (0..<(rows.count - 1)).map { $0 % 3 }
        try box.write("w.csv", "w\n" + weights.map(String.init).joined(separator: "\n") + "\n")
        try box.write("copies.csv", ([String(rows[0])] + zip(rows.dropFirst(), weights).flatMap { row, w in
            [String](repeating: String(row), count: w)
        }).joined(separator: "\n") + "\n")
        try box.succeed(["fit", "old-faithful.csv", "-k", "2", "--sample-weights", "w.csv", "--standardize", "-o", "a.json", "-q"])
        try box.succeed(["fit", "copies.csv", "-k", "2", "--standardize", "-o", "b.json", "-q"])
        let a = try #require(box.text("a.json")), b = try #require(box.text("b.json"))
        for key in ["deviations"] {
            let (x, y) = (try #require(numberList(key, in: a)), try #require(numberList(key, in: b)))
            #expect(zip(x, y).allSatisfy { abs($0 - $1) <= 1e-13 * abs($1) }, "\(key): \(x) vs \(y)")
        }
        let standardization = { (text: String) in String(text[text.range(of: "\"standardization\"")!.lowerBound...]) }
        let (ma, mb) = (try #require(numberList("means", in: standardization(a))), try #require(numberList("means", in: standardization(b))))
        #expect(zip(ma, mb).allSatisfy { abs($0 - $1) <= 1e-13 * abs($1) }, "means: \(ma) vs \(mb)")
        let (la, lb) = (try #require(member("mean_log_likelihood", in: a)), try #require(member("mean_log_likelihood", in: b)))
        #expect(abs(la - lb) <= 1e-8 * abs(lb))
    }

    @Test("flags it cannot be combined with are usage errors")
    func conflicts() throws {
        let box = try Sandbox()
        try box.fitFaithful()
        for extra in [["--online", "--batch-size", "100"], ["--method", "variational"], ["--init-model", "m.json"],
                      ["--missing", "marginalize"], ["--checkpoint", "c.json"]] {
            expectCleanFailure(try box.run(["fit", "old-faithful.csv", "--standardize"] + extra), status: 64,
                               facts: ["--standardize", extra[0]])
        }
        expectCleanFailure(try box.run(["select", "old-faithful.csv", "--standardize", "--method", "variational"]),
                           status: 64, facts: ["--standardize", "--method variational"])
    }
}

@Suite("gmm fit --init-means")
struct InitMeansTests {
    @Test("K from the file; the start is an M-step from each row's nearest mean, as --init-responsibilities of that table")
    func nearestMeanStart() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        try box.write("means.csv", "eruptions,waiting\n2,55\n4.5,80\n3,70\n")
        try box.succeed(["fit", "old-faithful.csv", "--init-means", "means.csv", "--max-iter", "5", "--tol", "0",
                         "-o", "a.json", "--order", "mean", "-q"])
        let a = try #require(box.text("a.json"))
        #expect(a.contains("\"n_components\": 3") && a.contains("\"init\": \"means\""))
        // The same start by hand.
        let x = Table(try #require(box.text("old-faithful.csv"))).numbers
        let centres = [[2.0, 55], [4.5, 80], [3, 70]]
        let table = x.map { row in
            let d = centres.map { c in zip(row, c).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) }
            let k = d.indices.min { d[$0] < d[$1] }!
            return (0..<3).map { $0 == k ? "1" : "0" }.joined(separator: ",")
        }
        try box.write("r.csv", "a,b,c\n" + table.joined(separator: "\n") + "\n")
        try box.succeed(["fit", "old-faithful.csv", "--init-responsibilities", "r.csv", "--max-iter", "5", "--tol", "0",
                         "-o", "b.json", "--order", "mean", "-q"])
        let b = try #require(box.text("b.json"))
        func parameters(_ text: String) -> Substring {
            text[text.range(of: "\"weights\"")!.lowerBound..<text.range(of: "\"converged\"")!.lowerBound]
        }
        #expect(parameters(a) == parameters(b))
        // A header naming the features in another order picks them by name.
        try box.write("swapped.csv", "waiting,eruptions\n55,2\n80,4.5\n70,3\n")
        try box.succeed(["fit", "old-faithful.csv", "--init-means", "swapped.csv", "--max-iter", "5", "--tol", "0",
                         "-o", "c.json", "--order", "mean", "-q"])
        #expect(parameters(try #require(box.text("c.json"))) == parameters(a))
        // Without a header, and with -k agreeing.
        try box.write("plain.csv", "2,55\n4.5,80\n")
        try box.succeed(["fit", "old-faithful.csv", "--init-means", "plain.csv", "-k", "2", "-q"])
        // With --standardize the means are given in original units.
        try box.succeed(["fit", "old-faithful.csv", "--init-means", "plain.csv", "--standardize", "-q", "-o", "s.json"])
        #expect(box.text("s.json")?.contains("\"init\": \"means\"") == true)
    }

    @Test("bad means files and contradicting flags: one line naming file, line and column")
    func badInput() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        try box.write("means.csv", "eruptions,waiting\n2,55\n4.5,80\n")
        try box.write("text.csv", "eruptions,waiting\n2,55\n4.5,eighty\n")
        try box.write("wide.csv", "2,55,1\n4.5,80,1\n")
        try box.write("far.csv", "2,55\n4.5,80\n100,1000\n")
        let cases: [([String], Int32, [String])] = [
            (["--init-means", "text.csv"], 65, ["text.csv:3:2", "eighty"]),
            (["--init-means", "wide.csv"], 65, ["wide.csv", "3 columns", "2 features"]),
            (["--init-means", "far.csv"], 65, ["far.csv:3", "mean 2"]),
            (["--init-means", "missing.csv"], 66, ["missing.csv"]),
            (["--init-means", "means.csv", "-k", "3"], 64, ["-k 3", "2 means"]),
            (["--init-means", "means.csv", "--n-init", "2"], 64, ["--init-means", "--n-init"]),
            (["--init-means", "means.csv", "--init", "random"], 64, ["--init-means", "--init random"]),
            (["--init-means", "means.csv", "--init-responsibilities", "means.csv"], 64, ["--init-means"]),
        ]
        for (extra, status, facts) in cases {
            let outcome = try box.run(["fit", "old-faithful.csv", "-o", "m.json"] + extra)
            expectCleanFailure(outcome, status: status, facts: facts)
            #expect(outcome.stderr.contains("text column") == false, "no hint about text columns: \(outcome.stderr)")
            #expect(box.text("m.json") == nil)
        }
    }
}

@Suite("--keep-columns on predict, score and impute")
struct KeepColumnsTests {
    /// Iris with a text id (one holding a comma) and the species after the features.
    func labelledIris(_ box: Sandbox) throws {
        let lines = try String(contentsOf: bundledData.appendingPathComponent("iris.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let species = ["setosa", "versicolor", "virginica"]
        try box.write("labelled.csv", (["id," + lines[0] + ",species"] + lines.dropFirst().enumerated().map { i, line in
            (i == 7 ? "\"r,7\"" : "r\(i)") + "," + line + "," + species[i / 50]
        }).joined(separator: "\n") + "\n")
        try box.copyBundled("iris.csv")
        try box.succeed(["fit", "iris.csv", "-k", "3", "-o", "m.json", "-q"])
    }

    @Test("the kept cells come first, the rest is what the command prints without them",
          arguments: [["predict"], ["predict", "--probabilities"], ["predict", "--details"], ["score"], ["impute"],
                      ["impute", "--draws", "2"]])
    func copiesCells(command: [String]) throws {
        let box = try Sandbox()
        try labelledIris(box)
        let kept = try box.succeed([command[0], "m.json", "labelled.csv", "--keep-columns", "species,id"] + command.dropFirst())
        let plain = try box.succeed([command[0], "m.json", "iris.csv"] + command.dropFirst())
        let keptLines = kept.stdout.split(separator: "\n"), plainLines = plain.stdout.split(separator: "\n")
        #expect(keptLines.count == plainLines.count)
        #expect(keptLines[0] == "species,id," + plainLines[0])
        for (r, (a, b)) in zip(keptLines, plainLines).enumerated().dropFirst() {
            let i = (r - 1) % 150   // --draws repeats the rows
            let id = i == 7 ? "\"r,7\"" : "r\(i)"
            #expect(a == ["setosa", "versicolor", "virginica"][i / 50] + "," + id + "," + b, "row \(r): \(a) vs \(b)")
        }
    }

    @Test("a model with component labels (fit --labels): the kept cells come before component,label")
    func labelledModel() throws {
        let box = try Sandbox()
        try labelledIris(box)
        try box.succeed(["fit", "labelled.csv", "--columns", "sepal_length,sepal_width,petal_length,petal_width",
                         "--labels", "species", "-k", "3", "-o", "l.json", "-q"])
        let out = Table(try box.succeed(["predict", "l.json", "labelled.csv", "--keep-columns", "id"]).stdout)
        #expect(out.header == "id,component,label")
        #expect(out.rows.count == 150 && out.rows[0][0] == "r0" && out.rows[149][0] == "r149")
        #expect(out.rows[0][2] == "setosa")
    }

    @Test("without a header naming the model's features, the columns not kept are the features")
    func otherColumnsAreFeatures() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        let plain = try #require(box.text("old-faithful.csv")).split(separator: "\n").dropFirst()
        try box.write("x.csv", plain.joined(separator: "\n") + "\n")
        try box.succeed(["fit", "x.csv", "-k", "2", "-o", "x.json", "-q"])   // features x0, x1
        try box.write("ids.csv", "name,e,w\n" + plain.enumerated().map { "n\($0)," + $1 }.joined(separator: "\n") + "\n")
        let kept = Table(try box.succeed(["score", "x.json", "ids.csv", "--keep-columns", "name"]).stdout)
        let direct = Table(try box.succeed(["score", "x.json", "x.csv"]).stdout)
        #expect(kept.header == "name,log_density")
        #expect(kept.rows.map { $0[1] } == direct.rows.map { $0[0] })
        #expect(kept.rows[3][0] == "n3")
        // No header: x0, x1, … are positions, so a kept numeric first column is not a feature either.
        try box.write("numbered.csv", plain.enumerated().map { "\($0 + 1000)," + $1 }.joined(separator: "\n") + "\n")
        let numbered = Table(try box.succeed(["score", "x.json", "numbered.csv", "--keep-columns", "0"]).stdout)
        #expect(numbered.header == "x0,log_density")
        #expect(numbered.rows.map { $0[1] } == direct.rows.map { $0[0] })
        #expect(numbered.rows[3][0] == "1003")
    }

    @Test("a text column read as a feature names the column and both ways out; bad --keep-columns use")
    func errors() throws {
        let box = try Sandbox()
        try labelledIris(box)
        // Column names the model does not know: every column is read as a feature.
        let text = try #require(box.text("labelled.csv"))
        try box.write("renamed.csv", "id,a,b,c,d,species\n" + text.split(separator: "\n").dropFirst().joined(separator: "\n") + "\n")
        for command in ["predict", "score", "impute"] {
            expectCleanFailure(try box.run([command, "m.json", "renamed.csv"]), status: 65,
                               facts: ["renamed.csv:2:1", "column \"id\"", "--columns", "--keep-columns"])
        }
        expectCleanFailure(try box.run(["score", "m.json", "-", "--keep-columns", "id"], stdin: text), status: 64,
                           facts: ["--keep-columns", "standard input"])
        expectCleanFailure(try box.run(["predict", "m.json", "labelled.csv", "--keep-columns", "id", "-o", "p.npy"]),
                           status: 64, facts: ["--keep-columns", ".npy"])
        expectCleanFailure(try box.run(["impute", "m.json", "labelled.csv", "--keep-columns", "nope", "-o", "i.csv"]),
                           status: 65, facts: ["labelled.csv", "nope"])
        #expect(box.text("i.csv") == nil)
        expectCleanFailure(try box.run(["predict", "m.json", "labelled.csv", "--keep-columns", "9"]), status: 65,
                           facts: ["labelled.csv", "no column 9"])
    }
}
