import Foundation
import Testing
@testable import GaussianMixtures

@Suite("Model file")
struct ModelFileTests {
    @Test("a fitted model survives a write and a read to the bit")
    func roundTrip() throws {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/iris.csv").path)
        let fit = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 3, seed: 2))
        let summary = FitSummary(report: fit.report, model: fit.model)
        let bytes = ModelFile.encode(fit.model, summary: summary)
        let (model, read) = try ModelFile.decode(bytes, path: "m.json")
        #expect(model == fit.model)
        #expect(read == summary)
        #expect(model.featureNames == ["sepal_length", "sepal_width", "petal_length", "petal_width"])
        #expect(ModelFile.encode(model, summary: read) == bytes)
    }

    @Test("awkward doubles round-trip exactly")
    func awkwardNumbers() throws {
        let values: [Double] = [0.1, 1e-300, .leastNonzeroMagnitude, 1.7976931348623157e308, 123456789.123456789, -0.0, 1 / 3]
        for v in values {
            let w = (1 - 1e-7) * 0.5
            let model = try GaussianMixture(weights: [w, 1 - w], means: [[v], [2]], covariances: .full([[[1 + abs(v) * 0]], [[2]]]))
            let (back, _) = try ModelFile.decode(ModelFile.encode(model, summary: nil), path: "m")
            #expect(back.means[0][0].bitPattern == v.bitPattern)
            #expect(back.weights == model.weights)
        }
    }

    @Test("a large file that is not a JSON object is refused after its first bytes; a large model reads whole, after a BOM too")
    func largeFiles() throws {
        let folder = TemporaryFolder()
        // A data file given as the model: a .npy header, then far more than the sniff length.
        let npy = folder.file("data.npy", Array("\u{93}NUMPY".utf8) + [UInt8](repeating: 7, count: 3 * ModelFile.sniffLength))
        #expect(throws: ModelFileError.notJSON(path: npy, reason: "it does not start with a JSON object ('{')")) {
            try ModelFile.read(path: npy)
        }
        // A small one still gets the JSON parser's own message.
        let small = folder.file("small.txt", Array("not a model".utf8))
        do {
            _ = try ModelFile.read(path: small)
            Issue.record("a file that is not JSON was read")
        } catch {
            guard case .notJSON(_, let reason) = error, !reason.contains("does not start") else {
                Issue.record("expected the parser's message, got \(error)")
                return
            }
        }
        // A model larger than the sniff length, after blank lines, reads whole.
        let d = 12, kCount = 60
        func entry(_ k: Int, _ r: Int, _ c: Int) -> Double {
            r == c ? 1 + 1 / Double(k + 3) : 1 / Double(7 + r + c + k)
        }
        let matrices: [[[Double]]] = (0..<kCount).map { k in (0..<d).map { r in (0..<d).map { c in entry(k, r, c) } } }
        let model = try GaussianMixture(weights: [Double](repeating: 1 / Double(kCount), count: kCount),
                                        means: (0..<kCount).map { k in (0..<d).map { j in Double(k * d + j) / 3 } },
                                        covariances: .full(matrices))
        let bytes = Array("\n \n".utf8) + ModelFile.encode(model, summary: nil)
        #expect(bytes.count > 2 * ModelFile.sniffLength)
        #expect(try ModelFile.read(path: folder.file("big.json", bytes)).model == model)
        #expect(try ModelFile.read(path: folder.file("bom.json", [0xEF, 0xBB, 0xBF] + bytes)).model == model)
        guard case .expectationMaximization(let back, _) = try ModelFile.readModel(path: folder.path + "/big.json") else {
            Issue.record("expected an EM model")
            return
        }
        #expect(back == model)
    }

    func decodeError(_ text: String) -> ModelFileError? {
        do {
            _ = try ModelFile.decode(Array(text.utf8), path: "m.json")
            return nil
        } catch {
            return error
        }
    }

    static let valid = """
        {"format": "gmm-model", "version": 1, "covariance_type": "full", "n_components": 2, "n_features": 2,
         "weights": [0.25, 0.75], "means": [[0, 0], [1, 1]],
         "covariances": [[[1, 0.5], [0.5, 1]], [[2, 0], [0, 2]]]}
        """

    @Test("a minimal hand-written file is accepted; extra keys are ignored")
    func minimal() throws {
        let withExtra = Self.valid.replacingOccurrences(of: "\"version\": 1,", with: "\"version\": 1, \"note\": [1, {\"x\": null}],")
        let (model, summary) = try ModelFile.decode(Array(withExtra.utf8), path: "m.json")
        #expect(model.componentCount == 2)
        #expect(model.featureNames == ["x0", "x1"])
        #expect(summary == nil)
    }

    @Test("each broken key is named", arguments: [
        ("\"weights\": [0.25, 0.75]", "\"weights\": [0.25, 0.7]", "weights"),
        ("\"weights\": [0.25, 0.75]", "\"weights\": [-0.25, 1.25]", "weights[0]"),
        ("\"weights\": [0.25, 0.75]", "\"weights\": [0.25, \"x\"]", "weights[1]"),
        ("\"means\": [[0, 0], [1, 1]]", "\"means\": [[0, 0], [1]]", "means[1]"),
        ("[[1, 0.5], [0.5, 1]]", "[[1, 0.5], [0.4, 1]]", "covariances[0]"),
        ("[[2, 0], [0, 2]]", "[[2, 3], [3, 2]]", "covariances[1]"),
        ("\"covariance_type\": \"full\"", "\"covariance_type\": \"fool\"", "covariance_type"),
        ("\"n_components\": 2", "\"n_components\": 3", "n_components"),
        ("\"version\": 1", "\"version\": 2", "version"),
        ("\"format\": \"gmm-model\"", "\"format\": \"other\"", "format"),
        ("\"weights\": [0.25, 0.75], ", "", "weights"),
    ])
    func brokenKey(_ original: String, _ replacement: String, _ key: String) throws {
        let text = Self.valid.replacingOccurrences(of: original, with: replacement)
        #expect(text != Self.valid)
        guard case let .invalid(_, found, _)? = decodeError(text) else {
            Issue.record("expected an invalid-key error for \(key)")
            return
        }
        #expect(found == key)
    }

    @Test("a number out of range is shown in the message")
    func outOfRangeNumbers() throws {
        let huge = Self.valid.replacingOccurrences(of: "\"n_components\": 2", with: "\"n_components\": 1e20")
        #expect(decodeError(huge) == .invalid(path: "m.json", key: "n_components",
                                              reason: "1e+20 is out of range (a count must be below 10^15 in magnitude)"))
        // The parser refuses 1e400, but a JSONValue built in code can hold an infinity.
        guard case var .object(members) = try JSONParser.parse(Array(Self.valid.utf8)) else {
            Issue.record("not an object")
            return
        }
        members["weights"] = .array([.number(0.25), .number(.infinity)])
        #expect(throws: ModelFileError.invalid(path: "m.json", key: "weights[1]", reason: "expected a finite number, found inf")) {
            try ModelFile.decode(JSONValue.object(members), path: "m.json")
        }
    }

    @Test("text that is not JSON is a clear error")
    func notJSON() {
        guard case .notJSON? = decodeError("{\"format\": ") else {
            Issue.record("expected notJSON")
            return
        }
    }
}
