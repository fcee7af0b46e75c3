// Where JSON text went wrong, and how the parser words it. Positions are
// computed only when an error is thrown (by counting line feeds from the
// start), so the parser's hot loops never track lines. What the parser found
// is shown printable: a quoted character or word, `end of file`, `byte 0x0A`
// for a control byte, `byte 0xFF (not UTF-8)`, or a code point for non-ASCII
// text, so a message never breaks the one-line error output.

/// JSON text that is not valid, with the 1-based position of the problem.
struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    /// 1-based line number; lines end at a line feed (LF), so CR LF files count as expected.
    let line: Int
    /// 1-based column in bytes (UTF-8 code units) from the start of the line.
    /// A UTF-8 byte order mark at the start of the file is not counted.
    let column: Int
    /// What is wrong, e.g. `expected ',' or '}' after an object member, found 'x'`.
    let message: String

    /// `line 3, column 15: <message>`.
    var description: String { "line \(line), column \(column): \(message)" }
}

extension JSONParser {
    /// An error at `q` saying `message`.
    func error(at q: UnsafePointer<UInt8>, _ message: String) -> JSONSyntaxError {
        let (line, column) = location(of: q)
        return JSONSyntaxError(line: line, column: column, message: message)
    }

    /// The error for the byte at `p` not being `expected` ("a value", "':' after an
    /// object key"). At the end of the file it names the innermost list or object
    /// still open, the likeliest clue to a truncated file.
    func unexpected(_ expected: String) -> JSONSyntaxError {
        if p == end, let open = openContainers.last {
            let kind = start[open] == UInt8(ascii: "[") ? "a list" : "an object"
            return error(at: p, "unexpected end of file inside \(kind) started at \(place(start + open))")
        }
        return error(at: p, "expected \(expected), found \(found(p))" + hint(expected))
    }

    /// A reminder of a JSON rule that the found text suggests was forgotten.
    private func hint(_ expected: String) -> String {
        guard expected == "a value", p < end else { return "" }
        switch p.pointee {
        case UInt8(ascii: "+"), UInt8(ascii: "."): return " (a JSON number starts with '-' or a digit)"
        case UInt8(ascii: "'"): return " (JSON strings are in double quotes)"
        case UInt8(ascii: "N"), UInt8(ascii: "I"), UInt8(ascii: "n"), UInt8(ascii: "i"):
            return ["nan", "inf", "infinity"].contains(word(at: p).lowercased()) ? " (JSON has no NaN or infinity)" : ""
        default: return ""
        }
    }

    /// `line 2, column 4`, for messages that point back at an opening bracket or quote.
    func place(_ q: UnsafePointer<UInt8>) -> String {
        let (line, column) = location(of: q)
        return "line \(line), column \(column)"
    }

    /// 1-based line and byte column of `q`.
    func location(of q: UnsafePointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = start
        var r = start
        while r < q {
            if r.pointee == 0x0A {
                line += 1
                lineStart = r + 1
            }
            r += 1
        }
        return (line, q - lineStart + 1)
    }

    /// What is at `q`, printable and on one line.
    func found(_ q: UnsafePointer<UInt8>) -> String {
        guard q < end else { return "end of file" }
        let c = q.pointee
        if Self.isWordByte(c) { return "'\(word(at: q))'" }
        switch c {
        case UInt8(ascii: "'"): return "\"'\""
        case 0x21..<0x7F: return "'\(Character(Unicode.Scalar(c)))'"
        case 0x20: return "a space"
        case 0..<0x20, 0x7F: return "byte " + Self.hex(c)
        default:
            guard case let .scalar(scalar, _) = Self.utf8Scalar(at: q, end: end) else {
                return "byte \(Self.hex(c)) (not UTF-8)"
            }
            let digits = String(scalar.value, radix: 16, uppercase: true)
            let code = "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
            let p = scalar.properties
            let isInvisible = p.isWhitespace || p.generalCategory == .format || p.generalCategory == .control
                || p.generalCategory == .nonspacingMark || p.generalCategory == .unassigned
            return isInvisible ? code : "'\(Character(scalar))' (\(code))"
        }
    }

    /// The run of ASCII letters and digits at `q`, at most 20 of them.
    func word(at q: UnsafePointer<UInt8>) -> String {
        var r = q
        while r < end, Self.isWordByte(r.pointee), r - q < 20 { r += 1 }
        let text = String(decoding: UnsafeBufferPointer(start: q, count: r - q), as: UTF8.self)
        return r < end && Self.isWordByte(r.pointee) ? text + "…" : text
    }

    static func isWordByte(_ c: UInt8) -> Bool {
        ((c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    /// `0x0A`.
    static func hex(_ c: UInt8) -> String {
        "0x" + (c < 16 ? "0" : "") + String(c, radix: 16, uppercase: true)
    }
}
