import Foundation

// A variational model in the `gmm-model` file (version 1). The top-level
// `weights`, `means` and `covariances` are the plug-in mixture (scikit-learn's
// `weights_`, `means_`, `covariances_`), so every reader of EM files can use
// the file as a Gaussian mixture. `"method": "variational"` marks the file, and
// the `"variational"` object holds what the posterior needs besides:
//   weight_concentration_prior_type, weight_concentration ([a, b] or [α]),
//   mean_precision, degrees_of_freedom, the resolved priors, and the ELBO
//   (lower_bound, lower_bound_per_sample, lower_bounds, and the full bound
//   evidence_lower_bound, which is derived from the others and not read back).
// Every number is written in shortest round-trip form, so a posterior read
// back is equal to the bit.

/// What a variational model file holds about its fit.
public struct VariationalFitSummary: Sendable, Equatable {
    /// Whether the ELBO's change fell below the tolerance (`"converged"`).
    public var hasConverged: Bool
    /// Iterations run (`"n_iter"`).
    public var iterationCount: Int
    /// Training rows (`"n_samples"`).
    public var sampleCount: Int
    /// The ELBO (scikit-learn's `lower_bound_`), in total.
    public var lowerBound: Double
    /// The ELBO after each iteration.
    public var lowerBoundTrace: [Double]
    /// Sum of the frequency weights of a weighted fit.
    public var totalWeight: Double?

    /// A summary with the given values.
    public init(hasConverged: Bool, iterationCount: Int, sampleCount: Int, lowerBound: Double,
                lowerBoundTrace: [Double], totalWeight: Double? = nil) {
        self.hasConverged = hasConverged
        self.iterationCount = iterationCount
        self.sampleCount = sampleCount
        self.lowerBound = lowerBound
        self.lowerBoundTrace = lowerBoundTrace
        self.totalWeight = totalWeight
    }

    /// The summary of a fit's report.
    public init(report: VariationalFitReport) {
        self.init(hasConverged: report.hasConverged, iterationCount: report.iterationCount,
                  sampleCount: report.sampleCount, lowerBound: report.lowerBound,
                  lowerBoundTrace: report.lowerBoundTrace, totalWeight: report.totalWeight)
    }

    /// The ELBO per sample.
    public var lowerBoundPerSample: Double { lowerBound / (totalWeight ?? Double(sampleCount)) }

    /// The full evidence lower bound of `posterior` (a bound on log P(data), comparable
    /// across K and families): `lowerBound` plus the normalisers scikit-learn leaves out.
    public func evidenceLowerBound(of posterior: VariationalPosterior) -> Double {
        posterior.evidenceLowerBound(lowerBound: lowerBound, totalWeight: totalWeight ?? Double(sampleCount))
    }
}

/// A model file's contents, whichever method fitted it.
public enum LoadedModel: Sendable {
    /// A mixture fitted by EM (batch or online), and its fit's summary if the file has one.
    case expectationMaximization(GaussianMixture, FitSummary?)
    /// A variational posterior, and its fit's summary if the file has one.
    case variational(VariationalPosterior, VariationalFitSummary?)

    /// The Gaussian mixture the file describes (the plug-in mixture of a variational model).
    public var mixture: GaussianMixture {
        switch self {
        case let .expectationMaximization(m, _): m
        case let .variational(p, _): p.plugInModel
        }
    }
}

extension ModelFile {
    /// The file's bytes for a variational posterior.
    public static func encode(
        _ posterior: VariationalPosterior, summary: VariationalFitSummary?, extra: [(String, String)] = []
    ) -> [UInt8] {
        typealias W = JSONWriter
        let p = posterior.priors
        let priors: [(String, String)] = [
            ("weight_concentration", W.number(p.weightConcentration)),
            ("mean_precision", W.number(p.meanPrecision)),
            ("mean", W.list(p.mean)),
            ("degrees_of_freedom", W.number(p.degreesOfFreedom)),
            ("covariance", W.list(p.covariance)),
        ]
        var section: [(String, String)] = [
            ("weight_concentration_prior_type", W.string(posterior.weightPrior.rawValue)),
            ("weight_concentration", W.matrix(posterior.weightConcentration, indent: "    ")),
            ("mean_precision", W.list(posterior.meanPrecision)),
            ("degrees_of_freedom", W.list(posterior.degreesOfFreedom)),
            ("priors", W.object(priors, indent: "    ")),
        ]
        var members: [(String, String)] = [("method", W.string("variational"))]
        if let s = summary {
            members += [
                ("converged", s.hasConverged ? "true" : "false"),
                ("n_iter", String(s.iterationCount)),
                ("n_samples", String(s.sampleCount)),
            ]
            if let total = s.totalWeight { members.append(("sum_of_weights", W.number(total))) }
            section += [
                ("lower_bound", W.number(s.lowerBound)),
                ("lower_bound_per_sample", W.number(s.lowerBoundPerSample)),
                ("lower_bounds", W.list(s.lowerBoundTrace)),
                ("evidence_lower_bound", W.number(s.evidenceLowerBound(of: posterior))),
            ]
        }
        members.append(("variational", W.object(section, indent: "  ")))
        return encode(posterior.plugInModel, summary: nil, extra: members + extra)
    }

    /// Reads a model file of either method.
    public static func readModel(path: String) throws(ModelFileError) -> LoadedModel {
        try decodeModel(contents(path: path), path: path)
    }

    /// Parses a model file's bytes of either method; `path` is used in messages.
    public static func decodeModel(_ bytes: [UInt8], path: String) throws(ModelFileError) -> LoadedModel {
        try decodeModel(root: parse(bytes, path: path), path: path)
    }

    /// A parsed model file object of either method.
    static func decodeModel(root: JSONValue, path: String) throws(ModelFileError) -> LoadedModel {
        let (mixture, summary) = try decode(root, path: path)
        guard case let .object(o) = root, let method = o["method"] else {
            return .expectationMaximization(mixture, summary)
        }
        func fail(_ key: String, _ reason: String) -> ModelFileError { .invalid(path: path, key: key, reason: reason) }
        guard method == .string("variational") else {
            if method == .string("em") { return .expectationMaximization(mixture, summary) }
            throw fail("method", "expected \"em\" or \"variational\"")
        }
        guard case let .object(v)? = o["variational"] else { throw fail("variational", "missing or not an object") }
        func number(_ value: JSONValue?, _ key: String) throws(ModelFileError) -> Double {
            guard case let .number(x)? = value, x.isFinite else {
                let found = switch value {
                case let .number(x)?: "\(x)"
                case let other?: other.typeName
                case nil: "nothing (the key is missing)"
                }
                throw fail(key, "expected a finite number, found \(found)")
            }
            return x
        }
        func numbers(_ value: JSONValue?, _ key: String) throws(ModelFileError) -> [Double] {
            guard case let .array(items)? = value else { throw fail(key, "expected a list of numbers") }
            var out: [Double] = []
            for (idx, item) in items.enumerated() { out.append(try number(item, "\(key)[\(idx)]")) }
            return out
        }
        guard case let .string(priorName)? = v["weight_concentration_prior_type"],
              let weightPrior = WeightPrior(rawValue: priorName) else {
            throw fail("variational.weight_concentration_prior_type",
                       "expected one of \(WeightPrior.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard case let .array(lists)? = v["weight_concentration"] else {
            throw fail("variational.weight_concentration", "expected a list of lists")
        }
        var concentration: [[Double]] = []
        for (idx, list) in lists.enumerated() {
            concentration.append(try numbers(list, "variational.weight_concentration[\(idx)]"))
        }
        guard case let .object(pr)? = v["priors"] else { throw fail("variational.priors", "missing or not an object") }
        let priors = ResolvedPriors(
            weightConcentration: try number(pr["weight_concentration"], "variational.priors.weight_concentration"),
            meanPrecision: try number(pr["mean_precision"], "variational.priors.mean_precision"),
            mean: try numbers(pr["mean"], "variational.priors.mean"),
            degreesOfFreedom: try number(pr["degrees_of_freedom"], "variational.priors.degrees_of_freedom"),
            covariance: try numbers(pr["covariance"], "variational.priors.covariance"))
        let meanPrecision = try numbers(v["mean_precision"], "variational.mean_precision")
        let dof = try numbers(v["degrees_of_freedom"], "variational.degrees_of_freedom")
        let posterior: VariationalPosterior
        do throws(ModelError) {
            posterior = try VariationalPosterior(
                weightPrior: weightPrior, priors: priors, weightConcentration: concentration,
                meanPrecision: meanPrecision, means: mixture.means, degreesOfFreedom: dof,
                covariances: mixture.covariances, featureNames: mixture.featureNames)
        } catch {
            switch error {
            case let .invalid(key, reason): throw fail("variational.\(key)", reason)
            case .featureCountMismatch: throw fail("variational", error.description)
            }
        }
        /// A count: a whole number from `minimum` to below 10^15, so that `Int(_:)` cannot trap.
        func count(_ value: JSONValue?, _ key: String, minimum: Int) throws(ModelFileError) -> Int {
            let x = try number(value, key)
            guard x == x.rounded(), x >= Double(minimum), x < 1e15 else {
                throw fail(key, "expected a whole number from \(minimum) to 10^15, found \(x)")
            }
            return Int(x)
        }
        var fitSummary: VariationalFitSummary?
        if o["n_iter"] != nil, v["lower_bound"] != nil {
            guard case let .bool(converged)? = o["converged"] else { throw fail("converged", "expected true or false") }
            var totalWeight: Double?
            if o["sum_of_weights"] != nil {
                let total = try number(o["sum_of_weights"], "sum_of_weights")
                guard total > 0 else { throw fail("sum_of_weights", "expected a number > 0, found \(total)") }
                totalWeight = total
            }
            let summary = VariationalFitSummary(
                hasConverged: converged, iterationCount: try count(o["n_iter"], "n_iter", minimum: 0),
                sampleCount: try count(o["n_samples"], "n_samples", minimum: 1),
                lowerBound: try number(v["lower_bound"], "variational.lower_bound"),
                lowerBoundTrace: try numbers(v["lower_bounds"], "variational.lower_bounds"),
                totalWeight: totalWeight)
            // `encode` writes the bound per sample and the evidence bound, derived from
            // these; an extreme lower_bound or weight must not make them infinite.
            guard summary.lowerBoundPerSample.isFinite, summary.evidenceLowerBound(of: posterior).isFinite else {
                throw fail("variational.lower_bound",
                           "\(summary.lowerBound) gives a bound per sample or an evidence bound that is not a finite number")
            }
            fitSummary = summary
        }
        return .variational(posterior, fitSummary)
    }
}
