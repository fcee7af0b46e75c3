import ArgumentParser
import GaussianMixtures
import GaussianMixturesCommandLine

struct Impute: ParsableCommand, ReadsTextData, ShowsProgress {
    static let configuration = CommandConfiguration(
        abstract: "Fill each row's missing values (conditional mean or multiple draws).",
        usage: "gmm impute [<options>] <MODEL> <DATA>",
        discussion: """
            DATA may have missing values: empty cells and NA, NaN, nan or NAN (NaN in
            .npy). Each gap is filled with its conditional mean under the mixture given
            the row's observed values, E[x_m | x_o] = Σ_k P(c=k | x_o) μ_k,m|o; observed
            values are copied unchanged. Columns: the model's features, one row per data
            row. With --draws N: N multiple imputations stacked, each gap drawn from the
            conditional mixture P(x_m | x_o) (a component from P(c | x_o), then its
            Gaussian), with a leading column `draw` (0 to N−1); --seed fixes the draws.
            A row with every value missing, or a column missing in every row, is exit 65.
            """)

    @OptionGroup var delimiterOption: DelimiterOption
    @Argument(help: ArgumentHelp("Model file written by `gmm fit -o`.", valueName: "MODEL"))
    var model: String
    @Argument(help: ArgumentHelp("Data file with gaps (.csv, .tsv, .npy, or - for standard input).", valueName: "DATA"))
    var data: String
    @Option(help: ArgumentHelp("Columns to use, by name or 0-based index.", valueName: "LIST"))
    var columns: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Write N multiple imputations drawn from the conditional mixture instead of the conditional mean.",
                               valueName: "N"))
    var draws: Int?
    @Option(parsing: .unconditional, help: ArgumentHelp("Seed of the draws (with --draws).", valueName: "S"), transform: seedArgument)
    var seed: UInt64 = 0
    @OptionGroup var keeping: KeepColumnsOption
    @OptionGroup var output: OutputOptions
    @OptionGroup var quieting: QuietOption
    @OptionGroup var progressing: ProgressOption

    var progressStyle: ProgressStyle? { .chosen(quiet: quieting.quiet, forced: progressing.progress) }

    func validate() throws {
        if let draws, draws < 1 { throw ValidationError("--draws must be at least 1, got \(draws)") }
        try keeping.check(data: data, output: output)
    }

    func run() throws {
        try reportingFailures {
            try output.checkWritable()
            let loaded = try ModelFile.readModel(path: model)
            if case .variational = loaded, !quieting.quiet {
                printError("gmm: imputing with a variational model uses its plug-in mixture (Gaussians at the posterior means)")
            }
            let mixture = loaded.mixture
            let (kept, features) = try keeping.read(data, columns: columns, for: mixture)
            let rows = try readingFeatures { try readIncompleteData(data, columns: features, for: mixture) }
            try checkKeptRows(kept, rows: rows.sampleCount, path: data)
            if rows.hasGaps { try refuseNoise(mixture, model: model, in: "gmm impute") }
            // With --draws the kept cells repeat in front of each draw's copy of the rows.
            var stream = try output.table(header: (draws == nil ? [] : ["draw"]) + mixture.featureNames,
                                          rowCount: rows.sampleCount * (draws ?? 1), kept: kept)
            if let draws {
                try mixture.imputationDraws(of: rows, count: draws, seed: seed) { n, copy in
                    for i in 0..<copy.sampleCount {
                        stream.table.append(label: n, values: copy.row(i))
                        if i % 4096 == 0 { try stream.flushIfLarge() }
                    }
                }
            } else {
                let filled = try mixture.imputed(rows)
                try filled.withUnsafeBufferPointer { values in
                    let d = filled.featureCount
                    for i in 0..<filled.sampleCount {
                        stream.table.append(row: UnsafeBufferPointer(rebasing: values[(i * d)..<((i + 1) * d)]))
                        if i % 4096 == 0 { try stream.flushIfLarge() }
                    }
                }
            }
            try stream.finish()
            guard !quieting.quiet else { return }
            printError("filled \(rows.missingCount) missing value\(rows.missingCount == 1 ? "" : "s") in "
                       + "\(rows.incompleteRowCount) of \(rows.sampleCount) rows"
                       + (draws.map { ", \($0) draw\($0 == 1 ? "" : "s") (seed \(seed))" } ?? " (conditional mean)"))
        }
    }
}
