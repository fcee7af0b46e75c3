import GaussianMixtures
#if canImport(Glibc)
import Glibc
#endif

// Frequency weights from the command line: a separate file (`--sample-weights`)
// or a column of the data file (`--weight-column`). Bad weights are exit 65
// with the file and line of the first bad value.

/// Reads one weight per data row from `path` (a one-column table, header optional).
func readWeightFile(_ path: String, rows: Int) throws -> [Double] {
    let table = try DataFileReader.read(path: path)
    guard table.featureCount == 1 else {
        throw CommandFailure(message: "\(path): a weight file has one column, found \(table.featureCount)",
                             status: ExitStatus.dataError)
    }
    guard table.sampleCount == rows else {
        throw CommandFailure(message: "\(path): has \(table.sampleCount) weights but the data has \(rows) rows",
                             status: ExitStatus.dataError)
    }
    let weights = table.values
    try checkWeights(weights, path: path, column: nil)
    return weights
}

/// Splits the column `weightColumn` off the data file as frequency weights.
func readWithWeightColumn(_ path: String, weightColumn: String, columns: String?) throws -> (DataMatrix, [Double]) {
    let weightSelector = ColumnSelector.parseList(weightColumn)
    guard weightSelector.count == 1 else {
        throw CommandFailure(message: "--weight-column takes one column, got \"\(weightColumn)\"", status: ExitStatus.usage)
    }
    let weights = try DataFileReader.read(path: path, columns: weightSelector).values
    let features: DataMatrix
    if let columns {
        features = try DataFileReader.read(path: path, columns: ColumnSelector.parseList(columns))
    } else {
        let all = try DataFileReader.read(path: path)
        let dropped: Int = switch weightSelector[0] {
        case let .index(j): j
        case let .name(name): all.featureNames.firstIndex(of: name)!
        }
        let keep = (0..<all.featureCount).filter { $0 != dropped }
        guard !keep.isEmpty else {
            throw CommandFailure(message: "\(path): no feature columns left besides the weight column", status: ExitStatus.dataError)
        }
        features = try DataFileReader.read(path: path, columns: keep.map(ColumnSelector.index))
    }
    try checkWeights(weights, path: path, column: weightColumn)
    return (features, weights)
}

private func checkWeights(_ weights: [Double], path: String, column: String?) throws {
    let what = column.map { "weight column \"\($0)\"" } ?? "weight"
    if let bad = weights.firstIndex(where: { $0 < 0 }) {
        throw CommandFailure(
            message: "\(path)\(weightLocation(row: bad, path: path)): \(what) must be non-negative, found \(weights[bad])",
            status: ExitStatus.dataError)
    }
    if !weights.contains(where: { $0 > 0 }) {
        throw CommandFailure(message: "\(path): every \(what) is zero", status: ExitStatus.dataError)
    }
    if !weights.reduce(0, +).isFinite {
        throw CommandFailure(message: "\(path): the \(what)s add up beyond the largest double (1.8e308); only their ratios "
                             + "change the fitted parameters, so divide them by a constant", status: ExitStatus.dataError)
    }
}

/// Where data row `row` of `path` is, for a message: `:LINE` in a text file, `: row N` in a `.npy` file.
func weightLocation(row: Int, path: String) -> String {
    DataFileReader.line(ofDataRow: row, path: path).map { ":\($0)" } ?? ": row \(row + 1)"
}
