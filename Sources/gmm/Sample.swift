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
            var stream = try output.table(header: mixture.featureNames + (labels ? ["component"] : []))
            let d = mixture.featureCount
            try mixture.sample(count: count, seed: seed) { block, components in
                for (r, component) in components.enumerated() {
                    let row = UnsafeBufferPointer(rebasing: block[(r * d)..<((r + 1) * d)])
                    if labels {
                        stream.table.append(row: row, label: component)
                    } else {
                        stream.table.append(row: row)
                    }
                }
                try stream.flushIfLarge()
            }
            try stream.finish()
        }
    }
}
