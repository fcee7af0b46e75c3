// Data read for a model: a file whose header names every model feature is read
// by those names, in the model's order, whatever else it holds; otherwise all
// its columns are read. The bytes are got once, so standard input (which cannot
// be read twice) is matched by header name like any other file.

extension DataFileReader {
    /// The columns named `names` when the header has every one of them, else every column.
    ///
    /// - Throws: `DataFileError` as `read(path:columns:)`.
    public static func read(path: String, preferringColumns names: [String]) throws(DataFileError) -> DataMatrix {
        let (file, displayName, format) = try open(path)
        return try preferring(names) { (columns) throws(DataFileError) in
            try parse(file, displayName: displayName, format: format, columns: columns)
        }
    }

    /// `read(path:preferringColumns:)` for data that may have gaps (see `read(path:columns:missing:)`).
    public static func read(path: String, preferringColumns names: [String],
                            missing: MissingValuePolicy) throws(DataFileError) -> IncompleteDataMatrix {
        let (file, displayName, format) = try open(path)
        return try preferring(names) { (columns) throws(DataFileError) in
            try parseIncomplete(file, displayName: displayName, format: format, columns: columns, missing: missing)
        }
    }

    private static func open(_ path: String) throws(DataFileError) -> (FileBytes, String, DataFileFormat) {
        if path == "-" { return (try FileBytes.standardInput(), "<stdin>", .csv) }
        let format = DataFileFormat(path: path)
        return (try FileBytes.open(path: path, displayName: path, populate: format != .npy), path, format)
    }

    /// `parse` with the named columns, or with every column when one of the names is not in the header.
    private static func preferring<T>(
        _ names: [String], _ parse: ([ColumnSelector]?) throws(DataFileError) -> T
    ) throws(DataFileError) -> T {
        do {
            return try parse(names.map(ColumnSelector.name))
        } catch {
            guard case .unknownColumn = error else { throw error }
            return try parse(nil)
        }
    }
}
