import Foundation
import ArgumentParser
import GaussianMixtures
import GaussianMixturesCommandLine
import GaussianMixturesReport

struct Report: ParsableCommand, ReadsTextData {
    static let configuration = CommandConfiguration(
        abstract: "Write a self-contained web page to inspect a mixture and its data.",
        usage: "gmm report [<options>] <MODEL> <DATA> -o <FILE>",
        discussion: """
            gmm report MODEL DATA -o report.html
              one HTML file (inline SVG, CSS and plain JavaScript; nothing fetched, opens
              offline): the model (K, covariance type, BIC and AIC from the model file,
              ICL on DATA, the convergence trace), a component table (weight, mean,
              spread, soft and hard counts, uncertain share; click a row to highlight its
              members), a scatter with 1σ and 2σ ellipses (principal directions and pairs
              of features when there are more than two), details of a row on hover or
              focus (P(c|x), log P(x), Mahalanobis distance, tail probability), a
              certainty slider, the outliers as a sortable table and a CSV download of
              the selected rows. Every statistic is computed on all rows, streamed; at
              most --max-points rows are drawn (a seeded sample that always keeps the
              outliers and the least certain rows).

            With --missing marginalize, DATA may have gaps: rows with a missing value
            are left out of the page (its model section and a note give their count);
            every statistic is then computed on the complete rows.
            """)

    @OptionGroup var delimiterOption: DelimiterOption
    @OptionGroup var quieting: QuietOption
    @Argument(help: ArgumentHelp("Model file written by `gmm fit -o` (EM or variational).", valueName: "MODEL"))
    var model: String
    @Argument(help: ArgumentHelp("Data file (.csv, .tsv, .npy, or - for standard input).", valueName: "DATA"))
    var data: String
    @Option(name: [.short, .long], help: ArgumentHelp("The HTML file to write (whole or not at all; - is standard output).", valueName: "FILE"))
    var output: String
    @Option(help: ArgumentHelp("Columns of DATA to use as features, by name or 0-based index.", valueName: "LIST"))
    var columns: String?
    @Option(help: ArgumentHelp("Columns of DATA to show beside each row (an id, a label; text is fine).", valueName: "LIST"))
    var keepColumns: String?
    @Option(help: ArgumentHelp("Rows drawn at most (at least 10).", valueName: "N"))
    var maxPoints = 3000
    @Option(help: ArgumentHelp("Seed of the sample of drawn rows.", valueName: "S"))
    var seed: UInt64 = 0
    @Option(help: ArgumentHelp("The page's title.", valueName: "TEXT"))
    var title: String?
    @OptionGroup var missingValues: MissingOptions

    func validate() throws {
        guard maxPoints >= 10 else { throw ValidationError("--max-points must be at least 10, got \(maxPoints)") }
        if keepColumns != nil && data == "-" {
            throw ValidationError("--keep-columns reads DATA a second time: give a file, not - (standard input)")
        }
        if let keepColumns, ColumnSelector.parseList(keepColumns).isEmpty {
            throw ValidationError("--keep-columns names no column: \"\(keepColumns)\"")
        }
    }

    func run() throws {
        try reportingFailures {
            try checkOutputPath(output)
            let loaded = try ModelFile.readModel(path: model)
            let mixture = loaded.mixture
            guard mixture.featureCount >= 2 else {
                throw CommandFailure(message: "\(model): \(ReportError.oneFeature(name: mixture.featureNames[0]))", status: ExitStatus.dataError)
            }
            let rows = try missingValues.read(data, columns: columns, for: mixture)
            let (matrix, positions, note) = try completeRowsForDrawing(rows, path: data)
            let name = data == "-" ? "<stdin>" : data
            var options = ReportOptions(title: title ?? "\(name) under \(model)")
            options.maxPoints = maxPoints
            options.seed = seed
            options.modelName = model
            options.dataName = name
            var facts = ReportModelFacts(loaded)
            if let note {
                facts.lines.append(("missing values", note))
                if !quieting.quiet { printError("gmm: note: \(name): \(note)") }
            }
            let report = try MixtureReport(model: mixture, facts: facts, data: matrix, options: options)
            var kept: (names: [String], values: [[String]]) = ([], [])
            if let keepColumns {
                kept = try KeptColumns.read(data, columns: keepColumns, rows: report.drawnRows.map { positions[$0] })
            }
            let page = try report.html(keptNames: kept.names, keptValues: kept.values)
            try OutputFile.write(page, to: output)
            if output != "-" && !quieting.quiet {
                printError("report written to \(output) (\(report.drawnRows.count) of \(matrix.sampleCount) rows drawn)")
            }
        }
    }
}
