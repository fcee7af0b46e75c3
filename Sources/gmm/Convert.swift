import ArgumentParser
import GaussianMixtures
import GaussianMixturesCommandLine

/// `gmm convert IN OUT`: parse a data file once, into the format every later pass reads in place.
struct Convert: ParsableCommand, ReadsTextData, ShowsProgress {
    static let configuration = CommandConfiguration(
        abstract: "Convert data between CSV, TSV and .npy (float64, C order).",
        usage: "gmm convert [<options>] <IN> <OUT>",
        discussion: """
            The output format follows the output name: .npy is NumPy float64 in C order
            (read in place, block by block, by fit, predict and score, however large),
            .tsv/.tab is TSV, anything else CSV; - writes CSV to standard output. The
            input is read as every subcommand reads data (same formats, --columns, same
            errors). A CSV is thus parsed once rather than on every run; NumPy's
            float32, integer and Fortran-order arrays become float64 C order.

            CSV and TSV output has a header of column names and numbers in the shortest
            form that reads back to the same double, so CSV → .npy → CSV gives the same
            numbers. A .npy file holds no column names (NumPy's header takes no extra
            keys): they are lost, the columns read back as x0, x1, …, and the mapping is
            printed on standard error. The output is written whole or not at all. With
            --missing marginalize, gaps are kept: nan in CSV and TSV, NaN in .npy.
            """)

    @OptionGroup var delimiterOption: DelimiterOption
    @Argument(help: ArgumentHelp("Data file: .csv, .tsv/.tab, .npy, or - for CSV on standard input.", valueName: "IN"))
    var input: String

    @Argument(help: ArgumentHelp("Output: .npy, .tsv/.tab, anything else CSV, or - for CSV on standard output.", valueName: "OUT"))
    var output: String

    @Option(help: ArgumentHelp("Columns to keep, by name or 0-based index (a,b or 0,2), in that order.", valueName: "LIST"))
    var columns: String?

    @Flag(name: [.short, .long], help: "Print nothing on standard error.")
    var quiet = false
    @OptionGroup var progressing: ProgressOption

    var progressStyle: ProgressStyle? { .chosen(quiet: quiet, forced: progressing.progress) }

    @OptionGroup var missingValues: MissingOptions

    func run() throws {
        try reportingFailures {
            let toStandardOutput = output == "-"
            if !toStandardOutput { try checkOutputPath(output) }
            let format = toStandardOutput ? DataFileFormat.csv : DataFileFormat(path: output)
            let matrix: DataMatrix
            if missingValues.marginalize {
                let rows = try DataFileReader.read(path: input, columns: columns.map(ColumnSelector.parseList), missing: .allow)
                guard let complete = rows.complete else {
                    let sink = try OutputSink(path: toStandardOutput ? nil : output)
                    try writeWithGaps(rows, format: format, to: sink)
                    try sink.commit()
                    report(rows: rows.sampleCount, columns: rows.featureNames, gaps: rows.missingCount, format: format)
                    return
                }
                matrix = complete
            } else {
                matrix = try DataFileReader.read(path: input, columns: columns.map(ColumnSelector.parseList))
            }
            let sink = try OutputSink(path: toStandardOutput ? nil : output)
            switch format {
            case .npy:
                try NumpyWriter.write(matrix, to: sink)
            case .csv, .tsv:
                try writeText(matrix, to: sink, tabs: format == .tsv)
            }
            try sink.commit()
            report(rows: matrix.sampleCount, columns: matrix.featureNames, gaps: 0, format: format)
        }
    }

    /// The summary on standard error (none with --quiet).
    private func report(rows: Int, columns names: [String], gaps: Int, format: DataFileFormat) {
        guard !quiet else { return }
        let inputName = input == "-" ? "<stdin>" : input
        let outputName = output == "-" ? "<stdout>" : output
        printError("converted \(rows) rows × \(names.count) columns: \(inputName) → \(outputName)"
                   + (gaps > 0 ? " (\(gaps) missing value\(gaps == 1 ? "" : "s") kept)" : ""))
        let generated = (0..<names.count).map { "x\($0)" }
        if format == .npy && names != generated {
            let pairs = zip(generated, names).map { "\($0) = \($1)" }
            printError("gmm: note: .npy files hold no column names; \(outputName) has columns \(pairs.joined(separator: ", "))")
        }
    }

    /// Writes data with gaps (`--missing marginalize`): NaN in .npy, `nan` cells in CSV and TSV.
    private func writeWithGaps(_ rows: IncompleteDataMatrix, format: DataFileFormat, to sink: OutputSink) throws {
        let values = rows.values
        if format == .npy {
            try sink.write(NumpyWriter.header(rowCount: rows.sampleCount, columnCount: rows.featureCount))
            var bytes = [UInt8]()
            bytes.reserveCapacity(values.count * 8)
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            try sink.write(bytes)
            return
        }
        let tabs = format == .tsv
        if tabs, let bad = rows.featureNames.first(where: { $0.contains("\t") || $0.contains("\n") || $0.contains("\r") }) {
            throw CommandFailure(message: "\(output): column name \"\(oneLine(bad))\" cannot be written to TSV (it holds a tab or a line break)",
                                 status: ExitStatus.dataError)
        }
        var table = TableWriter(header: rows.featureNames)
        if tabs {
            _ = table.drain()
            try sink.write(Array((rows.featureNames.joined(separator: "\t") + "\n").utf8))
        }
        let d = rows.featureCount
        var progress = output == "-" ? nil : WriteProgress(label: "writing \(output)", total: rows.sampleCount)
        defer { progress?.finish(rows: table.rowCount) }
        try values.withUnsafeBufferPointer { x in
            for i in 0..<rows.sampleCount {
                table.append(row: UnsafeBufferPointer(rebasing: x[(i * d)..<((i + 1) * d)]))
                progress?.update(rows: i + 1)
                if table.pendingByteCount >= 1 << 20 || i == rows.sampleCount - 1 {
                    var bytes = table.drain()
                    if tabs { for j in bytes.indices where bytes[j] == UInt8(ascii: ",") { bytes[j] = UInt8(ascii: "\t") } }
                    try sink.write(bytes)
                }
            }
        }
    }

    /// Streams the matrix as CSV (or TSV) with a header, in pieces of about 1 MiB.
    private func writeText(_ matrix: DataMatrix, to sink: OutputSink, tabs: Bool) throws {
        var table = TableWriter(header: matrix.featureNames)
        if tabs {
            // TableWriter writes commas; numbers never hold one, so only the header needs care.
            if let bad = matrix.featureNames.first(where: { $0.contains("\t") || $0.contains("\n") || $0.contains("\r") }) {
                throw CommandFailure(message: "\(output): column name \"\(oneLine(bad))\" cannot be written to TSV (it holds a tab or a line break)",
                                     status: ExitStatus.dataError)
            }
            _ = table.drain()
            try sink.write(Array((matrix.featureNames.joined(separator: "\t") + "\n").utf8))
        }
        var start = 0
        let d = matrix.featureCount
        var progress = output == "-" ? nil : WriteProgress(label: "writing \(output)", total: matrix.sampleCount)
        defer { progress?.finish(rows: start) }
        while start < matrix.sampleCount {
            let rows = min(4096, matrix.sampleCount - start)
            matrix.withUnsafeBufferPointer { x in
                for i in start..<(start + rows) {
                    table.append(row: UnsafeBufferPointer(rebasing: x[(i * d)..<((i + 1) * d)]))
                }
            }
            start += rows
            progress?.update(rows: start)
            if table.pendingByteCount >= 1 << 20 || start == matrix.sampleCount {
                var bytes = table.drain()
                if tabs {
                    for idx in bytes.indices where bytes[idx] == UInt8(ascii: ",") { bytes[idx] = UInt8(ascii: "\t") }
                }
                try sink.write(bytes)
            }
        }
        if matrix.sampleCount == 0 { try sink.write(table.drain()) }
    }
}
