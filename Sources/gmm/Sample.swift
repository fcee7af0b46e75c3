import ArgumentParser
import GaussianMixtures

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw rows from the mixture.",
        discussion: """
            N independent draws from the joint P(x, c), in the order drawn (not grouped by
            component), with columns named as the model's features. --labels adds a last
            column `component`. The same seed gives the same rows.
            """)

    @Argument(help: ArgumentHelp("Model file written by `gmm fit -o`.", valueName: "MODEL"))
    var model: String
    @Option(name: .customShort("n"), help: "Number of rows to draw (0 prints the header only).")
    var count: Int
    @Option(help: "Seed of the random draws.")
    var seed: UInt64 = 0
    @Flag(help: "Add a column `component` naming the component that drew each row.")
    var labels = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if count < 0 { throw ValidationError("-n must be at least 0, got \(count)") }
    }

    func run() throws {
        try reportingFailures {
            try output.checkWritable()
            let mixture = try ModelFile.read(path: model).model
            let drawn = mixture.sample(count: count, seed: seed)
            var table = TableWriter(header: mixture.featureNames + (labels ? ["component"] : []))
            let d = mixture.featureCount
            drawn.samples.withUnsafeBufferPointer { x in
                for i in 0..<count {
                    let row = UnsafeBufferPointer(rebasing: x[(i * d)..<((i + 1) * d)])
                    if labels {
                        table.append(row: row, label: drawn.components[i])
                    } else {
                        table.append(row: row)
                    }
                }
            }
            try output.emit(table.bytes)
        }
    }
}
