import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine

// `gmm fit --method variational` and what the other subcommands do with a
// variational model file. Kept in its own file so the EM code paths of
// fit/score/sample/info stay as they were.

enum FitMethod: String, CaseIterable, ExpressibleByArgument {
    case em
    case variational
}

enum WeightPriorChoice: String, CaseIterable, ExpressibleByArgument {
    case dirichletProcess = "dirichlet-process"
    case dirichlet

    var prior: WeightPrior { self == .dirichletProcess ? .dirichletProcess : .dirichlet }
}

/// The flags of a variational fit; their defaults are scikit-learn's `BayesianGaussianMixture`'s.
struct VariationalParameters: ParsableArguments {
    @Option(help: "em (expectation-maximisation) or variational (Bayesian: the data choose how many of the K components to use).")
    var method: FitMethod = .em

    @Option(name: .customLong("weight-prior"), help: "Variational only: dirichlet-process (stick-breaking, switches unused components off) or dirichlet.")
    var weightPrior: WeightPriorChoice = .dirichletProcess

    @Option(name: .customLong("weight-concentration"), parsing: .unconditional, help: "Variational only: concentration γ of the weight prior (default 1/K).")
    var weightConcentration: Double?

    @Option(name: .customLong("mean-precision-prior"), parsing: .unconditional, help: "Variational only: β₀, precision of the prior on the means (default 1).")
    var meanPrecision: Double?

    @Option(name: .customLong("mean-prior"), parsing: .unconditional, help: ArgumentHelp("Variational only: prior mean m₀, d comma-separated numbers (default the data mean).", valueName: "LIST"))
    var meanPrior: String?

    @Option(name: .customLong("degrees-of-freedom-prior"), parsing: .unconditional, help: "Variational only: ν₀ of the Wishart prior, > d − 1 (default d).")
    var degreesOfFreedom: Double?

    @Option(name: .customLong("covariance-prior"), parsing: .unconditional, help: ArgumentHelp(
        "Variational only: Ψ₀, comma-separated and row-major: d×d numbers (full, tied), d variances (diag) or one (spherical); default the data covariance, its diagonal, or their mean.",
        valueName: "LIST"))
    var covariancePrior: String?

    var priors: VariationalPriors {
        get throws {
            func list(_ text: String?, _ flag: String) throws -> [Double]? {
                guard let text else { return nil }
                let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
                    throw ValidationError("\(flag) expects comma-separated numbers, got \"\(text)\"")
                }
                return values.map { $0! }
            }
            return VariationalPriors(
                weightConcentration: weightConcentration, meanPrecision: meanPrecision,
                mean: try list(meanPrior, "--mean-prior"), degreesOfFreedom: degreesOfFreedom,
                covariance: try list(covariancePrior, "--covariance-prior"))
        }
    }

    /// Whether any variational-only flag was given.
    var hasVariationalFlags: Bool {
        weightPrior != .dirichletProcess || weightConcentration != nil || meanPrecision != nil || meanPrior != nil
            || degreesOfFreedom != nil || covariancePrior != nil
    }
}

extension Fit {
    /// `gmm fit --method variational`.
    func runVariational() throws {
        if let output { try checkOutputPath(output) }
        if initModel != nil { throw ValidationError("--init-model cannot be used with --method variational") }
        let (matrix, weights) = try fitting.read(data)
        let table = try initResponsibilities.map { path in
            try readResponsibilities(path, rows: matrix.sampleCount, components: components)
        }
        let kCount = table?.featureCount ?? components ?? 1
        let kind = covariance ?? .full
        var options = VariationalFitOptions(
            fit: fitting.options(componentCount: kCount, kind: kind), weightPrior: variational.weightPrior.prior,
            priors: try variational.priors, initialResponsibilities: table?.values)
        if let table { options.fit.initialization = .responsibilities(table) }
        // --checkpoint/--resume: the settings of an EM fit plus the priors; a graceful first Ctrl-C as for EM.
        let saving = FitCheckpointing(
            options: checkpointing,
            settings: FitCheckpointing.settings(self, options: options.fit, data: IncompleteDataMatrix(matrix), weights: weights)
                + variational.checkpointSettings)
        let resume = try saving.variationalResumeState()
        let clock = ContinuousClock()
        let began = clock.now
        let result: VariationalFitResult
        // The iteration line, as EM's (-q: none).
        let meter = CommandProgress.meter()
        let restarts = options.fit.initializationCount
        let progress: ((VariationalProgress) -> Void)? = meter.map { meter in { p in
            let change = p.change.isFinite ? readable(p.change, digits: 3) : "—"
            let restart = restarts > 1 ? "restart \(p.initialization + 1)/\(restarts)  " : ""
            meter.show("\(restart)iteration \(p.iteration)  ELBO \(readable(p.lowerBound, digits: 10))  change \(change)")
        } }
        defer { meter?.finish(keeping: true) }
        do {
            result = try VariationalInference.fit(matrix, weights: weights, options: options, resumingFrom: resume,
                                                  checkpoint: { saving.save($0) }, shouldStop: { saving.shouldStop() },
                                                  progress: progress)
            meter?.finish(keeping: true)
        } catch {
            switch error {
            case .tooFewSamples, .componentCollapsed, .featureCountMismatch, .invalidWeights, .infeasible:
                throw CommandFailure(message: "\(data == "-" ? "<stdin>" : data): \(error)", status: ExitStatus.dataError)
            case let .invalidOption(name, reason):
                let flags = ["weightConcentration": "--weight-concentration", "meanPrecision": "--mean-precision-prior",
                             "meanPrior": "--mean-prior", "degreesOfFreedom": "--degrees-of-freedom-prior",
                             "covariancePrior": "--covariance-prior"]
                throw ValidationError("\(flags[name] ?? name) \(reason)")
            }
        }
        if let error = saving.saveError { throw error }
        let elapsed = clock.now - began
        let posterior = result.posterior
        let summary = VariationalFitSummary(report: result.report)
        if let output {
            let fitted: [(String, String)] = [
                ("fit_options", "{\"init\": \"\(initResponsibilities != nil ? "responsibilities" : fitting.initialization.rawValue)\", "
                    + "\"n_init\": \(fitting.em.initializationCount), \"max_iter\": \(fitting.em.maxIterations), "
                    + "\"tol\": \(fitting.em.tol), \"reg_covar\": \(fitting.em.regularization), \"seed\": \(fitting.em.seed)}"),
            ] + (result.report.wasInterrupted ? [("interrupted", "true")] : [])
            try OutputFile.write(ModelFile.encode(posterior, summary: summary, extra: fitted), to: output)
        }
        if !quiet {
            var lines = variationalSummaryLines(posterior, summary: summary)
            lines.append("time:                \(readable(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18, digits: 3)) s")
            if let output { lines.append("model written to:    \(output)") }
            printError(lines.joined(separator: "\n"))
            printError(componentTable(posterior.plugInModel))
        }
        // Warnings last, after the summary and the table (components the prior switched off are no warning).
        var warnings = FitWarnings()
        warnings.checkComponentCount(kCount, rows: matrix.sampleCount, weights: weights)
        warnings.checkConstantColumns(matrix)
        if !result.report.wasInterrupted {
            warnings.checkConvergence(result.report.hasConverged, em: fitting.em, method: "the variational fit",
                                      change: "ELBO change")
        }
        warnings.print()
        if result.report.wasInterrupted {
            let resume = checkpointing.checkpoint.map { "; continue with --resume \($0)" } ?? ""
            throw CommandFailure(message: "interrupted; the best posterior so far (restart \(result.report.selectedInitialization + 1), "
                + "\(result.report.iterationCount) iterations)" + (output.map { " is in \($0)" } ?? " was not saved (no -o)") + resume,
                status: 130)
        }
    }
}

/// The summary lines of a variational model.
func variationalSummaryLines(_ posterior: VariationalPosterior, summary: VariationalFitSummary?) -> [String] {
    let effective = posterior.effectiveComponents()
    var lines = [
        "method:              variational (\(posterior.weightPrior.rawValue) weight prior)",
        "components:          \(posterior.componentCount) (\(posterior.covarianceKind.rawValue) covariance)",
        "effective:           \(effective.count) (posterior weight ≥ \(VariationalPosterior.effectiveWeightThreshold): \(effective.map(String.init).joined(separator: ", ")))",
        "features:            \(posterior.featureCount) (\(nameList(posterior.featureNames)))",
    ]
    if let s = summary {
        lines += [
            "training rows:       \(s.sampleCount)",
            "iterations:          \(s.iterationCount)",
            "converged:           \(s.hasConverged ? "yes" : "no")",
            "ELBO:                \(readableTotal(s.lowerBound)) (scikit-learn's lower_bound_, its constants)",
            "ELBO per sample:     \(readable(s.lowerBoundPerSample))",
            "evidence bound:      \(readableTotal(s.evidenceLowerBound(of: posterior))) (full ELBO ≤ log P(data); compare across K and families)",
        ]
    }
    return lines
}

/// `gmm score` for a variational model: the posterior-predictive log density.
/// `quiet` (`-q`) drops the note and the summary on standard error.
func scorePredictive(_ posterior: VariationalPosterior, _ matrix: DataMatrix, output: OutputOptions, kept: KeptCells? = nil, quiet: Bool) throws {
    if !quiet {
        printError("gmm: log_density is the posterior-predictive density of a variational model (a mixture of Student t); the plug-in Gaussian mixture is not used")
    }
    let values = try posterior.logPredictiveDensities(of: matrix)
    var stream = try output.table(header: ["log_density"], rowCount: matrix.sampleCount, kept: kept)
    for v in values {
        stream.table.append([v])
        try stream.flushIfLarge()
    }
    try stream.finish()
    if !quiet {
        printError("mean log-likelihood: \(readable(values.reduce(0, +) / Double(matrix.sampleCount))) over \(matrix.sampleCount) rows (posterior predictive)")
    }
}

extension VariationalParameters {
    /// The prior options a variational checkpoint stores, as given (the resolved priors depend on them and the data).
    var checkpointSettings: [(String, String)] {
        [
            ("method", "variational"),
            ("weight_prior", weightPrior.rawValue),
            ("weight_concentration", weightConcentration.map { String($0) } ?? "default"),
            ("mean_precision_prior", meanPrecision.map { String($0) } ?? "default"),
            ("mean_prior", meanPrior ?? "default"),
            ("degrees_of_freedom_prior", degreesOfFreedom.map { String($0) } ?? "default"),
            ("covariance_prior", covariancePrior ?? "default"),
        ]
    }
}
