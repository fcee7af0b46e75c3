// Columns are picked by header name or by 0-based position. A token made only of
// ASCII digits is a position, so a column literally named "3" is reachable only
// through `.name("3")` in code, never through the `--columns` text; that keeps
// the command line unambiguous.

/// One column to keep when reading a data file: by header name or by 0-based position.
///
/// Selected columns appear in the order given; the others are ignored, even when
/// they hold text.
public enum ColumnSelector: Hashable, Sendable {
    /// The column whose header cell is this name (for `.npy` files and header-less
    /// files, the generated names `x0`, `x1`, … also work).
    case name(String)
    /// The column at this 0-based position.
    case index(Int)

    /// Parses a comma-separated list such as `a,b,2`.
    ///
    /// Each token is trimmed of surrounding spaces; a token of digits only is an
    /// index, anything else a name; empty tokens are dropped. `"a,b,2"` gives
    /// `[.name("a"), .name("b"), .index(2)]`.
    public static func parseList(_ text: String) -> [ColumnSelector] {
        text.split(separator: ",", omittingEmptySubsequences: false).compactMap { raw in
            let token = raw.trimmingSpaces()
            guard !token.isEmpty else { return nil }
            if token.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let index = Int(token) {
                return .index(index)
            }
            return .name(String(token))
        }
    }
}

extension ColumnSelector: CustomStringConvertible {
    /// The selector as written in `--columns`: the name, or the index in digits.
    public var description: String {
        switch self {
        case .name(let name): name
        case .index(let index): String(index)
        }
    }
}

extension Substring {
    /// Drops leading and trailing spaces and tabs.
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }
}

extension ColumnSelector {
    /// The 0-based source positions of `selectors`, in the order given.
    ///
    /// - Parameters:
    ///   - names: the file's column names (`x0`, `x1`, … when it has none).
    ///   - displayName: the file name used in errors.
    /// - Throws: `DataFileError.unknownColumn` for a name not in `names` or an
    ///   index outside `0..<names.count`; `.malformed` for an empty selection.
    static func positions(of selectors: [ColumnSelector], in names: [String], displayName: String) throws(DataFileError) -> [Int] {
        guard !selectors.isEmpty else {
            throw .malformed(path: displayName, line: nil, column: nil, message: "no columns were selected")
        }
        var positions: [Int] = []
        positions.reserveCapacity(selectors.count)
        // Names to positions by hashing (the first of equal names wins): a model of
        // 10⁵ features picks its columns by name, and a linear search each was 10¹⁰ compares.
        let byName = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        for selector in selectors {
            switch selector {
            case .name(let name):
                guard let j = byName[name] else {
                    throw .unknownColumn(path: displayName, name: name, columns: names)
                }
                positions.append(j)
            case .index(let j):
                guard j >= 0 && j < names.count else {
                    throw .unknownColumn(path: displayName, name: String(j), columns: names)
                }
                positions.append(j)
            }
        }
        return positions
    }
}
