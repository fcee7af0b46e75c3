import ArgumentParser
import GaussianMixtures

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Most probable component of each row, or P(c|x) with --probabilities.",
        discussion: """
            One output row per data row. Default: column `component`, the 0-based most
            probable component. With --probabilities: columns p0,p1,… holding P(c=k|x),
            each row summing to 1.
            """)

    @Argument(help: ArgumentHelp("Model file written by `gmm fit -o`.", valueName: "MODEL"))
    var model: String
    @Argument(help: ArgumentHelp("Data file (.csv, .tsv, .npy, or - for standard input).", valueName: "DATA"))
    var data: String
    @Flag(help: "Print P(c=k|x) for every component instead of the label.")
    var probabilities = false
    @Option(help: ArgumentHelp("Columns to use, by name or 0-based index.", valueName: "LIST"))
    var columns: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reportingFailures {
            try output.checkWritable()
            let mixture = try ModelFile.read(path: model).model
            let matrix = try readData(data, columns: columns, for: mixture)
            let kCount = mixture.componentCount
            var table = TableWriter(header: probabilities ? (0..<kCount).map { "p\($0)" } : ["component"])
            mixture.posterior(for: matrix) { block in
                for r in 0..<block.rows.count {
                    let row = UnsafeBufferPointer(rebasing: block.responsibilities[(r * kCount)..<((r + 1) * kCount)])
                    if probabilities {
                        table.append(row: row)
                    } else {
                        var best = 0
                        for k in 1..<max(kCount, 1) where row[k] > row[best] { best = k }
                        table.append(integers: [best])
                    }
                }
            }
            try output.emit(table.bytes)
        }
    }
}
