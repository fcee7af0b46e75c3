import Foundation
import ArgumentParser
import GaussianMixtures
import GaussianMixturesCommandLine

struct Condition: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The mixture of the other features given values of some: P(x_b | x_a).",
        usage: "gmm condition [<options>] <MODEL> --given <NAME=VALUE,…>",
        discussion: """
            Prints the conditional mixture (weights P(c|x_a), means and covariances of the
            remaining features); -o writes it as a model file; --sample N draws N rows
            from it instead (CSV on standard output, or --output FILE).
            """)

    @Argument(help: ArgumentHelp("Model file written by `gmm fit -o`.", valueName: "MODEL"))
    var model: String
    @Option(help: ArgumentHelp("Given values, by feature name or 0-based index: waiting=80,1=3.5 (repeatable; the values combine).",
                               valueName: "NAME=VALUE,…"))
    var given: [String] = []
    @Option(parsing: .unconditional, help: ArgumentHelp("Draw this many rows from the conditional mixture.", valueName: "N"))
    var sample: Int?
    @Option(parsing: .unconditional, help: "Seed of the draws.", transform: seedArgument)
    var seed: UInt64 = 0
    @Option(name: [.short, .long], help: ArgumentHelp(
        "Write the conditional mixture as a model file here; with --sample, the drawn rows (- for standard output).",
        valueName: "FILE"))
    var output: String?

    func validate() throws {
        if given.isEmpty { throw ValidationError("name the given values with --given NAME=VALUE") }
        if let sample, sample < 0 { throw ValidationError("--sample must be at least 0, got \(sample)") }
    }

    func run() throws {
        try reportingFailures {
            if let output { try checkOutputPath(output) }
            let mixture = try ModelFile.read(path: model).model
            try refuseNoise(mixture, model: model, in: "gmm condition")
            let values = try parseGiven(given, for: mixture)
            let conditional: GaussianMixture
            do {
                conditional = try mixture.conditional(given: values)
            } catch let error as ModelError {
                throw CommandFailure(message: "\(model): \(error)", status: ExitStatus.dataError)
            }
            if let sample {
                var stream = try TableStream(table: TableWriter(header: conditional.featureNames), sink: OutputSink(path: output))
                try conditional.sample(count: sample, seed: seed) { block, components in
                    let d = conditional.featureCount
                    for r in components.indices { stream.table.append(row: UnsafeBufferPointer(rebasing: block[(r * d)..<((r + 1) * d)])) }
                    try stream.flushIfLarge()
                }
                try stream.finish()
            } else if let output {
                try OutputFile.write(ModelFile.encode(conditional, summary: nil), to: output)
            } else {
                let given = values.keys.sorted().map { "\(mixture.featureNames[$0]) = \(values[$0]!)" }.joined(separator: ", ")
                let text = "P(\(conditional.featureNames.joined(separator: ", ")) | \(given)):\n" + componentTable(conditional) + "\n"
                try OutputFile.writeStandardOutput(Array(text.utf8))
            }
        }
    }
}

/// Parses `name=value,…` items (names or 0-based indices) against a model's features;
/// repeated items combine, and a feature given twice is a usage error.
func parseGiven(_ items: [String], for model: GaussianMixture) throws -> [Int: Double] {
    var values: [Int: Double] = [:]
    for item in items.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
        let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty, let value = Double(parts[1]), value.isFinite else {
            throw ValidationError("--given takes NAME=VALUE pairs separated by commas, got \"\(item)\"")
        }
        let index = model.featureNames.firstIndex(of: parts[0]) ?? Int(parts[0]).flatMap { (0..<model.featureCount).contains($0) ? $0 : nil }
        guard let index else {
            throw CommandFailure(message: "--given: the model has no feature \"\(parts[0])\" (features: \(nameList(model.featureNames)))",
                                 status: ExitStatus.dataError)
        }
        guard values[index] == nil else {
            throw ValidationError("--given names feature \"\(model.featureNames[index])\" twice")
        }
        values[index] = value
    }
    return values
}
