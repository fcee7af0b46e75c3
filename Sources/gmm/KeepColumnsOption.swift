import ArgumentParser
import GaussianMixtures
import GaussianMixturesCommandLine

// `--keep-columns` on predict, score and impute: input columns (an id, a
// species; text allowed) copied in front of the output columns, so that the
// output can be joined to its input without `paste`. The cells are read by
// `KeptColumns` (which `report` and `classify predict` use too).

/// Cells copied from the input in front of every output row.
struct KeptCells {
    var names: [String]
    /// One row of cells per data row.
    var values: [[String]]
}

/// `--keep-columns LIST`.
struct KeepColumnsOption: ParsableArguments {
    @Option(name: .customLong("keep-columns"), help: ArgumentHelp(
        "Copy these columns of DATA (names or 0-based indices; text allowed, such as an id or a label) in front of the "
            + "output columns. Without --columns the features are the model's by name, else the other columns.",
        valueName: "LIST"))
    var keepColumns: String?

    /// Refuses what cannot work: standard input (read twice), a `.npy` output (numbers only), an empty list.
    func check(data: String, output: OutputOptions) throws {
        guard let keepColumns else { return }
        if ColumnSelector.parseList(keepColumns).isEmpty { throw ValidationError("--keep-columns names no column: \"\(keepColumns)\"") }
        if data == "-" {
            throw ValidationError("--keep-columns reads DATA a second time: give a file, not - (standard input)")
        }
        if output.output?.hasSuffix(".npy") == true {
            throw ValidationError("--keep-columns copies text, which a .npy output cannot hold: write CSV")
        }
    }

    /// The kept cells (`nil` without the flag) and the feature columns to read: `columns` when given;
    /// else `nil` (the model's features by name) when a header row names them all; else every column not
    /// kept (also for `.npy` and headerless files, whose `x0`, `x1`, … names are positions, not names).
    func read(_ path: String, columns: String?, for model: GaussianMixture) throws -> (kept: KeptCells?, columns: String?) {
        guard let keepColumns else { return (nil, columns) }
        let all = try KeptColumns.readAll(path, columns: keepColumns)
        let kept = KeptCells(names: all.names, values: all.values)
        if columns != nil || (all.hasHeader && model.featureNames.allSatisfy(all.header.contains)) { return (kept, columns) }
        let others = all.header.indices.filter { !all.positions.contains($0) }
        return (kept, others.isEmpty ? nil : others.map(String.init).joined(separator: ","))
    }
}

/// Checks that the kept cells cover the `rows` data rows read as features.
func checkKeptRows(_ kept: KeptCells?, rows: Int, path: String) throws {
    guard let kept, kept.values.count != rows else { return }
    throw CommandFailure(message: "\(path): --keep-columns found \(kept.values.count) rows but the features have \(rows)",
                         status: ExitStatus.dataError)
}

/// Runs a read of feature columns; a text column met among them gets, besides `--columns`, the hint
/// that `--keep-columns` copies it to the output.
func readingFeatures<T>(_ read: () throws -> T) throws -> T {
    do {
        return try read()
    } catch let error as DataFileError {
        guard case let .malformed(path, line, column, message) = error,
              message.hasSuffix("pick the numeric columns with --columns") else { throw error }
        throw DataFileError.malformed(path: path, line: line, column: column,
                                      message: message + ", or copy the text column to the output with --keep-columns")
    }
}
