// Feeds arbitrary bytes to the `.npy` reader (header parsing, then the body),
// with and without a column selection, and through the missing-value reader.
// Errors are expected; a crash, a sanitizer report or a broken invariant is a
// bug: values read with missing values rejected are finite, and with missing
// values allowed they are finite or NaN.

import CLibFuzzer
import Glibc
import GaussianMixtures

let selections: [[ColumnSelector]?] = [nil, [.index(0)], [.name("x1"), .index(0)]]

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
    for columns in selections {
        do {
            let matrix = try DataFileReader.read(bytes: bytes, displayName: "fuzz.npy", format: .npy, columns: columns)
            precondition(matrix.values.allSatisfy(\.isFinite), "a non-finite value was read")
            precondition(matrix.values.count == matrix.sampleCount * matrix.featureCount, "wrong value count")
        } catch {
            _ = error.description
        }
        do {
            let gappy = try DataFileReader.read(bytes: bytes, displayName: "fuzz.npy", format: .npy, columns: columns,
                                                missing: .allow)
            precondition(gappy.values.allSatisfy { $0.isFinite || $0.isNaN }, "an infinite value was read")
        } catch {
            _ = error.description
        }
    }
    return 0
}
