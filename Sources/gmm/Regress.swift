import ArgumentParser
import GaussianMixtures

struct Regress: ParsableCommand, ReadsTextData {
    static let configuration = CommandConfiguration(
        abstract: "Predict target features of each row from its other features (the conditional mean).",
        discussion: """
            For each row of DATA, conditions the mixture on the row's non-target features
            and writes the conditional mean of each target (column NAME); with --interval P
            also NAME_lower and NAME_upper, the central interval holding probability P of
            the conditional mixture (found numerically per target).
            """)

    @OptionGroup var delimiterOption: DelimiterOption
    @Argument(help: ArgumentHelp("Model file written by `gmm fit -o`.", valueName: "MODEL"))
    var model: String
    @Argument(help: ArgumentHelp("Data with the non-target features as named columns (targets may be absent).", valueName: "DATA"))
    var data: String
    @Option(help: ArgumentHelp("Features to predict, by name, comma separated.", valueName: "NAMES"))
    var targets: String
    @Option(parsing: .unconditional, help: ArgumentHelp("Also write a central interval with this probability, e.g. 0.9.", valueName: "P"))
    var interval: Double?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let interval, !(interval > 0 && interval < 1) { throw ValidationError("--interval must be in (0, 1), got \(interval)") }
    }

    func run() throws {
        try reportingFailures {
            try output.checkWritable()
            let mixture = try ModelFile.read(path: model).model
            try refuseNoise(mixture, model: model, in: "gmm regress")
            let names = targets.split(separator: ",").map(String.init)
            var targetIndices: [Int] = []
            for name in names {
                guard let j = mixture.featureNames.firstIndex(of: name) else {
                    throw CommandFailure(message: "--targets: the model has no feature \"\(name)\" (features: \(nameList(mixture.featureNames)))",
                                         status: ExitStatus.dataError)
                }
                targetIndices.append(j)
            }
            let given = (0..<mixture.featureCount).filter { !targetIndices.contains($0) }
            guard !given.isEmpty else {
                throw ValidationError("--targets names every feature of the model: leave at least one to predict from")
            }
            guard Set(targetIndices).count == targetIndices.count else {
                throw ValidationError("--targets names a feature twice")
            }
            let map = try ConditionalMap(model: mixture, given: given)
            let rows = try DataFileReader.read(path: data, columns: given.map { .name(mixture.featureNames[$0]) })
            // Output columns in the order the targets were asked for.
            let positions = targetIndices.map { map.targetFeatures.firstIndex(of: $0)! }
            var header: [String] = []
            for name in names { header += interval == nil ? [name] : [name, name + "_lower", name + "_upper"] }
            var stream = try output.table(header: header, rowCount: rows.sampleCount)
            for i in 0..<rows.sampleCount {
                let x = rows.row(i)
                let (weights, means) = map.weightsAndMeans(at: x)
                var cells: [Double] = []
                for t in positions {
                    cells.append(zip(weights, means).reduce(0.0) { $0 + $1.0 * $1.1[t] })
                    if let interval {
                        let (lower, upper) = map.interval(ofTarget: t, at: x, probability: interval)
                        cells += [lower, upper]
                    }
                }
                stream.table.append(cells)
                if i % 4096 == 0 { try stream.flushIfLarge() }
            }
            try stream.finish()
        }
    }
}
