import Foundation
import GaussianMixtures

/// Reads `--noise-init FILE`: one 0/1 or false/true per data row (an optional
/// header line first); anything else is a data error naming the file and line.
func readNoiseRows(_ path: String, rows: Int) throws -> [Bool] {
    let text: String
    do {
        text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
        throw CommandFailure(message: "\(path): cannot open: \((error as NSError).localizedDescription)",
                             status: ExitStatus.noInput)
    }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    while lines.last == "" { lines.removeLast() }
    func value(_ cell: String) -> Bool? {
        switch cell.lowercased() {
        case "1", "true": true
        case "0", "false": false
        default: nil
        }
    }
    // A header line when there is one line more than data rows and it is not a value.
    let first = lines.count == rows + 1 && lines.first.map { value($0) == nil } == true ? 1 : 0
    var out: [Bool] = []
    out.reserveCapacity(rows)
    for (index, line) in lines.enumerated().dropFirst(first) {
        guard let v = value(line) else {
            throw CommandFailure(message: "\(path):\(index + 1): expected 0, 1, false or true, found \"\(line)\"",
                                 status: ExitStatus.dataError)
        }
        out.append(v)
    }
    guard out.count == rows else {
        throw CommandFailure(message: "\(path): has \(out.count) rows but the data has \(rows) rows",
                             status: ExitStatus.dataError)
    }
    return out
}

/// Refuses, as a usage error (64), a command that cannot use a model with a noise component.
func refuseNoise(_ mixture: GaussianMixture, model path: String, in feature: String) throws {
    guard mixture.noise == nil else {
        throw CommandFailure(message: "\(path): \(feature) does not support a model with a noise component (fit --noise); "
                             + "fit one without --noise", status: ExitStatus.usage)
    }
}
