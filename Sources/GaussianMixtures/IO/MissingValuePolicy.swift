// What a data file may say for "no value here". The default is the contract's:
// every cell is a finite number. Allowing gaps changes only what an empty cell
// and the few spellings below mean; every other non-number (text, `inf`) is
// still an error with its file, line and column.

/// Whether a data file may have missing values.
public enum MissingValuePolicy: Sendable, Equatable {
    /// Every cell must be a finite number (the default everywhere).
    case reject
    /// Empty cells and the tokens `NA`, `NaN`, `nan` and `NAN` (quoted or not,
    /// spaces around allowed) are missing values and are stored as NaN; in a
    /// `.npy` file, NaN is missing. A row with every selected value missing, or
    /// a selected column missing in every row, is still an error.
    case allow

    /// The spellings of a missing value besides the empty cell.
    public static let missingTokens = ["NA", "NaN", "nan", "NAN"]
}

extension DataFileReader {
    /// Reads a data file that may have gaps.
    ///
    /// With `.reject` this reads exactly as `read(path:columns:)` does (same
    /// errors); with `.allow`, missing values (see `MissingValuePolicy.allow`)
    /// become NaN in the result. Complete rows are parsed by the same fast path
    /// either way.
    ///
    /// - Throws: `DataFileError` as `read(path:columns:)`, and `.malformed` naming
    ///   the line (text) or row (`.npy`) whose selected values are all missing, or
    ///   the column that is missing in every row.
    public static func read(path: String, columns: [ColumnSelector]? = nil,
                            missing: MissingValuePolicy) throws(DataFileError) -> IncompleteDataMatrix {
        if path == "-" {
            return try parseIncomplete(FileBytes.standardInput(), displayName: "<stdin>", format: .csv,
                                       columns: columns, missing: missing)
        }
        let format = DataFileFormat(path: path)
        let file = try FileBytes.open(path: path, displayName: path, populate: format != .npy)
        return try parseIncomplete(file, displayName: path, format: format, columns: columns, missing: missing)
    }

    /// Reads a data file that is already in memory and may have gaps (see `read(path:columns:missing:)`).
    public static func read(bytes: [UInt8], displayName: String, format: DataFileFormat,
                            columns: [ColumnSelector]? = nil,
                            missing: MissingValuePolicy) throws(DataFileError) -> IncompleteDataMatrix {
        try parseIncomplete(FileBytes(copying: bytes), displayName: displayName, format: format, columns: columns,
                            missing: missing)
    }

    static func parseIncomplete(_ file: FileBytes, displayName: String, format: DataFileFormat,
                                        columns: [ColumnSelector]?,
                                        missing: MissingValuePolicy) throws(DataFileError) -> IncompleteDataMatrix {
        switch format {
        case .csv, .tsv:
            let delimiter = delimiter(for: format)
            return try withExtendedLifetime(file) { () throws(DataFileError) -> IncompleteDataMatrix in
                try DelimitedParser.parseIncomplete(file.bytes, delimiter: delimiter, displayName: displayName,
                                                    columns: columns, missing: missing)
            }
        case .npy:
            return try NumpyFile.incompleteMatrix(from: file, displayName: displayName, columns: columns, missing: missing)
        }
    }
}
