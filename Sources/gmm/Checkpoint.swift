import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine

// `gmm fit --checkpoint/--resume` and the graceful Ctrl-C.
//
// The library hands over the state after every iteration (every update of an
// online fit); `CheckpointSchedule` decides when to save it, and this file what
// must match on resume: the options that change the result and a fingerprint
// of the data, stored as strings in the checkpoint and compared name by name
// (`CheckpointSettings`).

struct CheckpointOptions: ParsableArguments {
    @OptionGroup var flags: CheckpointFlags

    // A test aid: behave as if Ctrl-C came during the N-th iteration of this run, at a known point.
    @Option(name: .customLong("stop-after-iterations"), parsing: .unconditional, help: .hidden)
    var stopAfter: Int?

    // A test aid: end the process with SIGKILL (as `kill -9` would) right after the N-th checkpoint saved.
    @Option(name: .customLong("kill-after-checkpoints"), parsing: .unconditional, help: .hidden)
    var killAfter: Int?

    var checkpoint: String? { flags.checkpoint }
    var every: Int? { flags.every }
    var resume: String? { flags.resume }
    var isUsed: Bool { checkpoint != nil || resume != nil || stopAfter != nil }
}

/// The saving, stopping and resuming of one `gmm fit` run: batch EM, online EM
/// (whose "iterations" are updates) or variational.
///
/// Ctrl-C: while the data is read the first SIGINT ends the process at once
/// with 130 and the line `whileReadingData` leaves (nothing was fitted yet);
/// from the making of this object on (after reading) the first SIGINT only asks
/// the loop to stop after its iteration — a SIGINT during the start (k-means)
/// lets the start and the first iteration finish, so their work is kept — and a
/// second one ends the process.
final class FitCheckpointing {
    let options: CheckpointOptions
    /// The settings saved with each checkpoint and compared on resume.
    let settings: [(String, String)]
    private var schedule: CheckpointSchedule
    private var iterations = 0
    private var saves = 0
    /// Whether the last `shouldStop` answered yes: the state handed over next is the last.
    private(set) var isStopping = false
    /// The first failure to save; it stops the fit.
    private(set) var saveError: Error?

    init(options: CheckpointOptions, settings: [(String, String)]) {
        self.options = options
        self.settings = settings
        schedule = CheckpointSchedule(every: options.every)
        // Ctrl-C now only asks the loop to stop after its iteration; a second one ends the process.
        TemporaryFiles.stopGracefullyOnFirstInterrupt()
        let kept = options.checkpoint.map { "; \($0) holds the last checkpoint saved, if any" } ?? ""
        TemporaryFiles.setInterruptMessages(
            ending: "gmm: stopped at once by a second Ctrl-C: no model was written\(kept)",
            stopping: "gmm: stopping after the current iteration (press Ctrl-C again to stop at once)")
    }

    /// Sets what a Ctrl-C while the data is read says; call before reading it.
    static func whileReadingData(resume: String?) {
        let kept = resume.map { "; \($0) still holds the saved fit" } ?? ""
        TemporaryFiles.setInterruptMessages(ending: "gmm: interrupted while reading the data: nothing was fitted yet\(kept)")
    }

    /// Checks that a checkpoint's settings are this run's.
    private func check(_ saved: [String: String], path: String, iteration: Int, finishedRestarts: Int,
                       except skipped: String? = nil) throws {
        let current = settings.filter { $0.0 != skipped }
        // "prior" is saved only by fits with --prior (older checkpoints lack it): a run without it must refuse one.
        if saved["prior"] != nil, !current.contains(where: { $0.0 == "prior" }) {
            throw CommandFailure(message: "--resume \(path): it was written with --prior, now without; "
                + "resume with the same data and options", status: ExitStatus.usage)
        }
        if let why = CheckpointSettings.mismatch(saved: saved, current: current, iteration: iteration,
                                                 finishedRestarts: finishedRestarts) {
            throw CommandFailure(message: "--resume \(path): \(why); resume with the same data and options",
                                 status: ExitStatus.usage)
        }
    }

    /// The batch EM checkpoint to resume from, after checking that it belongs to this data and these options.
    func resumeState() throws -> FitCheckpoint? {
        guard let path = options.resume else { return nil }
        let (state, saved) = try FitCheckpoint.read(path: path)
        try check(saved, path: path, iteration: state.iteration, finishedRestarts: state.finishedRestarts.count)
        return state
    }

    /// The online checkpoint to resume from, checked alike.
    func onlineResumeState() throws -> OnlineCheckpoint? {
        guard let path = options.resume else { return nil }
        let (state, saved) = try OnlineCheckpoint.read(path: path)
        // Another --epochs continues the same sequence of epochs (the e-th shuffle does not depend
        // on the count): the uninterrupted fit's result while the checkpoint's epoch is within it.
        if let epochs = settings.first(where: { $0.0 == "epochs" }).flatMap({ Int($0.1) }), state.epoch > epochs {
            throw CommandFailure(message: "--resume \(path): it was saved in epoch \(state.epoch), beyond --epochs \(epochs)",
                                 status: ExitStatus.usage)
        }
        try check(saved, path: path, iteration: state.updateCount, finishedRestarts: 0, except: "epochs")
        return state
    }

    /// The variational checkpoint to resume from, checked alike.
    func variationalResumeState() throws -> VariationalCheckpoint? {
        guard let path = options.resume else { return nil }
        let (state, saved) = try VariationalCheckpoint.read(path: path)
        try check(saved, path: path, iteration: state.iteration, finishedRestarts: state.finishedRestarts.count)
        return state
    }

    /// Asked by the library after every iteration, before the state is handed over.
    func shouldStop() -> Bool {
        iterations += 1
        isStopping = TemporaryFiles.isInterruptRequested || saveError != nil
            || options.stopAfter.map { iterations >= $0 } == true
        return isStopping
    }

    /// Writes the state after `iteration` (of its restart) when a save is due, or when the fit stops there.
    private func save(iteration: Int, isStopping: Bool, _ encoded: () -> [UInt8]) {
        guard let path = options.checkpoint, saveError == nil else { return }
        guard schedule.isDue(iteration: iteration) || isStopping else { return }
        do {
            try OutputFile.write(encoded(), to: path)
            schedule.didSave()
            saves += 1
            if saves == options.killAfter { kill(getpid(), SIGKILL) }
        } catch {
            saveError = error
        }
    }

    func save(_ state: FitCheckpoint, isStopping: Bool) {
        save(iteration: state.iteration, isStopping: isStopping) { state.encoded(settings: settings) }
    }

    func save(_ state: OnlineCheckpoint, isStopping: Bool) {
        save(iteration: state.updateCount, isStopping: isStopping) { state.encoded(settings: settings) }
    }

    /// The variational loop polls `shouldStop` before handing the state over, so `isStopping` is current.
    func save(_ state: VariationalCheckpoint) {
        save(iteration: state.iteration, isStopping: isStopping) { state.encoded(settings: settings) }
    }
}

extension FitCheckpointing {
    /// The settings of a fit: the options that change its result, and the data's fingerprint.
    /// An online fit (`online`) adds its own; --max-iter and --tol do not apply to it.
    /// The `--noise` flags, as a checkpoint setting (none without --noise).
    static func noiseSettings(_ f: FitParameters) -> [(String, String)] {
        guard f.noise else { return [] }
        let volume = f.noiseVolume ?? "box"
        return [("noise", "volume " + volume + (f.noiseInit.map { ", start " + $0 } ?? ""))]
    }

    static func settings(_ fit: Fit, options: FitOptions, data: IncompleteDataMatrix, weights: [Double]?,
                         online: OnlineParameters? = nil) -> [(String, String)] {
        let f = fit.fitting
        var common: [(String, String)] = [
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
            // Skipping changes results by rounding only, but a resumed fit promises the same bits.
            ("exact", options.skipsNegligibleComponentsInEffect ? "no" : "yes"),
        ] + noiseSettings(f)
        if f.usesPrior { common.append(("prior", "mclust default")) }
        guard let online else { return common + dataFingerprint(data, weights: weights) }
        let o = online.options
        return common.filter { $0.0 != "max_iter" && $0.0 != "tol" } + [
            ("batch_size", String(o.batchSize)), ("step_decay", String(o.stepDecay)), ("epochs", String(o.epochCount)),
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
