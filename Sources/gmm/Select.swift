import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine

extension SelectionCriterion: ExpressibleByArgument {}

struct Select: ParsableCommand, ReadsTextData, ShowsProgress {
    static let configuration = CommandConfiguration(
        abstract: "Fit a grid of models; pick the best by BIC, AIC, ICL or the ELBO.",
        discussion: """
            Fits every candidate (both cores; candidates are independent), prints a table
            sorted by the criterion with the best marked `*` (the last column names the
            best by BIC and by ICL, mclust's two criteria), and writes the best model
            with -o. ICL is BIC plus twice the entropy of the hard assignments, as mclust
            defines it; for these three lower is better. With --method variational every
            candidate is a variational Bayesian fit (K is then the truncation, and the
            table shows how many components each fit kept); they are ranked by the full
            evidence lower bound (--criterion elbo, higher is better), the ELBO with the
            prior normalisers scikit-learn leaves out, a lower bound on log P(data) that
            is comparable across K and families. A candidate that cannot be fitted (a
            component collapses) is a row with its reason, not a failure of the command.

            The default grid is mclust's fourteen covariance models × K = 1…9. Which
            to try first: VVV (full) fits anything given enough rows per component;
            with few rows per feature the constrained models (VVE, EEE, VEI, …) often
            win on BIC because they spend fewer parameters on the shape of each cluster.

            --prior fits every candidate by MAP EM with mclust's default conjugate prior
            for its model and K, as mclustBIC(…, prior = priorControl()) does; the grid
            "all" is then the ten models mclust defines the prior for.

            EM candidates start as mclust's Mclust() does (--init hc, the default): one
            model-based hierarchical agglomeration of the data (on a seeded subset of 2000
            rows above that), cut at each K, and an M-step from that partition. With
            frequency weights, and for --method variational, the default is --init kmeans.

            With --noise every candidate has mclust's uniform noise component (its weight
            and volume count as 2 parameters, as mclust's BIC counts them); the starting
            noise rows are guessed once and the tree is built on the other rows.

            --missing marginalize fits every candidate as fit --missing marginalize
            does (the missing-data EM; BIC, AIC and ICL from the observed values, ICL's
            hard assignments by P(c|x_o)); every start, hc included, is made on the
            data with each gap replaced by its column's observed mean, as fit's are.
            It cannot be combined with --noise, --prior, --standardize or --method
            variational. On a terminal, or with --progress, a line per finished
            candidate goes to standard error.
            """)

    @OptionGroup var delimiterOption: DelimiterOption
    @Argument(help: ArgumentHelp("Data file (.csv, .tsv, .npy, or - for standard input).", valueName: "DATA"))
    var data: String
    @Option(help: ArgumentHelp("Component counts: a range 1-8, a list 2,3,5, or one number.", valueName: "RANGE"))
    var components: String = "1-9"
    @Option(help: ArgumentHelp("Covariance models, comma separated: full, diag, spherical, tied, mclust's names (EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV; VVV = full, VVI = diag, VII = spherical, EEE = tied), or all (the fourteen). Default: all; with --method variational, full,diag,spherical,tied (the only ones it fits).", valueName: "LIST"))
    var covariance: String?
    @Option(help: "Criterion to rank by: bic, aic or icl for EM (default bic); elbo for --method variational (its default and only choice).")
    var criterion: SelectionCriterion?
    @OptionGroup var fitting: FitParameters
    @OptionGroup var standardizing: StandardizeOption
    @OptionGroup var variational: VariationalParameters
    @OptionGroup var missingValues: MissingOptions
    @OptionGroup var quieting: QuietOption
    @OptionGroup var progressing: ProgressOption

    var progressStyle: ProgressStyle? { .chosen(quiet: quieting.quiet, forced: progressing.progress) }
    @Option(name: [.short, .long], help: ArgumentHelp("Write the best model file here.", valueName: "FILE"))
    var output: String?
    @Option(name: .customLong("output-table"), help: ArgumentHelp("Write the table as CSV here.", valueName: "FILE"))
    var outputTable: String?

    func componentCounts() throws -> [Int] {
        var counts: [Int] = []
        for part in components.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let lo = Int(bounds[0]), let hi = Int(bounds.last!), lo >= 1, hi >= lo else {
                throw ValidationError("--components takes counts like 1-8 or 2,3,5 (each at least 1), got \"\(components)\"")
            }
            counts += Array(lo...hi)
        }
        guard !counts.isEmpty else { throw ValidationError("--components is empty") }
        return Array(Set(counts)).sorted()
    }

    func kinds() throws -> [CovarianceKind] {
        var kinds: [CovarianceKind] = []
        let list = covariance ?? (variational.method == .variational ? "full,diag,spherical,tied" : "all")
        for name in list.split(separator: ",") {
            if name == "all" {
                // With --prior, the ten models mclust defines its prior for.
                kinds += CovarianceKind.mclustOrder.filter { !fitting.usesPrior || ConjugatePrior.isSupported($0) }
                continue
            }
            guard let kind = CovarianceKind(name: String(name)) else {
                throw ValidationError("--covariance: \"\(name)\" is not all or one of \(CovarianceKind.argumentNames)")
            }
            kinds.append(kind)
        }
        // Each model once, in the order first named.
        var seen = Set<CovarianceKind>()
        return kinds.filter { seen.insert($0).inserted }
    }

    func validate() throws {
        _ = try componentCounts()
        guard try !kinds().isEmpty else { throw ValidationError("--covariance is empty") }
        if variational.method == .variational,
           let other = try kinds().first(where: { !CovarianceKind.scikitLearnKinds.contains($0) }) {
            throw ValidationError("--covariance \(other.rawValue): variational fits support full, diag, spherical and tied covariances only")
        }
        switch (variational.method, criterion) {
        case (.em, .elbo?): throw ValidationError("--criterion elbo ranks variational fits: add --method variational")
        case (.variational, let c?) where c != .elbo:
            throw ValidationError("--criterion \(c.rawValue) ranks EM fits; variational candidates are ranked by elbo")
        case (.em, _) where variational.hasVariationalFlags: throw ValidationError("the prior flags need --method variational")
        default: break
        }
        if missingValues.marginalize {
            // What fit --missing marginalize refuses.
            let other = variational.method == .variational ? "--method variational" : fitting.noise ? "--noise"
                : fitting.usesPrior ? "--prior" : standardizing.standardize ? "--standardize" : nil
            if let other { throw ValidationError("--missing marginalize cannot be used with \(other)") }
        }
        if fitting.noise && variational.method == .variational {
            throw ValidationError("--noise cannot be used with --method variational")
        }
        if standardizing.standardize {
            try checkStandardizeCombinations(online: false, variational: variational.method == .variational, initModel: nil,
                                             labels: nil, checkpoint: nil, resume: nil, marginalize: false)
            if fitting.noise, let volume = fitting.noiseVolume, Double(volume) != nil {
                throw ValidationError("--noise-volume \(volume) is in original units and --standardize fits in standardised ones: "
                    + "use --noise-volume box or hypvol")
            }
        }
        if fitting.usesPrior {
            if variational.method == .variational {
                throw ValidationError("--prior cannot be used with --method variational: it has its own priors (--weight-prior, --mean-prior, …)")
            }
            if let other = try kinds().first(where: { !ConjugatePrior.isSupported($0) }) {
                throw ValidationError("--prior: mclust defines no conjugate prior for \(other.mclustName); "
                    + "it has one for EII, VII, EEI, VEI, EVI, VVI, EEE, EEV, VEV and VVV (--covariance all with --prior means those ten)")
            }
            if fitting.noise { throw ValidationError("--prior cannot be used with --noise: mclust's conjugate prior is not implemented here with a noise component") }
            if standardizing.standardize {
                throw ValidationError("--prior cannot be used with --standardize: the prior's scale is already the data's own variance")
            }
        }
        if variational.method == .variational, variational.covariancePrior != nil, try kinds().count > 1 {
            throw ValidationError("--covariance-prior has one family's shape: give one family with --covariance")
        }
    }

    /// The criterion in force.
    var rankingCriterion: SelectionCriterion { criterion ?? (variational.method == .variational ? .elbo : .bic) }

    func run() throws {
        try reportingFailures {
            if let output { try checkOutputPath(output) }
            if let outputTable { try checkOutputPath(outputTable) }
            let (incomplete, weights) = try missingValues.readFitData(data, fitting: fitting, start: nil, online: false)
            // The complete-data paths' input (gaps filled with column means only for the checks below).
            let original = incomplete.complete ?? incomplete.filled()
            // --standardize: candidates see standardised columns; the table and the model are given in original units.
            let standardized = standardizing.standardize ? StandardizedFit(standardization: Standardization(of: original, weights: weights)) : nil
            let matrix = standardized.map { $0.standardization.standardize(original) } ?? original
            let criterion = rankingCriterion
            // A line per finished candidate, on a terminal or with --progress (-q: none).
            let progress = Self.candidateProgress(criterion: criterion)
            var table: SelectionTable
            if variational.method == .variational {
                let options = VariationalFitOptions(fit: fitting.options(), weightPrior: variational.weightPrior.prior,
                                                    priors: try variational.priors)
                table = ModelSearch.runVariational(matrix, weights: weights, componentCounts: try componentCounts(),
                                                   kinds: try kinds(), options: options, progress: progress)
            } else {
                var options = try fitting.readingNoiseInit(fitting.options(), rows: matrix.sampleCount)
                if fitting.initializationChoice == nil { options.initialization = weights == nil ? .hierarchical : .kMeans }
                table = incomplete.hasGaps
                    ? ModelSearch.run(incomplete, weights: weights, componentCounts: try componentCounts(), kinds: try kinds(),
                                      options: options, criterion: criterion, progress: progress)
                    : ModelSearch.run(matrix, weights: weights, componentCounts: try componentCounts(), kinds: try kinds(),
                                      options: options, criterion: criterion, usesMclustPrior: fitting.usesPrior,
                                      progress: progress)
            }
            if let standardized {
                // The same shift for every candidate (n Σ log sd): the ranking is that of the standardised fits.
                for i in table.rows.indices {
                    guard let fit = table.rows[i].fit else { continue }
                    let shift = fit.report.effectiveSampleSize * standardized.shift
                    table.rows[i].logLikelihood? -= shift
                    table.rows[i].bic? += 2 * shift
                    table.rows[i].aic? += 2 * shift
                    table.rows[i].icl? += 2 * shift
                }
            } else if !quieting.quiet && !incomplete.hasGaps {
                hintStandardizeIfScalesDiffer(original, weights: weights)
            }
            guard let best = table.best else {
                let reasons = table.rows.compactMap(\.failure)
                throw CommandFailure(message: "\(data): no candidate could be fitted (first failure: \(reasons.first ?? "unknown"))",
                                     status: ExitStatus.dataError)
            }
            if let outputTable { try OutputFile.write(csv(table), to: outputTable) }
            if let output {
                if let fit = best.fit {
                    let fitted = fit.model.reordered(by: fitting.order)
                    var summary = FitSummary(report: fit.report, model: fitted)
                    var extra: [(String, String)] = missingValues.modelFileMembers(incomplete)
                    if let standardized {
                        summary = standardized.summary(summary, effectiveSampleSize: fit.report.effectiveSampleSize)
                        extra.append(standardized.modelFileMember(fitted: fitted))
                    }
                    // The prior the best candidate was fitted with (the same numbers: a function of the data, K and model).
                    if let prior = try fitting.prior(for: matrix, weights: weights, options: FitOptions(
                        componentCount: fitted.componentCount, covarianceKind: fitted.covarianceKind)) {
                        extra.append(ModelFile.priorMember(prior))
                    }
                    let model = try standardized.map { try $0.standardization.originalUnits(fitted) } ?? fitted
                    try OutputFile.write(ModelFile.encode(model, summary: summary, extra: extra), to: output)
                } else if let fit = best.variationalFit {
                    try OutputFile.write(ModelFile.encode(fit.posterior, summary: VariationalFitSummary(report: fit.report)),
                                         to: output)
                }
            }
            try OutputFile.writeStandardOutput(Array(readableTable(table).utf8))
            if !quieting.quiet {
                for line in missingValues.summaryLines(incomplete) { printError(line) }
                let kept = best.variationalFit.map { " (\($0.posterior.effectiveComponents().count) effective)" } ?? ""
                printError("best by \(criterion.rawValue.uppercased()): \(best.covarianceKind.rawValue), \(best.componentCount) component\(best.componentCount == 1 ? "" : "s")\(kept)"
                    + (output.map { "; model written to \($0)" } ?? "; model not saved: use -o FILE to keep it"))
            }
            // Warnings last (with -q too): about the data, and about the best candidate, the one kept.
            var warnings = FitWarnings()
            warnings.checkConstantColumns(original)
            let what = "the best candidate (\(best.covarianceKind.rawValue), K = \(best.componentCount)): "
            warnings.checkComponentCount(best.componentCount, rows: original.sampleCount, weights: weights, what: what)
            if let fit = best.fit {
                warnings.checkEmptyComponents(fit.model, effectiveSampleSize: fit.report.effectiveSampleSize, what: what)
                warnings.checkConvergence(fit.report.hasConverged, em: fitting.em, what: what)
            } else if let fit = best.variationalFit {
                warnings.checkConvergence(fit.report.hasConverged, em: fitting.em, method: "the variational fit",
                                          change: "ELBO change", what: what)
            }
            warnings.print()
        }
    }

    /// The progress line of a finished candidate: `candidate i of N: MODEL, K = k  BIC …  s`
    /// (the criterion is that of the standardised fit under --standardize).
    static func candidateProgress(criterion: SelectionCriterion) -> SelectionProgress? {
        guard CommandProgress.style != nil else { return nil }
        return { row, done, total in printError(candidateLine(row, criterion: criterion, done: done, total: total)) }
    }

    static func candidateLine(_ row: SelectionRow, criterion: SelectionCriterion, done: Int, total: Int) -> String {
        let result = row.value(of: criterion).map { "\(criterion.rawValue.uppercased()) \(readable($0, digits: 8))" }
            ?? "failed: \(row.failure ?? "")"
        return "candidate \(done) of \(total): \(row.covarianceKind.rawValue), K = \(row.componentCount)  \(result)  "
            + "\(readable(row.seconds, digits: 2)) s"
    }

    private func readableTable(_ table: SelectionTable) -> String {
        if table.criterion == .elbo { return readableVariationalTable(table) }
        var rows = [["", "K", "covariance", "log-likelihood", "parameters", "BIC", "AIC", "ICL", "converged", "best by", "time"]]
        // The best by BIC and by ICL (mclust's two criteria), whatever the ranking.
        func isBest(_ row: SelectionRow, _ c: SelectionCriterion) -> Bool {
            guard let best = table.ranked(by: c).best else { return false }
            return best.componentCount == row.componentCount && best.covarianceKind == row.covarianceKind
        }
        for (idx, row) in table.rows.enumerated() {
            let mark = idx == 0 && row.fit != nil ? "*" : ""
            let bestBy = [SelectionCriterion.bic, .icl].filter { isBest(row, $0) }.map { $0.rawValue.uppercased() }
                .joined(separator: ", ")
            if let fit = row.fit {
                rows.append([mark, String(row.componentCount), row.covarianceKind.rawValue, readableTotal(row.logLikelihood!),
                             String(row.parameterCount), readableTotal(row.bic!), readableTotal(row.aic!),
                             readableTotal(row.icl!), fit.report.hasConverged ? "yes" : "no", bestBy,
                             readableSeconds(row.seconds, digits: 2)])
            } else {
                rows.append([mark, String(row.componentCount), row.covarianceKind.rawValue, "failed: \(row.failure ?? "")"])
            }
        }
        return textTable(rows, indent: "") + "\n"
    }

    private func readableVariationalTable(_ table: SelectionTable) -> String {
        var rows = [["", "K", "covariance", "evidence bound", "effective", "iterations", "converged", "time"]]
        for (idx, row) in table.rows.enumerated() {
            if let fit = row.variationalFit {
                rows.append([idx == 0 ? "*" : "", String(row.componentCount), row.covarianceKind.rawValue,
                             readableTotal(row.evidenceLowerBound!),
                             String(fit.posterior.effectiveComponents().count), String(fit.report.iterationCount),
                             fit.report.hasConverged ? "yes" : "no", readableSeconds(row.seconds, digits: 2)])
            } else {
                rows.append(["", String(row.componentCount), row.covarianceKind.rawValue, "failed: \(row.failure ?? "")"])
            }
        }
        return textTable(rows, indent: "") + "\n"
    }

    /// The table as CSV. The first eleven columns are those of every version; `method`,
    /// `elbo` (the full evidence lower bound) and `effective_components` (variational
    /// candidates only) come after them.
    private func csv(_ table: SelectionTable) -> [UInt8] {
        var text = "components,covariance,log_likelihood,n_parameters,bic,aic,icl,converged,seconds,best,failure,"
            + "method,elbo,effective_components\n"
        for (idx, row) in table.rows.enumerated() {
            let numbers = [row.logLikelihood, Double(row.parameterCount), row.bic, row.aic, row.icl]
            let cells = numbers.enumerated().map { i, v in v.map { i == 1 ? String(Int($0)) : $0.description } ?? "" }
            let converged = row.fit.map { $0.report.hasConverged ? "true" : "false" }
                ?? row.variationalFit.map { $0.report.hasConverged ? "true" : "false" } ?? ""
            let failure = row.failure.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" } ?? ""
            let method = table.criterion == .elbo ? "variational" : "em"
            let effective = row.variationalFit.map { String($0.posterior.effectiveComponents().count) } ?? ""
            text += "\(row.componentCount),\(row.covarianceKind.rawValue)," + cells.joined(separator: ",")
                + ",\(converged),\(row.seconds),\(idx == 0 && row.succeeded ? 1 : 0),\(failure)"
                + ",\(method),\(row.evidenceLowerBound.map(\.description) ?? ""),\(effective)\n"
        }
        return Array(text.utf8)
    }
}
