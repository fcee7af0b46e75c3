// `gmm fit/select --noise`: mclust's uniform noise component from the command
// line — the model file's "noise" key, predict's noise column, info's noise
// rows, score's log P(x), sampling, and the usage errors of what cannot take it.

import Foundation
import Testing

@Suite("gmm --noise")
struct NoiseTests {
    /// Old Faithful plus 30 uniform rows (written by Tests/Fixtures/mclust/me-noise.R).
    static let noisyFaithful = bundledData.deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/mclust/faithful-noise.csv")

    func sandbox() throws -> Sandbox {
        let box = try Sandbox()
        try box.write("d.csv", String(contentsOf: Self.noisyFaithful, encoding: .utf8))
        return box
    }

    @Test("fit writes the noise key; predict, score and info carry the noise; same seed, same bytes")
    func fitPredictScoreInfo() throws {
        let box = try sandbox()
        try box.succeed(["fit", "d.csv", "-k", "2", "--noise", "-o", "m.json", "--max-iter", "3", "--tol", "0"])
        // A noise model given as the start continues with its noise: three more iterations are six.
        try box.succeed(["fit", "d.csv", "--init-model", "m.json", "-o", "six.json", "--max-iter", "3", "--tol", "0"])
        try box.succeed(["fit", "d.csv", "-k", "2", "--noise", "-o", "m6.json", "--max-iter", "6", "--tol", "0"])
        func parameters(_ name: String) throws -> Substring {
            let text = try #require(box.text(name))
            return text[text.range(of: "\"weights\"")!.lowerBound..<text.range(of: "\"converged\"")!.lowerBound]
        }
        #expect(try parameters("six.json") == parameters("m6.json"))
        try box.succeed(["fit", "d.csv", "-k", "2", "--noise", "-o", "m.json"])
        try box.succeed(["fit", "d.csv", "-k", "2", "--noise", "-o", "again.json"])
        #expect(box.bytes("m.json") == box.bytes("again.json"))
        let text = try #require(box.text("m.json"))
        #expect(text.contains("\"noise\": {") && text.contains("\"volume\": 185.4999"))
        #expect(text.contains("\"lower\": [1.6, 43.0]") && text.contains("\"upper\": [5.1, 96.0]"))
        let model = try ModelJSON.read("m.json", in: box)
        let noiseText = text[text.range(of: "\"noise\": {\n    \"weight\": ")!.upperBound...].prefix { $0 != "," }
        let noiseWeight = try #require(Double(noiseText))
        #expect(abs(model.weights.reduce(0, +) + noiseWeight - 1) <= 1e-12)

        let probabilities = Table(try box.succeed(["predict", "m.json", "d.csv", "--probabilities"]).stdout)
        #expect(probabilities.header == "p0,p1,noise")
        #expect(probabilities.rows.count == 302)
        for row in probabilities.numbers { #expect(abs(row.reduce(0, +) - 1) <= 1e-12) }
        let labels = Table(try box.succeed(["predict", "m.json", "d.csv"]).stdout).numbers.map { Int($0[0]) }
        // Label 2 (= K) marks rows more probably noise than either component, as the table says.
        for (label, row) in zip(labels, probabilities.numbers) { #expect(label == row.indices.max { row[$0] < row[$1] }!) }
        #expect(labels.contains(2))
        let details = Table(try box.succeed(["predict", "m.json", "d.csv", "--details"]).stdout)
        #expect(details.header.hasSuffix(",tail_probability,noise"))
        #expect(zip(details.numbers, probabilities.numbers).allSatisfy { abs($0[6] - $1[2]) <= 1e-12 })
        let logs = Table(try box.succeed(["predict", "m.json", "d.csv", "--probabilities", "--log"]).stdout)
        #expect(logs.header == "log_p0,log_p1,log_noise")

        // score's log P(x) includes π₀/V: its mean is the saved mean log-likelihood.
        let scores = Table(try box.succeed(["score", "m.json", "d.csv"]).stdout).numbers.map { $0[0] }
        #expect(isClose(scores.reduce(0, +) / 302, model.meanLogLikelihood, relative: 1e-12))
        #expect(zip(scores, details.numbers).allSatisfy { $0 == $1[3] })

        let info = try box.succeed(["info", "m.json", "d.csv"]).stdout
        #expect(info.contains("noise      \(String(format: "%.6g", noiseWeight))"))
        #expect(info.contains("uniform, volume 185.5"))
        #expect(info.components(separatedBy: "\n  noise ").count == 3, "a noise row in both tables: \(info)")
        // BIC counts the noise's weight and volume (mclust's nMclustParams(noise = TRUE)): 11 + 2.
        #expect(info.contains("free parameters:     13"))
    }

    @Test("sample draws noise rows (label K) inside the box; plot draws noise rows grey")
    func sampleAndPlot() throws {
        let box = try sandbox()
        try box.succeed(["fit", "d.csv", "-k", "2", "--noise", "-o", "m.json"])
        try box.succeed(["plot", "m.json", "d.csv", "-o", "p.svg"])
        let svg = try #require(box.text("p.svg"))
        #expect(svg.contains("fill=\"#8c8c8c\"") && svg.contains(">noise (0."))
        let drawn = Table(try box.succeed(["sample", "m.json", "-n", "4000", "--seed", "3", "--labels"]).stdout)
        let noise = drawn.numbers.filter { $0[2] == 2 }
        #expect(noise.count > 100)
        #expect(noise.allSatisfy { $0[0] >= 1.6 && $0[0] <= 5.1 && $0[1] >= 43 && $0[1] <= 96 })
    }

    @Test("select --noise counts 2 more parameters per candidate")
    func select() throws {
        let box = try sandbox()
        try box.succeed(["select", "d.csv", "--noise", "--components", "1-3", "--covariance", "VVV,EII",
                         "--output-table", "t.csv", "-o", "best.json"])
        let table = Table(try #require(box.text("t.csv")))
        let parameters = Dictionary(uniqueKeysWithValues: table.rows.map { ("\($0[0]) \($0[1])", Int($0[3])!) })
        #expect(parameters["2 full"] == 13 && parameters["3 full"] == 19 && parameters["1 EII"] == 5)
        #expect(box.text("best.json")?.contains("\"noise\": {") == true)
    }

    @Test("starts: responsibilities with the noise last, and --noise-init rows")
    func starts() throws {
        let box = try sandbox()
        let rows = (0..<302).map { i in i < 272 ? (i % 2 == 0 ? "0.9,0.05,0.05" : "0.05,0.9,0.05") : "0.1,0.1,0.8" }
        try box.write("r.csv", "a,b,noise\n" + rows.joined(separator: "\n") + "\n")
        try box.succeed(["fit", "d.csv", "--noise", "--init-responsibilities", "r.csv", "-o", "r.json"])
        #expect(try ModelJSON.read("r.json", in: box).nComponents == 2)
        expectCleanFailure(try box.run(["fit", "d.csv", "--noise", "-k", "3", "--init-responsibilities", "r.csv"]),
                           status: 65, facts: ["r.csv", "3 columns", "-k is 3", "4 columns"])
        try box.write("n.txt", "noise\n" + (0..<302).map { $0 < 272 ? "false" : "true" }.joined(separator: "\n") + "\n")
        try box.succeed(["fit", "d.csv", "-k", "2", "--noise", "--noise-init", "n.txt", "-o", "n.json"])
        #expect(box.text("n.json")?.contains("\"noise_init\": \"file\"") == true)
        try box.write("bad.txt", (0..<302).map { $0 == 7 ? "maybe" : "0" }.joined(separator: "\n") + "\n")
        expectCleanFailure(try box.run(["fit", "d.csv", "-k", "2", "--noise", "--noise-init", "bad.txt"]),
                           status: 65, facts: ["bad.txt:8", "maybe"])
        try box.write("short.txt", "0\n1\n")
        expectCleanFailure(try box.run(["fit", "d.csv", "-k", "2", "--noise", "--noise-init", "short.txt"]),
                           status: 65, facts: ["short.txt", "2 rows", "302 rows"])
    }

    @Test("what cannot take a noise component says so: usage errors (64)")
    func refusals() throws {
        let box = try sandbox()
        for extra in [["--online", "--batch-size", "50"], ["--method", "variational"], ["--labels", "eruptions"],
                      ["--missing", "marginalize"]] {
            expectCleanFailure(try box.run(["fit", "d.csv", "--noise"] + extra), status: 64,
                               facts: ["--noise", extra[0]])
        }
        expectCleanFailure(try box.run(["select", "d.csv", "--noise", "--method", "variational"]), status: 64,
                           facts: ["--noise"])
        expectCleanFailure(try box.run(["fit", "d.csv", "--noise-volume", "3"]), status: 64, facts: ["--noise"])
        expectCleanFailure(try box.run(["fit", "d.csv", "--noise", "--noise-volume", "0"]), status: 64,
                           facts: ["--noise-volume", "positive", "hypvol"])
        try box.succeed(["fit", "d.csv", "-k", "2", "--noise", "--noise-volume", "hypvol", "-o", "h.json"])
        #expect(box.text("h.json")?.contains("\"noise_volume\": \"hypvol\"") == true)
        try box.succeed(["fit", "d.csv", "-k", "2", "--noise", "-o", "m.json"])
        expectCleanFailure(try box.run(["condition", "m.json", "--given", "waiting=80"]), status: 64,
                           facts: ["m.json", "gmm condition", "noise"])
        expectCleanFailure(try box.run(["regress", "m.json", "d.csv", "--targets", "eruptions"]), status: 64,
                           facts: ["m.json", "gmm regress", "noise"])
        try box.write("gaps.csv", "eruptions,waiting\n3.6,\n1.8,54\n")
        expectCleanFailure(try box.run(["predict", "m.json", "gaps.csv", "--missing", "marginalize"]), status: 64,
                           facts: ["missing values", "noise"])
        // A constant column has a box of volume 0: say so and how to go on.
        try box.write("flat.csv", "a,b\n" + (0..<40).map { "\(Double($0) / 7),1" }.joined(separator: "\n") + "\n")
        expectCleanFailure(try box.run(["fit", "flat.csv", "--noise"]), status: 64,
                           facts: ["volume 0", "feature 2 is constant", "--noise-volume"])
    }
}
