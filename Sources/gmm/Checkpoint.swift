import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine

// `gmm fit --checkpoint/--resume` and the graceful Ctrl-C.
//
// The library hands over the state after every iteration; `CheckpointSchedule`
// decides when to save it, and this file what must match on resume: the
// options that change the result and a fingerprint of the data, stored as
// strings in the checkpoint and compared name by name (`CheckpointSettings`).

struct CheckpointOptions: ParsableArguments {
    @OptionGroup var flags: CheckpointFlags

    // A test aid: behave as if Ctrl-C came during the N-th iteration of this run, at a known point.
    @Option(name: .customLong("stop-after-iterations"), parsing: .unconditional, help: .hidden)
    var stopAfter: Int?

    var checkpoint: String? { flags.checkpoint }
    var every: Int? { flags.every }
    var resume: String? { flags.resume }
    var isUsed: Bool { checkpoint != nil || resume != nil || stopAfter != nil }
}

/// The saving, stopping and resuming of one `gmm fit` run.
final class FitCheckpointing {
    let options: CheckpointOptions
    /// The settings saved with each checkpoint and compared on resume.
    let settings: [(String, String)]
    private var schedule: CheckpointSchedule
    private var iterations = 0
    /// The first failure to save; it stops the fit.
    private(set) var saveError: Error?

    init(options: CheckpointOptions, settings: [(String, String)]) {
        self.options = options
        self.settings = settings
        schedule = CheckpointSchedule(every: options.every)
        // Ctrl-C now only asks the loop to stop after its iteration; a second one ends the process.
        TemporaryFiles.stopGracefullyOnFirstInterrupt()
    }

    /// The checkpoint to resume from, after checking that it belongs to this data and these options.
    func resumeState() throws -> FitCheckpoint? {
        guard let path = options.resume else { return nil }
        let (state, saved) = try FitCheckpoint.read(path: path)
        if let why = CheckpointSettings.mismatch(saved: saved, current: settings, state: state) {
            throw CommandFailure(message: "--resume \(path): \(why); resume with the same data and options",
                                 status: ExitStatus.usage)
        }
        return state
    }

    /// Asked by the library after every iteration, before `save`.
    func shouldStop() -> Bool {
        iterations += 1
        return TemporaryFiles.isInterruptRequested || saveError != nil || options.stopAfter.map { iterations >= $0 } == true
    }

    /// Saves `state` when it is due, or when the fit stops there.
    func save(_ state: FitCheckpoint, isStopping: Bool) {
        guard let path = options.checkpoint, saveError == nil else { return }
        guard schedule.isDue(iteration: state.iteration) || isStopping else { return }
        do {
            try OutputFile.write(state.encoded(settings: settings), to: path)
            schedule.didSave()
        } catch {
            saveError = error
        }
    }
}

extension FitCheckpointing {
    /// The settings of a fit: the options that change its result, and the data's fingerprint.
    static func settings(_ fit: Fit, options: FitOptions, data: IncompleteDataMatrix, weights: [Double]?) -> [(String, String)] {
        let f = fit.fitting
        return [
            ("k", String(options.componentCount)),
            ("covariance", options.covarianceKind.rawValue),
            ("init", fit.initModel != nil ? "model " + fingerprint(of: options)
                : fit.initResponsibilities != nil ? "responsibilities " + fingerprint(of: options) : f.initialization.rawValue),
            ("n_init", String(f.em.initializationCount)),
            ("max_iter", String(f.em.maxIterations)),
            ("tol", String(f.em.tol)),
            ("reg_covar", String(f.em.regularization)),
            ("seed", String(f.em.seed)),
            ("order", f.order.rawValue),
            ("weights", f.sampleWeights.map { "file " + $0 } ?? f.weightColumn.map { "column " + $0 } ?? "none"),
            ("missing", fit.missingValues.marginalize ? "marginalize" : "error"),
        ] + dataFingerprint(data, weights: weights)
    }

    /// Rows, feature names, and FNV-1a over the bit patterns of up to 1000 evenly
    /// spaced rows (and their weights) plus the total weight: cheap on any size,
    /// and any edit of a sampled row, a reordering or another file changes it.
    static func dataFingerprint(_ data: IncompleteDataMatrix, weights: [Double]?) -> [(String, String)] {
        var hash = FNV1a()
        let n = data.sampleCount
        let step = max(1, n / 1000)
        for i in stride(from: 0, to: n, by: step) {
            hash.add(UInt64(i))
            for x in data.row(i) { hash.add(x.bitPattern) }
            if let weights { hash.add(weights[i].bitPattern) }
        }
        hash.add((weights?.reduce(0, +) ?? Double(n)).bitPattern)
        return [
            ("data_rows", String(n)),
            ("data_features", data.featureNames.joined(separator: ",")),
            ("data_checksum", String(hash.value, radix: 16)),
        ]
    }

    /// A checksum of a starting model's parameters (for --init-model).
    static func fingerprint(of options: FitOptions) -> String {
        var hash = FNV1a()
        switch options.initialization {
        case let .model(start): for x in start.weights + start.means.flatMap({ $0 }) { hash.add(x.bitPattern) }
        case let .responsibilities(table): table.withUnsafeBufferPointer { z in for x in z { hash.add(x.bitPattern) } }
        default: return ""
        }
        return String(hash.value, radix: 16)
    }
}
