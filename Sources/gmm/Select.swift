import ArgumentParser
import Foundation
import GaussianMixtures

extension SelectionCriterion: ExpressibleByArgument {}
extension ComponentOrder: ExpressibleByArgument {}

struct Select: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit a grid of component counts and covariance families and pick the best by BIC, AIC or ICL.",
        discussion: """
            Fits every candidate (both cores; candidates are independent), prints a table
            sorted by the criterion (lower is better) with the best marked `*`, and writes
            the best model with -o. ICL is BIC plus twice the entropy of the hard
            assignments, as mclust defines it. A candidate that cannot be fitted (a
            component collapses) is a row with its reason, not a failure of the command.
            """)

    @Argument(help: ArgumentHelp("Data file (.csv, .tsv, .npy, or - for standard input).", valueName: "DATA"))
    var data: String
    @Option(help: ArgumentHelp("Component counts: a range 1-8, a list 2,3,5, or one number.", valueName: "RANGE"))
    var components: String = "1-8"
    @Option(help: ArgumentHelp("Covariance families, comma separated.", valueName: "LIST"))
    var covariance: String = "full,diag,spherical,tied"
    @Option(help: "Criterion to rank by: bic, aic or icl.")
    var criterion: SelectionCriterion = .bic
    @Option(name: .customLong("init"), help: "How each candidate starts: kmeans, k-means++, random or random-from-data.")
    var initialization: InitChoice = .kmeans
    @Option(name: .customLong("n-init"), help: "Restarts per candidate.")
    var initializationCount: Int = 1
    @Option(name: .customLong("max-iter"), help: "EM iterations at most per candidate.")
    var maxIterations: Int = 100
    @Option(help: "Convergence tolerance on the mean log-likelihood.")
    var tol: Double = 1e-3
    @Option(name: .customLong("reg-covar"), help: "Added to every covariance's diagonal.")
    var regularization: Double = 1e-6
    @Option(help: "Every random choice derives from this seed.")
    var seed: UInt64 = 0
    @Option(help: ArgumentHelp("Columns to use, by name or 0-based index.", valueName: "LIST"))
    var columns: String?
    @Option(name: .customLong("sample-weights"), help: ArgumentHelp("Frequency weights, one per data row.", valueName: "FILE"))
    var sampleWeights: String?
    @Option(name: .customLong("weight-column"), help: ArgumentHelp("Take the frequency weights from this column.", valueName: "NAME"))
    var weightColumn: String?
    @Option(help: "Component order of the written model: weight (largest first) or mean (first coordinate).")
    var order: ComponentOrder = .weight
    @Option(name: [.short, .long], help: ArgumentHelp("Write the best model file here.", valueName: "FILE"))
    var output: String?
    @Option(name: .customLong("output-table"), help: ArgumentHelp("Write the table as CSV here.", valueName: "FILE"))
    var outputTable: String?

    func componentCounts() throws -> [Int] {
        var counts: [Int] = []
        for part in components.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let lo = Int(bounds[0]), let hi = Int(bounds.last!), lo >= 1, hi >= lo else {
                throw ValidationError("--components takes counts like 1-8 or 2,3,5 (each at least 1), got \"\(components)\"")
            }
            counts += Array(lo...hi)
        }
        guard !counts.isEmpty else { throw ValidationError("--components is empty") }
        return Array(Set(counts)).sorted()
    }

    func kinds() throws -> [CovarianceKind] {
        try covariance.split(separator: ",").map { name in
            guard let kind = CovarianceKind(rawValue: String(name)) else {
                throw ValidationError("--covariance: \"\(name)\" is not one of full, diag, spherical, tied")
            }
            return kind
        }
    }

    func validate() throws {
        _ = try componentCounts()
        guard try !kinds().isEmpty else { throw ValidationError("--covariance is empty") }
        if initializationCount < 1 { throw ValidationError("--n-init must be at least 1, got \(initializationCount)") }
        if maxIterations < 0 { throw ValidationError("--max-iter must be at least 0, got \(maxIterations)") }
        if !(tol >= 0) || !tol.isFinite { throw ValidationError("--tol must be a finite number ≥ 0, got \(tol)") }
        if !(regularization >= 0) || !regularization.isFinite {
            throw ValidationError("--reg-covar must be a finite number ≥ 0, got \(regularization)")
        }
        if sampleWeights != nil && weightColumn != nil {
            throw ValidationError("--sample-weights and --weight-column cannot be used together")
        }
    }

    func run() throws {
        try reportingFailures {
            if let output { try checkOutputPath(output) }
            if let outputTable { try checkOutputPath(outputTable) }
            var matrix: DataMatrix
            var weights: [Double]?
            if let weightColumn {
                (matrix, weights) = try readWithWeightColumn(data, weightColumn: weightColumn, columns: columns)
            } else {
                matrix = try DataFileReader.read(path: data, columns: columns.map(ColumnSelector.parseList))
            }
            if let sampleWeights { weights = try readWeightFile(sampleWeights, rows: matrix.sampleCount) }
            let options = FitOptions(
                initialization: initialization.method, initializationCount: initializationCount,
                maxIterations: maxIterations, tolerance: tol, covarianceRegularization: regularization, seed: seed)
            let table = ModelSearch.run(matrix, weights: weights, componentCounts: try componentCounts(), kinds: try kinds(),
                                        options: options, criterion: criterion)
            guard let best = table.best, let fit = best.fit else {
                let reasons = table.rows.compactMap(\.failure)
                throw CommandFailure(message: "\(data): no candidate could be fitted (first failure: \(reasons.first ?? "unknown"))",
                                     status: ExitStatus.dataError)
            }
            if let outputTable { try OutputFile.write(csv(table), to: outputTable) }
            if let output {
                let model = fit.model.reordered(by: order)
                try OutputFile.write(ModelFile.encode(model, summary: FitSummary(report: fit.report, model: model)), to: output)
            }
            try OutputFile.writeStandardOutput(Array(readableTable(table).utf8))
            printError("best by \(criterion.rawValue.uppercased()): \(best.covarianceKind.rawValue), \(best.componentCount) component\(best.componentCount == 1 ? "" : "s")"
                + (output.map { "; model written to \($0)" } ?? ""))
        }
    }

    private func readableTable(_ table: SelectionTable) -> String {
        var rows = [["", "K", "covariance", "log-likelihood", "parameters", "BIC", "AIC", "ICL", "converged", "seconds"]]
        for (idx, row) in table.rows.enumerated() {
            let mark = idx == 0 && row.fit != nil ? "*" : ""
            if let fit = row.fit {
                rows.append([mark, String(row.componentCount), row.covarianceKind.rawValue, readable(row.logLikelihood!, digits: 8),
                             String(row.parameterCount), readable(row.bic!, digits: 8), readable(row.aic!, digits: 8),
                             readable(row.icl!, digits: 8), fit.report.hasConverged ? "yes" : "no", readable(row.seconds, digits: 2)])
            } else {
                rows.append([mark, String(row.componentCount), row.covarianceKind.rawValue, "failed: \(row.failure ?? "")"])
            }
        }
        return textTable(rows, indent: "") + "\n"
    }

    private func csv(_ table: SelectionTable) -> [UInt8] {
        var text = "components,covariance,log_likelihood,n_parameters,bic,aic,icl,converged,seconds,best,failure\n"
        for (idx, row) in table.rows.enumerated() {
            let numbers = [row.logLikelihood, Double(row.parameterCount), row.bic, row.aic, row.icl]
            let cells = numbers.enumerated().map { i, v in v.map { i == 1 ? String(Int($0)) : $0.description } ?? "" }
            let converged = row.fit.map { $0.report.hasConverged ? "true" : "false" } ?? ""
            let failure = row.failure.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" } ?? ""
            text += "\(row.componentCount),\(row.covarianceKind.rawValue)," + cells.joined(separator: ",")
                + ",\(converged),\(row.seconds),\(idx == 0 && row.fit != nil ? 1 : 0),\(failure)\n"
        }
        return Array(text.utf8)
    }
}
