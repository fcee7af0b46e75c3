// Feeds arbitrary bytes to the model file readers: `ModelFile.decode` (EM
// files) and `ModelFile.decodeModel` (either method). Errors are expected; a
// crash, a sanitizer report or a broken invariant is a bug: a model that was
// read must write back (`ModelFile.encode`) to a file that reads back equal.

import CLibFuzzer
import Glibc
import GaussianMixtures

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
    do {
        let (model, summary) = try ModelFile.decode(bytes, path: "fuzz.json")
        let again = try ModelFile.decode(ModelFile.encode(model, summary: summary), path: "again.json")
        precondition(again.model == model && again.summary == summary, "an EM model did not survive a write and a read")
    } catch {
        _ = error.description
    }
    do {
        switch try ModelFile.decodeModel(bytes, path: "fuzz.json") {
        case let .expectationMaximization(model, _):
            _ = model.parameterCount
        case let .variational(posterior, summary):
            let again = try ModelFile.decodeModel(ModelFile.encode(posterior, summary: summary), path: "again.json")
            guard case let .variational(back, backSummary) = again else {
                preconditionFailure("a variational model read back as EM")
            }
            precondition(back == posterior && backSummary == summary, "a variational model did not survive a write and a read")
        }
    } catch {
        _ = error.description
    }
    return 0
}
