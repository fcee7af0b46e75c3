// The cell level of the CSV/TSV parser: splitting a row into cells the way
// RFC 4180 does (quoted cells may hold delimiters, doubled quotes and line
// breaks), deciding what a cell holds, and wording the error for a bad one.
// Only the careful path and header detection come here, so clarity wins over
// speed; the fast path in DelimitedParser.swift never builds a `Cell`.

extension DelimitedParser {
    /// One cell of a row: its content (inside the quotes for a quoted cell,
    /// doubled quotes not yet undone) and where it starts.
    struct Cell {
        var start: BytePointer
        var end: BytePointer
        var isQuoted: Bool
        var line: Int
    }

    /// Splits the row at `p` into cells and moves `p` past its newline.
    mutating func tokenizeRow(_ p: inout BytePointer) throws(DataFileError) -> [Cell] {
        let quote = UInt8(ascii: "\"")
        let newline = UInt8(ascii: "\n")
        var cells: [Cell] = []
        var q = p
        while true {
            while q < end && isSpace(q.pointee) { q += 1 }
            let cellLine = line
            if q < end && q.pointee == quote {
                q += 1
                let contentStart = q
                var isClosed = false
                while q < end {
                    if q.pointee == quote {
                        if q + 1 < end && q[1] == quote {
                            q += 2
                            continue
                        }
                        isClosed = true
                        break
                    }
                    if q.pointee == newline { line += 1 }
                    q += 1
                }
                guard isClosed else {
                    throw .malformed(path: displayName, line: cellLine, column: cells.count + 1,
                                     message: "found a quote that is never closed")
                }
                cells.append(Cell(start: contentStart, end: q, isQuoted: true, line: cellLine))
                q += 1
                while q < end && isSpace(q.pointee) { q += 1 }
                if q < end && q.pointee != delimiter && q.pointee != newline {
                    throw .malformed(path: displayName, line: line, column: cells.count,
                                     message: "found text after the closing quote of a cell")
                }
            } else {
                let contentStart = q
                while q < end && q.pointee != delimiter && q.pointee != newline { q += 1 }
                var contentEnd = q
                while contentEnd > contentStart && isSpace(contentEnd[-1]) { contentEnd -= 1 }
                cells.append(Cell(start: contentStart, end: contentEnd, isQuoted: false, line: cellLine))
            }
            if q < end && q.pointee == delimiter {
                q += 1
                continue
            }
            if q < end {
                q += 1      // the newline
                line += 1
            }
            break
        }
        p = q
        return cells
    }

    /// What a cell holds, for header detection and error messages.
    enum Content: Equatable {
        case number
        case empty
        case nonFinite
        case text
    }

    /// The cell's bytes without surrounding spaces (inside the quotes for a quoted cell).
    private func trimmed(_ cell: Cell) -> (BytePointer, BytePointer) {
        var s = cell.start
        var e = cell.end
        while s < e && isSpace(s.pointee) { s += 1 }
        while e > s && isSpace(e[-1]) { e -= 1 }
        return (s, e)
    }

    mutating func content(of cell: Cell) -> Content {
        let (s, e) = trimmed(cell)
        if s == e { return .empty }
        if let (value, next) = scanner.scan(s, e), next == e {
            return value.isFinite ? .number : .nonFinite
        }
        return Self.isNonFiniteWord(s, e) ? .nonFinite : .text
    }

    /// The cell's value, or the error that names its line, column and content.
    /// With `allowsMissing`, an empty cell or a missing-value token is NaN.
    mutating func value(of cell: Cell, column: Int) throws(DataFileError) -> Double {
        let (s, e) = trimmed(cell)
        if s < e, let (value, next) = scanner.scan(s, e), next == e, value.isFinite {
            return value
        }
        if allowsMissing && isMissingToken(cell) { return .nan }
        let found = DataFileError.quoted(text(of: cell))
        let message: String
        switch content(of: cell) {
        case .empty: message = "expected a number, found an empty cell"
        case .nonFinite: message = "found \(found): every value must be a finite number"
        case .number, .text: message = "expected a number, found \(found)"
        }
        throw .malformed(path: displayName, line: cell.line, column: column, message: message)
    }

    /// The cell as text: a quoted cell's doubled quotes undone, an unquoted one trimmed.
    func text(of cell: Cell) -> String {
        let bytes = UnsafeBufferPointer(start: cell.start, count: cell.end - cell.start)
        guard cell.isQuoted else { return String(decoding: bytes, as: UTF8.self) }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            unescaped.append(bytes[i])
            i += bytes[i] == UInt8(ascii: "\"") ? 2 : 1
        }
        return String(decoding: unescaped, as: UTF8.self)
    }

    /// `nan`, `inf` or `infinity` in any case, with an optional sign.
    private static func isNonFiniteWord(_ s: BytePointer, _ e: BytePointer) -> Bool {
        var s = s
        if s < e && (s.pointee == UInt8(ascii: "+") || s.pointee == UInt8(ascii: "-")) { s += 1 }
        let word = String(decoding: UnsafeBufferPointer(start: s, count: e - s), as: UTF8.self).lowercased()
        return word == "nan" || word == "inf" || word == "infinity"
    }
}
