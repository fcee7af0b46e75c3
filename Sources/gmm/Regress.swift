import ArgumentParser
import GaussianMixtures
import GaussianMixturesCommandLine

struct Regress: ParsableCommand, ReadsTextData, ShowsProgress {
    static let configuration = CommandConfiguration(
        abstract: "Predict target features from the others (the conditional mean).",
        usage: "gmm regress [<options>] <MODEL> <DATA> --targets <LIST>",
        discussion: """
            For each row of DATA, conditions the mixture on the row's non-target features
            and writes the conditional mean of each target (column NAME); with --interval P
            also NAME_lower and NAME_upper, the central interval holding probability P of
            the conditional mixture (found numerically per target). With --missing
            marginalize a row is conditioned on the non-target values it has.
            """)

    @OptionGroup var delimiterOption: DelimiterOption
    @OptionGroup var quieting: QuietOption
    @OptionGroup var progressing: ProgressOption

    var progressStyle: ProgressStyle? { .chosen(quiet: quieting.quiet, forced: progressing.progress) }
    @Argument(help: ArgumentHelp("Model file written by `gmm fit -o`.", valueName: "MODEL"))
    var model: String
    @Argument(help: ArgumentHelp("Data with the non-target features: named columns, or picked with --columns (targets may be absent).", valueName: "DATA"))
    var data: String
    @Option(help: ArgumentHelp("Features to predict, by name or 0-based index, comma separated.", valueName: "LIST"))
    var targets: String
    @Option(help: ArgumentHelp("Columns of DATA holding the non-target features in the model's order, by name or "
                               + "0-based index (default: the features' names).", valueName: "LIST"))
    var columns: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Also write a central interval with this probability, e.g. 0.9.", valueName: "P"))
    var interval: Double?
    @OptionGroup var output: OutputOptions
    @OptionGroup var missingValues: MissingOptions

    func validate() throws {
        if let interval, !(interval > 0 && interval < 1) { throw ValidationError("--interval must be in (0, 1), got \(interval)") }
    }

    func run() throws {
        try reportingFailures {
            try output.checkWritable()
            let mixture = try ModelFile.read(path: model).model
            try refuseNoise(mixture, model: model, in: "gmm regress")
            let targetIndices = try featureIndices(ColumnSelector.parseList(targets), of: mixture, option: "--targets")
            guard !targetIndices.isEmpty else { throw ValidationError("--targets names no feature: \"\(targets)\"") }
            let names = targetIndices.map { mixture.featureNames[$0] }
            let given = (0..<mixture.featureCount).filter { !targetIndices.contains($0) }
            guard !given.isEmpty else {
                throw ValidationError("--targets names every feature of the model: leave at least one to predict from")
            }
            guard Set(targetIndices).count == targetIndices.count else {
                throw ValidationError("--targets names a feature twice")
            }
            let map = try ConditionalMap(model: mixture, given: given)
            let rows = try DataFileReader.read(path: data, columns: columns.map(ColumnSelector.parseList)
                                                   ?? given.map { .name(mixture.featureNames[$0]) },
                                               missing: missingValues.choice.policy)
            guard rows.featureCount == given.count else {
                throw CommandFailure(message: "\(data == "-" ? "<stdin>" : data): --columns picks \(rows.featureCount) columns but "
                                     + "the model has \(given.count) non-target features (\(nameList(given.map { mixture.featureNames[$0] })))",
                                     status: ExitStatus.dataError)
            }
            // Output columns in the order the targets were asked for.
            let positions = targetIndices.map { map.targetFeatures.firstIndex(of: $0)! }
            var header: [String] = []
            for name in names { header += interval == nil ? [name] : [name, name + "_lower", name + "_upper"] }
            var stream = try output.table(header: header, rowCount: rows.sampleCount)
            // Rows with gaps (--missing marginalize): a map per pattern of observed non-target features.
            var maps: [[Int]: (map: ConditionalMap, positions: [Int])] = [:]
            for i in 0..<rows.sampleCount {
                var x = rows.row(i)
                var map = map, positions = positions
                if x.contains(where: \.isNaN) {
                    let observed = x.indices.filter { !x[$0].isNaN }
                    if maps[observed] == nil {
                        let partial = try ConditionalMap(model: mixture, given: observed.map { given[$0] })
                        maps[observed] = (partial, targetIndices.map { partial.targetFeatures.firstIndex(of: $0)! })
                    }
                    (map, positions) = maps[observed]!
                    x = observed.map { x[$0] }
                }
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

/// The model features that `selectors` (names or 0-based indices, as `--columns` takes them) pick, in their order.
func featureIndices(_ selectors: [ColumnSelector], of model: GaussianMixture, option: String) throws -> [Int] {
    try selectors.map { selector in
        let index: Int? = switch selector {
        case let .name(name): model.featureNames.firstIndex(of: name)
        case let .index(j): (0..<model.featureCount).contains(j) ? j : nil
        }
        guard let index else {
            throw CommandFailure(message: "\(option): the model has no feature \"\(selector)\" (features: "
                                 + "\(nameList(model.featureNames)), or 0 to \(model.featureCount - 1))", status: ExitStatus.dataError)
        }
        return index
    }
}
