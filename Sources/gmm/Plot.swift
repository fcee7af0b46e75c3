import Foundation
import ArgumentParser
import GaussianMixtures
import GaussianMixturesCommandLine
import GaussianMixturesPlot

struct Plot: ParsableCommand, ReadsTextData {
    static let configuration = CommandConfiguration(
        abstract: "Draw a mixture over its data, a model search or an EM trace as SVG.",
        usage: "gmm plot [<options>] -o <FILE> [<MODEL> <DATA>]",
        discussion: """
            gmm plot MODEL DATA -o FILE.svg [--dims i,j] [--density]
              rows as dots coloured by their most probable component and shaded by
              max P(c|x), each component's mean and its 1σ and 2σ ellipses (68.3% and
              95.4% of its mass on the shown plane); the view holds every 2σ ellipse.
              Two features are drawn as they are; more are drawn on the data's two
              leading principal directions (equal aspect) unless --dims picks two
              features. --density adds contour lines of log P(x) of the mixture's
              exact marginal on the plane. A one-feature model is drawn as a
              histogram with each weighted component density w·P(x|c) and P(x).
            gmm plot MODEL DATA -o FILE.svg --pairs [--dims a,b,c]
              a grid of every pair of features (at most 10; --dims picks them), like
              mclust's classification plot: dots by most probable component, each
              component's 2σ ellipse on the pair, w·P(x|c) on the diagonal.
            gmm plot --selection TABLE.csv -o bic.svg
              BIC, AIC and ICL against K, one line per covariance family, each
              panel's best ringed (TABLE is what `gmm select --output-table` writes).
            gmm plot --trace MODEL -o trace.svg
              the mean log-likelihood per EM iteration of the kept fit.

            With --missing marginalize, DATA may have gaps: rows with a missing value
            are left out of the figure (a note gives their count), the complete rows
            are drawn as usual (for them P(c|x_o) is P(c|x)).
            """)

    @OptionGroup var delimiterOption: DelimiterOption
    @OptionGroup var quieting: QuietOption
    @Argument(help: ArgumentHelp("A model file and the data to draw under it.", valueName: "MODEL DATA"))
    var inputs: [String] = []
    @Option(help: ArgumentHelp("Draw a model-search table written by `gmm select --output-table`.", valueName: "TABLE"))
    var selection: String?
    @Option(help: ArgumentHelp("Draw the log-likelihood trace kept in a model file.", valueName: "MODEL"))
    var trace: String?
    @Option(name: [.short, .long], help: ArgumentHelp("The SVG file to write (whole or not at all).", valueName: "FILE"))
    var output: String
    @Option(help: ArgumentHelp("Features to draw, by name or 0-based index: two, or 2 to 10 with --pairs (default: both features, the principal directions, or all for --pairs).",
                               valueName: "i,j"))
    var dims: String?
    @Flag(help: "Add contour lines of log P(x) on the shown plane.")
    var density = false
    @Flag(help: "Draw every pair of features in a grid (at most 10 features).")
    var pairs = false
    @Option(help: ArgumentHelp("Columns of DATA to use, by name or 0-based index.", valueName: "LIST"))
    var columns: String?
    @Option(help: ArgumentHelp("The figure's title.", valueName: "TEXT"))
    var title: String?
    @OptionGroup var missingValues: MissingOptions

    func validate() throws {
        let lower = output.lowercased()
        var isFolder: ObjCBool = false   // a folder in the way is the output error (73) below
        let inTheWay = FileManager.default.fileExists(atPath: output, isDirectory: &isFolder) && isFolder.boolValue
        guard output == "-" || lower.hasSuffix(".svg") || lower.hasPrefix("/dev/") || inTheWay else {
            throw ValidationError("figures are SVG: name the output FILE.svg (or - for standard output), got \"\(output)\"")
        }
        let modes = (selection == nil ? 0 : 1) + (trace == nil ? 0 : 1) + (inputs.isEmpty ? 0 : 1)
        guard modes == 1 else {
            throw ValidationError("give MODEL DATA, or --selection TABLE, or --trace MODEL (exactly one)")
        }
        if selection != nil || trace != nil {
            if dims != nil || density || pairs || columns != nil || missingValues.marginalize {
                throw ValidationError("--dims, --density, --pairs, --columns and --missing apply to MODEL DATA figures only")
            }
        } else if inputs.count != 2 {
            throw ValidationError("expected MODEL DATA, got \(inputs.count) path\(inputs.count == 1 ? "" : "s")")
        }
        if pairs && density { throw ValidationError("--density draws contours on one plane; it does not combine with --pairs") }
        if let dims { _ = try dimensionNames(dims) }
    }

    func run() throws {
        try reportingFailures {
            try checkOutputPath(output)
            let document: SVGDocument
            if let selection {
                let points = try SelectionTableFile.read(path: selection)
                document = SelectionFigure(points: points, title: title ?? "Choosing K: BIC, AIC and ICL (lower is better)").render()
            } else if let trace {
                document = try traceFigure(trace)
            } else {
                document = try mixtureFigure(model: inputs[0], data: inputs[1])
            }
            try OutputFile.write(document.bytes, to: output)
            if output != "-" && !quieting.quiet { printError("figure written to \(output)") }
        }
    }

    private func traceFigure(_ path: String) throws -> SVGDocument {
        let (model, summary) = try ModelFile.read(path: path)
        guard let summary, let values = summary.logLikelihoodTrace, !values.isEmpty else {
            throw CommandFailure(message: "\(path): has no log_likelihood_trace (written by an older gmm?); refit it to record the trace",
                                 status: ExitStatus.dataError)
        }
        let s = model.componentCount == 1 ? "" : "s"
        let outcome = summary.hasConverged ? "converged after \(summary.iterationCount)" : "stopped without converging after \(summary.iterationCount)"
        let note = "\(path): \(model.componentCount) component\(s) (\(model.covarianceKind.rawValue)), \(outcome) iteration\(summary.iterationCount == 1 ? "" : "s")"
        return TraceFigure(trace: values, title: title ?? "EM: mean log-likelihood per iteration", subtitle: note).render()
    }

    private func mixtureFigure(model modelPath: String, data dataPath: String) throws -> SVGDocument {
        let (model, _) = try ModelFile.read(path: modelPath)
        if model.featureCount == 1 && (pairs || dims != nil) {
            throw CommandFailure(message: "\(modelPath): the model has one feature (\(model.featureNames[0])); "
                                     + "drop \(pairs ? "--pairs" : "--dims") to draw its density", status: ExitStatus.usage)
        }
        let chosen = try dims.map { try dimensionNames($0).map { try featureIndex($0, in: model) } }
        if let chosen, Set(chosen).count != chosen.count {
            throw CommandFailure(message: "--dims: \"\(dims!)\" names the same feature twice", status: ExitStatus.usage)
        }
        if pairs && chosen == nil && model.featureCount > PairsFigure.maxFeatures {
            throw CommandFailure(message: "\(modelPath): --pairs draws at most \(PairsFigure.maxFeatures) features and the model has "
                                     + "\(model.featureCount); name the ones to draw with --dims a,b,c (or fit on fewer with --columns)",
                                 status: ExitStatus.usage)
        }
        let rows = try missingValues.read(dataPath, columns: columns, for: model)
        let (data, _, note) = try completeRowsForDrawing(rows, path: dataPath)
        if let note, !quieting.quiet { printError("gmm: note: \(dataPath == "-" ? "<stdin>" : dataPath): \(note)") }
        let name = dataPath == "-" ? "<stdin>" : dataPath
        let heading = title ?? "\(name) under \(modelPath)"
        if model.featureCount == 1 {
            return try DensityFigure(model: model, data: data, title: heading).render()
        }
        if pairs {
            return try PairsFigure(model: model, data: data, features: chosen, title: heading).render()
        }
        let projection = chosen.map { PlaneProjection.features($0[0], $0[1], names: model.featureNames) }
        var figure = MixtureFigure(model: model, data: data, projection: projection, title: heading)
        figure.showsDensity = density
        return try figure.render()
    }

    /// The entries of `--dims`, not yet resolved against the model: two, or 2 to 10 with `--pairs`.
    private func dimensionNames(_ text: String) throws -> [String] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.contains(where: \.isEmpty) else {
            throw ValidationError("--dims takes features separated by commas, like 0,1 or eruptions,waiting; got \"\(text)\"")
        }
        if pairs {
            guard (2...PairsFigure.maxFeatures).contains(parts.count) else {
                throw ValidationError("--dims with --pairs takes 2 to \(PairsFigure.maxFeatures) features; got \(parts.count)")
            }
        } else {
            guard parts.count == 2 else {
                throw ValidationError("--dims takes two features, like 0,1 or eruptions,waiting (more only with --pairs); got \"\(text)\"")
            }
        }
        guard Set(parts).count == parts.count else { throw ValidationError("--dims: \"\(text)\" names the same feature twice") }
        return parts
    }

    /// The 0-based index of a feature given by name or index.
    private func featureIndex(_ entry: String, in model: GaussianMixture) throws -> Int {
        if let index = model.featureNames.firstIndex(of: entry) { return index }
        if let index = Int(entry), index >= 0, index < model.featureCount { return index }
        throw CommandFailure(
            message: "--dims: no feature \"\(entry)\"; the model has \(model.featureCount) features: "
                + model.featureNames.enumerated().map { "\($0.offset) \($0.element)" }.joined(separator: ", "),
            status: ExitStatus.usage)
    }
}
