// Issue 19, item 6: warnings are the last lines on standard error, after the
// summary and the table; progress shows on a terminal (redrawn in place) or,
// with --progress, as plain lines in a log; never with -q. The harness runs gmm
// with files for standard error (not a terminal); the terminal is reached
// through `script`, which gives the child a pseudo-terminal.

import Foundation
import GaussianMixturesCommandLine
import Testing

/// Four rows, one constant column: K = 4 gives one row per component.
private let fourRows = "a,b,c\n1,2,5\n2,3.5,5\n4,1,5\n6,2,5\n"

@Suite("Warnings come last")
struct WarningsLastTests {
    /// The lines after the last line that is not a warning are all warnings, and there are `count` of them.
    private func expectWarningsLast(_ stderr: [Substring], count: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let firstWarning = stderr.firstIndex { $0.hasPrefix("gmm: warning: ") } ?? stderr.endIndex
        #expect(stderr[firstWarning...].allSatisfy { $0.hasPrefix("gmm: warning: ") }, "warnings last: \(stderr)",
                sourceLocation: sourceLocation)
        #expect(stderr.count - firstWarning == count, "\(count) warnings: \(stderr)", sourceLocation: sourceLocation)
    }

    @Test("fit: K = rows and a constant column are warned about after the table; K > rows is an error (65)")
    func fitWarnings() throws {
        let box = try Sandbox()
        try box.write("x.csv", fourRows)
        let out = try box.succeed(["fit", "x.csv", "-k", "4", "--covariance", "diag"])
        let lines = out.stderrLines
        expectWarningsLast(lines, count: 2)
        #expect(lines.contains { $0.contains("4 components for 4 rows") && $0.contains("degenerate") })
        #expect(lines.contains { $0.contains("column \"c\" is constant") })
        #expect(lines.contains { $0.hasPrefix("  component") }, "the table is printed")
        // -q: no summary, the warnings still.
        expectWarningsLast(try box.succeed(["fit", "x.csv", "-k", "4", "--covariance", "diag", "-q"]).stderrLines, count: 2)
        expectWarningsLast(try box.succeed(["fit", "x.csv", "-k", "2", "--covariance", "diag", "--columns", "a,b"]).stderrLines,
                           count: 0)
        let tooMany = try box.run(["fit", "x.csv", "-k", "5", "--covariance", "diag"])
        expectCleanFailure(tooMany, status: 65, facts: ["5 components to 4 rows"])
    }

    @Test("fit with frequency weights: K at least the total weight is degenerate")
    func weightedWarning() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        try box.write("w.txt", String(repeating: "0.005\n", count: 272))
        let out = try box.succeed(["fit", "old-faithful.csv", "-k", "2", "--sample-weights", "w.txt", "--covariance", "diag"])
        #expect(out.stderrLines.last?.contains("2 components for a total weight of 1.36") == true, "\(out.stderr)")
    }

    @Test("fit: not converged is the last line, after the table; --online, --labels, variational, select and classify fit too")
    func everyFitPath() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        let em = try box.succeed(["fit", "old-faithful.csv", "-k", "2", "--max-iter", "2"]).stderrLines
        expectWarningsLast(em, count: 1)
        #expect(em.last?.contains("EM did not converge in 2 iterations") == true)
        let variational = try box.succeed(["fit", "old-faithful.csv", "-k", "3", "--method", "variational", "--max-iter", "2"])
        expectWarningsLast(variational.stderrLines, count: 1)
        #expect(variational.stderrLines.last?.contains("the variational fit did not converge") == true)
        // Semi-supervised: two labelled rows, the rest unknown.
        try box.write("labels.txt", "a\n" + String(repeating: "\n", count: 270) + "b\n")
        let labelled = try box.succeed(["fit", "old-faithful.csv", "--labels", "labels.txt", "-k", "2", "--max-iter", "1"])
        expectWarningsLast(labelled.stderrLines, count: 1)
        #expect(labelled.stderrLines.last?.contains("EM did not converge in 1 iterations") == true)
        try box.write("x.csv", fourRows)
        let online = try box.succeed(["fit", "x.csv", "-k", "4", "--covariance", "diag", "--online", "--batch-size", "4"])
        expectWarningsLast(online.stderrLines, count: 2)
        let select = try box.succeed(["select", "x.csv", "--components", "1-4", "--covariance", "diag,spherical"])
        expectWarningsLast(select.stderrLines, count: 2)
        #expect(select.stderrLines.contains { $0.contains("the best candidate (spherical, K = 4): 4 components for 4 rows") })
        let quietSelect = try box.succeed(["select", "x.csv", "--components", "1-4", "--covariance", "diag", "-q"])
        expectWarningsLast(quietSelect.stderrLines, count: 2)
        try box.write("c.csv", "a,b,class\n1,5,x\n2,5,x\n3,5,x\n7,5,y\n8,5,y\n9,5,y\n")
        let classify = try box.succeed(["classify", "fit", "c.csv", "--labels", "class", "-k", "3", "--covariance", "diag"])
        expectWarningsLast(classify.stderrLines, count: 3)
        #expect(classify.stderrLines.contains { $0.contains("class \"x\": 3 components for 3 rows") })
    }
}

@Suite("Progress")
struct ProgressTests {
    @Test("fit --progress writes plain iteration lines to a log; without it, or with -q, none")
    func fitLines() throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv")
        let shown = try box.succeed(["fit", "old-faithful.csv", "-k", "2", "--progress"]).stderr
        #expect(!shown.contains("\r") && !shown.contains("\u{1B}"), "plain lines")
        let lines = shown.split(separator: "\n")
        #expect(lines.first?.hasPrefix("reading old-faithful.csv [####################] 100%") == true, "\(shown)")
        #expect(lines.contains { $0.hasPrefix("iteration 1  mean log-likelihood") })
        // The last iteration is always written (the line before the summary).
        let summary = try #require(lines.firstIndex { $0.hasPrefix("components:") })
        let iterations = try #require(number(after: "iterations:", in: shown))
        #expect(lines[summary - 1].hasPrefix("iteration \(Int(iterations))  "), "\(lines[summary - 1])")
        // Every method: variational, semi-supervised (--labels), online.
        let variational = try box.succeed(["fit", "old-faithful.csv", "-k", "3", "--method", "variational", "--progress"]).stderr
        #expect(variational.contains("\niteration 1  ELBO "))
        try box.write("labels.txt", "a\n" + String(repeating: "\n", count: 270) + "b\n")
        let labelled = try box.succeed(["fit", "old-faithful.csv", "--labels", "labels.txt", "-k", "2", "--progress"]).stderr
        #expect(labelled.contains("\niteration 1  mean log-likelihood "))
        let online = try box.succeed(["fit", "old-faithful.csv", "-k", "2", "--online", "--batch-size", "64", "--progress"]).stderr
        #expect(online.contains("\nbatch 1/"), "\(online)")
        for args in [["fit", "old-faithful.csv", "-k", "2"], ["fit", "old-faithful.csv", "-k", "2", "--progress", "-q"]] {
            let err = try box.succeed(args).stderr
            #expect(!err.contains("iteration 1") && !err.contains("reading"), "\(args): \(err)")
        }
    }

    @Test("select --progress: one line per finished candidate, i of N, with its BIC or its failure")
    func selectLines() throws {
        let box = try Sandbox()
        try box.write("x.csv", fourRows)
        let out = try box.succeed(["select", "x.csv", "--components", "1-5", "--covariance", "diag,spherical", "--progress"])
        let lines = out.stderrLines.filter { $0.hasPrefix("candidate ") }
        #expect(lines.count == 10)
        #expect(Set(lines.map { $0.split(separator: ":")[0] }) == Set((1...10).map { "candidate \($0) of 10" }))
        #expect(lines.filter { $0.contains("K = 5  failed: cannot fit 5 components to 4 rows") }.count == 2)
        #expect(lines.filter { $0.contains("  BIC ") && $0.hasSuffix(" s") }.count == 8)
        #expect(!(try box.succeed(["select", "x.csv", "--components", "1-2", "--covariance", "diag"]).stderr.contains("candidate")))
        #expect(!(try box.succeed(["select", "x.csv", "--components", "1-2", "--covariance", "diag", "-q", "--progress"])
            .stderr.contains("candidate")))
    }

    @Test("classify fit --progress: one line per candidate (class, model, K, BIC), i of N")
    func classifyLines() throws {
        let box = try Sandbox()
        var text = "eruptions,waiting,kind\n"
        for row in try faithfulRows() { text += "\(row[0]),\(row[1]),\(row[0] > 3 ? "long" : "short")\n" }
        try box.write("c.csv", text)
        let lines = try box.succeed(["classify", "fit", "c.csv", "--labels", "kind", "-k", "1-2", "--covariance", "full,diag",
                                     "--progress"]).stderrLines.filter { $0.hasPrefix("candidate ") }
        #expect(lines.count == 8)
        #expect(lines.first?.hasPrefix("candidate 1 of 8: class \"long\", full, K = 1  BIC ") == true, "\(lines)")
        let edda = try box.succeed(["classify", "fit", "c.csv", "--labels", "kind", "--edda", "--covariance", "full,diag",
                                    "--progress"]).stderrLines.filter { $0.hasPrefix("candidate ") }
        #expect(edda.count == 2)
        #expect(edda.first?.hasPrefix("candidate 1 of 2: full  BIC ") == true && edda.last?.hasPrefix("candidate 2 of 2: diag  BIC ") == true,
                "\(edda)")
    }

    @Test("convert, predict -o, score -o, sample -o with --progress: a last line with every row written")
    func writeLines() throws {
        let box = try Sandbox()
        try box.fitFaithful()
        let convert = try box.succeed(["convert", "old-faithful.csv", "f.csv", "--progress"]).stderrLines
        #expect(convert.contains { $0.hasPrefix("reading old-faithful.csv [####################] 100%") })
        #expect(convert.contains { $0.hasPrefix("writing f.csv [####################] 100%  272 of 272 rows, ") })
        for (args, rows) in [(["predict", "m.json", "old-faithful.csv", "-o", "p.csv"], 272),
                             (["score", "m.json", "old-faithful.csv", "-o", "s.npy"], 272),
                             (["sample", "m.json", "-n", "5000", "-o", "r.csv"], 5000)] {
            let lines = try box.succeed(args + ["--progress"]).stderrLines
            #expect(lines.contains { $0.hasPrefix("writing \(args[args.count - 1]) [####################] 100%  \(rows) of \(rows) rows") },
                    "\(args): \(lines)")
        }
        // To standard output: no bar (the table is there).
        #expect(!(try box.succeed(["predict", "m.json", "old-faithful.csv", "--progress"]).stderr.contains("writing")))
    }

    @Test("on a terminal: the bar is redrawn in place and erased at the end; -q: nothing",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func terminal() throws {
        let box = try Sandbox()
        // 20000 rows: more than one report of the reader (every 16384 rows).
        var text = "a,b\n"
        for i in 0..<20000 { text += "\(i % 97),\(i % 13)\n" }
        try box.write("x.csv", text)
        func onTerminal(_ args: [String]) throws -> String {
            let command = ([gmmExecutable.path] + args).map { "'\($0)'" }.joined(separator: " ")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", command, "/dev/null"]
            process.currentDirectoryURL = box.work
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        let shown = try onTerminal(["convert", "x.csv", "y.csv"])
        #expect(shown.hasPrefix("\r\u{1B}[Kreading x.csv ["), "\(shown.debugDescription)")
        #expect(shown.contains("\r\u{1B}[Kwriting y.csv ["))
        // Erased before the summary: the summary starts the line.
        #expect(shown.contains("\r\u{1B}[Kconverted 20000 rows"), "\(shown.debugDescription)")
        let quiet = try onTerminal(["convert", "x.csv", "z.csv", "-q"])
        #expect(quiet.isEmpty, "\(quiet.debugDescription)")
        // fit's iteration line stays (ended by a newline), the summary below it.
        let fit = try onTerminal(["fit", "x.csv", "-k", "2", "--max-iter", "3"])
        #expect(fit.contains("iteration 3  mean log-likelihood"))
        #expect(fit.contains("\r\ncomponents:"), "\(fit.prefix(600).debugDescription)")
    }
}

@Suite("Progress text and throttle")
struct ProgressTextTests {
    @Test("the bar, the percentage and the sizes")
    func text() {
        #expect(ProgressText.bar(0) == "[....................]")
        #expect(ProgressText.bar(0.5, width: 10) == "[#####.....]")
        #expect(ProgressText.bar(0.999, width: 10) == "[#########.]")
        #expect(ProgressText.bar(2, width: 4) == "[####]")
        #expect(ProgressText.bar(.nan, width: 4) == "[....]")
        #expect(ProgressText.percent(999, of: 1000) == "99%")
        #expect(ProgressText.percent(1000, of: 1000) == "100%")
        #expect(ProgressText.percent(0, of: 0) == "100%")
        #expect(ProgressText.bytes(950) == "950 B")
        #expect(ProgressText.bytes(83_200_193) == "83.2 MB")
        #expect(ProgressText.bytes(1_500_000_000) == "1.5 GB")
        #expect(ProgressText.bytes(123_456) == "123 kB")
        #expect(ProgressText.seconds(.milliseconds(1250)) == "1.3 s")
        #expect(ProgressText.line("reading x", done: 1, of: 4, detail: "d") == "reading x [#####...............] 25%  d")
    }

    @Test("at most one update per interval; the first always")
    func throttle() {
        var throttle = ProgressThrottle(interval: .milliseconds(100))
        let t0 = ContinuousClock.now
        let offsets: [Duration] = [.zero, .milliseconds(50), .milliseconds(99), .milliseconds(100), .milliseconds(150), .seconds(1)]
        let shown = offsets.map { throttle.isDue(at: t0 + $0) }
        #expect(shown == [true, false, false, true, false, true])
        // Ten a second at most on a terminal, one a second in a log.
        #expect(ProgressStyle.terminal.interval == .milliseconds(100))
        #expect(ProgressStyle.lines.interval == .seconds(1))
    }

    @Test("the style: none with -q, in place on a terminal, lines only when forced")
    func style() {
        #expect(ProgressStyle.chosen(quiet: true, forced: true, isTerminal: true) == nil)
        #expect(ProgressStyle.chosen(quiet: false, forced: false, isTerminal: true) == .terminal)
        #expect(ProgressStyle.chosen(quiet: false, forced: true, isTerminal: true) == .terminal)
        #expect(ProgressStyle.chosen(quiet: false, forced: false, isTerminal: false) == nil)
        #expect(ProgressStyle.chosen(quiet: false, forced: true, isTerminal: false) == .lines)
    }
}
