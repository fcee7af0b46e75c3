// Feeds arbitrary bytes to the CSV and TSV readers (and CSV with `;` cells, as
// `--delimiter ';'` reads them), with and without a column selection, through the plain reader and the missing-value reader. Errors are
// expected; a crash, a sanitizer report or a broken invariant is a bug:
//   - a matrix read with missing values rejected holds only finite numbers;
//   - `read(bytes:…, missing: .reject)` agrees with `read(bytes:…)`, value for
//     value and error for error, as its documentation promises;
//   - with missing values allowed, every value is finite or NaN.

import CLibFuzzer
import Glibc
import GaussianMixtures

let selections: [[ColumnSelector]?] = [nil, [.index(0)], [.name("a"), .index(2)]]

/// Starts libFuzzer, which calls `fuzz` once per input.
@main
enum FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzz))
    }
}

/// One input; libFuzzer's callback, also exported under its conventional name.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    for format in [DataFileFormat.csv, .tsv] {
        for columns in selections {
            check(bytes, format: format, columns: columns)
        }
    }
    // `--delimiter ';'`: the same parser with another separator byte.
    DataFileReader.$delimiter.withValue(UInt8(ascii: ";")) {
        for columns in selections { check(bytes, format: .csv, columns: columns) }
    }
    return 0
}

func check(_ bytes: [UInt8], format: DataFileFormat, columns: [ColumnSelector]?) {
    let plain = Result { () throws(DataFileError) in
        try DataFileReader.read(bytes: bytes, displayName: "fuzz", format: format, columns: columns)
    }
    let rejecting = Result { () throws(DataFileError) in
        try DataFileReader.read(bytes: bytes, displayName: "fuzz", format: format, columns: columns, missing: .reject)
    }
    switch (plain, rejecting) {
    case let (.success(matrix), .success(incomplete)):
        precondition(matrix.values.allSatisfy(\.isFinite), "a non-finite value was read")
        precondition(matrix.values.count == matrix.sampleCount * matrix.featureCount, "wrong value count")
        precondition(incomplete.values == matrix.values && incomplete.featureNames == matrix.featureNames,
                     "missing: .reject read other values than read(bytes:)")
    case let (.failure(a), .failure(b)):
        precondition(a == b, "missing: .reject gave another error: \(a) / \(b)")
        _ = a.description
    default:
        preconditionFailure("read(bytes:) and missing: .reject disagree: \(plain) / \(rejecting)")
    }
    do {
        let gappy = try DataFileReader.read(bytes: bytes, displayName: "fuzz", format: format, columns: columns,
                                            missing: .allow)
        precondition(gappy.values.allSatisfy { $0.isFinite || $0.isNaN }, "an infinite value was read")
        _ = gappy.completeRows()
    } catch {
        _ = error.description
    }
}
