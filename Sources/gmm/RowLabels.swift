import ArgumentParser
import Foundation
import GaussianMixtures

// `--labels COLUMN|FILE` of `gmm fit` and `gmm classify`: the known class of
// some rows. COLUMN is a column of the data file (name or 0-based index; text is
// fine); otherwise the value is a file with one label per data row, one per
// line, no header. An empty cell or line means "unknown". Distinct labels are
// sorted (as R's factor levels) and label number c is component c.

struct RowLabels {
    /// Per data row its label, `nil` when unknown.
    var labels: [String?]
    /// The column of the data file the labels came from (0-based), or `nil` for a label file.
    var column: Int?

    /// The distinct labels, sorted.
    var names: [String] { Array(Set(labels.compactMap { $0 })).sorted() }

    /// Per row the index of its label in `names`, or `nil`.
    var indices: [Int?] {
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        return labels.map { $0.map { index[$0]! } }
    }

    /// The header cells of a text data file (x0, x1, … when it has no header), or `nil` for `.npy`.
    static func header(of path: String) throws -> [String]? {
        if DataFileFormat(path: path) == .npy { return nil }
        var splitter = CellSplitter(bytes: try bytes(of: path), delimiter: delimiter(for: path))
        guard let first = splitter.nextRow() else { return [] }
        let isHeader = first.contains { Double($0.trimmingCharacters(in: .whitespaces)) == nil }
        return isHeader ? first : (0..<first.count).map { "x\($0)" }
    }

    /// Reads `--labels spec` for the data file `path`: a column when `spec` names one, else a label file.
    /// - Throws: exit 64 when `spec` is neither; 65 when a label file has the wrong number of lines.
    static func read(_ spec: String, data path: String) throws -> RowLabels {
        guard path != "-" else {
            throw CommandFailure(message: "--labels needs the data in a file, not standard input", status: ExitStatus.usage)
        }
        if DataFileFormat(path: path) == .npy {
            if let matrix = try? DataFileReader.read(path: path, columns: ColumnSelector.parseList(spec)), matrix.featureCount == 1 {
                let index = try DataFileReader.read(path: path).featureNames.firstIndex(of: matrix.featureNames[0])
                return RowLabels(labels: matrix.values.map { $0.isNaN ? nil : numberLabel($0) }, column: index)
            }
        } else if let header = try header(of: path) {
            let index = header.firstIndex(of: spec) ?? Int(spec).flatMap { $0 >= 0 && $0 < header.count ? $0 : nil }
            if let index { return RowLabels(labels: try readColumn(path, index: index), column: index) }
        }
        guard FileManager.default.fileExists(atPath: spec) else {
            let columns = (try? header(of: path)) ?? nil
            throw CommandFailure(
                message: "--labels \(spec): not a column of \(path)\(columns.map { " (its columns: " + $0.joined(separator: ", ") + ")" } ?? "") nor a label file",
                status: ExitStatus.usage)
        }
        return RowLabels(labels: try readFile(spec), column: nil)
    }

    /// The cells of column `index` of every data row (blank lines and the header skipped, as the data readers do).
    static func readColumn(_ path: String, index: Int) throws -> [String?] {
        let contents = try bytes(of: path)
        var splitter = CellSplitter(bytes: contents, delimiter: delimiter(for: path))
        var out: [String?] = []
        var first = true
        while let cells = splitter.nextRow() {
            defer { first = false }
            if first && cells.contains(where: { Double($0.trimmingCharacters(in: .whitespaces)) == nil }) {
                // A header: the data readers skip it too.
                let isHeader = try header(of: path) == cells
                if isHeader { continue }
            }
            let cell = index < cells.count ? cells[index] : ""
            out.append(cell.isEmpty ? nil : cell)
        }
        return out
    }

    /// One label per line (a final line break is not an extra row); empty lines are unknown labels.
    static func readFile(_ path: String) throws -> [String?] {
        let text = String(decoding: try bytes(of: path), as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if lines.last == "" { lines.removeLast() }
        return lines.map { let t = $0.trimmingCharacters(in: .whitespaces); return t.isEmpty ? nil : t }
    }

    /// Checks a label file's length against the data's rows.
    func check(rows: Int, spec: String) throws {
        guard labels.count == rows else {
            throw CommandFailure(message: "\(spec): has \(labels.count) labels (lines) but the data has \(rows) rows",
                                 status: ExitStatus.dataError)
        }
        guard !names.isEmpty else {
            throw CommandFailure(message: "\(spec): every label is empty (unknown)", status: ExitStatus.dataError)
        }
    }

    /// The `--columns` list that leaves out the label column (and `excluding`), for a data file without `--columns`.
    func featureColumns(of path: String, excluding: String?) throws -> String? {
        guard let column else { return nil }
        let all: [String]
        if let header = try Self.header(of: path) { all = header } else { all = try DataFileReader.read(path: path).featureNames }
        let excluded = excluding.map { e in all.firstIndex(of: e) ?? Int(e) } ?? nil
        return all.indices.filter { $0 != column && $0 != excluded }.map(String.init).joined(separator: ",")
    }

    private static func numberLabel(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }

    private static func bytes(of path: String) throws -> [UInt8] {
        do { return Array(try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw DataFileError.cannotOpen(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    private static func delimiter(for path: String) -> UInt8 {
        DataFileReader.delimiter ?? (DataFileFormat(path: path) == .tsv ? UInt8(ascii: "\t") : UInt8(ascii: ","))
    }
}

/// A CSV cell: quoted (quotes doubled) when it holds a comma, quote, line break or edge spaces.
func csvCell(_ text: String) -> String {
    let needsQuotes = text.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        || text.hasPrefix(" ") || text.hasSuffix(" ")
    return needsQuotes ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
}
