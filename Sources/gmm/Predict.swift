import Foundation
import ArgumentParser
import GaussianMixtures
import GaussianMixturesCommandLine

struct Predict: ParsableCommand, ReadsTextData, ShowsProgress {
    static let configuration = CommandConfiguration(
        abstract: "Most probable component of each row, or P(c|x) with --probabilities.",
        usage: "gmm predict [<options>] <MODEL> <DATA>",
        discussion: """
            One output row per data row. Default: column `component`, the 0-based most
            probable component. With --probabilities: columns p0,p1,… holding P(c=k|x),
            each row summing to 1 (with --log: log_p0,log_p1,… holding log P(c=k|x)).
            With --details: component, probability (or log_probability with --log),
            entropy (nats, of P(c|x)), log_density (log P(x)), mahalanobis2 (squared
            Mahalanobis distance to the assigned component) and tail_probability
            (P(χ²_d > mahalanobis2): small values flag outliers).
            With a noise component (fit --noise): the label K (one past the last
            component) marks a row more probably noise than any component;
            --probabilities adds a last column `noise` (log_noise with --log) and
            --details a last column `noise`, P(noise|x) (log_noise with --log); the
            probabilities of a row, the noise's included, sum to 1, and log_density
            includes the noise's π₀/V.
            """)

    @OptionGroup var delimiterOption: DelimiterOption
    @Argument(help: ArgumentHelp("Model file written by `gmm fit -o`.", valueName: "MODEL"))
    var model: String
    @Argument(help: ArgumentHelp("Data file (.csv, .tsv, .npy, or - for standard input).", valueName: "DATA"))
    var data: String
    @Flag(help: "Print P(c=k|x) for every component instead of the label.")
    var probabilities = false
    @Flag(help: "Print the assignment, its probability and entropy, log P(x), the Mahalanobis distance and its chi-square tail.")
    var details = false
    @Flag(help: "Give log P(c|x) instead of P(c|x) (no underflow for distant rows).")
    var log = false
    @Option(help: ArgumentHelp("Columns to use, by name or 0-based index.", valueName: "LIST"))
    var columns: String?
    @OptionGroup var keeping: KeepColumnsOption
    @OptionGroup var output: OutputOptions
    @OptionGroup var missingValues: MissingOptions
    @OptionGroup var quieting: QuietOption
    @OptionGroup var progressing: ProgressOption

    var progressStyle: ProgressStyle? { .chosen(quiet: quieting.quiet, forced: progressing.progress) }

    /// P(c|x) of a variational model: its own responsibilities (expected log
    /// weights and precisions), as scikit-learn's BayesianGaussianMixture gives them.
    private func predictVariational(_ posterior: VariationalPosterior, _ matrix: DataMatrix, kept: KeptCells?) throws {
        try writeAssignments(try posterior.responsibilities(for: matrix), takingLog: log, kept: kept)
    }

    /// Writes a whole n×K responsibility matrix: each row's P(c|x) with
    /// --probabilities (their logarithms when `takingLog`), else its most
    /// probable component.
    func writeAssignments(_ resp: ResponsibilityMatrix, takingLog: Bool, kept: KeptCells? = nil) throws {
        let kCount = resp.componentCount
        let n = resp.values.count / max(kCount, 1)
        var stream = try output.table(header: probabilities ? (0..<kCount).map { (log ? "log_p" : "p") + "\($0)" } : ["component"],
                                     rowCount: n, kept: kept)
        try resp.values.withUnsafeBufferPointer { values in
            for i in 0..<n {
                let row = UnsafeBufferPointer(rebasing: values[(i * kCount)..<((i + 1) * kCount)])
                if probabilities {
                    if takingLog { stream.table.append(row.map { Foundation.log($0) }) } else { stream.table.append(row: row) }
                } else {
                    var best = 0
                    for k in 1..<max(kCount, 1) where row[k] > row[best] { best = k }
                    stream.table.append(integers: [best])
                }
                if i % 4096 == 0 { try stream.flushIfLarge() }
            }
        }
        try stream.finish()
    }

    /// The default output of a model with component labels: `component,label`, the
    /// label empty for a component without one (CSV text; .npy output keeps the numbers alone).
    private func writeLabelled(_ mixture: GaussianMixture, _ matrix: DataMatrix, labels: [String?], kept: KeptCells?) throws {
        var text = ((kept?.names.map(csvCell) ?? []) + ["component", "label"]).joined(separator: ",") + "\n"
        let kCount = mixture.componentCount
        mixture.posterior(for: matrix) { block in
            for r in 0..<block.rows.count {
                if let kept { text += kept.values[block.rows.lowerBound + r].map(csvCell).joined(separator: ",") + "," }
                var best = 0
                for k in 1..<max(kCount, 1) where block.responsibilities[r * kCount + k] > block.responsibilities[r * kCount + best] {
                    best = k
                }
                text += "\(best),\(csvCell(labels[best] ?? ""))\n"
            }
        }
        try OutputFile.write(Array(text.utf8), to: output.output ?? "-")
    }

    func validate() throws {
        if probabilities && details { throw ValidationError("--probabilities and --details cannot be used together") }
        if log && !(probabilities || details) { throw ValidationError("--log goes with --probabilities or --details") }
        try keeping.check(data: data, output: output)
    }

    func run() throws {
        try reportingFailures {
            try output.checkWritable()
            let loaded = try ModelFile.readModel(path: model)
            let mixture = loaded.mixture
            let (kept, features) = try keeping.read(data, columns: columns, for: mixture)
            let rows = try readingFeatures { try missingValues.read(data, columns: features, for: mixture) }
            try checkKeptRows(kept, rows: rows.sampleCount, path: data)
            guard let matrix = rows.complete else { return try predictWithGaps(rows, loaded, kept: kept) }
            if case let .variational(posterior, _) = loaded, !details {
                try predictVariational(posterior, matrix, kept: kept)
                return
            }
            if case .variational = loaded, !quieting.quiet {
                printError("gmm: details of a variational model use its plug-in mixture (Gaussians at the posterior means)")
            }
            let kCount = mixture.componentCount
            if details {
                let hasNoise = mixture.noise != nil
                var stream = try output.table(header: ["component", log ? "log_probability" : "probability", "entropy",
                                                        "log_density", "mahalanobis2", "tail_probability"]
                                                 + (hasNoise ? [log ? "log_noise" : "noise"] : []),
                                             rowCount: matrix.sampleCount, kept: kept)
                var underflowed = 0
                try mixture.assignmentDetails(for: matrix) { _, rows in
                    for r in rows {
                        if r.logDensity == -.infinity { underflowed += 1 }
                        let noise = r.noiseProbability.map { [log ? Foundation.log($0) : $0] } ?? []
                        stream.table.append(label: r.component, values: [log ? r.logProbability : r.probability, r.entropy,
                                                                          r.logDensity, r.mahalanobisSquared, r.tailProbability]
                                                                          + noise)
                    }
                    try stream.flushIfLarge()
                }
                try stream.finish()
                warnUnderflowedDensities(underflowed)
                return
            }
            // A semi-supervised model names its labelled components (ComponentLabels.swift).
            let componentLabels = try ModelFile.componentLabels(path: model)
            if let componentLabels, !probabilities, output.output?.hasSuffix(".npy") != true {
                return try writeLabelled(mixture, matrix, labels: componentLabels, kept: kept)
            }
            let probabilityNames = (0..<kCount).map { k in
                (log ? "log_p" : "p") + (componentLabels?[k].map { "_" + $0 } ?? "\(k)")
            } + (mixture.noise != nil ? [log ? "log_noise" : "noise"] : [])
            var stream = try output.table(header: probabilities ? probabilityNames : ["component"],
                                     rowCount: matrix.sampleCount, kept: kept)
            try mixture.posterior(for: matrix, logarithmic: log) { block in
                for r in 0..<block.rows.count {
                    let row = UnsafeBufferPointer(rebasing: block.responsibilities[(r * kCount)..<((r + 1) * kCount)])
                    if probabilities {
                        if let z0 = block.noiseResponsibilities {
                            stream.table.append(Array(row) + [z0[r]])
                        } else {
                            stream.table.append(row: row)
                        }
                    } else {
                        var best = 0
                        for k in 1..<max(kCount, 1) where row[k] > row[best] { best = k }
                        if let z0 = block.noiseResponsibilities, z0[r] > row[best] { best = kCount }
                        stream.table.append(integers: [best])
                    }
                }
                try stream.flushIfLarge()
            }
            try stream.finish()
        }
    }
}
