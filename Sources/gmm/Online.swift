import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine

// `gmm fit --online` (stepwise EM over mini-batches) and the hint that large
// text files should be converted to .npy. Kept in its own file so the batch
// EM path of fit.swift stays as it was.

/// The flags of an online fit.
struct OnlineParameters: ParsableArguments {
    @Flag(help: "Online (stepwise) EM: update the model once per mini-batch, for data too large to pass over many times.")
    var online = false

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Online only: rows per mini-batch (default 65536; above 1024 rounded to a multiple of 1024).")
    var batchSize: Int?

    @Option(name: .customLong("step-decay"), parsing: .unconditional, help: "Online only: ρ in the step γ_t = t^(−ρ) of the t-th update, in (0.5, 1] (default 0.6).")
    var stepDecay: Double?

    @Option(parsing: .unconditional, help: "Online only: passes over the data (default 1).")
    var epochs: Int?

    static let defaultBatchSize = 65536
    static let defaultStepDecay = 0.6

    func validate() throws {
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if let stepDecay, !(stepDecay > 0.5 && stepDecay <= 1) {
            throw ValidationError("--step-decay must be in (0.5, 1], got \(stepDecay)")
        }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if !online && (batchSize != nil || stepDecay != nil || epochs != nil) {
            throw ValidationError("--batch-size, --step-decay and --epochs need --online")
        }
    }

    var options: OnlineFitOptions {
        OnlineFitOptions(batchSize: batchSize ?? Self.defaultBatchSize, stepDecay: stepDecay ?? Self.defaultStepDecay,
                         epochCount: epochs ?? 1)
    }

    /// The fit summary with the batch-EM lines replaced: "iterations" become
    /// updates, and "converged" (online EM has no stopping rule) goes.
    func summaryLines(_ lines: [String]) -> [String] {
        let o = options
        return lines.compactMap { line in
            if line.hasPrefix("converged:") { return nil }
            guard line.hasPrefix("iterations:") else { return line }
            let count = line.dropFirst("iterations:".count).trimmingCharacters(in: .whitespaces)
            return "online updates:      \(count) (\(o.epochCount) epoch\(o.epochCount == 1 ? "" : "s"), batch size \(o.batchSize), step decay \(readable(o.stepDecay)))"
        }
    }

    /// The online settings as JSON members of the model file's `fit_options`.
    var fitOptionsMembers: String {
        let o = options
        return "\"method\": \"online\", \"batch_size\": \(o.batchSize), \"step_decay\": \(o.stepDecay), \"epochs\": \(o.epochCount)"
    }
}

/// Runs online EM, resuming, saving and stopping as `saving` says; errors caused
/// by the data itself name the data file.
func fitOnlineReportingData(
    _ path: String, _ data: DataMatrix, weights: [Double]?, options: FitOptions, online: OnlineFitOptions,
    meter: ProgressMeter?, saving: FitCheckpointing
) throws -> FitResult {
    let resume = try saving.onlineResumeState()
    let progress: ((OnlineProgress) -> Void)? = meter.map { meter in { p in
        // A line per percent of the batches at most: printing is not free at 1e5 batches.
        guard p.batch == p.batchCount || p.batch % max(1, p.batchCount / 100) == 0 else { return }
        let epoch = online.epochCount > 1 ? "epoch \(p.epoch)/\(online.epochCount)  " : ""
        let text = "\(epoch)batch \(p.batch)/\(p.batchCount)  batch mean log-likelihood \(readable(p.batchMeanLogLikelihood, digits: 8))  step \(readable(p.step, digits: 3))"
        meter.show(text)
    } }
    return try reportingDataErrors(path) { () throws(FitError) in
        try OnlineExpectationMaximization.fit(data, weights: weights, options: options, online: online,
                                              progress: progress, resumingFrom: resume,
                                              checkpoint: { state, isStopping in saving.save(state, isStopping: isStopping) },
                                              shouldStop: { saving.shouldStop() })
    }
}

/// Prints a one-line hint when a CSV or TSV data file is large compared with
/// physical memory: it is parsed into memory (8 bytes per value) on every run,
/// while a `.npy` file is read in place, block by block.
///
/// The threshold is a quarter of physical memory (`sysconf(_SC_PHYS_PAGES)`);
/// the environment variable `GMM_PHYSICAL_MEMORY` (bytes) stands in for the
/// physical memory, so the hint can be tested.
func hintConversionIfLarge(_ path: String) {
    guard path != "-", DataFileFormat(path: path) != .npy else { return }
    var info = stat()
    guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return }
    let size = Double(info.st_size)
    let physical = ProcessInfo.processInfo.environment["GMM_PHYSICAL_MEMORY"].flatMap(Double.init)
        ?? Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
    guard physical > 0, size > physical / 4 else { return }
    let stem = path.hasSuffix(".csv") || path.hasSuffix(".tsv") || path.hasSuffix(".tab") ? String(path.dropLast(4)) : path
    printError("gmm: note: \(path) is \(readable(size / 1e9, digits: 3)) GB of text, parsed into memory (8 bytes per value) "
        + "on every run; convert it once with `gmm convert \(path) \(stem).npy` and use the .npy, which is read in place, block by block")
}
