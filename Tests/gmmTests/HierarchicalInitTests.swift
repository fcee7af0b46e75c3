// `--init hc` (mclust's hierarchical start) on the command line, and `gmm
// select` starting its EM candidates with it by default.

import Foundation
import Testing

@Suite("gmm --init hc")
struct HierarchicalInitTests {
    func json(_ box: Sandbox, _ name: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(box.bytes(name) ?? [])) as? [String: Any])
    }

    @Test("select's default is hc, and its best model is the one fit --init hc makes")
    func selectDefaultsToHierarchical() throws {
        let box = try Sandbox()
        try box.copyBundled("iris.csv")
        let grid = ["--components", "2-4", "--covariance", "full,diag", "--reg-covar", "0", "--tol", "1e-6", "--max-iter", "500"]
        try box.succeed(["select", "iris.csv", "-o", "best.json", "--output-table", "default.csv"] + grid)
        try box.succeed(["select", "iris.csv", "--init", "hc", "--output-table", "hc.csv"] + grid)
        try box.succeed(["select", "iris.csv", "--init", "kmeans", "--output-table", "kmeans.csv"] + grid)
        func likelihoods(_ name: String) -> [String] {
            Table(box.text(name) ?? "").rows.map { "\($0[0]) \($0[1]) \($0[2])" }.sorted()
        }
        #expect(likelihoods("default.csv") == likelihoods("hc.csv"))
        #expect(likelihoods("default.csv") != likelihoods("kmeans.csv"))
        let best = try json(box, "best.json")
        let k = try #require(best["n_components"] as? Int)
        let kind = try #require(best["covariance_type"] as? String)
        try box.succeed(["fit", "iris.csv", "--init", "hc", "-k", String(k), "--covariance", kind, "-o", "fit.json"]
                        + grid.dropFirst(4))
        let fit = try json(box, "fit.json")
        #expect((fit["means"] as? [[Double]]) == (best["means"] as? [[Double]]))
        #expect((fit["mean_log_likelihood"] as? Double) == (best["mean_log_likelihood"] as? Double))
        #expect(((fit["fit_options"] as? [String: Any])?["init"] as? String) == "hc")
    }

    @Test("select with weights starts from k-means; fit --init hc with weights is a usage error")
    func weights() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        try box.write("w.csv", "w\n" + (0..<272).map { String($0 % 3) }.joined(separator: "\n") + "\n")
        try box.succeed(["select", "old-faithful.csv", "--components", "1-2", "--covariance", "full",
                         "--sample-weights", "w.csv"])
        expectCleanFailure(try box.run(["fit", "old-faithful.csv", "--init", "hc", "-k", "2", "--sample-weights", "w.csv"]),
                           status: 64, facts: ["hc", "weights"])
    }

    @Test("the help of select and fit names hc")
    func help() throws {
        let box = try Sandbox()
        let select = try box.succeed(["select", "--help"]).stdout
        #expect(select.contains("hc") && select.contains("Mclust()"))
        #expect(try box.succeed(["fit", "--help"]).stdout.contains("hierarchical"))
    }
}
