import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine

struct ClassifyEvaluate: ParsableCommand, ReadsTextData {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Confusion matrix, error rate and Brier score on rows of known class.",
        usage: "gmm classify evaluate [<options>] <MODEL> <DATA> --labels <COLUMN|FILE>",
        discussion: """
            Rows with an empty label are left out. A label the classifier does not know
            is an error (exit 65).
            """)

    @OptionGroup var delimiterOption: DelimiterOption
    @OptionGroup var quieting: QuietOption
    @Argument(help: ArgumentHelp("Classifier file written by `gmm classify fit -o`.", valueName: "MODEL"))
    var model: String
    @Argument(help: ArgumentHelp("Data file (.csv, .tsv, .npy).", valueName: "DATA"))
    var data: String
    @Option(help: ArgumentHelp("The true class of every row: a column of DATA or a file with one label per row.", valueName: "COLUMN|FILE"))
    var labels: String
    @Option(help: ArgumentHelp("Class priors: one number per class in the model's order, or NAME=VALUE,….", valueName: "LIST"))
    var priors: String?
    @Option(help: ArgumentHelp("Feature columns, by name or 0-based index (default: the model's feature names).", valueName: "LIST"))
    var columns: String?
    @OptionGroup var missingValues: MissingOptions

    func run() throws {
        try reportingFailures {
            let classifier = try ClassifierFile.read(path: model)
            let rowLabels = try RowLabels.read(labels, data: data)
            let matrix = try missingValues.read(data, columns: columns, for: classifier.mixtures[0])
            try rowLabels.check(rows: matrix.sampleCount, spec: labels)
            let priors = try parsePriors(self.priors, classNames: classifier.classNames)
            let rows = rowLabels.labels.indices.filter { rowLabels.labels[$0] != nil }
            let classes = try rows.map { i in
                let label = rowLabels.labels[i]!
                guard let c = classifier.classNames.firstIndex(of: label) else {
                    throw CommandFailure(message: "\(rowLabels.column == nil ? labels + ":\(i + 1)" : data + weightLocation(row: i, path: data)): "
                                         + "class \"\(label)\" is not one of the classifier's (\(classifier.classNames.joined(separator: ", ")))",
                                         status: ExitStatus.dataError)
                }
                return c
            }
            let values = rows.flatMap { matrix.row($0) }
            let subset = try IncompleteDataMatrix(values: values, sampleCount: rows.count, featureCount: matrix.featureCount,
                                                  featureNames: matrix.featureNames)
            let record = try classifier.evaluate(subset, classes: classes, priors: priors)
            print(evaluationLines(record, classNames: classifier.classNames, title: "confusion matrix (rows: true class):")
                .joined(separator: "\n"))
        }
    }
}
