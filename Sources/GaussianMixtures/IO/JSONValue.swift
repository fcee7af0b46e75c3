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

/// Builds JSON text with keys in the order written and numbers in shortest
/// round-trip form (`Double.description` reads back to the same `Double`).
struct JSONWriter {
    private(set) var text = ""

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

    static func list(_ xs: [Double]) -> String { "[" + xs.map(number).joined(separator: ", ") + "]" }

    /// A list of rows, one row per line at the given indent.
    static func matrix(_ rows: [[Double]], indent: String) -> String {
        if rows.isEmpty { return "[]" }
        return "[\n" + rows.map { indent + "  " + list($0) }.joined(separator: ",\n") + "\n" + indent + "]"
    }

    /// An object from ordered key/value pairs whose values are already JSON text.
    static func object(_ members: [(String, String)], indent: String = "") -> String {
        "{\n" + members.map { indent + "  " + string($0.0) + ": " + $0.1 }.joined(separator: ",\n") + "\n" + indent + "}"
    }
}
