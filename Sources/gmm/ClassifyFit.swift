import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine

struct ClassifyFit: ParsableCommand, ReadsTextData, ShowsProgress {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a classifier to rows with known classes.",
        discussion: """
            Every row needs a label. Prints, per class, the chosen family, K and BIC, and
            the training confusion matrix; --cv N adds N-fold cross-validation (folds
            dealt from --seed; each fold refits the chosen models on the others).
            --missing marginalize fits each class by the missing-data EM that fit
            --missing marginalize uses (BIC from the observed values; EDDA by that EM
            with every row's class known) and scores rows by P(class | x_o).
            """)

    @OptionGroup var delimiterOption: DelimiterOption
    @Argument(help: ArgumentHelp("Training data (.csv, .tsv, .npy).", valueName: "TRAIN"))
    var data: String
    @Option(help: ArgumentHelp("The class of every row: a column of TRAIN (name or 0-based index, text allowed) or a file with one label per row.",
                               valueName: "COLUMN|FILE"))
    var labels: String
    @Flag(help: "One component per class, one covariance family for all (mclust's EDDA).")
    var edda = false
    @Option(name: [.customShort("k"), .long], help: ArgumentHelp("Component counts tried per class (MclustDA), e.g. 1-5 or 1,2,4.", valueName: "LIST"))
    var components: String = "1-5"
    @Option(help: ArgumentHelp("Covariance families tried, e.g. full,tied (default: all).", valueName: "LIST"))
    var covariance: String?
    @Option(help: ArgumentHelp("Feature columns, by name or 0-based index (default: all but the label column).", valueName: "LIST"))
    var columns: String?
    @Option(name: .customLong("init"), help: ArgumentHelp(
        "How each class's EM starts (MclustDA; EDDA needs no start): hc (default, mclust's: hierarchical agglomeration "
            + "of that class's rows, cut at each K), kmeans, k-means++, random or random-from-data.", valueName: "METHOD"))
    var initialization: InitChoice = .hc
    @OptionGroup var em: EMParameters
    @OptionGroup var missingValues: MissingOptions
    @Option(name: .customLong("cv"), help: ArgumentHelp("Cross-validate with this many folds.", valueName: "N"))
    var folds: Int?
    @Option(name: [.short, .long], help: ArgumentHelp("Write the classifier file here.", valueName: "FILE"))
    var output: String?
    @Flag(name: [.short, .long], help: "No summary on standard error.")
    var quiet = false
    @OptionGroup var progressing: ProgressOption

    var progressStyle: ProgressStyle? { .chosen(quiet: quiet, forced: progressing.progress) }

    func validate() throws {
        try em.check()
        if let folds, folds < 2 { throw ValidationError("--cv must be at least 2, got \(folds)") }
    }

    /// Prints the progress line of a fitted candidate: `candidate i of N: [class "c", ]MODEL[, K = k]  BIC …`.
    @Sendable static func candidateLine(_ candidate: ClassifierCandidate, done: Int, total: Int) {
        let which = (candidate.className.map { "class \"\($0)\", " } ?? "") + candidate.covarianceKind.rawValue
            + (candidate.className == nil ? "" : ", K = \(candidate.componentCount)")
        printError("candidate \(done) of \(total): \(which)  " + (candidate.bic.map { "BIC \(readable($0, digits: 8))" } ?? "failed"))
    }

    func componentCounts() throws -> [Int] {
        var counts: [Int] = []
        for part in components.split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !bounds.isEmpty, bounds.count <= 2, let low = bounds[0], let high = bounds.last!, low >= 1, high >= low else {
                throw ValidationError("-k \(components): expected counts ≥ 1 such as 1-5 or 1,2,4")
            }
            counts += Array(low...high)
        }
        return Array(Set(counts)).sorted()
    }

    func kinds() throws -> [CovarianceKind] {
        guard let covariance else { return CovarianceKind.allCases }
        return try covariance.split(separator: ",").map { name in
            guard let kind = CovarianceKind(argument: String(name).trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--covariance \(covariance): \"\(name)\" is not one of \(CovarianceKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return kind
        }
    }

    func run() throws {
        try reportingFailures {
            if let output { try checkOutputPath(output) }
            let (counts, kinds) = (try componentCounts(), try kinds())
            let rows: IncompleteDataMatrix
            let rowLabels: RowLabels
            if missingValues.marginalize {
                (rows, rowLabels) = try readLabelledRowsWithGaps(data, labels: labels, columns: columns)
            } else {
                let (complete, read) = try readLabelledRows(data, labels: labels, columns: columns)
                (rows, rowLabels) = (IncompleteDataMatrix(complete), read)
            }
            // Gaps (--missing marginalize): the missing-data EM and P(class | x_o); without gaps, the ordinary paths.
            let matrix = rows.complete ?? rows.filled()
            if let unlabelled = rowLabels.labels.firstIndex(where: { $0 == nil }) {
                throw CommandFailure(message: "\(rowLabels.column == nil ? labels : data)\(rowLabels.column == nil ? ":\(unlabelled + 1)" : weightLocation(row: unlabelled, path: data)): "
                                     + "row \(unlabelled + 1) has no label; every training row needs its class (`gmm fit --labels` takes unlabelled rows)",
                                     status: ExitStatus.dataError)
            }
            let names = rowLabels.names
            let classes = rowLabels.indices.map { $0! }
            let fitting = FitOptions(initialization: initialization.method, initializationCount: em.initializationCount, maxIterations: em.maxIterations,
                                     tolerance: em.tol, covarianceRegularization: em.regularization, seed: em.seed)
            var options = ClassifierOptions(modelType: edda ? .componentPerClass : .mixturePerClass, covarianceKinds: kinds,
                                            componentCounts: counts, fitting: fitting)
            // A line per fitted candidate, on a terminal or with --progress (-q: none).
            if CommandProgress.style != nil { options.progress = Self.candidateLine }
            let clock = ContinuousClock()
            let began = clock.now
            let (classifier, candidates) = try reportingDataErrors(data) { () throws(FitError) in
                try MixtureClassifier.fit(rows, classes: classes, classNames: names, options: options)
            }
            let training = try classifier.evaluate(rows, classes: classes)
            var crossValidated: ClassificationEvaluation?
            if let folds {
                guard folds <= matrix.sampleCount else {
                    throw ValidationError("--cv \(folds) is more folds than the \(matrix.sampleCount) rows")
                }
                crossValidated = try reportingDataErrors(data) { () throws(FitError) in
                    try classifier.crossValidate(rows, classes: classes, folds: folds, seed: em.seed, fitting: fitting)
                }
            }
            let elapsed = clock.now - began
            if let output {
                var extra: [(String, String)] = [
                    ("fit_options", "{\"init\": \"\(initialization.rawValue)\", \"n_init\": \(em.initializationCount), \"max_iter\": \(em.maxIterations), \"tol\": \(em.tol), "
                        + "\"reg_covar\": \(em.regularization), \"seed\": \(em.seed)" + missingValues.fitOptionsMembers + "}"),
                    ClassifierFile.selectionMember(candidates),
                    ("training_error", "\(training.errorRate)"), ("training_brier", "\(training.brierScore)"),
                ]
                if let crossValidated, let folds {
                    extra.append(("cross_validation", "{\"folds\": \(folds), \"seed\": \(em.seed), \"error\": \(crossValidated.errorRate), "
                                  + "\"brier\": \(crossValidated.brierScore)}"))
                }
                try OutputFile.write(ClassifierFile.encode(classifier, extra: extra), to: output)
            }
            if !quiet {
                var lines = ["model:       \(classifier.modelType.rawValue) (\(edda ? "a component per class, one family" : "a mixture per class"), chosen by BIC)",
                             "classes:     \(names.count), features: \(matrix.featureCount), rows: \(matrix.sampleCount)"]
                lines.append("  class       rows   prior     family     K   BIC")
                for c in 0..<classifier.classCount {
                    let mixture = classifier.mixtures[classifier.classDensities[c].mixture]
                    let bic = classifier.modelType == .componentPerClass
                        ? candidates.first { $0.covarianceKind == mixture.covarianceKind }?.bic
                        : candidates.filter { $0.className == names[c] }.compactMap(\.bic).min()
                    lines.append("  " + padded([names[c], "\(classifier.classSampleCounts[c])", readable(classifier.priors[c]),
                                                mixture.covarianceKind.rawValue, "\(classifier.classDensities[c].components.count)",
                                                bic.map(readableTotal) ?? "—"], widths: [12, 7, 10, 11, 4, 0]))
                }
                lines += missingValues.summaryLines(rows)
                lines += evaluationLines(training, classNames: names, title: "training data:")
                if let crossValidated, let folds {
                    lines += evaluationLines(crossValidated, classNames: names, title: "\(folds)-fold cross-validation (seed \(em.seed)):")
                }
                lines.append("time:        \(readable(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18, digits: 3)) s")
                lines.append(output.map { "classifier written to: \($0 == "-" ? "<stdout>" : $0)" } ?? "classifier not saved: use -o FILE to keep it")
                printError(lines.joined(separator: "\n"))
            }
            // Warnings last (with -q too).
            var warnings = FitWarnings()
            warnings.checkConstantColumns(matrix)
            if classifier.modelType == .mixturePerClass {
                for c in 0..<classifier.classCount {
                    warnings.checkComponentCount(classifier.classDensities[c].components.count,
                                                 rows: classifier.classSampleCounts[c], weights: nil,
                                                 what: "class \"\(names[c])\": ")
                }
            }
            warnings.print()
        }
    }
}
