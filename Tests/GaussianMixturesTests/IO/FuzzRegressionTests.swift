// Inputs on which a fuzz target crashed (Tests/Fixtures/fuzz/README.md says
// which and why), each with the error the reader gives now.

import Foundation
import Testing
@testable import GaussianMixtures

@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    private func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("Tests/Fixtures/fuzz/\(name)")))
    }

    @Test("a variational model with out-of-range priors is refused")
    func invalidPriors() throws {
        let bytes = try fixture("model-invalid-priors.json")
        #expect(throws: ModelFileError.invalid(path: "m.json", key: "variational.priors.mean_precision",
                                               reason: "must be a finite number > 0, got 0.0")) {
            try ModelFile.decodeModel(bytes, path: "m.json")
        }
    }

    @Test("a variational model's sample count beyond Int is refused")
    func hugeSampleCount() throws {
        let bytes = try fixture("model-huge-sample-count.json")
        #expect(throws: ModelFileError.invalid(path: "m.json", key: "n_samples",
                                               reason: "expected a whole number from 1 to 10^15, found 7.777777777777777e+19")) {
            try ModelFile.decodeModel(bytes, path: "m.json")
        }
    }
}
