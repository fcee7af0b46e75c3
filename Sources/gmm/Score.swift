import ArgumentParser
import GaussianMixtures

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "log P(x) of each row under the model (natural log).",
        discussion: "Column `log_density`; the mean goes to standard error.")

    @Argument(help: ArgumentHelp("Model file written by `gmm fit -o`.", valueName: "MODEL"))
    var model: String
    @Argument(help: ArgumentHelp("Data file (.csv, .tsv, .npy, or - for standard input).", valueName: "DATA"))
    var data: String
    @Option(help: ArgumentHelp("Columns to use, by name or 0-based index.", valueName: "LIST"))
    var columns: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reportingFailures {
            try output.checkWritable()
            let mixture = try ModelFile.read(path: model).model
            let matrix = try readData(data, columns: columns, for: mixture)
            var stream = try output.table(header: ["log_density"])
            var total = 0.0
            try mixture.posterior(for: matrix) { block in
                for r in 0..<block.rows.count {
                    stream.table.append(row: UnsafeBufferPointer(rebasing: block.logDensities[r..<(r + 1)]))
                    total += block.logDensities[r]
                }
                try stream.flushIfLarge()
            }
            try stream.finish()
            printError("mean log-likelihood: \(total / Double(matrix.sampleCount)) over \(matrix.sampleCount) rows")
        }
    }
}
