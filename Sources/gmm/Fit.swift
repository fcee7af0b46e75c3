import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine

struct Fit: ParsableCommand, ReadsTextData {
    static let configuration = CommandConfiguration(
        abstract: "Fit a Gaussian mixture by expectation-maximisation.",
        discussion: """
            Prints a summary (components, iterations, convergence, mean log-likelihood,
            BIC, AIC, time) and the per-component table to standard error; with -o, writes
            the model file. EM stops when the mean log-likelihood of an iteration's E-step
            changes by less than --tol from the previous one (scikit-learn's rule), or
            after --max-iter iterations. The saved mean log-likelihood, BIC and AIC are
            those of the saved parameters.

            --method variational fits scikit-learn's BayesianGaussianMixture (mean-field
            variational Bayes, same updates and defaults) with K as an upper bound: the
            --weight-prior switches off components the data do not need. It stops when the
            ELBO in total (scikit-learn's lower_bound_, with its constants) changes by less
            than --tol from the previous iteration, or after --max-iter; the summary gives
            the ELBO in total and per sample. The model file holds the plug-in mixture and
            a "variational" section with the posterior hyper-parameters. --order and
            --threads do not apply (the components keep the stick-breaking order).

            --online runs online (stepwise) EM: the rows are cut into mini-batches of
            --batch-size rows in a seeded random order, the start is made from the first
            batch (--init on that batch), and each batch updates the running statistics
            with the step t^(−ρ), ρ = --step-decay, for --epochs passes; --max-iter and
            --tol do not apply. A last full pass computes the mean log-likelihood, BIC
            and AIC of the result. A .npy file is read in place; convert CSV with `gmm
            convert` first.

            --checkpoint FILE saves the state while the fit runs (every method; with
            --online, --checkpoint-every counts updates); --resume FILE continues it, with
            the same data and options, to the model file an uninterrupted run writes. Once
            the data is read, a first Ctrl-C finishes the current iteration (online: update;
            during the start, the start and the first iteration), saves the checkpoint and
            the model so far (marked "interrupted": true) and exits 130; a second stops at
            once. While the data is read, Ctrl-C exits 130 at once: nothing was fitted yet.
            """)

    @OptionGroup var delimiterOption: DelimiterOption
    @Argument(help: ArgumentHelp("Data file: .csv, .tsv/.tab, .npy, or - for CSV on standard input.", valueName: "DATA"))
    var data: String

    @Option(name: [.customShort("k"), .long], parsing: .unconditional, help: "Number of mixture components (default 1, or the initial model's).")
    var components: Int?

    @Option(help: "Covariance model: full, diag, spherical, tied, or one of mclust's EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV (VVV = full, VVI = diag, VII = spherical, EEE = tied; default full, or the initial model's). Variational fits take only the first four.")
    var covariance: CovarianceKind?

    @Option(name: .customLong("init-model"), help: ArgumentHelp("Start from the parameters in this model file, used exactly as given.", valueName: "FILE"))
    var initModel: String?

    @Option(name: .customLong("init-responsibilities"), help: ArgumentHelp(
        "Start with an M-step from these responsibilities P(c|x): one row per data row, one column per component, "
            + "rows summing to 1; the column count is K when -k is absent.", valueName: "FILE"))
    var initResponsibilities: String?

    @OptionGroup var fitting: FitParameters

    @OptionGroup var variational: VariationalParameters

    @OptionGroup var onlineFitting: OnlineParameters

    @OptionGroup var missingValues: MissingOptions

    @OptionGroup var checkpointing: CheckpointOptions

    @Option(help: ArgumentHelp(
        "Known classes of some rows (semi-supervised EM): a column of DATA (name or 0-based index, text allowed) or a file with one label per row; empty means unknown. Label c (sorted) is component c; -k may exceed the number of labels.",
        valueName: "COLUMN|FILE"))
    var labels: String?

    @Option(name: [.short, .long], help: ArgumentHelp("Write the model file here (whole or not at all).", valueName: "FILE"))
    var output: String?

    @Flag(name: [.short, .long], help: "No progress lines or summary on standard error.")
    var quiet = false

    func validate() throws {
        if let components, components < 1 { throw ValidationError("-k/--components must be at least 1, got \(components)") }
        if let checkpoint = checkpointing.checkpoint, checkpoint == output {
            throw ValidationError("--checkpoint and -o name the same file, \(checkpoint): the model would replace the checkpoint")
        }
        if let initResponsibilities {
            if initModel != nil { throw ValidationError("--init-responsibilities and --init-model cannot be used together") }
            if let choice = fitting.initializationChoice {
                throw ValidationError("--init-responsibilities and --init \(choice.rawValue) cannot be used together")
            }
            if fitting.em.initializationCount > 1 {
                throw ValidationError("--init-responsibilities \(initResponsibilities) makes one start: --n-init must be 1, "
                    + "got \(fitting.em.initializationCount)")
            }
            if onlineFitting.online {
                throw ValidationError("--init-responsibilities cannot be used with --online (it starts from its first batch)")
            }
        }
        if missingValues.marginalize && variational.method == .variational {
            throw ValidationError("--missing marginalize cannot be used with --method variational")
        }
    }

    func run() throws {
        try reportingFailures {
            if onlineFitting.online && variational.method == .variational {
                throw ValidationError("--online cannot be used with --method variational")
            }
            if let labels { return try runWithLabels(labels) }
            FitCheckpointing.whileReadingData(resume: checkpointing.resume)
            if variational.method == .variational { return try runVariational() }
            if variational.hasVariationalFlags {
                throw ValidationError("the prior flags need --method variational")
            }
            if let output { try checkOutputPath(output) }
            var start: GaussianMixture?
            if let initModel {
                let model = try ModelFile.read(path: initModel).model
                if let components, components != model.componentCount {
                    throw ValidationError("-k \(components) disagrees with --init-model \(initModel), which has \(model.componentCount) components")
                }
                if let covariance, covariance != model.covarianceKind {
                    throw ValidationError("--covariance \(covariance.rawValue) disagrees with --init-model \(initModel), which has \"\(model.covarianceKind.rawValue)\" covariances")
                }
                start = model
            }
            hintConversionIfLarge(data)
            let (incomplete, weights) = try missingValues.readFitData(data, fitting: fitting, start: start,
                                                                      online: onlineFitting.online)
            let matrix = incomplete.complete ?? incomplete.filled()   // the complete-data paths' input (no gaps then)
            let table = try initResponsibilities.map { path in
                try readResponsibilities(path, rows: incomplete.sampleCount, components: components)
            }
            var options = fitting.options(componentCount: start?.componentCount ?? table?.featureCount ?? components ?? 1,
                                          kind: start?.covarianceKind ?? covariance ?? .full, start: start)
            if let table { options.initialization = .responsibilities(table) }
            // Every fit stops gracefully on a first Ctrl-C from here on (after reading the data).
            let saving = FitCheckpointing(
                options: checkpointing,
                settings: FitCheckpointing.settings(self, options: options, data: incomplete, weights: weights,
                                                    online: onlineFitting.online ? onlineFitting : nil))
            let control = FitControl(resume: onlineFitting.online ? nil : try saving.resumeState(), saving: saving)
            let showProgress = !quiet && standardErrorIsTerminal
            let clock = ContinuousClock()
            let began = clock.now
            let result = incomplete.hasGaps
                ? try fitWithGapsReportingData(data, incomplete, weights: weights, options: options, showProgress: showProgress,
                                               control: control)
                : onlineFitting.online
                ? try fitOnlineReportingData(data, matrix, weights: weights, options: options, online: onlineFitting.options,
                                             showProgress: showProgress, saving: saving)
                : try fitReportingData(data, matrix, weights: weights, options: options, control: control, progress: showProgress ? { p in
                let change = p.change.isFinite ? readable(p.change, digits: 3) : "—"
                let restart = options.initializationCount > 1 ? "restart \(p.initialization + 1)/\(options.initializationCount)  " : ""
                printProgress("\(restart)iteration \(p.iteration)  mean log-likelihood \(readable(p.meanLogLikelihood, digits: 10))  change \(change)")
            } : nil)
            if showProgress && !onlineFitting.online { printProgress(nil) }
            let elapsed = clock.now - began
            // A starting model keeps its numbering; otherwise components come in canonical order.
            let model = initModel == nil ? result.model.reordered(by: fitting.order) : result.model
            let summary = FitSummary(report: result.report, model: model)
            if let output {
                let fitted: [(String, String)] = [
                    ("fit_options", "{\"init\": \"\(initModel != nil ? "model" : initResponsibilities != nil ? "responsibilities" : fitting.initialization.rawValue)\", "
                        + "\"n_init\": \(fitting.em.initializationCount), \"max_iter\": \(fitting.em.maxIterations), "
                        + "\"tol\": \(fitting.em.tol), \"reg_covar\": \(fitting.em.regularization), \"seed\": \(fitting.em.seed)"
                        + (onlineFitting.online ? ", " + onlineFitting.fitOptionsMembers : "")
                        + missingValues.fitOptionsMembers + "}"),
                ] + missingValues.modelFileMembers(incomplete) + (result.report.wasInterrupted ? [("interrupted", "true")] : [])
                try OutputFile.write(ModelFile.encode(model, summary: summary, extra: fitted), to: output)
            }
            if !quiet {
                var lines = summaryLines(model, summary: summary) + missingValues.summaryLines(incomplete)
                if onlineFitting.online { lines = onlineFitting.summaryLines(lines) }
                if options.initializationCount > 1 {
                    lines.append("restart kept:        \(result.report.selectedInitialization + 1) of \(options.initializationCount)")
                }
                let skips = result.report.expectationSkips
                if skips.skippedPairs > 0 || skips.repeatedPasses > 0 {
                    lines.append("E-step skipped:      \(readable(100 * skips.skippedShare, digits: 3)) % of (row, component) pairs"
                        + " as negligible (--exact: none); passes repeated exactly: \(skips.repeatedPasses)")
                }
                lines.append("time:                \(readable(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18, digits: 3)) s")
                lines.append(output.map { "model written to:    \($0 == "-" ? "<stdout>" : $0)" }
                    ?? "model not saved:     use -o FILE to keep it")
                printError(lines.joined(separator: "\n"))
                printError(componentTable(model))
            }
            let constant = constantColumns(matrix)
            if !constant.isEmpty {
                printError("gmm: warning: \(constant.count == 1 ? "column" : "columns") \(nameList(constant.map { "\"\($0)\"" })) "
                    + "\(constant.count == 1 ? "is" : "are") constant: every variance along \(constant.count == 1 ? "it" : "them") "
                    + "is the regulariser (--reg-covar) alone; leave \(constant.count == 1 ? "it" : "them") out with --columns")
            }
            for k in 0..<model.componentCount where model.weights[k] * result.report.effectiveSampleSize < 1e-3 {
                printError("gmm: warning: component \(k) holds almost no data (weight \(model.weights[k])); fewer components may describe the data as well")
            }
            if let error = saving.saveError { throw error }
            if result.report.wasInterrupted {
                let resume = checkpointing.checkpoint.map { "; continue with --resume \($0)" } ?? ""
                // The kept result may be an earlier, finished restart: say what is saved, not where it stopped.
                let kept = onlineFitting.online ? "the model so far (\(result.report.iterationCount) updates)"
                    : "the best model so far (restart \(result.report.selectedInitialization + 1), \(result.report.iterationCount) iterations)"
                throw CommandFailure(message: "interrupted; " + kept + (output.map { " is in \($0)" } ?? " was not saved (no -o)") + resume,
                    status: 130)
            }
            if !onlineFitting.online && !result.report.hasConverged && fitting.em.maxIterations > 0 && fitting.em.tol > 0 {
                printError("gmm: warning: EM did not converge in \(fitting.em.maxIterations) iterations (last change above --tol \(fitting.em.tol)); raise --max-iter or --tol")
            }
        }
    }
}

/// Rewrites the current progress line on standard error; `nil` ends it.
private func printProgress(_ text: String?) {
    let bytes = Array((text.map { "\r\u{1B}[K" + $0 } ?? "\n").utf8)
    bytes.withUnsafeBytes { raw in _ = write(2, raw.baseAddress!, raw.count) }
}

/// Runs EM; errors caused by the data itself name the data file.
private func fitReportingData(
    _ path: String, _ data: DataMatrix, weights: [Double]?, options: FitOptions, control: FitControl,
    progress: ((FitProgress) -> Void)?
) throws -> FitResult {
    try reportingDataErrors(path) { () throws(FitError) in
        try ExpectationMaximization.fit(data, weights: weights, options: options, progress: progress,
                                        resumingFrom: control.resume, checkpoint: control.checkpoint,
                                        shouldStop: control.shouldStop)
    }
}

/// What a fit resumes from, and how it saves its state and learns to stop (all `nil`: neither).
struct FitControl {
    var resume: FitCheckpoint?
    var checkpoint: FitCheckpointHandler?
    var shouldStop: (() -> Bool)?

    init(resume: FitCheckpoint?, saving: FitCheckpointing?) {
        self.resume = resume
        checkpoint = saving.map { saving in { (state: FitCheckpoint, isStopping) in saving.save(state, isStopping: isStopping) } }
        shouldStop = saving.map { saving in { saving.shouldStop() } }
    }
}

/// Runs a fit; a `FitError` caused by the data itself becomes a data error naming
/// the file (exit 65), an invalid option stays what it is.
func reportingDataErrors<T>(_ path: String, _ fit: () throws(FitError) -> T) throws -> T {
    do {
        return try fit()
    } catch {
        switch error {
        case .tooFewSamples, .componentCollapsed, .featureCountMismatch, .invalidWeights, .infeasible:
            throw CommandFailure(message: "\(path == "-" ? "<stdin>" : path): \(error)", status: ExitStatus.dataError)
        case .invalidOption:
            throw error
        }
    }
}

/// The names of the columns whose observed values are all equal (gaps, NaN, ignored).
func constantColumns(_ data: DataMatrix) -> [String] {
    let (n, d) = (data.sampleCount, data.featureCount)
    guard n > 1 else { return [] }
    var isConstant = [Bool](repeating: true, count: d)
    data.withUnsafeBufferPointer { x in
        var first = [Double](repeating: .nan, count: d)
        for i in 0..<n {
            for j in 0..<d where isConstant[j] {
                let v = x[i * d + j]
                if v.isNaN { continue }
                if first[j].isNaN { first[j] = v } else if v != first[j] { isConstant[j] = false }
            }
        }
    }
    return (0..<d).filter { isConstant[$0] }.map { data.featureNames[$0] }
}
