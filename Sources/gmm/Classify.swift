import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine

// `gmm classify`: Gaussian-mixture discriminant analysis (mclust's MclustDA and
// EDDA). `fit` writes a gmm-classifier file (ClassifierFile.swift), `predict`
// gives P(class|x) and the predicted class, `evaluate` compares predictions with
// known classes.

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify rows with a mixture per class (mclust's MclustDA or EDDA).",
        discussion: """
            `fit` learns, from rows with known classes, a density per class: a mixture
            whose K and covariance family are chosen by BIC for each class (MclustDA, K =
            1…5 and every family by default), or with --edda one component per class with
            one family for all, chosen by BIC (tied = linear, full = quadratic
            discriminant analysis). `predict` gives P(class|x) = prior × density,
            normalised; `evaluate` prints the confusion matrix, error rate and Brier score
            against known classes.
            """,
        subcommands: [ClassifyFit.self, ClassifyPredict.self, ClassifyEvaluate.self])
}

/// Reads the features and the label of every row for `classify fit` and `evaluate`:
/// the label column is left out of the features unless `--columns` says otherwise.
func readLabelledRows(_ path: String, labels spec: String, columns: String?, for model: GaussianMixture? = nil) throws
    -> (DataMatrix, RowLabels) {
    let rowLabels = try RowLabels.read(spec, data: path)
    let matrix: DataMatrix
    if let columns {
        matrix = try DataFileReader.read(path: path, columns: ColumnSelector.parseList(columns))
    } else if let model {
        matrix = try readData(path, columns: nil, for: model)
    } else {
        let features = try rowLabels.featureColumns(of: path, excluding: nil)
        matrix = try DataFileReader.read(path: path, columns: features.map(ColumnSelector.parseList))
    }
    try rowLabels.check(rows: matrix.sampleCount, spec: spec)
    return (matrix, rowLabels)
}

/// `readLabelledRows` without a model, allowing gaps (`--missing marginalize`) in the feature columns.
func readLabelledRowsWithGaps(_ path: String, labels spec: String, columns: String?) throws -> (IncompleteDataMatrix, RowLabels) {
    let rowLabels = try RowLabels.read(spec, data: path)
    let selected = try columns ?? rowLabels.featureColumns(of: path, excluding: nil)
    let matrix = try DataFileReader.read(path: path, columns: selected.map(ColumnSelector.parseList), missing: .allow)
    try rowLabels.check(rows: matrix.sampleCount, spec: spec)
    return (matrix, rowLabels)
}

/// `--priors`: one positive number per class, in the classifier's class order, or NAME=VALUE pairs.
func parsePriors(_ text: String?, classNames: [String]) throws -> [Double]? {
    guard let text else { return nil }
    let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    func bad(_ why: String) -> Error { CommandFailure(message: "--priors \(text): \(why)", status: ExitStatus.usage) }
    var priors: [Double]
    if items.allSatisfy({ $0.contains("=") }) {
        priors = [Double](repeating: .nan, count: classNames.count)
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard let c = classNames.firstIndex(of: parts[0]) else {
                throw bad("\"\(parts[0])\" is not a class (\(classNames.joined(separator: ", ")))")
            }
            guard let value = Double(parts[1]) else { throw bad("\"\(parts[1])\" is not a number") }
            priors[c] = value
        }
        if let missing = priors.firstIndex(where: { $0.isNaN }) { throw bad("no prior for class \"\(classNames[missing])\"") }
    } else {
        guard items.count == classNames.count else {
            throw bad("expected \(classNames.count) numbers (classes \(classNames.joined(separator: ", "))), found \(items.count)")
        }
        priors = try items.map { item in
            guard let value = Double(item) else { throw bad("\"\(item)\" is not a number") }
            return value
        }
    }
    guard priors.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw bad("every prior must be a positive number") }
    return priors
}

/// The confusion matrix and scores, as lines of text.
func evaluationLines(_ record: ClassificationEvaluation, classNames: [String], title: String) -> [String] {
    let width = max(10, classNames.map(\.count).max() ?? 0) + 2
    let first = max(width, 18)
    func pad(_ s: String, _ w: Int = width) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
    var lines = [title, pad("true \\ predicted", first) + classNames.map { pad($0) }.joined()]
    for (c, row) in record.confusion.enumerated() {
        lines.append(pad(classNames[c], first) + row.map { pad(String($0)) }.joined())
    }
    lines.append("rows:        \(record.sampleCount)")
    lines.append("error rate:  \(readable(record.errorRate))")
    lines.append("Brier score: \(readable(record.brierScore))  (mclust's: Σ (P(c|x) − [c true])² / 2n)")
    return lines
}

/// Cells left-aligned in columns of at least `widths` characters (0: as wide as the cell), one space apart at least.
func padded(_ cells: [String], widths: [Int]) -> String {
    zip(cells, widths).map { cell, width in
        width == 0 ? cell : cell + String(repeating: " ", count: max(1, width - cell.count))
    }.joined()
}
