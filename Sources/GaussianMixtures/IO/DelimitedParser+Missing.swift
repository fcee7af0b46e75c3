// Missing values in CSV/TSV (`MissingValuePolicy.allow`): which cells are gaps,
// and the two checks that name a useless row or column. Only reached when gaps
// are allowed; the strict parser never calls into this file.

extension DelimitedParser {
    /// Whether the cell is empty or one of `MissingValuePolicy.missingTokens` (spaces around ignored).
    func isMissingToken(_ cell: Cell) -> Bool {
        var s = cell.start
        var e = cell.end
        while s < e && isSpace(s.pointee) { s += 1 }
        while e > s && isSpace(e[-1]) { e -= 1 }
        switch e - s {
        case 0: return true
        case 2: return s[0] == UInt8(ascii: "N") && s[1] == UInt8(ascii: "A")
        case 3:
            let word = (s[0], s[1], s[2])
            return word == (UInt8(ascii: "N"), UInt8(ascii: "a"), UInt8(ascii: "N"))
                || word == (UInt8(ascii: "n"), UInt8(ascii: "a"), UInt8(ascii: "n"))
                || word == (UInt8(ascii: "N"), UInt8(ascii: "A"), UInt8(ascii: "N"))
        default: return false
        }
    }

    /// Throws when every one of the `count` values of a parsed row is missing.
    func checkRowObserved(_ row: UnsafePointer<Double>, count: Int, line rowLine: Int) throws(DataFileError) {
        for k in 0..<count where !row[k].isNaN { return }
        throw .malformed(path: displayName, line: rowLine, column: nil,
                         message: count == 1 ? "the value is missing: a row needs at least one observed value"
                                             : "every value is missing: a row needs at least one observed value")
    }

    /// Throws naming the first selected column that is missing in every row.
    func checkColumnsObserved(_ storage: DataStorage, rowCount n: Int, selected: [Int], names: [String])
        throws(DataFileError) {
        let d = selected.count
        var observed = [Bool](repeating: false, count: d)
        var remaining = d
        var i = 0
        while i < n && remaining > 0 {
            for k in 0..<d where !observed[k] && !storage.base[i &* d &+ k].isNaN {
                observed[k] = true
                remaining -= 1
            }
            i += 1
        }
        guard let k = observed.firstIndex(of: false) else { return }
        throw .malformed(path: displayName, line: nil, column: nil,
                         message: "column \(selected[k] + 1) (\(DataFileError.quoted(names[selected[k]]))) is missing in every row")
    }
}
