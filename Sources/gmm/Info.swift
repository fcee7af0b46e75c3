import ArgumentParser
import GaussianMixtures

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A readable summary of a model file.")

    @Argument(help: ArgumentHelp("Model file written by `gmm fit -o`.", valueName: "MODEL"))
    var model: String

    func run() throws {
        try reportingFailures {
            let (mixture, summary) = try ModelFile.read(path: model)
            var text = "model: \(model)\n" + summaryLines(mixture, summary: summary).joined(separator: "\n") + "\n"
            text += componentTable(mixture) + "\n"
            try OutputFile.writeStandardOutput(Array(text.utf8))
        }
    }
}
