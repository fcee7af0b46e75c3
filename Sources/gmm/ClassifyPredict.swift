import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine

struct ClassifyPredict: ParsableCommand, ReadsTextData {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "P(class|x) and the predicted class of every row.",
        usage: "gmm classify predict [<options>] <MODEL> <DATA>",
        discussion: """
            CSV columns: the --keep-columns cells (copied as they are), p_<class> for
            every class (P(class|x) = prior × Σ over the class's components of w_k
            N(x|θ_k), over the sum for all classes), and `class`, the most probable class.
            The priors are the training shares of the classes unless --priors gives
            others.
            """)

    @OptionGroup var delimiterOption: DelimiterOption
    @OptionGroup var quieting: QuietOption
    @Argument(help: ArgumentHelp("Classifier file written by `gmm classify fit -o`.", valueName: "MODEL"))
    var model: String
    @Argument(help: ArgumentHelp("Data file (.csv, .tsv, .npy).", valueName: "DATA"))
    var data: String
    @Option(help: ArgumentHelp("Class priors: one number per class in the model's order, or NAME=VALUE,… (normalised to sum 1).", valueName: "LIST"))
    var priors: String?
    @Option(name: .customLong("keep-columns"), help: ArgumentHelp("Copy these columns of DATA (an id, a label; text allowed) into the output.", valueName: "LIST"))
    var keepColumns: String?
    @Option(help: ArgumentHelp("Feature columns, by name or 0-based index (default: the model's feature names).", valueName: "LIST"))
    var columns: String?
    @Option(name: [.short, .long], help: ArgumentHelp("Write the table to FILE instead of standard output.", valueName: "FILE"))
    var output: String?
    @OptionGroup var missingValues: MissingOptions

    func run() throws {
        try reportingFailures {
            if let output { try checkOutputPath(output) }
            let classifier = try ClassifierFile.read(path: model)
            let matrix = try missingValues.read(data, columns: columns, for: classifier.mixtures[0])
            let priors = try parsePriors(self.priors, classNames: classifier.classNames)
            let p = try classifier.classProbabilities(for: matrix, priors: priors)
            let predicted = MixtureClassifier.predictedClasses(fromProbabilities: p, classCount: classifier.classCount)
            var kept: (names: [String], values: [[String]]) = ([], [])
            if let keepColumns {
                guard data != "-" else {
                    throw CommandFailure(message: "--keep-columns needs the data in a file, not standard input", status: ExitStatus.usage)
                }
                kept = try KeptColumns.read(data, columns: keepColumns, rows: Array(0..<matrix.sampleCount))
            }
            let cCount = classifier.classCount
            var text = (kept.names + classifier.classNames.map { "p_" + $0 } + ["class"]).map(csvCell).joined(separator: ",") + "\n"
            for i in 0..<matrix.sampleCount {
                let cells = (kept.names.isEmpty ? [] : kept.values[i].map(csvCell))
                    + (0..<cCount).map { "\(p[i * cCount + $0])" } + [csvCell(classifier.classNames[predicted[i]])]
                text += cells.joined(separator: ",") + "\n"
            }
            try OutputFile.write(Array(text.utf8), to: output ?? "-")
        }
    }
}
