// `gmm fit` on the bundled Old Faithful data: the model file has the
// contract's keys and shapes, the same seed gives the same bytes, and a
// starting model with --max-iter 0 comes back unchanged.

import Foundation
import Testing

@Suite("gmm fit")
struct FitCommandTests {
    @Test("fit writes a model file with the contract's keys")
    func modelFileHasContractKeys() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")

        let outcome = try box.succeed(["fit", "old-faithful.csv", "-k", "2", "-o", "m.json", "--seed", "0"])

        #expect(outcome.stdout.isEmpty, "fit prints its summary on standard error only")
        #expect(outcome.stderr.contains("iterations"))
        #expect(outcome.stderr.contains("BIC"))
        let model = try ModelJSON.read("m.json", in: box)
        #expect(model.format == "gmm-model")
        #expect(model.version == 1)
        #expect(model.covarianceType == "full")
        #expect(model.nComponents == 2)
        #expect(model.nFeatures == 2)
        #expect(model.featureNames == ["eruptions", "waiting"])
        #expect(model.weights.count == 2)
        #expect(model.weights.allSatisfy { $0 > 0 })
        #expect(abs(model.weights.reduce(0, +) - 1) <= 1e-12)
        #expect(model.means.count == 2 && model.means.allSatisfy { $0.count == 2 })
        #expect(model.covariances.shape == [2, 2, 2] && model.covariances.isRegular)
        #expect(model.nIter >= 1)
        #expect(model.nSamples == 272)
        #expect(model.meanLogLikelihood.isFinite)
        #expect(model.bic.isFinite && model.aic.isFinite)
        // scikit-learn's formulas: 11 free parameters for K=2, D=2, full.
        #expect(isClose(model.bic, -2 * model.meanLogLikelihood * 272 + 11 * log(272.0), relative: 1e-12))
        #expect(isClose(model.aic, -2 * model.meanLogLikelihood * 272 + 2 * 11, relative: 1e-12))
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(box.bytes("m.json") ?? [])) as? [String: Any]).keys
        for key in ["format", "version", "covariance_type", "n_components", "n_features", "feature_names", "weights",
                    "means", "covariances", "converged", "n_iter", "n_samples", "mean_log_likelihood", "bic", "aic"] {
            #expect(keys.contains(key), "model file has \(key)")
        }
    }

    @Test("the summary rounds (6 significant digits; BIC and AIC one decimal); the file keeps every digit")
    func summaryRounds() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        let outcome = try box.succeed(["fit", "old-faithful.csv", "-k", "2", "-o", "m.json", "--seed", "0"])
        let model = try ModelJSON.read("m.json", in: box)
        let lines = Set(outcome.stderr.split(separator: "\n").map(String.init))
        #expect(lines.contains("mean log-likelihood: \(String(format: "%.6g", model.meanLogLikelihood))"), "\(outcome.stderr)")
        #expect(lines.contains("BIC:                 \(String(format: "%.1f", model.bic))"), "\(outcome.stderr)")
        #expect(lines.contains("AIC:                 \(String(format: "%.1f", model.aic))"), "\(outcome.stderr)")
        // The component table: weights to 6 significant digits.
        for weight in model.weights {
            #expect(outcome.stderr.contains("  \(String(format: "%.6g", weight))  ["), "\(outcome.stderr)")
        }
        // No summary line shows a shortest round-trip number (17 digits): those belong in files.
        #expect(outcome.stderr.range(of: "[0-9]\\.[0-9]{9,}", options: .regularExpression) == nil, "\(outcome.stderr)")
    }

    @Test("the same seed gives byte-identical model files")
    func sameSeedSameBytes() throws {
        let box = try Sandbox()
        try box.fitFaithful(to: "a.json", extra: ["--n-init", "2"])
        try box.fitFaithful(to: "b.json", extra: ["--n-init", "2"])
        let a = try #require(box.bytes("a.json"))
        #expect(!a.isEmpty)
        #expect(a == box.bytes("b.json"))
    }

    static let variants: [[String]] = [
        ["--n-init", "3", "--seed", "7"],
        ["--seed", "12345"],
        ["--init", "k-means++", "--seed", "1"],
        ["--init", "random", "--seed", "2"],
        ["--init", "random-from-data", "--seed", "3"],
        ["--tol", "0", "--max-iter", "5"],
    ]

    @Test("other seeds, restarts and initialisations give valid models", arguments: variants)
    func otherOptionsStillValid(_ extra: [String]) throws {
        let box = try Sandbox()
        try box.fitFaithful(extra: extra)
        let model = try ModelJSON.read("m.json", in: box)
        #expect(model.nComponents == 2 && model.weights.count == 2)
        #expect(abs(model.weights.reduce(0, +) - 1) <= 1e-12)
        #expect(model.weights.allSatisfy { $0 > 0 })
        #expect(model.covariances.shape == [2, 2, 2])
        #expect(model.meanLogLikelihood.isFinite)
        if extra.contains("--tol") { #expect(model.nIter == 5) }
    }

    @Test("each covariance family has its scikit-learn shape",
          arguments: [("full", [2, 2, 2]), ("diag", [2, 2]), ("spherical", [2]), ("tied", [2, 2])])
    func familyShapes(_ family: String, _ shape: [Int]) throws {
        let box = try Sandbox()
        try box.fitFaithful(extra: ["--covariance", family])
        let model = try ModelJSON.read("m.json", in: box)
        #expect(model.covarianceType == family)
        #expect(model.covariances.shape == shape && model.covariances.isRegular)
        // A model of every family is read back by the other commands.
        try box.succeed(["score", "m.json", "old-faithful.csv"])
        #expect(Table(try box.succeed(["sample", "m.json", "-n", "5"]).stdout).rows.count == 5)
    }

    @Test("--init-model with --max-iter 0 returns the starting parameters exactly",
          arguments: ["full", "diag", "spherical", "tied"])
    func initModelMaxIterZero(_ family: String) throws {
        let box = try Sandbox()
        try box.fitFaithful(extra: ["--covariance", family])

        try box.succeed(["fit", "old-faithful.csv", "--init-model", "m.json", "--max-iter", "0", "-o", "m2.json"])

        let start = try ModelJSON.read("m.json", in: box)
        let again = try ModelJSON.read("m2.json", in: box)
        #expect(again.weights == start.weights)
        #expect(again.means == start.means)
        #expect(again.covariances == start.covariances)
        #expect(again.covarianceType == start.covarianceType)
        #expect(again.featureNames == start.featureNames)
        #expect(again.nIter == 0)
        #expect(isClose(again.meanLogLikelihood, start.meanLogLikelihood, relative: 1e-12))
    }

    @Test("fit reads standard input")
    func fitFromStandardInput() throws {
        let box = try Sandbox()
        try box.fitFaithful(to: "file.json")
        let csv = try #require(box.text("old-faithful.csv"))
        try box.succeed(["fit", "-", "-k", "2", "-o", "stdin.json", "--seed", "0"], stdin: csv)
        let fromFile = try ModelJSON.read("file.json", in: box)
        let fromStdin = try ModelJSON.read("stdin.json", in: box)
        #expect(fromStdin == fromFile)
    }
}

@Suite("gmm fit --exact")
struct FitExactTests {
    /// 16 tight clusters 30 units apart (a deterministic pseudo-random scatter), written as CSV.
    func separatedCSV() -> String {
        var state: UInt64 = 12345
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var lines = ["x,y"]
        for i in 0..<3200 {
            let k = i % 16
            lines.append("\(30 * Double(k % 4) + uniform() - 0.5),\(30 * Double(k / 4) + uniform() - 0.5)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("fit skips negligible components by default and says so; --exact and GMM_EXACT=1 do not; the models agree")
    func exactAgrees() throws {
        let box = try Sandbox()
        try box.write("sep.csv", separatedCSV())
        let args = ["fit", "sep.csv", "-k", "16", "--max-iter", "5", "--tol", "0", "--seed", "1"]
        let pruned = try box.succeed(args + ["-o", "p.json"])
        #expect(pruned.stderr.contains("E-step skipped:"))
        let exact = try box.succeed(args + ["-o", "e.json", "--exact"])
        #expect(!exact.stderr.contains("E-step skipped:"))
        let environment = try box.succeed(args + ["-o", "v.json"], environment: ["GMM_EXACT": "1"])
        #expect(!environment.stderr.contains("E-step skipped:"))
        #expect(box.bytes("e.json") == box.bytes("v.json"))
        let (p, e) = (try ModelJSON.read("p.json", in: box), try ModelJSON.read("e.json", in: box))
        #expect(isClose(p.meanLogLikelihood, e.meanLogLikelihood, relative: 1e-12))
        for (a, b) in zip(p.weights, e.weights) { #expect(isClose(a, b, relative: 1e-12)) }
        for (a, b) in zip(p.means.joined(), e.means.joined()) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b))) }
    }
}
