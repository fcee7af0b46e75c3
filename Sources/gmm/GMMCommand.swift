import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine

/// The `gmm` command: Gaussian mixture models from the shell.
@main
struct GMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gmm",
        abstract: "Fit Gaussian mixture models and ask them questions.",
        discussion: """
            A mixture draws a hidden component c with probability P(c), then x from the
            Gaussian P(x|c). `fit` estimates both by expectation-maximisation; `predict`
            gives P(c|x) (which component explains a row, and how sure the model is);
            `score` gives log P(x) (how typical a row is); `sample` draws new rows.

            Exit status: 0 success, 64 bad usage, 65 bad data or model file,
            66 input file cannot be opened, 73 output file cannot be written.
            """,
        // What the numbers ran on, for bug reports and benchmark tables.
        version: """
            0.1.0 (GSL \(LinearAlgebraBackend.gslVersion), BLAS \(LinearAlgebraBackend.openBLASCoreName.map { "OpenBLAS " + $0 } ?? LinearAlgebraBackend.cblasLibraryPath ?? "unknown"), \
            vector kernels \(LinearAlgebraBackend.vectorKernels))
            """,
        subcommands: [Fit.self, Predict.self, Classify.self, Score.self, Sample.self, Info.self, Select.self, Plot.self, Report.self, Condition.self, Regress.self, Convert.self, Impute.self]
    )

    /// Parses and runs like ArgumentParser's own `main()`, except that a usage
    /// error is one line (`gmm: error: …`), as every other error, with status 64.
    static func main() {
        useFastBLASKernels()
        keepFreedMemory()
        TemporaryFiles.removeOnSignals()
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            fail(error)
        }
        do {
            // Every data file read by the command uses --delimiter where it was given.
            let delimiter = try (command as? ReadsTextData)?.delimiterOption.byte()
            // --progress, -q and the terminal decide what is shown while the command works.
            let style = (command as? ShowsProgress)?.progressStyle
            let reads = style.map { style in
                let display = ReadProgressDisplay(style: style)
                return ReadProgressHandler { display.report($0) }
            }
            try DataFileReader.$delimiter.withValue(delimiter) {
                try CommandProgress.$style.withValue(style) {
                    try DataFileReader.$progress.withValue(reads) { try command.run() }
                }
            }
        } catch {
            fail(error)
        }
    }

    /// Restarts once with OPENBLAS_CORETYPE set when OpenBLAS fell back to slow
    /// kernels on a processor it does not recognise (see LinearAlgebraBackend).
    private static func useFastBLASKernels() {
        guard getenv("GMM_BLAS_RESTARTED") == nil, let core = LinearAlgebraBackend.kernelOverride() else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv("GMM_BLAS_RESTARTED", "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returns only on failure: carry on with the slow kernels.
    }

    /// Lets glibc's malloc keep freed memory for reuse instead of returning it to the
    /// system at once. Every EM pass makes and frees its workers' buffers; by default the
    /// arena of the thread that made one shrinks when it is freed (up to glibc's dynamic
    /// thresholds), and the next pass faults the pages back in: on two threads, 28 page
    /// faults per iteration of the benchmark's full 100 000×2, K = 4 case against 1.2
    /// with these settings, and 0.47 → 0.42 ms per iteration. Allocations of 32 MiB and
    /// more (data matrices) are still mapped and unmapped on their own, and at most 64 MiB
    /// of free memory stays in an arena.
    private static func keepFreedMemory() {
        // <malloc.h>'s M_MMAP_THRESHOLD and M_TRIM_THRESHOLD (Glibc's module map leaves the header out).
        _ = glibcMallopt(-3, 32 << 20)
        _ = glibcMallopt(-1, 64 << 20)
    }

    private static func fail(_ error: Error) -> Never {
        let code = exitCode(for: error)
        // Help, version and our own already-reported failures keep ArgumentParser's handling.
        if code == .success || error is ExitCode { exit(withError: error) }
        let text = message(for: error).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
        let names = configuration.subcommands.compactMap { $0.configuration.commandName ?? String(describing: $0).lowercased() }
        let subcommand = CommandLine.arguments.dropFirst().first.flatMap { names.contains($0) ? " " + $0 : nil } ?? ""
        printError("gmm: error: \(oneLine(text)) (see 'gmm\(subcommand) --help')")
        Foundation.exit(code.rawValue)
    }
}

/// glibc's `int mallopt(int param, int value)`.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
