// The little JSON the report embeds for its script. Numbers are written in
// Swift's shortest round-trip form, or with `digits` significant digits where
// the page only displays them (that keeps a report of 3000 points small);
// a non-finite number is `null`, which the script shows as ±∞ where it can
// occur (log P(x) of a row far from every component).

import Foundation

indirect enum JSON {
    case number(Double)
    /// A number shown on the page only: `digits` significant digits.
    case rounded(Double, digits: Int)
    case string(String)
    case bool(Bool)
    case array([JSON])
    case object([(String, JSON)])
    case null

    static func numbers(_ values: [Double]) -> JSON { .array(values.map { .number($0) }) }
    static func rounded(_ values: [Double], digits: Int) -> JSON { .array(values.map { .rounded($0, digits: digits) }) }

    func write(into out: inout String) {
        switch self {
        case let .number(x):
            out += x.isFinite ? (x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)") : "null"
        case let .rounded(x, digits):
            out += x.isFinite ? Self.trimmed(String(format: "%.\(digits)g", x)) : "null"
        case let .string(s): Self.quote(s, into: &out)
        case let .bool(b): out += b ? "true" : "false"
        case .null: out += "null"
        case let .array(items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case let .object(pairs):
            out += "{"
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out += "," }
                Self.quote(key, into: &out)
                out += ":"
                value.write(into: &out)
            }
            out += "}"
        }
    }

    var text: String {
        var out = ""
        write(into: &out)
        return out
    }

    /// `%g` writes "1e-05" and "0.5"; JSON takes both, but not a leading "+" or "nan".
    private static func trimmed(_ s: String) -> String { s.replacingOccurrences(of: "e+", with: "e") }

    /// A JSON string that is also safe inside an HTML `<script>` element: `<` is
    /// escaped, so no "</script>" or "<!--" in the data can end the element early.
    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        out += "\""
    }
}
