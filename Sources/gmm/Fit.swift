import ArgumentParser
import Foundation
import GaussianMixtures

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit a Gaussian mixture by expectation-maximisation.",
        discussion: """
            Prints a summary (components, iterations, convergence, mean log-likelihood,
            BIC, AIC, time) and the per-component table to standard error; with -o, writes
            the model file. EM stops when the mean log-likelihood of an iteration's E-step
            changes by less than --tol from the previous one (scikit-learn's rule), or
            after --max-iter iterations. The saved mean log-likelihood, BIC and AIC are
            those of the saved parameters.
            """)

    @Argument(help: ArgumentHelp("Data file: .csv, .tsv/.tab, .npy, or - for CSV on standard input.", valueName: "DATA"))
    var data: String

    @Option(name: [.customShort("k"), .long], help: "Number of mixture components (default 1, or the initial model's).")
    var components: Int?

    @Option(help: "Covariance family: full, diag, spherical or tied (default full, or the initial model's).")
    var covariance: CovarianceKind?

    @Option(name: .customLong("init"), help: "How to start: kmeans, k-means++, random or random-from-data.")
    var initialization: InitChoice = .kmeans

    @Option(name: .customLong("init-model"), help: ArgumentHelp("Start from the parameters in this model file, used exactly as given.", valueName: "FILE"))
    var initModel: String?

    @Option(name: .customLong("n-init"), help: "Restarts; the one with the highest final log-likelihood is kept.")
    var initializationCount: Int = 1

    @Option(name: .customLong("max-iter"), help: "EM iterations at most; 0 returns the starting model.")
    var maxIterations: Int = 100

    @Option(help: "Stop when the mean log-likelihood changes by less than this; 0 runs exactly --max-iter iterations.")
    var tol: Double = 1e-3

    @Option(name: .customLong("reg-covar"), help: "Added to every covariance's diagonal.")
    var regularization: Double = 1e-6

    @Option(help: "Every random choice derives from this seed.")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Columns to use, by name or 0-based index (a,b or 0,2).", valueName: "LIST"))
    var columns: String?

    @Option(name: .customLong("sample-weights"), help: ArgumentHelp(
        "Frequency weights: a file with one non-negative number per data row (an integer weight acts as that many copies of the row).",
        valueName: "FILE"))
    var sampleWeights: String?

    @Option(name: .customLong("weight-column"), help: ArgumentHelp(
        "Take the frequency weights from this column of the data file; it is then not a feature.", valueName: "NAME"))
    var weightColumn: String?

    @Option(help: "Component order of the result: weight (largest first) or mean (by the first coordinate), so refits number components alike.")
    var order: ComponentOrder = .weight

    @Option(name: [.short, .long], help: ArgumentHelp("Write the model file here (whole or not at all).", valueName: "FILE"))
    var output: String?

    @Flag(name: [.short, .long], help: "No progress lines or summary on standard error.")
    var quiet = false

    func validate() throws {
        if let components, components < 1 { throw ValidationError("-k/--components must be at least 1, got \(components)") }
        if initializationCount < 1 { throw ValidationError("--n-init must be at least 1, got \(initializationCount)") }
        if maxIterations < 0 { throw ValidationError("--max-iter must be at least 0, got \(maxIterations)") }
        if !(tol >= 0) || !tol.isFinite { throw ValidationError("--tol must be a finite number ≥ 0, got \(tol)") }
        if sampleWeights != nil && weightColumn != nil {
            throw ValidationError("--sample-weights and --weight-column cannot be used together")
        }
        if !(regularization >= 0) || !regularization.isFinite {
            throw ValidationError("--reg-covar must be a finite number ≥ 0, got \(regularization)")
        }
    }

    func run() throws {
        try reportingFailures {
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
            var matrix: DataMatrix
            var weights: [Double]?
            if let weightColumn {
                (matrix, weights) = try readWithWeightColumn(data, weightColumn: weightColumn, columns: columns)
            } else if let start, columns == nil {
                matrix = try readData(data, columns: nil, for: start)
            } else {
                matrix = try DataFileReader.read(path: data, columns: columns.map(ColumnSelector.parseList))
            }
            if let sampleWeights { weights = try readWeightFile(sampleWeights, rows: matrix.sampleCount) }
            let options = FitOptions(
                componentCount: start?.componentCount ?? components ?? 1,
                covarianceKind: start?.covarianceKind ?? covariance ?? .full,
                initialization: start.map(InitializationMethod.model) ?? initialization.method,
                initializationCount: initializationCount, maxIterations: maxIterations, tolerance: tol,
                covarianceRegularization: regularization, seed: seed)
            let showProgress = !quiet && standardErrorIsTerminal
            let clock = ContinuousClock()
            let began = clock.now
            let result = try fitReportingData(data, matrix, weights: weights, options: options, progress: showProgress ? { p in
                let change = p.change.isFinite ? readable(p.change, digits: 3) : "—"
                let restart = options.initializationCount > 1 ? "restart \(p.initialization + 1)/\(options.initializationCount)  " : ""
                printProgress("\(restart)iteration \(p.iteration)  mean log-likelihood \(readable(p.meanLogLikelihood, digits: 10))  change \(change)")
            } : nil)
            if showProgress { printProgress(nil) }
            let elapsed = clock.now - began
            // A starting model keeps its numbering; otherwise components come in canonical order.
            let model = initModel == nil ? result.model.reordered(by: order) : result.model
            let summary = FitSummary(report: result.report, model: model)
            if let output {
                let fitted: [(String, String)] = [
                    ("fit_options", "{\"init\": \"\(initModel == nil ? initialization.rawValue : "model")\", \"n_init\": \(initializationCount), "
                        + "\"max_iter\": \(maxIterations), \"tol\": \(tol), \"reg_covar\": \(regularization), \"seed\": \(seed)}"),
                ]
                try OutputFile.write(ModelFile.encode(model, summary: summary, extra: fitted), to: output)
            }
            if !quiet {
                var lines = summaryLines(model, summary: summary)
                if options.initializationCount > 1 {
                    lines.append("restart kept:        \(result.report.selectedInitialization + 1) of \(options.initializationCount)")
                }
                lines.append("time:                \(readable(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18, digits: 3)) s")
                if let output { lines.append("model written to:    \(output)") }
                printError(lines.joined(separator: "\n"))
                printError(componentTable(model))
            }
            for k in 0..<model.componentCount where model.weights[k] * result.report.effectiveSampleSize < 1e-3 {
                printError("gmm: warning: component \(k) holds almost no data (weight \(model.weights[k])); fewer components may describe the data as well")
            }
            if !result.report.hasConverged && maxIterations > 0 && tol > 0 {
                printError("gmm: warning: EM did not converge in \(maxIterations) iterations (last change above --tol \(tol)); raise --max-iter or --tol")
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
    _ path: String, _ data: DataMatrix, weights: [Double]?, options: FitOptions, progress: ((FitProgress) -> Void)?
) throws -> FitResult {
    do {
        return try ExpectationMaximization.fit(data, weights: weights, options: options, progress: progress)
    } catch {
        switch error {
        case .tooFewSamples, .componentCollapsed, .featureCountMismatch, .invalidWeights:
            throw CommandFailure(message: "\(path == "-" ? "<stdin>" : path): \(error)", status: ExitStatus.dataError)
        case .invalidOption:
            throw error
        }
    }
}
