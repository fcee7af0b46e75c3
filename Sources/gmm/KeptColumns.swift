// `gmm report --keep-columns`: cells shown beside each drawn row (an id, a
// label) that are not features and may be text, which the numeric readers
// refuse. Only the cells of the drawn rows are kept, so memory follows the
// number of drawn rows, not the file's. Text files are split as RFC 4180
// says (quoted cells may hold delimiters, doubled quotes and line breaks),
// skipping blank lines and a header exactly as the data readers do; `.npy`
// columns are numbers and go through the library's reader.

import Foundation
import GaussianMixtures

enum KeptColumns {
    /// The kept columns' names and, for each row of `rows` (0-based data rows, increasing), its cells.
    static func read(_ path: String, columns text: String, rows: [Int]) throws -> (names: [String], values: [[String]]) {
        let kept = try read(path, columns: text, rows: Optional(rows))   // (readAll's tuple)
        return (kept.names, kept.values)
    }

    /// The kept columns' names and cells for every data row, the file's column names (`header`, `x0`, `x1`, …
    /// without one), whether the file has a header row (`.npy`: no), and the kept columns' 0-based positions.
    static func readAll(_ path: String, columns text: String) throws
        -> (names: [String], values: [[String]], header: [String], hasHeader: Bool, positions: [Int]) {
        try read(path, columns: text, rows: nil)
    }

    /// `rows`: the 0-based data rows wanted, increasing; `nil` for every row.
    private static func read(_ path: String, columns text: String, rows wanted: [Int]?) throws
        -> (names: [String], values: [[String]], header: [String], hasHeader: Bool, positions: [Int]) {
        let selectors = ColumnSelector.parseList(text)
        if DataFileFormat(path: path) == .npy {
            let matrix = try DataFileReader.read(path: path, columns: selectors)
            let rows = wanted ?? Array(0..<matrix.sampleCount)
            let width = try DataFileReader.read(path: path).featureCount   // mapped, not copied
            let header = (0..<width).map { "x\($0)" }
            let positions = selectors.map { selector in
                switch selector {
                case let .index(j): j
                case let .name(name): header.firstIndex(of: name) ?? 0
                }
            }
            return (matrix.featureNames, rows.map { i in (0..<matrix.featureCount).map { "\(matrix[i, $0])" } }, header, false, positions)
        }
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw DataFileError.cannotOpen(path: path, reason: "\((error as NSError).localizedDescription)")
        }
        let format = DataFileFormat(path: path)
        let delimiter = DataFileReader.delimiter ?? (format == .tsv ? UInt8(ascii: "\t") : UInt8(ascii: ","))
        var splitter = CellSplitter(bytes: bytes, delimiter: delimiter)
        guard let first = splitter.nextRow() else { return ([], (wanted ?? []).map { _ in [] }, [], false, []) }
        let isHeader = first.contains { Double($0.trimmingCharacters(in: .whitespaces)) == nil }
        let header = isHeader ? first : (0..<first.count).map { "x\($0)" }
        let picked: [Int] = try selectors.map { selector in
            switch selector {
            case let .name(name):
                guard let index = header.firstIndex(of: name) else {
                    throw DataFileError.unknownColumn(path: path, name: name, columns: header)
                }
                return index
            case let .index(index):
                guard index < header.count else { throw DataFileError.unknownColumn(path: path, name: String(index), columns: header) }
                return index
            }
        }
        // Rows between the wanted ones are skipped without building their cells (on 10⁶ rows, that
        // took 74 MB of CSV from 17 s to 2 s in a debug build).
        var values: [[String]] = []
        guard let rows = wanted else {
            var row = isHeader ? splitter.nextRow() : first
            while let cells = row {
                values.append(picked.map { $0 < cells.count ? cells[$0] : "" })
                row = splitter.nextRow()
            }
            return (picked.map { header[$0] }, values, header, isHeader, picked)
        }
        values.reserveCapacity(rows.count)
        var row = 0
        var firstData = isHeader ? nil : first   // without a header, the first row is data row 0
        for target in rows {
            var cells: [String]?
            while row <= target {
                if let data = firstData {
                    firstData = nil
                    if row == target { cells = data }
                } else if row == target {
                    cells = splitter.nextRow()
                } else if !splitter.skipRow() {
                    break
                }
                row += 1
            }
            // A file shorter than its data cannot happen once the features were read from it; empty cells if it does.
            values.append(picked.map { index in cells.map { index < $0.count ? $0[index] : "" } ?? "" })
        }
        return (picked.map { header[$0] }, values, header, isHeader, picked)
    }
}

/// Rows of cells from delimited text; blank lines are skipped.
struct CellSplitter {
    let bytes: [UInt8]
    let delimiter: UInt8
    var position = 0

    init(bytes: [UInt8], delimiter: UInt8) {
        self.bytes = bytes
        self.delimiter = delimiter
        // A UTF-8 byte order mark is not part of the first cell.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    /// Moves past the next row that is not blank without building its cells; false at the end.
    mutating func skipRow() -> Bool {
        let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n")
        return bytes.withUnsafeBufferPointer { b in
            while position < b.count {
                var quoted = false, blank = true
                while position < b.count {
                    let byte = b[position]
                    position += 1
                    if quoted {
                        if byte == quote { quoted = false }   // a doubled quote closes and reopens: the same
                        continue
                    }
                    if byte == newline { break }
                    if byte == quote { quoted = true }
                    if byte == delimiter || (byte != 0x20 && byte != 0x09 && byte != 0x0D) { blank = false }   // space, tab, CR
                }
                if !blank { return true }
            }
            return false
        }
    }

    /// The cells of the next row that is not blank, trimmed; nil at the end.
    mutating func nextRow() -> [String]? {
        let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriage = UInt8(ascii: "\r")
        while position < bytes.count {
            var cells: [String] = []
            var cell: [UInt8] = []
            var quoted = false
            var lineIsBlank = true
            while position < bytes.count {
                let b = bytes[position]
                position += 1
                if quoted {
                    if b == quote {
                        if position < bytes.count && bytes[position] == quote { cell.append(quote); position += 1 } else { quoted = false }
                    } else {
                        cell.append(b)
                    }
                    continue
                }
                if b == newline { break }
                if b == carriage { continue }
                lineIsBlank = lineIsBlank && (b == UInt8(ascii: " ") || b == UInt8(ascii: "\t"))
                if b == quote && cell.allSatisfy({ $0 == UInt8(ascii: " ") }) { quoted = true; cell = []; lineIsBlank = false; continue }
                if b == delimiter { cells.append(String(decoding: cell, as: UTF8.self)); cell = []; continue }
                cell.append(b)
            }
            if lineIsBlank && cells.isEmpty { continue }
            cells.append(String(decoding: cell, as: UTF8.self))
            return cells.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}
