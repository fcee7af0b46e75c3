// One error type for everything that can go wrong while reading a data file.
// The cases are split by what the caller does about them: `cannotOpen` is the
// command line's exit 66 (the file is not there to read), the other two are
// exit 65 (the file is there but its content is wrong). Descriptions follow the
// compiler convention `file:line:column: message` so editors can jump to the
// spot; stdin is shown as `<stdin>`.

/// Why a data file could not be read.
public enum DataFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file is missing, unreadable or a folder. `reason` is the system's
    /// text, e.g. "No such file or directory".
    case cannotOpen(path: String, reason: String)
    /// The content is wrong: a cell that is not a finite number, a row with the
    /// wrong number of cells, an empty file, an unsupported `.npy` layout, …
    ///
    /// `line` and `column` are 1-based physical line and cell positions in a
    /// text file (blank lines count); both are `nil` for `.npy` files and for
    /// problems with the file as a whole, in which case `message` says where.
    case malformed(path: String, line: Int?, column: Int?, message: String)
    /// A selected column does not exist: `name` is the name, or the index in
    /// digits, as selected; `columns` lists the file's column names.
    case unknownColumn(path: String, name: String, columns: [String] = [])

    /// One line such as `data.csv:14:3: expected a number, found "abc"`.
    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "\(path): cannot open: \(reason)"
        case let .malformed(path, line, column, message):
            var location = path
            if let line {
                location += ":\(line)"
                if let column { location += ":\(column)" }
            }
            return "\(location): \(message)"
        case let .unknownColumn(path, name, columns):
            let isIndex = !name.isEmpty && name.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            let names = columns.map(Self.oneLine)
            let shown = names.count <= 20 ? names : Array(names.prefix(20)) + ["… \(names.count - 20) more"]
            let list = shown.joined(separator: ", ")
            if isIndex {
                let count = columns.isEmpty ? "" : " (the file has \(columns.count) column\(columns.count == 1 ? "" : "s"), numbered from 0: \(list))"
                return "\(path): no column \(name)\(count)"
            }
            return "\(path): no column named \"\(Self.oneLine(name))\"" + (columns.isEmpty ? "" : " (columns: \(list))")
        }
    }

    /// `text`, or its escaped quoted form when it holds a line break or another control character.
    private static func oneLine(_ text: String) -> String {
        text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } ? quoted(text) : text
    }

    /// `text` in double quotes for an error message: at most 40 characters,
    /// quotes and control characters escaped, so the message stays one line.
    static func quoted(_ text: String) -> String {
        var shown = ""
        for (n, scalar) in text.unicodeScalars.enumerated() {
            if n == 40 {
                shown += "…"
                break
            }
            switch scalar {
            case "\"": shown += "\\\""
            case "\\": shown += "\\\\"
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    shown += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    shown.unicodeScalars.append(scalar)
                }
            }
        }
        return "\"\(shown)\""
    }
}
