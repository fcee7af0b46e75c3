import GaussianMixtures
import GaussianMixturesCommandLine

/// Reads `--init-responsibilities FILE`: one row per data row (`rows`), one column per
/// component (`components`, when -k was given), every cell finite and ≥ 0, every row
/// summing to 1 within 1e-6. Anything else is a data error (65) naming the file, and the
/// line and column of the first bad cell (the line of a bad row sum).
/// With `noise`, the last column is the noise component's (counted in `components`).
func readResponsibilities(_ path: String, rows: Int, components: Int?, noise: Bool = false) throws -> DataMatrix {
    let table = try DataFileReader.read(path: path)
    guard table.sampleCount == rows else {
        throw CommandFailure(message: "\(path): has \(table.sampleCount) rows of responsibilities but the data has \(rows) rows",
                             status: ExitStatus.dataError)
    }
    if let components, components != table.featureCount {
        throw CommandFailure(message: "\(path): has \(table.featureCount) columns of responsibilities but -k is "
                             + (noise ? "\(components - 1) (with --noise: \(components) columns, the noise last)" : "\(components)"),
                             status: ExitStatus.dataError)
    }
    if let bad = InitializationMethod.firstInvalidResponsibility(in: table) {
        let location: String
        if let line = DataFileReader.line(ofDataRow: bad.row, path: path) {
            location = ":\(line)" + (bad.column.map { ":\($0 + 1)" } ?? "")
        } else {
            location = ": row \(bad.row + 1)" + (bad.column.map { ", column \($0 + 1)" } ?? "")
        }
        throw CommandFailure(message: "\(path)\(location): \(bad.reason)", status: ExitStatus.dataError)
    }
    if noise && table.featureCount < 2 {
        throw CommandFailure(message: "\(path): with --noise the responsibilities need a column per component and the "
                             + "noise's, last; found \(table.featureCount) column", status: ExitStatus.dataError)
    }
    return table
}
