import ArgumentParser
import GaussianMixtures
import GaussianMixturesCommandLine

struct Info: ParsableCommand, ReadsTextData {
    static let configuration = CommandConfiguration(
        abstract: "Summarise a model file; with DATA, how its rows split by component.",
        usage: "gmm info [<options>] <MODEL> [<DATA>]",
        discussion: """
            With DATA, a per-component table: soft count (Σ P(c|x)), hard count (rows whose
            most probable component it is), mean responsibility of those members, and the
            share of its members whose assignment is uncertain (max P(c|x) below
            --uncertain-below). A model with a noise component (fit --noise) has a row
            "noise" in both tables: its weight and volume V, and its share of the rows.
            """)

    @OptionGroup var delimiterOption: DelimiterOption
    @OptionGroup var quieting: QuietOption
    @Argument(help: ArgumentHelp("Model file written by `gmm fit -o`.", valueName: "MODEL"))
    var model: String
    @Argument(help: ArgumentHelp("Optional data file to assign to the components.", valueName: "DATA"))
    var data: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("A row is uncertain when its largest P(c|x) is below this.", valueName: "P"))
    var uncertainBelow: Double = 0.9
    @Option(help: ArgumentHelp("Columns of DATA to use, by name or 0-based index.", valueName: "LIST"))
    var columns: String?
    @OptionGroup var missingValues: MissingOptions
    @Flag(help: "Print every covariance matrix in full, whatever the number of features.")
    var covariances = false

    func validate() throws {
        if !(uncertainBelow > 0 && uncertainBelow <= 1) {
            throw ValidationError("--uncertain-below must be in (0, 1], got \(uncertainBelow)")
        }
    }

    func run() throws {
        try reportingFailures {
            let loaded = try ModelFile.readModel(path: model)   // read and parsed once
            let mixture = loaded.mixture
            var text = "model: \(model)\n"
            switch loaded {
            case let .expectationMaximization(_, summary):
                text += summaryLines(mixture, summary: summary).joined(separator: "\n") + "\n"
            case let .variational(posterior, fit):
                text += variationalSummaryLines(posterior, summary: fit).joined(separator: "\n") + "\n"
                text += "posterior mean weights and the plug-in mixture (Gaussians at the posterior means):\n"
            }
            text += componentTable(mixture, allCovariances: covariances) + "\n"
            if let data {
                let rows = try missingValues.read(data, columns: columns, for: mixture)
                text += "\nassignments of \(data) (\(rows.sampleCount) rows; uncertain: max P(c|x) < \(uncertainBelow)"
                    + (rows.hasGaps ? "; \(rows.incompleteRowCount) rows with missing values: P(c|x_o)" : "") + "):\n"
                text += try assignmentTable(mixture, rows) + "\n"
            }
            try OutputFile.writeStandardOutput(Array(text.utf8))
        }
    }

    /// The table of soft and hard counts; rows with gaps (`--missing marginalize`) count by P(c|x_o).
    private func assignmentTable(_ mixture: GaussianMixture, _ data: IncompleteDataMatrix) throws -> String {
        let kCount = mixture.componentCount
        var soft = [Double](repeating: 0, count: kCount)
        var hard = [Int](repeating: 0, count: kCount)
        var memberSum = [Double](repeating: 0, count: kCount)
        var uncertain = [Int](repeating: 0, count: kCount)
        let rowCount = kCount + (mixture.noise == nil ? 0 : 1)   // the noise as the last row
        if rowCount > kCount {
            soft.append(0)
            hard.append(0)
            memberSum.append(0)
            uncertain.append(0)
        }
        // One row: its K responsibilities from `offset` in `z`, and its noise responsibility if any.
        func tally(_ z: [Double], _ offset: Int, noise: Double?) {
            var best = 0
            for k in 0..<kCount {
                let p = z[offset + k]
                soft[k] += p
                if p > z[offset + best] { best = k }
            }
            var top = z[offset + best]
            if let noise {
                soft[kCount] += noise
                if noise > top { (best, top) = (kCount, noise) }
            }
            hard[best] += 1
            memberSum[best] += top
            if top < uncertainBelow { uncertain[best] += 1 }
        }
        if let matrix = data.complete {
            mixture.posterior(for: matrix) { block in
                let z = Array(block.responsibilities)
                for r in 0..<block.rows.count { tally(z, r * kCount, noise: block.noiseResponsibilities?[r]) }
            }
        } else {
            try refuseNoise(mixture, model: model, in: "rows with missing values")
            let z = try mixture.marginalPosterior(of: data).responsibilities.values
            for r in 0..<data.sampleCount { tally(z, r * kCount, noise: nil) }
        }
        var rows = [["component", "soft count", "hard count", "mean responsibility", "uncertain share"]]
        for k in 0..<rowCount {
            rows.append([k == kCount ? "noise" : String(k), readable(soft[k]), String(hard[k]),
                         hard[k] == 0 ? "—" : readable(memberSum[k] / Double(hard[k])),
                         hard[k] == 0 ? "—" : readable(Double(uncertain[k]) / Double(hard[k]))])
        }
        let total = uncertain.reduce(0, +)
        return textTable(rows) + "\n  all rows: \(total) of \(data.sampleCount) uncertain (\(readable(Double(total) / Double(max(data.sampleCount, 1)))))"
    }
}
