import Foundation

/// A parsed JSON document, kept generic so the model-file reader can name the
/// exact key that is wrong (a `Codable` struct would only say "type mismatch").
/// `JSONParser` builds it.
enum JSONValue: Equatable, Sendable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    var typeName: String {
        switch self {
        case .number: "a number"
        case .string: "a string"
        case .bool: "a boolean"
        case .array: "a list"
        case .object: "an object"
        case .null: "null"
        }
    }
}

// Why the writer appends to one byte buffer: a model file is mostly numbers
// (K·d² of them for full covariances), and building it from one `String` per
// number, `joined` per row and `+` per level made every number cost a heap
// string and several copies. Encoding the 2.9 MB K = 32, d = 64 model took
// 0.25 s (12 MB/s) that way. The digits are still the standard library's
// shortest round-trip form — `Double.write(to:)` formats into a stack buffer
// and hands the bytes to `ByteSink._writeASCII`, the same digits as
// `description` (see TableWriter.swift) — so files are byte-identical to
// before; only the copying is gone. Measured figures: bench/MODEL-FILE.md.

/// Builds JSON text with keys in the order written and numbers in shortest
/// round-trip form (`Double.description` reads back to the same `Double`).
///
/// Lists and matrices of numbers are written into one byte buffer each and
/// become a `String` once; `object` then joins the members' texts.
struct JSONWriter {
    static func number(_ x: Double) -> String {
        precondition(x.isFinite, "JSON has no NaN or infinity")
        return x.description
    }

    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func list(_ xs: [Double]) -> String {
        var sink = ByteSink()
        sink.bytes.reserveCapacity(2 + 26 * xs.count)
        appendList(xs, to: &sink)
        return String(decoding: sink.bytes, as: UTF8.self)
    }

    /// A list of rows, one row per line at the given indent.
    static func matrix(_ rows: [[Double]], indent: String) -> String {
        var sink = ByteSink()
        sink.bytes.reserveCapacity(16 + rows.reduce(0) { $0 + indent.utf8.count + 4 + 26 * $1.count })
        appendMatrix(rows, indent: Array(indent.utf8), to: &sink)
        return String(decoding: sink.bytes, as: UTF8.self)
    }

    /// A list of matrices (full covariances), one per line block: each matrix
    /// as `matrix(_:indent:)` writes it at `indent` plus two spaces.
    static func matrices(_ blocks: [[[Double]]], indent: String) -> String {
        if blocks.isEmpty { return "[]" }
        let inner = Array((indent + "  ").utf8)
        var sink = ByteSink()
        sink.bytes.reserveCapacity(16 + blocks.reduce(0) { total, rows in
            total + rows.reduce(0) { $0 + inner.count + 6 + 26 * $1.count }
        })
        sink.bytes.append(contentsOf: "[\n".utf8)
        for (index, rows) in blocks.enumerated() {
            if index > 0 { sink.bytes.append(contentsOf: ",\n".utf8) }
            sink.bytes.append(contentsOf: inner)
            appendMatrix(rows, indent: inner, to: &sink)
        }
        sink.bytes.append(UInt8(ascii: "\n"))
        sink.bytes.append(contentsOf: indent.utf8)
        sink.bytes.append(UInt8(ascii: "]"))
        return String(decoding: sink.bytes, as: UTF8.self)
    }

    /// An object from ordered key/value pairs whose values are already JSON text.
    static func object(_ members: [(String, String)], indent: String = "") -> String {
        let keys = members.map { string($0.0) }
        var out = ""
        out.reserveCapacity(members.indices.reduce(8 + indent.utf8.count) { total, i in
            total + indent.utf8.count + keys[i].utf8.count + members[i].1.utf8.count + 6
        })
        out += "{\n"
        for (i, member) in members.enumerated() {
            if i > 0 { out += ",\n" }
            out += indent
            out += "  "
            out += keys[i]
            out += ": "
            out += member.1
        }
        out += "\n"
        out += indent
        out += "}"
        return out
    }

    /// `text` with `indent` inserted after every line feed, so that a whole
    /// document can be nested as a member one level deeper.
    static func indenting(_ text: ArraySlice<UInt8>, by indent: String) -> String {
        let prefix = Array(indent.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.count + text.count / 16 + prefix.count)
        var lineStart = text.startIndex
        while let lineFeed = text[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
            out.append(contentsOf: text[lineStart...lineFeed])
            out.append(contentsOf: prefix)
            lineStart = lineFeed + 1
        }
        out.append(contentsOf: text[lineStart...])
        return String(decoding: out, as: UTF8.self)
    }

    /// `[x0, x1, ...]` with each number in shortest round-trip form.
    private static func appendList(_ xs: [Double], to sink: inout ByteSink) {
        sink.bytes.append(UInt8(ascii: "["))
        for (j, x) in xs.enumerated() {
            precondition(x.isFinite, "JSON has no NaN or infinity")
            if j > 0 {
                sink.bytes.append(UInt8(ascii: ","))
                sink.bytes.append(UInt8(ascii: " "))
            }
            x.write(to: &sink)
        }
        sink.bytes.append(UInt8(ascii: "]"))
    }

    /// The rows as `matrix(_:indent:)` writes them, `indent` given as bytes.
    private static func appendMatrix(_ rows: [[Double]], indent: [UInt8], to sink: inout ByteSink) {
        if rows.isEmpty {
            sink.bytes.append(contentsOf: "[]".utf8)
            return
        }
        sink.bytes.append(contentsOf: "[\n".utf8)
        for (index, row) in rows.enumerated() {
            if index > 0 { sink.bytes.append(contentsOf: ",\n".utf8) }
            sink.bytes.append(contentsOf: indent)
            sink.bytes.append(contentsOf: "  ".utf8)
            appendList(row, to: &sink)
        }
        sink.bytes.append(UInt8(ascii: "\n"))
        sink.bytes.append(contentsOf: indent)
        sink.bytes.append(UInt8(ascii: "]"))
    }
}
