// `gmm report`'s page: one self-contained HTML file (inline SVG, CSS and a
// little plain JavaScript; nothing fetched) to inspect a mixture and its
// posterior assignments. Statistics come from one streaming pass over ALL
// rows (AssignmentSummary); only the drawn rows — at most `maxPoints`, always
// including the outliers and the least certain rows — are embedded, with
// their P(c|x), log P(x), Mahalanobis distance and tail probability.

import Foundation
import GaussianMixtures
import GaussianMixturesPlot

/// What the model file says about the fit, as the report shows it.
public struct ReportModelFacts: Sendable {
    /// Label and value lines (method, BIC, AIC, convergence, …).
    public var lines: [(String, String)]
    /// The objective per iteration, if the file kept it, and what it is.
    public var trace: [Double]?
    /// What the trace is ("mean log-likelihood" or "ELBO").
    public var traceLabel: String

    /// Facts with the given lines and trace.
    public init(lines: [(String, String)], trace: [Double]?, traceLabel: String) {
        self.lines = lines
        self.trace = trace
        self.traceLabel = traceLabel
    }

    /// The facts of a model file as `ModelFile.readModel` loads it.
    public init(_ loaded: LoadedModel) {
        let yes = { (b: Bool) in b ? "yes" : "no" }
        switch loaded {
        case let .expectationMaximization(_, summary?):
            var lines = [("method", "EM (maximum likelihood)"), ("training rows", String(summary.sampleCount))]
            if let w = summary.totalWeight { lines.append(("sum of weights (weighted fit)", "\(w)")) }
            lines += [("iterations", "\(summary.iterationCount) (converged: \(yes(summary.hasConverged)))"),
                      ("mean log-likelihood (file)", "\(summary.meanLogLikelihood)"),
                      ("BIC (file)", "\(summary.bic)"), ("AIC (file)", "\(summary.aic)")]
            self.init(lines: lines, trace: summary.logLikelihoodTrace, traceLabel: "mean log-likelihood")
        case .expectationMaximization(_, nil):
            self.init(lines: [("method", "EM (the file has no fit summary)")], trace: nil, traceLabel: "")
        case let .variational(posterior, summary):
            var lines = [("method", "variational (\(posterior.weightPrior.rawValue) weight prior); the plug-in mixture at the posterior means is shown")]
            if let summary {
                lines += [("training rows", String(summary.sampleCount)),
                          ("iterations", "\(summary.iterationCount) (converged: \(yes(summary.hasConverged)))"),
                          ("ELBO (file)", "\(summary.lowerBound)"),
                          ("evidence bound", "\(summary.evidenceLowerBound(of: posterior))")]
            }
            self.init(lines: lines, trace: summary?.lowerBoundTrace, traceLabel: "ELBO")
        }
    }
}

/// Options of a report page.
public struct ReportOptions: Sendable {
    /// The page's title.
    public var title: String
    /// Points drawn at most (a seeded sample that keeps the outliers and the least certain rows).
    public var maxPoints = 3000
    /// Rows listed in the outlier table (lowest log P(x)) at most; see `AssignmentSummary.gather`.
    public var outlierCount = 100
    /// A row is uncertain when its largest P(c|x) is below this.
    public var uncertainBelow = 0.9
    /// Picks the sample of drawn rows; the same seed draws the same rows.
    public var seed: UInt64 = 0
    /// Threads for the pass over the rows; `nil` uses every core.
    public var threads: Int?
    /// Where the model and the data came from, for the page's header.
    public var modelName = ""
    /// Where the data came from, for the page's header.
    public var dataName = ""

    /// Options with the command's defaults and the page titled `title`.
    public init(title: String) { self.title = title }
}

/// A report in two steps: `init` runs the pass over all rows and picks the
/// rows to show (`drawnRows`); `html(keptNames:keptValues:)` writes the page,
/// with the caller's extra columns for exactly those rows.
public struct MixtureReport {
    /// The mixture the page shows (the plug-in mixture of a variational model).
    public let model: GaussianMixture
    /// What the model file says about the fit.
    public let facts: ReportModelFacts
    /// The page's options.
    public let options: ReportOptions
    /// The facts about every row, from the one pass over the data.
    public let summary: AssignmentSummary
    let data: DataMatrix

    /// Runs the pass over every row of `data`.
    ///
    /// - Throws: `ModelError` when the data's columns do not match the model's features,
    ///   `ReportError.oneFeature` for a one-feature model (the scatter needs a plane).
    public init(model: GaussianMixture, facts: ReportModelFacts, data: DataMatrix, options: ReportOptions) throws {
        guard model.featureCount >= 2 else { throw ReportError.oneFeature(name: model.featureNames.first ?? "") }
        guard data.featureCount == model.featureCount else {
            throw ModelError.featureCountMismatch(expected: model.featureCount, actual: data.featureCount)
        }
        self.model = model
        self.facts = facts
        self.options = options
        self.data = data
        summary = AssignmentSummary.gather(model: model, data: data, maxPoints: max(options.maxPoints, 1),
                                           outlierCount: options.outlierCount, uncertainBelow: options.uncertainBelow,
                                           seed: options.seed, threads: options.threads)
    }

    /// The rows the page shows, in increasing order (0-based data rows).
    public var drawnRows: [Int] { summary.drawnRows }

    /// The page, as UTF-8 bytes.
    ///
    /// - Parameters:
    ///   - keptNames: extra columns to show for each drawn row (an id, a label…).
    ///   - keptValues: one list of `keptNames.count` cells per drawn row, in `drawnRows` order.
    public func html(keptNames: [String] = [], keptValues: [[String]] = []) throws -> [UInt8] {
        precondition(keptValues.isEmpty || keptValues.count == drawnRows.count, "one list of kept cells per drawn row")
        let rows = drawnRows.map { data.row($0) }
        var posterior: [[Double]] = []
        var details: [AssignmentDetail] = []
        if !rows.isEmpty {
            let shown = try DataMatrix(rows: rows, featureNames: model.featureNames)
            let matrix = try model.responsibilities(for: shown)
            posterior = (0..<rows.count).map { Array(matrix.row($0)) }
            details = try model.assignmentDetails(for: shown)
        }
        let page = ReportPage(report: self, rows: rows, posterior: posterior, details: details,
                              keptNames: keptNames, keptValues: keptValues)
        return Array(page.text.utf8)
    }
}

/// Why a report cannot be made.
public enum ReportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The model has one feature; the page's scatter and ellipses need two.
    case oneFeature(name: String)

    public var description: String {
        switch self {
        case let .oneFeature(name): "the model has one feature (\(name)); a report needs two"
        }
    }
}
