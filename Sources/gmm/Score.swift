import ArgumentParser
import GaussianMixtures
import GaussianMixturesCommandLine

struct Score: ParsableCommand, ReadsTextData, ShowsProgress {
    static let configuration = CommandConfiguration(
        abstract: "log P(x) of each row under the model (natural log).",
        usage: "gmm score [<options>] <MODEL> <DATA>",
        discussion: """
            Column `log_density`; the mean goes to standard error. For a variational model
            (`gmm fit --method variational`) this is the posterior-predictive density, a
            mixture of multivariate Student t, and standard error says so.
            """)

    @OptionGroup var delimiterOption: DelimiterOption
    @Argument(help: ArgumentHelp("Model file written by `gmm fit -o`.", valueName: "MODEL"))
    var model: String
    @Argument(help: ArgumentHelp("Data file (.csv, .tsv, .npy, or - for standard input).", valueName: "DATA"))
    var data: String
    @Option(help: ArgumentHelp("Columns to use, by name or 0-based index.", valueName: "LIST"))
    var columns: String?
    @OptionGroup var keeping: KeepColumnsOption
    @OptionGroup var output: OutputOptions
    @OptionGroup var missingValues: MissingOptions
    @OptionGroup var quieting: QuietOption
    @OptionGroup var progressing: ProgressOption

    var progressStyle: ProgressStyle? { .chosen(quiet: quieting.quiet, forced: progressing.progress) }

    func validate() throws { try keeping.check(data: data, output: output) }

    func run() throws {
        try reportingFailures {
            try output.checkWritable()
            let loaded = try ModelFile.readModel(path: model)
            let mixture = loaded.mixture
            let (kept, features) = try keeping.read(data, columns: columns, for: mixture)
            let rows = try readingFeatures { try missingValues.read(data, columns: features, for: mixture) }
            try checkKeptRows(kept, rows: rows.sampleCount, path: data)
            guard let matrix = rows.complete else { return try scoreWithGaps(rows, loaded, kept: kept) }
            if case let .variational(posterior, _) = loaded {
                return try scorePredictive(posterior, matrix, output: output, kept: kept, quiet: quieting.quiet)
            }
            var stream = try output.table(header: ["log_density"], rowCount: matrix.sampleCount, kept: kept)
            var total = 0.0
            var underflowed = 0
            try mixture.posterior(for: matrix) { block in
                for r in 0..<block.rows.count {
                    stream.table.append(row: UnsafeBufferPointer(rebasing: block.logDensities[r..<(r + 1)]))
                    total += block.logDensities[r]
                    if block.logDensities[r] == -.infinity { underflowed += 1 }
                }
                try stream.flushIfLarge()
            }
            try stream.finish()
            warnUnderflowedDensities(underflowed)
            if !quieting.quiet { printError("mean log-likelihood: \(readable(total / Double(matrix.sampleCount))) over \(matrix.sampleCount) rows") }
        }
    }
}
