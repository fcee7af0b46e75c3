// Why not `rows.map { $0.map(String.init).joined(separator: ",") }`: that makes
// a heap `String` for every number longer than 15 bytes (most 17-digit values)
// plus one per row, which is about as slow as the formatting itself.
// `Double.write(to:)` formats into a stack buffer and hands the bytes to the
// stream's `_writeASCII`, so a stream that appends those bytes to one growing
// `[UInt8]` prints in Swift's shortest round-trip form (the same digits as
// `description`) with no allocation per cell. Integers are formatted by hand.
// 1e6 rows of 3 doubles take 0.27–0.44 s on the bench machine, most of it in
// the standard library's digit generation.

/// A CSV table — a header row, then rows of numbers — built in memory as UTF-8 bytes.
///
/// Doubles are written in Swift's shortest round-trip form (`Double.description`),
/// so reading the table back gives the same `Double` values bit for bit; integer
/// columns (component labels) are plain integers. Lines end in `\n`. Hand the
/// finished `bytes` to `OutputFile`.
///
/// ```swift
/// var table = TableWriter(header: ["p0", "p1"])
/// table.append([0.25, 0.75])
/// try OutputFile.write(table.bytes, to: "out.csv")
/// ```
public struct TableWriter: Sendable {
    private var sink = ByteSink()
    /// The number of cells in every row, taken from the header.
    public let columnCount: Int
    /// The number of data rows appended so far.
    public private(set) var rowCount = 0
    /// In `.npy` mode, the number of rows the header announced; `nil` for CSV.
    public let promisedRowCount: Int?
    /// Text cells written in front of every row (`init(header:leadingColumns:cells:)`); empty otherwise.
    private var leadingCells: [[String]] = []
    /// How many of the `columnCount` columns are leading text columns.
    private var leadingCount = 0

    /// The table so far, header first (since the last `drain()`).
    public var bytes: [UInt8] { sink.bytes }

    /// Size of the bytes not yet drained.
    public var pendingByteCount: Int { sink.bytes.count }

    /// Returns the bytes written since the last call and forgets them, so a long
    /// table can be streamed to an `OutputSink` in pieces.
    public mutating func drain() -> [UInt8] {
        let out = sink.bytes
        sink.bytes.removeAll(keepingCapacity: true)
        return out
    }

    /// Starts a table with a header row.
    ///
    /// A name holding a comma, a double quote, a line break or surrounding
    /// spaces is written in double quotes, with its quotes doubled.
    ///
    /// - Parameters:
    ///   - header: one name per column; must not be empty.
    ///   - reservingRows: an expected row count, to size the buffer once.
    public init(header: [String], reservingRows: Int = 0) {
        precondition(!header.isEmpty, "a table needs at least one column")
        columnCount = header.count
        promisedRowCount = nil
        sink.bytes.reserveCapacity(64 + reservingRows * header.count * 20)
        for (j, name) in header.enumerated() {
            if j > 0 { sink.bytes.append(UInt8(ascii: ",")) }
            Self.appendCell(name, to: &sink.bytes)
        }
        sink.bytes.append(UInt8(ascii: "\n"))
    }

    /// Starts a CSV table whose rows each begin with text cells copied from
    /// elsewhere (an id, a label): row r gets `cells[r % cells.count]` in front of
    /// what is appended, so stacked copies of the same rows repeat them. The
    /// `append` methods take the other cells, as for a table with header `header`.
    ///
    /// - Parameters:
    ///   - header: the names of the columns the `append` methods fill.
    ///   - names: the leading columns' names, written before `header`.
    ///   - cells: for each row, one text per leading column (quoted when needed, as names are).
    public init(header: [String], leadingColumns names: [String], cells: [[String]]) {
        self.init(header: names + header)   // streamed: no reservation for every row
        precondition(cells.allSatisfy { $0.count == names.count }, "one cell per leading column in every row")
        precondition(!names.isEmpty && !cells.isEmpty, "leading columns need names and rows")
        leadingCells = cells
        leadingCount = names.count
    }

    /// Starts a table written as a NumPy `.npy` file instead of CSV: float64, C
    /// order, `rowCount`×`columnCount` (the `NumpyWriter` layout). Every cell,
    /// integers included, is stored as its `Double`, so nothing is formatted —
    /// for large outputs that a program reads back rather than a person. `.npy`
    /// holds no column names. Exactly `rowCount` rows must be appended.
    public init(numpyColumnCount columnCount: Int, rowCount: Int) {
        precondition(columnCount > 0, "a table needs at least one column")
        self.columnCount = columnCount
        promisedRowCount = rowCount
        sink.bytes = NumpyWriter.header(rowCount: rowCount, columnCount: columnCount)
    }

    /// Whether every row the `.npy` header announced has been appended (always true for CSV).
    public var isComplete: Bool { promisedRowCount.map { $0 == rowCount } ?? true }

    /// Appends a row of numbers; `values.count` must equal `columnCount`.
    public mutating func append(_ values: [Double]) {
        values.withUnsafeBufferPointer { append(row: $0) }
    }

    /// Appends a row of numbers; `row.count` must equal `columnCount`.
    public mutating func append(row: UnsafeBufferPointer<Double>) {
        precondition(row.count == columnCount - leadingCount, "row has \(row.count) values, the table has \(columnCount) columns")
        appendDoubles(row, afterCell: appendLeading())
        endRow()
    }

    /// Appends a row of numbers followed by one integer cell, such as a component
    /// label; `row.count + 1` must equal `columnCount`.
    public mutating func append(row: UnsafeBufferPointer<Double>, label: Int) {
        precondition(row.count + 1 == columnCount - leadingCount, "row has \(row.count + 1) cells, the table has \(columnCount) columns")
        appendDoubles(row, afterCell: appendLeading())
        appendInteger(label, first: false)
        endRow()
    }

    /// Appends one integer cell (such as a component label) followed by numbers;
    /// `values.count + 1` must equal `columnCount`.
    public mutating func append(label: Int, values: [Double]) {
        precondition(values.count + 1 == columnCount - leadingCount, "row has \(values.count + 1) cells, the table has \(columnCount) columns")
        appendInteger(label, first: !appendLeading())
        values.withUnsafeBufferPointer { appendDoubles($0, afterCell: true) }
        endRow()
    }

    /// Appends a row of integers, such as predicted labels; `integers.count` must equal `columnCount`.
    public mutating func append(integers: [Int]) {
        precondition(integers.count == columnCount - leadingCount, "row has \(integers.count) values, the table has \(columnCount) columns")
        let hasLeading = appendLeading()
        for (j, value) in integers.enumerated() { appendInteger(value, first: j == 0 && !hasLeading) }
        endRow()
    }

    /// Writes this row's leading text cells, if the table has any; returns whether it wrote some.
    private mutating func appendLeading() -> Bool {
        guard leadingCount > 0 else { return false }
        for (j, cell) in leadingCells[rowCount % leadingCells.count].enumerated() {
            if j > 0 { sink.bytes.append(UInt8(ascii: ",")) }
            Self.appendCell(cell, to: &sink.bytes)
        }
        return true
    }

    private mutating func endRow() {
        if promisedRowCount == nil {
            sink.bytes.append(UInt8(ascii: "\n"))
        } else {
            precondition(rowCount < promisedRowCount!, "more rows than the .npy header announced")
        }
        rowCount += 1
    }

    private mutating func appendDoubles(_ row: UnsafeBufferPointer<Double>, afterCell: Bool = false) {
        if promisedRowCount != nil {
            for value in row {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { sink.bytes.append(contentsOf: $0) }
            }
            return
        }
        for j in row.indices {
            if j > 0 || afterCell { sink.bytes.append(UInt8(ascii: ",")) }
            row[j].write(to: &sink)
        }
    }

    private mutating func appendInteger(_ value: Int, first: Bool) {
        if promisedRowCount != nil {
            withUnsafeBytes(of: Double(value).bitPattern.littleEndian) { sink.bytes.append(contentsOf: $0) }
            return
        }
        if !first { sink.bytes.append(UInt8(ascii: ",")) }
        Self.appendInteger(value, to: &sink.bytes)
    }

    /// Decimal digits of `value`, no allocation.
    private static func appendInteger(_ value: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude        // at most 2^63, so `divisor` stays <= 10^18
        var divisor: UInt = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude / divisor))
            magnitude %= divisor
            divisor /= 10
        } while divisor > 0
    }

    /// A header or text cell, quoted when it would otherwise not read back as itself.
    private static func appendCell(_ text: String, to bytes: inout [UInt8]) {
        let utf8 = Array(text.utf8)
        let needsQuotes = utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
            || utf8.first == UInt8(ascii: " ") || utf8.last == UInt8(ascii: " ")
            || utf8.first == 0x09 || utf8.last == 0x09
        guard needsQuotes else {
            bytes.append(contentsOf: utf8)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        for byte in utf8 {
            bytes.append(byte)
            if byte == UInt8(ascii: "\"") { bytes.append(byte) }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// A text stream that appends to a byte array.
///
/// `_writeASCII` is `TextOutputStream`'s customization point for ASCII output;
/// `Double.write(to:)` calls it with its formatted digits, skipping the `String`.
struct ByteSink: TextOutputStream, Sendable {
    var bytes: [UInt8] = []

    mutating func write(_ string: String) {
        bytes.append(contentsOf: string.utf8)
    }

    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: buffer)
    }
}
