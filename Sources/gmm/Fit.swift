import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine

struct Fit: ParsableCommand, ReadsTextData, ShowsProgress {
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
            the data is read, a first Ctrl-C finishes the current iteration (online:
            update; during the start, the start and the first iteration), saves the
            checkpoint and the model so far (marked "interrupted": true) and exits 130; a
            second stops at once. While the data is read, Ctrl-C exits 130 at once:
            nothing was fitted yet.
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
            + "rows summing to 1; the column count is K when -k is absent (with --noise, K + 1: the noise last).",
        valueName: "FILE"))
    var initResponsibilities: String?

    @Option(name: .customLong("init-means"), help: ArgumentHelp(
        "Start from these means: K rows of d numbers (CSV like the data, header optional). Each data row goes to its "
            + "nearest mean (Euclidean, in standardised units with --standardize), then an M-step; K is -k or the row count.",
        valueName: "FILE"))
    var initMeans: String?

    @OptionGroup var fitting: FitParameters

    @OptionGroup var standardizing: StandardizeOption

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

    @OptionGroup var progressing: ProgressOption

    var progressStyle: ProgressStyle? { .chosen(quiet: quiet, forced: progressing.progress) }

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
        if fitting.noise {
            // The noise component is EM's alone (library refusals say the same, exit 64).
            let other = variational.method == .variational ? "--method variational" : onlineFitting.online ? "--online"
                : labels != nil ? "--labels" : missingValues.marginalize ? "--missing marginalize" : nil
            if let other { throw ValidationError("--noise cannot be used with \(other)") }
            if initMeans != nil {
                throw ValidationError("--init-means cannot be used with --noise (give --init-responsibilities with K + 1 columns, the noise last)")
            }
        }
        if let initMeans {
            if initModel != nil || initResponsibilities != nil {
                throw ValidationError("--init-means cannot be used with \(initModel != nil ? "--init-model" : "--init-responsibilities")")
            }
            if let choice = fitting.initializationChoice {
                throw ValidationError("--init-means and --init \(choice.rawValue) cannot be used together")
            }
            if fitting.em.initializationCount > 1 {
                throw ValidationError("--init-means \(initMeans) makes one start: --n-init must be 1, got \(fitting.em.initializationCount)")
            }
            if onlineFitting.online { throw ValidationError("--init-means cannot be used with --online (it starts from its first batch)") }
            if labels != nil { throw ValidationError("--init-means cannot be used with --labels") }
        }
        if standardizing.standardize {
            try checkStandardizeCombinations(
                online: onlineFitting.online, variational: variational.method == .variational, initModel: initModel, labels: labels,
                checkpoint: checkpointing.checkpoint, resume: checkpointing.resume, marginalize: missingValues.marginalize)
            if fitting.noise, let volume = fitting.noiseVolume, Double(volume) != nil {
                throw ValidationError("--noise-volume \(volume) is in original units and --standardize fits in standardised ones: "
                    + "use --noise-volume box or hypvol")
            }
        }
        if fitting.usesPrior {
            if variational.method == .variational {
                throw ValidationError("--prior cannot be used with --method variational: it has its own priors (--weight-prior, --mean-prior, …)")
            }
            if onlineFitting.online { throw ValidationError("--prior cannot be used with --online") }
            if labels != nil { throw ValidationError("--prior cannot be used with --labels") }
            if missingValues.marginalize { throw ValidationError("--prior cannot be used with --missing marginalize") }
            if fitting.noise { throw ValidationError("--prior cannot be used with --noise: mclust's conjugate prior is not implemented here with a noise component") }
            if standardizing.standardize {
                throw ValidationError("--prior cannot be used with --standardize: the prior's scale is already the data's own variance")
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
            // --standardize: the fit sees standardised columns; its result goes back to the original units below.
            let standardized = standardizing.standardize
                ? StandardizedFit(standardization: Standardization(of: matrix, weights: weights)) : nil
            let fitMatrix = standardized.map { $0.standardization.standardize(matrix) } ?? matrix
            // With --noise the responsibilities have one more column, the noise's, last.
            let noiseColumns = fitting.noise ? 1 : 0
            var table = try initResponsibilities.map { path in
                try readResponsibilities(path, rows: incomplete.sampleCount, components: components.map { $0 + noiseColumns },
                                         noise: fitting.noise)
            }
            if let initMeans {
                table = try initialResponsibilities(fromMeans: initMeans, data: fitMatrix, components: components,
                                                    standardization: standardized?.standardization)
            }
            var options = fitting.options(
                componentCount: start?.componentCount ?? table.map { $0.featureCount - noiseColumns } ?? components ?? 1,
                kind: start?.covarianceKind ?? covariance ?? .full, start: start)
            if let table { options.initialization = .responsibilities(table) }
            options = try fitting.readingNoiseInit(options, rows: incomplete.sampleCount)
            // A starting model with a noise component continues with it (its own V and box).
            if start?.noise != nil && options.noise == nil { options.noise = NoiseOptions() }
            if incomplete.hasGaps, fitting.usesPrior { throw ValidationError("--prior cannot be used with missing values") }
            // A starting model fitted with a prior keeps its hyper-parameters (a refit on other rows stays comparable).
            if fitting.usesPrior, let initModel, let recorded = try ModelFile.prior(path: initModel) {
                options.prior = recorded
            } else {
                options.prior = try fitting.prior(for: matrix, weights: weights, options: options)
            }
            // Every fit stops gracefully on a first Ctrl-C from here on (after reading the data).
            let saving = FitCheckpointing(
                options: checkpointing,
                settings: FitCheckpointing.settings(self, options: options, data: incomplete, weights: weights,
                                                    online: onlineFitting.online ? onlineFitting : nil))
            let control = FitControl(resume: onlineFitting.online ? nil : try saving.resumeState(), saving: saving)
            let meter = CommandProgress.meter()   // the iteration line (-q: none)
            let clock = ContinuousClock()
            let began = clock.now
            let result = incomplete.hasGaps
                ? try fitWithGapsReportingData(data, incomplete, weights: weights, options: options, meter: meter,
                                               control: control)
                : onlineFitting.online
                ? try fitOnlineReportingData(data, matrix, weights: weights, options: options, online: onlineFitting.options,
                                             meter: meter, saving: saving)
                : try fitReportingData(data, fitMatrix, weights: weights, options: options, control: control, progress: meter.map { meter in { p in
                let change = p.change.isFinite ? readable(p.change, digits: 3) : "—"
                let restart = options.initializationCount > 1 ? "restart \(p.initialization + 1)/\(options.initializationCount)  " : ""
                let quantity = options.prior == nil ? "mean log-likelihood" : "mean log-posterior"
                meter.show("\(restart)iteration \(p.iteration)  \(quantity) \(readable(p.meanLogLikelihood, digits: 10))  change \(change)")
            } })
            meter?.finish(keeping: true)
            let elapsed = clock.now - began
            // A starting model keeps its numbering; otherwise components come in canonical order.
            let fittedModel = initModel == nil ? result.model.reordered(by: fitting.order) : result.model
            // (s > 0, so the map back keeps the order by the first mean coordinate.)
            let model = try standardized.map { try $0.standardization.originalUnits(fittedModel) } ?? fittedModel
            var summary = FitSummary(report: result.report, model: fittedModel)
            if let standardized { summary = standardized.summary(summary, effectiveSampleSize: result.report.effectiveSampleSize) }
            if let output {
                let fitted: [(String, String)] = [
                    ("fit_options", "{\"init\": \"\(initModel != nil ? "model" : initResponsibilities != nil ? "responsibilities" : initMeans != nil ? "means" : fitting.initialization.rawValue)\", "
                        + "\"n_init\": \(fitting.em.initializationCount), \"max_iter\": \(fitting.em.maxIterations), "
                        + "\"tol\": \(fitting.em.tol), \"reg_covar\": \(fitting.em.regularization), \"seed\": \(fitting.em.seed)"
                        + (fitting.noise ? ", \"noise\": true" + (fitting.noiseVolume.map { ", \"noise_volume\": \"\($0)\"" } ?? "")
                            + (fitting.noiseInit != nil ? ", \"noise_init\": \"file\"" : "") : "")
                        + (onlineFitting.online ? ", " + onlineFitting.fitOptionsMembers : "")
                        + missingValues.fitOptionsMembers + (standardized != nil ? ", \"standardize\": true" : "") + "}"),
                ] + missingValues.modelFileMembers(incomplete) + (standardized.map { [$0.modelFileMember(fitted: fittedModel)] } ?? [])
                    + (options.prior.map { [ModelFile.priorMember($0)] } ?? [])
                    + (result.report.wasInterrupted ? [("interrupted", "true")] : [])
                try OutputFile.write(ModelFile.encode(model, summary: summary, extra: fitted), to: output)
            }
            if !quiet {
                var lines = summaryLines(model, summary: summary) + missingValues.summaryLines(incomplete)
                if let standardized { lines.append(standardized.summaryLine(fitted: fittedModel, written: model)) }
                if onlineFitting.online { lines = onlineFitting.summaryLines(lines) }
                if let prior = options.prior {
                    lines.append("prior:               mclust's conjugate prior (MAP EM), shrinkage \(readable(prior.shrinkage)), dof \(readable(prior.degreesOfFreedom))")
                }
                if options.initializationCount > 1 {
                    lines.append("restart kept:        \(result.report.selectedInitialization + 1) of \(options.initializationCount)")
                }
                let skips = result.expectationSkips
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
            if standardized == nil && !quiet && !onlineFitting.online { hintStandardizeIfScalesDiffer(matrix, weights: weights) }
            // Warnings come last, after the summary and the table, where they are seen.
            var warnings = FitWarnings()
            warnings.checkComponentCount(model.componentCount, rows: incomplete.sampleCount, weights: weights)
            warnings.checkConstantColumns(matrix)
            warnings.checkEmptyComponents(model, effectiveSampleSize: result.report.effectiveSampleSize)
            if !onlineFitting.online && !result.report.wasInterrupted {
                warnings.checkConvergence(result.report.hasConverged, em: fitting.em)
            }
            warnings.print()
            if let error = saving.saveError { throw error }
            if result.report.wasInterrupted {
                let resume = checkpointing.checkpoint.map { "; continue with --resume \($0)" } ?? ""
                // The kept result may be an earlier, finished restart: say what is saved, not where it stopped.
                let kept = onlineFitting.online ? "the model so far (\(result.report.iterationCount) updates)"
                    : "the best model so far (restart \(result.report.selectedInitialization + 1), \(result.report.iterationCount) iterations)"
                throw CommandFailure(message: "interrupted; " + kept + (output.map { " is in \($0)" } ?? " was not saved (no -o)") + resume,
                    status: 130)
            }
        }
    }
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
