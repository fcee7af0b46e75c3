import Foundation
import Testing

// `gmm select --method variational`: variational candidates ranked by the
// full evidence lower bound; the criterion must belong to the method.

@Suite("gmm select --method variational")
struct SelectVariationalTests {
    @Test("ranks by the evidence bound, writes the best posterior and the table")
    func ranksAndWrites() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        let run = try box.succeed(["select", "old-faithful.csv", "--method", "variational", "--components", "1-3",
                                   "--covariance", "full,diag", "-o", "best.json", "--output-table", "table.csv"])
        #expect(run.stdout.contains("evidence bound") && run.stderr.contains("best by ELBO"))
        let table = Table(try #require(box.text("table.csv")))
        #expect(table.header.hasSuffix(",method,elbo,effective_components"))
        #expect(table.rows.count == 6)
        let elbo = try #require(table.header.split(separator: ",").firstIndex(of: "elbo"))
        let bounds = table.rows.map { Double($0[elbo])! }
        #expect(bounds == bounds.sorted(by: >))
        #expect(table.rows.allSatisfy { $0[table.rows[0].count - 3] == "variational" })
        let info = try box.succeed(["info", "best.json"])
        let written = try #require(number(after: "evidence bound:", in: info.stderr + info.stdout))
        // info prints totals with one decimal (Formatting.swift); the table keeps every digit.
        #expect(abs(written - bounds[0]) <= 0.05, "\(written) vs \(bounds[0])")
        #expect(info.stdout.contains("evidence bound:      \(String(format: "%.1f", bounds[0])) ("), "\(info.stdout)")
    }

    @Test("score of a variational model: the note and summary on standard error, none with -q")
    func scoreQuiet() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        try box.succeed(["fit", "old-faithful.csv", "-k", "3", "--method", "variational", "-q", "-o", "vb.json"])
        let loud = try box.succeed(["score", "vb.json", "old-faithful.csv"])
        #expect(loud.stderr.contains("posterior-predictive") && loud.stderr.contains("(posterior predictive)"))
        let quiet = try box.succeed(["score", "vb.json", "old-faithful.csv", "-q"])
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
        #expect(quiet.stdout == loud.stdout)
    }

    @Test("a criterion of the other method is a usage error")
    func criterionMatchesMethod() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        expectCleanFailure(try box.run(["select", "old-faithful.csv", "--method", "variational", "--criterion", "bic"]),
                           status: 64, facts: ["--criterion bic"])
        expectCleanFailure(try box.run(["select", "old-faithful.csv", "--criterion", "elbo"]),
                           status: 64, facts: ["--method variational"])
        expectCleanFailure(try box.run(["select", "old-faithful.csv", "--weight-prior", "dirichlet"]),
                           status: 64, facts: ["--method variational"])
    }
}
