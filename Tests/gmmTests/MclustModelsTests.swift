import Foundation
import Testing

@Suite("mclust's covariance models from the command line")
struct MclustModelsCommandTests {
    /// One axis-aligned and one ellipsoidal model beyond scikit-learn's four, each an iterative one.
    @Test("every command works with the model", arguments: ["VEI", "VEV"])
    func everyCommand(_ name: String) throws {
        let box = try Sandbox()
        try box.copyBundled("iris.csv")
        try box.succeed(["fit", "iris.csv", "-k", "3", "--covariance", name, "-o", "m.json"])
        let file = try #require(box.text("m.json"))
        #expect(file.contains("\"covariance_type\": \"\(name)\"") && file.contains("\"volume\"") && file.contains("\"shape\""))
        #expect(file.contains("\"orientation\"") == (name == "VEV"))
        let info = try box.succeed(["info", "m.json", "iris.csv"])
        #expect(info.stdout.contains("(\(name) covariance)") || info.stderr.contains("(\(name) covariance)"))
        #expect((info.stdout + info.stderr).contains("component  volume"))
        let details = try box.succeed(["predict", "m.json", "iris.csv", "--details"])
        #expect(details.stdout.split(separator: "\n").count == 151)
        let scores = try box.succeed(["score", "m.json", "iris.csv"])
        #expect(scores.stdout.split(separator: "\n").dropFirst().allSatisfy { Double($0)?.isFinite == true })
        try box.succeed(["sample", "m.json", "-n", "5", "--seed", "1", "-o", "s.csv"])
        try box.succeed(["condition", "m.json", "--given", "sepal_length=5.5", "-o", "c.json"])
        #expect(try #require(box.text("c.json")).contains(name == "VEV" ? "\"covariance_type\": \"full\"" : "\"covariance_type\": \"diag\""))
        try box.succeed(["regress", "m.json", "iris.csv", "--targets", "petal_width", "--interval", "0.9", "-o", "r.csv"])
        try box.write("gaps.csv", "sepal_length,sepal_width,petal_length,petal_width\n5.1,,1.4,0.2\n6.3,2.9,,1.8\n")
        let imputed = try box.succeed(["impute", "m.json", "gaps.csv"])
        #expect(!imputed.stdout.contains(",,") && imputed.stdout.split(separator: "\n").count == 3)
        try box.succeed(["plot", "m.json", "iris.csv", "-o", "p.svg"])
        #expect(try #require(box.text("p.svg")).contains("<svg"))
        try box.succeed(["report", "m.json", "iris.csv", "-o", "r.html"])
        // Weights, gaps, online EM.
        try box.write("w.txt", (0..<150).map { String($0 % 3 + 1) }.joined(separator: "\n") + "\n")
        try box.succeed(["fit", "iris.csv", "-k", "3", "--covariance", name, "--sample-weights", "w.txt", "-o", "w.json"])
        var rows = try #require(box.text("iris.csv")).split(separator: "\n").map(String.init)
        for i in stride(from: 1, to: rows.count, by: 7) {
            var cells = rows[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            cells[i % 4] = ""
            rows[i] = cells.joined(separator: ",")
        }
        try box.write("holes.csv", rows.joined(separator: "\n") + "\n")
        try box.succeed(["fit", "holes.csv", "-k", "3", "--covariance", name, "--missing", "marginalize", "-o", "h.json"])
        try box.succeed(["score", "h.json", "holes.csv", "--missing", "marginalize"])
        try box.succeed(["fit", "iris.csv", "-k", "3", "--covariance", name, "--online", "--batch-size", "32", "-o", "o.json"])
        #expect(try #require(box.text("o.json")).contains("\"covariance_type\": \"\(name)\""))
    }

    @Test("VVV, VVI, VII and EEE are full, diag, spherical and tied: the same model file")
    func aliases() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        for (alias, name) in [("VVV", "full"), ("VVI", "diag"), ("VII", "spherical"), ("EEE", "tied")] {
            try box.succeed(["fit", "old-faithful.csv", "-k", "2", "--covariance", alias, "-o", "a.json"])
            try box.succeed(["fit", "old-faithful.csv", "-k", "2", "--covariance", name, "-o", "b.json"])
            #expect(box.bytes("a.json") == box.bytes("b.json"), "\(alias)")
        }
    }

    @Test("variational fits refuse the other ten models; an unknown name lists the fourteen")
    func refusals() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        expectCleanFailure(try box.run(["fit", "old-faithful.csv", "-k", "2", "--covariance", "EVE", "--method", "variational"]),
                           status: 64, facts: ["EVE", "full, diag, spherical and tied"])
        expectCleanFailure(try box.run(["select", "old-faithful.csv", "--method", "variational", "--covariance", "full,VEI"]),
                           status: 64, facts: ["VEI", "full, diag, spherical and tied"])
        expectCleanFailure(try box.run(["select", "old-faithful.csv", "--covariance", "VVV,XYZ"]), status: 64,
                           facts: ["XYZ", "EII", "VVV"])
    }

    @Test("select: a list of mclust names, the table marks the best by BIC and by ICL")
    func select() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        let run = try box.succeed(["select", "old-faithful.csv", "--components", "1-3", "--covariance", "EII,VEV,VVE,diag",
                                   "--output-table", "t.csv"])
        #expect(run.stdout.contains("best by") && run.stdout.contains("BIC") && run.stdout.contains("ICL"))
        let lines = try #require(box.text("t.csv")).split(separator: "\n")
        #expect(lines.count == 13)
        for name in ["EII", "VEV", "VVE", "diag"] { #expect(lines.contains { $0.contains(",\(name),") }) }
    }

    @Test("a model file that breaks its model's constraints is exit 65 naming the key")
    func brokenConstraint() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        try box.succeed(["fit", "old-faithful.csv", "-k", "2", "--covariance", "EEV", "-o", "m.json"])
        let bytes = try #require(box.bytes("m.json"))
        var object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        var volumes = try #require(object["volume"] as? [Double])
        volumes[1] *= 1.001
        object["volume"] = volumes
        try box.write("bad.json", bytes: Array(try JSONSerialization.data(withJSONObject: object)))
        expectCleanFailure(try box.run(["info", "bad.json"]), status: 65, facts: ["bad.json", "volume[1]", "equal volumes"])
    }
}
