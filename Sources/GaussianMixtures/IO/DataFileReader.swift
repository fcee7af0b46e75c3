// The one entry point for data files (interface.md, "Data files"). It picks the
// parser from the file name, gets the bytes (memory-mapped when the file is
// regular, read whole otherwise, all of fd 0 for `-`) and hands them over;
// the parsers never touch the file system. Errors are typed so the command line
// can map them to exit codes without string matching.

/// Reads CSV, TSV and NumPy `.npy` files into a `DataMatrix`.
///
/// Every value must be a finite number. Text files may have a header row (a
/// first row that is not all numbers), CRLF line endings, a UTF-8 byte order
/// mark, spaces around numbers, numbers in double quotes, blank lines and no
/// final newline. Errors name the file, the 1-based line and column, and what
/// was found.
public enum DataFileReader {
    /// Reads the data file at `path`; `-` reads CSV from standard input.
    ///
    /// The format follows from the name (`DataFileFormat(path:)`). A `<f8`
    /// C-order `.npy` file is used in place through a memory mapping, without copying.
    ///
    /// - Parameters:
    ///   - path: a file path, or `-` for standard input (shown as `<stdin>` in errors).
    ///   - columns: the columns to keep, in order (names or 0-based indices); `nil`
    ///     keeps all. Columns not selected may hold anything.
    /// - Returns: one row per data row, one column per selected column, named
    ///   from the header (or `x0`, `x1`, … by source position).
    /// - Throws: `DataFileError.cannotOpen` when the file is missing, unreadable or a
    ///   folder; `.malformed` when its content is wrong; `.unknownColumn` when a
    ///   selected column does not exist.
    public static func read(path: String, columns: [ColumnSelector]? = nil) throws(DataFileError) -> DataMatrix {
        if path == "-" {
            return try parse(FileBytes.standardInput(), displayName: "<stdin>", format: .csv, columns: columns)
        }
        let format = DataFileFormat(path: path)
        let file = try FileBytes.open(path: path, displayName: path, populate: format != .npy)
        return try parse(file, displayName: path, format: format, columns: columns)
    }

    /// Reads a data file that is already in memory.
    ///
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - displayName: the name used in errors, e.g. the original path.
    ///   - format: how to parse `bytes`.
    ///   - columns: the columns to keep, as in `read(path:columns:)`.
    /// - Throws: `DataFileError.malformed` or `.unknownColumn`, as in `read(path:columns:)`.
    public static func read(bytes: [UInt8], displayName: String, format: DataFileFormat,
                            columns: [ColumnSelector]? = nil) throws(DataFileError) -> DataMatrix {
        try parse(FileBytes(copying: bytes), displayName: displayName, format: format, columns: columns)
    }

    /// The cell delimiter of text files read in this scope, when not the one their
    /// name implies (`,` for CSV, a tab for TSV); `nil` keeps the name's. Bind it with
    /// `DataFileReader.$delimiter.withValue(UInt8(ascii: ";")) { … }` (the command
    /// line's `--delimiter`); `.npy` files are not affected.
    @TaskLocal public static var delimiter: UInt8?

    /// What is told about a read while it runs, in the current scope (`nil`: nothing, at
    /// no cost). Bind it with `DataFileReader.$progress.withValue(ReadProgressHandler { … }) { … }`.
    /// A text file's read calls it every 16384 data rows and once when the rows are parsed
    /// (`isFinished`); `.npy` files, read in place, are not reported.
    ///
    /// The handler is a class, not a bare closure: Swift 6.3's optimiser miscompiles
    /// `withValue` on a task-local whose value is an optional closure (a release build
    /// crashed in `swift_task_localValuePush`; a debug build does not).
    @TaskLocal public static var progress: ReadProgressHandler?

    /// The delimiter a text file of `format` is read with in the current scope.
    static func delimiter(for format: DataFileFormat) -> UInt8 {
        delimiter ?? (format == .tsv ? UInt8(ascii: "\t") : UInt8(ascii: ","))
    }

    static func parse(_ file: FileBytes, displayName: String, format: DataFileFormat,
                      columns: [ColumnSelector]?) throws(DataFileError) -> DataMatrix {
        switch format {
        case .csv, .tsv:
            try withExtendedLifetime(file) { () throws(DataFileError) -> DataMatrix in
                try DelimitedParser.parse(file.bytes, delimiter: delimiter(for: format), displayName: displayName,
                                          columns: columns)
            }
        case .npy:
            try NumpyFile.matrix(from: file, displayName: displayName, columns: columns)
        }
    }
}

/// Who is told how far the read of a text data file has come (`DataFileReader.progress`).
public final class ReadProgressHandler: Sendable {
    /// Called with each report, from the thread that reads.
    public let report: @Sendable (ReadProgress) -> Void

    /// A handler that passes each report to `report`.
    public init(_ report: @escaping @Sendable (ReadProgress) -> Void) { self.report = report }
}

/// How far the read of a text data file has come (`DataFileReader.progress`).
public struct ReadProgress: Sendable {
    /// The file's name as errors show it (`<stdin>` for standard input).
    public var displayName: String
    /// Bytes parsed so far, of `byteCount`.
    public var bytesRead: Int
    /// The file's size in bytes (for standard input, the bytes read so far).
    public var byteCount: Int
    /// Data rows parsed so far.
    public var rowCount: Int
    /// Whether every row is parsed (the last report of this read).
    public var isFinished: Bool
}
