// Exit status 64: bad usage. Every case names an output file with -o/--output
// and checks that nothing was written there.

import Testing

/// One bad command line and the facts its error line must mention.
struct UsageCase: CustomTestStringConvertible, Sendable {
    var args: [String]
    var facts: [String]
    var testDescription: String { args.joined(separator: " ") }
}

@Suite("Exit 64: bad usage")
struct UsageErrorTests {
    static let cases: [UsageCase] = [
        UsageCase(args: ["fit", "faithful.csv", "--bogus", "-o", "out.json"], facts: ["--bogus"]),
        UsageCase(args: ["predict", "model.json", "faithful.csv", "--bogus", "--output", "out.csv"], facts: ["--bogus"]),
        UsageCase(args: ["fit", "faithful.csv", "-k", "0", "-o", "out.json"], facts: ["components", "0"]),
        UsageCase(args: ["fit", "faithful.csv", "--covariance", "bogus", "-o", "out.json"], facts: ["--covariance", "bogus"]),
        UsageCase(args: ["fit", "faithful.csv", "--init", "bogus", "-o", "out.json"], facts: ["--init", "bogus"]),
        UsageCase(args: ["fit", "faithful.csv", "--tol", "-1", "-o", "out.json"], facts: ["--tol"]),
        UsageCase(args: ["fit", "faithful.csv", "--tol=-1", "-o", "out.json"], facts: ["--tol", "-1"]),
        UsageCase(args: ["fit", "faithful.csv", "--max-iter", "-1", "-o", "out.json"], facts: ["--max-iter"]),
        UsageCase(args: ["fit", "faithful.csv", "--max-iter=-1", "-o", "out.json"], facts: ["--max-iter", "-1"]),
        UsageCase(args: ["fit", "faithful.csv", "--n-init", "0", "-o", "out.json"], facts: ["--n-init", "0"]),
        UsageCase(args: ["fit", "faithful.csv", "--reg-covar=-1", "-o", "out.json"], facts: ["--reg-covar", "-1"]),
        UsageCase(args: ["sample", "model.json", "-n", "-1", "-o", "out.csv"], facts: ["-n"]),
        UsageCase(args: ["sample", "model.json", "-o", "out.csv"], facts: ["-n"]),
        UsageCase(args: ["fit", "faithful.csv", "--init-model", "model.json", "-k", "3", "-o", "out.json"],
                  facts: ["-k 3", "model.json", "2"]),
        UsageCase(args: ["fit", "faithful.csv", "--init-model", "model.json", "--covariance", "diag", "-o", "out.json"],
                  facts: ["diag", "model.json", "full"]),
    ]

    @Test(arguments: cases)
    func rejectsWithOneLineAndNoOutput(_ usage: UsageCase) throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv", as: "faithful.csv")
        try box.write("model.json", handModel)
        let before = try box.listing()

        let outcome = try box.run(usage.args)

        expectCleanFailure(outcome, status: 64, facts: usage.facts)
        #expect(try box.listing() == before, "no output or temporary file left")
    }
}
