// The physical line of a data row, for messages about values that parsed but are
// unusable (a negative weight): the parser's own rules — a UTF-8 byte order mark
// skipped, blank lines skipped but counted, a first row that is not all numbers
// taken as the header. Only called on the error path; it reads the file again.

extension DataFileReader {
    /// The 1-based line of data row `row` (0-based, header excluded) of the text file
    /// at `path`, or `nil` when it cannot be read or has fewer rows.
    public static func line(ofDataRow row: Int, path: String) -> Int? {
        guard path != "-", DataFileFormat(path: path) != .npy,
              let file = try? FileBytes.open(path: path, displayName: path) else { return nil }
        let delimiter = delimiter(for: DataFileFormat(path: path))
        var bytes = Array(file.bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var dataRows = 0
        var isFirstRow = true
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let cells = line.split(separator: delimiter, omittingEmptySubsequences: false).map { cell in
                String(decoding: cell, as: UTF8.self).trimmingCharacters(in: " \t\r\"")
            }
            if cells.allSatisfy(\.isEmpty) { continue }
            defer { isFirstRow = false }
            if isFirstRow && cells.contains(where: { Double($0) == nil }) { continue }   // the header
            if dataRows == row { return index + 1 }
            dataRows += 1
        }
        return nil
    }
}

extension String {
    /// Drops leading and trailing characters that are in `set` (compared as Unicode scalars).
    fileprivate func trimmingCharacters(in set: String) -> String {
        let drop = Set(set.unicodeScalars)
        var scalars = Substring(self).unicodeScalars
        while let c = scalars.first, drop.contains(c) { scalars.removeFirst() }
        while let c = scalars.last, drop.contains(c) { scalars.removeLast() }
        return String(scalars)
    }
}
