// `gmm sample`, `gmm info` and every subcommand's --help.

import Testing

@Suite("gmm sample, info and help")
struct SampleInfoHelpTests {
    @Test("sample draws N rows named as the model's features")
    func sampleRows() throws {
        let box = try Sandbox()
        try box.fitFaithful()

        let outcome = try box.succeed(["sample", "m.json", "-n", "5", "--seed", "3"])

        let table = Table(outcome.stdout)
        #expect(table.header == "eruptions,waiting")
        #expect(table.rows.count == 5)
        #expect(table.rows.allSatisfy { $0.count == 2 })
        #expect(table.numbers.joined().allSatisfy { $0.isFinite })
        for cell in table.rows.joined() {
            #expect(isShortestRoundTrip(cell), "\(cell) is in shortest round-trip form")
        }
    }

    @Test("the same seed gives the same bytes; another seed other rows")
    func sampleSeed() throws {
        let box = try Sandbox()
        try box.fitFaithful()

        let first = try box.succeed(["sample", "m.json", "-n", "5", "--seed", "3"]).stdout
        let second = try box.succeed(["sample", "m.json", "-n", "5", "--seed", "3"]).stdout
        let other = try box.succeed(["sample", "m.json", "-n", "5", "--seed", "4"]).stdout

        #expect(first == second)
        #expect(first != other)
    }

    @Test("--labels adds a last column `component` to the same draws")
    func sampleLabels() throws {
        let box = try Sandbox()
        try box.fitFaithful()

        let plain = Table(try box.succeed(["sample", "m.json", "-n", "40", "--seed", "3"]).stdout)
        let labelled = Table(try box.succeed(["sample", "m.json", "-n", "40", "--seed", "3", "--labels"]).stdout)

        #expect(labelled.header == "eruptions,waiting,component")
        #expect(labelled.rows.count == 40)
        #expect(labelled.rows.allSatisfy { $0.count == 3 && ($0[2] == "0" || $0[2] == "1") })
        #expect(labelled.rows.map { Array($0.prefix(2)) } == plain.rows)
    }

    @Test("-n 0 prints the header only", arguments: [[], ["--labels"]])
    func sampleNone(_ extra: [String]) throws {
        let box = try Sandbox()
        try box.fitFaithful()

        let outcome = try box.succeed(["sample", "m.json", "-n", "0"] + extra)

        #expect(outcome.stdout == (extra.isEmpty ? "eruptions,waiting\n" : "eruptions,waiting,component\n"))
    }

    @Test("--version names GSL, the BLAS kernels and the vector-kernel variant; GMM_KERNELS=portable forces the baseline, GMM_KERNELS=avx2 at most AVX2")
    func version() throws {
        let box = try Sandbox()
        let line = try box.succeed(["--version"]).stdout
        #expect(line.hasPrefix("0.1.0 (GSL "), "\(line)")
        #expect(line.contains(", BLAS "), "\(line)")
        #expect(["avx512", "avx2+fma", "portable"].contains { line.contains("vector kernels \($0))") }, "\(line)")
        let forced = try box.succeed(["--version"], environment: ["GMM_KERNELS": "portable"]).stdout
        #expect(forced.contains("vector kernels portable)"), "\(forced)")
        let capped = try box.succeed(["--version"], environment: ["GMM_KERNELS": "avx2"]).stdout
        let expected = line.contains("vector kernels portable)") ? "portable" : "avx2+fma"
        #expect(capped.contains("vector kernels \(expected))"), "\(capped)")
    }

    @Test("the portable vector kernels fit the same model as the default ones, to rounding")
    func portableKernels() throws {
        let box = try Sandbox()
        try box.fitFaithful(to: "default.json")
        try box.succeed(["fit", "old-faithful.csv", "-k", "2", "-o", "portable.json", "--seed", "0"],
                        environment: ["GMM_KERNELS": "portable"])
        let a = try ModelJSON.read("default.json", in: box), b = try ModelJSON.read("portable.json", in: box)
        #expect(a.nIter == b.nIter)
        #expect(abs(a.meanLogLikelihood - b.meanLogLikelihood) <= 1e-12 * abs(a.meanLogLikelihood))
        for (x, y) in zip(a.means.joined(), b.means.joined()) { #expect(abs(x - y) <= 1e-10 * abs(x)) }
    }

    @Test("info shows the weights")
    func info() throws {
        let box = try Sandbox()
        try box.write("hand.json", handModel)
        try box.fitFaithful()

        let hand = try box.succeed(["info", "hand.json"])
        let fitted = try box.succeed(["info", "m.json"])

        #expect(hand.stdout.contains("0.25"))
        #expect(hand.stdout.contains("0.75"))
        #expect(hand.stdout.contains("eruptions"))
        #expect(fitted.stdout.contains("components"))
        #expect(fitted.stdout.contains("272"), "the training row count")
        // info rounds for people; the first three decimals of each fitted weight must show.
        for weight in try ModelJSON.read("m.json", in: box).weights {
            #expect(fitted.stdout.contains(String(weight.description.prefix(5))), "weight \(weight) is shown")
        }
    }

    @Test("--help exits 0", arguments: ["fit", "predict", "score", "sample", "info"])
    func help(_ command: String) throws {
        let box = try Sandbox()

        let outcome = try box.succeed([command, "--help"])

        #expect(outcome.stdout.contains("USAGE: gmm \(command)"))
        #expect(outcome.stderr.isEmpty)
    }

    @Test("the root --help lists every subcommand")
    func rootHelp() throws {
        let box = try Sandbox()
        let outcome = try box.succeed(["--help"])
        for command in ["fit", "predict", "score", "sample", "info"] {
            #expect(outcome.stdout.contains(command))
        }
    }
}
