import ArgumentParser
import GaussianMixtures
#if canImport(Glibc)
import Glibc
#endif

/// Where tabular output goes: standard output or a file written whole or not at all.
struct OutputOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp("Write the table to FILE instead of standard output (- is standard output).", valueName: "FILE"))
    var output: String?

    /// Fails early (exit 73) when the output's folder is missing or not writable,
    /// so a long computation is not wasted.
    func checkWritable() throws {
        if let output { try checkOutputPath(output) }
    }

    /// A table streamed to the output in pieces of about 1 MiB: memory stays
    /// bounded whatever the number of rows, and a file appears only when whole.
    /// An output named `*.npy` is written as a float64 `.npy` array of `rowCount`
    /// rows instead of CSV (no number formatting; no column names). `kept` cells
    /// (`--keep-columns`, CSV only) go in front of every row.
    func table(header: [String], rowCount: Int, kept: KeptCells? = nil) throws -> TableStream {
        let writer = output?.hasSuffix(".npy") == true
            ? TableWriter(numpyColumnCount: header.count, rowCount: rowCount)
            : kept.map { TableWriter(header: header, leadingColumns: $0.names, cells: $0.values) } ?? TableWriter(header: header)
        var stream = try TableStream(table: writer, sink: OutputSink(path: output))
        if let output, output != "-" { stream.progress = WriteProgress(label: "writing \(output)", total: rowCount) }
        return stream
    }
}

/// A CSV table written through an `OutputSink` as it grows.
struct TableStream {
    var table: TableWriter
    let sink: OutputSink
    /// The bar of a table written to a file (`nil`: none).
    var progress: WriteProgress?

    init(table: TableWriter, sink: OutputSink) {
        self.table = table
        self.sink = sink
    }

    /// Hands the bytes so far to the sink once they pass 1 MiB.
    mutating func flushIfLarge() throws {
        if table.pendingByteCount >= 1 << 20 { try sink.write(table.drain()) }
        progress?.update(rows: table.rowCount)
    }

    /// Writes the rest and publishes the output.
    mutating func finish() throws {
        precondition(table.isComplete, "fewer rows than the .npy header announced")
        try sink.write(table.drain())
        try sink.commit()
        progress?.finish(rows: table.rowCount)
    }
}

/// Checks that `path` could be created: its folder exists and is writable and no folder is in the way.
func checkOutputPath(_ path: String) throws {
    if path == "-" { return }   // standard output
    var info = stat()
    if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
        throw OutputFileError.cannotWrite(path: path, reason: "Is a directory")
    }
    let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
    let dir = folder.isEmpty ? "/" : folder
    if stat(dir, &info) != 0 {
        throw OutputFileError.cannotWrite(path: path, reason: "No such file or directory")
    }
    if (info.st_mode & S_IFMT) != S_IFDIR {
        throw OutputFileError.cannotWrite(path: path, reason: "Not a directory")
    }
    if access(dir, W_OK) != 0 {
        throw OutputFileError.cannotWrite(path: path, reason: "Permission denied")
    }
}

/// Reads data whose columns must match a model's features.
///
/// Without `--columns`, a file (or standard input) whose header names every model
/// feature is read by those names (other columns ignored); otherwise all columns
/// are read and their number must match the model's.
func readData(_ path: String, columns: String?, for model: GaussianMixture) throws -> DataMatrix {
    let data: DataMatrix
    if let columns {
        data = try DataFileReader.read(path: path, columns: ColumnSelector.parseList(columns))
    } else {
        data = try DataFileReader.read(path: path, preferringColumns: model.featureNames)
    }
    try requireModelFeatures(data.featureCount, model: model, path: path)
    return data
}

/// Fails with the data-error status unless data with `count` columns fits `model`.
func requireModelFeatures(_ count: Int, model: GaussianMixture, path: String) throws {
    guard count == model.featureCount else {
        throw CommandFailure(
            message: "\(path == "-" ? "<stdin>" : path): has \(count) columns but the model has "
                + "\(model.featureCount) features (\(nameList(model.featureNames))); pick them with --columns",
            status: ExitStatus.dataError)
    }
}

/// `--delimiter C`: the cell separator of text data files, when not the one the
/// file's name implies (commas for .csv and standard input, tabs for .tsv/.tab).
struct DelimiterOption: ParsableArguments {
    @Option(help: ArgumentHelp("Cells of text data are separated by C instead of commas (or tabs for .tsv): one "
                               + "character such as ';' or '|', or tab.", valueName: "C"))
    var delimiter: String?

    /// The separator's byte, `nil` when not given.
    func byte() throws -> UInt8? {
        guard let delimiter else { return nil }
        if delimiter == "tab" || delimiter == "\\t" || delimiter == "\t" { return UInt8(ascii: "\t") }
        let forbidden = Set("0123456789.+-eE\" \r\n".utf8)
        guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first, byte < 0x80, !forbidden.contains(byte) else {
            throw ValidationError("--delimiter takes one character that cannot be part of a number (such as ';', '|' "
                                  + "or tab), got \"\(delimiter)\"")
        }
        return byte
    }

    func validate() throws { _ = try byte() }
}

/// A command that reads text data files, and so takes `--delimiter`.
protocol ReadsTextData {
    var delimiterOption: DelimiterOption { get }
}

/// `-q/--quiet`: no notes or summary lines on standard error (errors and warnings still go there).
struct QuietOption: ParsableArguments {
    @Flag(name: [.short, .long], help: "Print no notes or summary on standard error (errors and warnings still).")
    var quiet = false
}
