// Exit status 65 for model files: the error line names the file and the key
// that is wrong. Each bad model goes through every command that reads one.

import Testing

/// A model file that every reader must refuse, and the facts its error line must mention.
struct BadModel: CustomTestStringConvertible, Sendable {
    var label: String
    var text: String
    var facts: [String]
    var testDescription: String { label }
}

/// The commands that read a model, each with an output file named where it has one.
enum ModelCommand: String, CaseIterable, Sendable {
    case predict, score, sample, info, fitFromModel

    func args(model: String) -> [String] {
        switch self {
        case .predict: ["predict", model, "small.csv", "--output", "out.csv"]
        case .score: ["score", model, "small.csv", "--output", "out.csv"]
        case .sample: ["sample", model, "-n", "3", "--output", "out.csv"]
        case .info: ["info", model]
        case .fitFromModel: ["fit", "small.csv", "--init-model", model, "-o", "out.json"]
        }
    }
}

@Suite("Exit 65: bad model file")
struct ModelErrorTests {
    static let badModels: [BadModel] = [
        BadModel(label: "not JSON", text: "this is not { JSON\n", facts: ["bad.json", "JSON"]),
        BadModel(label: "top level is a list", text: "[1, 2]\n", facts: ["bad.json"]),
        BadModel(label: "weights do not sum to 1", text: modelJSON(weights: "[0.5, 0.4]"), facts: ["bad.json", "weights"]),
        BadModel(label: "negative weight", text: modelJSON(weights: "[1.5, -0.5]"), facts: ["bad.json", "weights"]),
        BadModel(label: "non-symmetric covariance",
                 text: modelJSON(covariances: "[[[1, 0.5], [0, 1]], [[1, 0], [0, 1]]]"), facts: ["bad.json", "covariances"]),
        BadModel(label: "covariance not positive definite",
                 text: modelJSON(covariances: "[[[1, 0], [0, 1]], [[1, 2], [2, 1]]]"), facts: ["bad.json", "covariances"]),
        BadModel(label: "too few means", text: modelJSON(means: "[[0, 0]]"), facts: ["bad.json", "means"]),
        BadModel(label: "ragged means", text: modelJSON(means: "[[0, 0], [1, 1, 1]]"), facts: ["bad.json", "means"]),
        BadModel(label: "too few covariances", text: modelJSON(covariances: "[[[1, 0], [0, 1]]]"),
                 facts: ["bad.json", "covariances"]),
        BadModel(label: "unknown covariance_type", text: modelJSON(covarianceType: #""weird""#),
                 facts: ["bad.json", "covariance_type", "weird"]),
        BadModel(label: "wrong format", text: modelJSON(format: #""other""#), facts: ["bad.json", "format"]),
        BadModel(label: "unsupported version", text: modelJSON(version: "2"), facts: ["bad.json", "version"]),
        BadModel(label: "weight is text", text: modelJSON(weights: #"[0.5, "half"]"#), facts: ["bad.json", "weights"]),
    ]

    @Test(arguments: badModels, ModelCommand.allCases)
    func refusesBadModel(_ bad: BadModel, _ command: ModelCommand) throws {
        let box = try Sandbox()
        try box.write("bad.json", bad.text)
        try box.write("small.csv", "eruptions,waiting\n3.6,79\n1.8,54\n3.3,74\n2.3,62\n4.5,85\n")
        let before = try box.listing()

        let outcome = try box.run(command.args(model: "bad.json"))

        expectCleanFailure(outcome, status: 65, facts: bad.facts)
        #expect(try box.listing() == before, "no output or temporary file left")
    }

    @Test("the hand-written model used by the error tests is itself valid")
    func handModelIsValid() throws {
        let box = try Sandbox()
        try box.write("model.json", handModel)
        let outcome = try box.run(["info", "model.json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
    }
}
