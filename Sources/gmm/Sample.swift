import ArgumentParser
import GaussianMixtures
import GaussianMixturesCommandLine

struct Sample: ParsableCommand, ShowsProgress {
    static let configuration = CommandConfiguration(
        abstract: "Draw rows from the mixture.",
        usage: "gmm sample [<options>] <MODEL> -n <N>",
        discussion: """
            N independent draws from the joint P(x, c), in the order drawn (not grouped by
            component), with columns named as the model's features. --labels adds a last
            column `component`. The same seed gives the same rows. For a variational model
            the draws come from the posterior predictive (a mixture of Student t);
            --plug-in draws from the Gaussian mixture at the posterior means instead.
            """)

    @Argument(help: ArgumentHelp("Model file written by `gmm fit -o`.", valueName: "MODEL"))
    var model: String
    @Option(name: .customShort("n"), parsing: .unconditional, help: "Number of rows to draw (0 prints the header only).")
    var count: Int
    @Option(parsing: .unconditional, help: "Seed of the random draws.", transform: seedArgument)
    var seed: UInt64 = 0
    @Flag(help: "Add a column `component` naming the component that drew each row.")
    var labels = false
    @Flag(name: .customLong("plug-in"), help: "Variational models: draw from the plug-in Gaussian mixture, not the posterior predictive.")
    var plugIn = false
    @OptionGroup var output: OutputOptions
    @OptionGroup var quieting: QuietOption
    @OptionGroup var progressing: ProgressOption

    var progressStyle: ProgressStyle? { .chosen(quiet: quieting.quiet, forced: progressing.progress) }

    func validate() throws {
        if count < 0 { throw ValidationError("-n must be at least 0, got \(count)") }
    }

    func run() throws {
        try reportingFailures {
            try output.checkWritable()
            let loaded = try ModelFile.readModel(path: model)
            let mixture = loaded.mixture
            var stream = try output.table(header: mixture.featureNames + (labels ? ["component"] : []), rowCount: count)
            let d = mixture.featureCount
            if case let .variational(posterior, _) = loaded, !plugIn {
                let drawn = posterior.samplePredictive(count: count, seed: seed)
                let values = drawn.samples.values
                for (r, component) in drawn.components.enumerated() {
                    try values.withUnsafeBufferPointer { all in
                        let row = UnsafeBufferPointer(rebasing: all[(r * d)..<((r + 1) * d)])
                        if labels { stream.table.append(row: row, label: component) } else { stream.table.append(row: row) }
                        try stream.flushIfLarge()
                    }
                }
                return try stream.finish()
            }
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
