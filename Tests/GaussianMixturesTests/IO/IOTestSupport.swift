// Helpers shared by the IO tests: a temporary folder that removes itself, a
// seeded generator, and short ways to parse text and to catch typed errors.

import Foundation
@testable import GaussianMixtures

/// A fresh folder under the system's temporary folder, deleted with its contents on `deinit`.
final class TemporaryFolder {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/gmm-io-test-XXXXXX").utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` inside the folder and returns its path.
    @discardableResult
    func file(_ name: String, _ bytes: [UInt8]) -> String {
        let full = path + "/" + name
        _ = FileManager.default.createFile(atPath: full, contents: Data(bytes))
        return full
    }

    /// The names in the folder (including hidden ones), sorted.
    func listing(_ subfolder: String = "") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path + "/" + subfolder)) ?? []).sorted()
    }
}

/// SplitMix64, for reproducible random test inputs.
struct TestGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Parses `text` as a CSV (or TSV) file named `data.csv`.
func parseCSV(_ text: String, format: DataFileFormat = .csv, columns: [ColumnSelector]? = nil) throws(DataFileError) -> DataMatrix {
    try DataFileReader.read(bytes: Array(text.utf8), displayName: "data.csv", format: format, columns: columns)
}

/// The error `body` throws, or `nil` when it succeeds.
func dataFileError(_ body: () throws(DataFileError) -> DataMatrix) -> DataFileError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// `printf`-style formatting of one double (C's `snprintf`).
func cFormat(_ format: String, _ value: Double) -> String {
    var buffer = [CChar](repeating: 0, count: 512)
    _ = buffer.withUnsafeMutableBufferPointer { out in
        withVaList([value]) { vsnprintf(out.baseAddress, 512, format, $0) }
    }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
