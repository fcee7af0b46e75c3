// The state of a variational fit between two iterations, so it can be saved
// and continued to the same bits (as `FitCheckpoint` for EM).
//
// Why this is enough: an iteration reads only the current posterior (its
// hyper-parameters and the resolved priors), and the stopping rule only the
// last two entries of the ELBO trace; restarts are independent streams, so the
// later ones need nothing from the earlier ones but their results. The
// posterior rebuilt from a file has the same derived quantities, bit for bit:
// `VariationalPosterior.init` derives the covariance family from the
// parameters by the same code as the update (`CovarianceFamily.init(parameters:)`
// and `estimate` end in the same initialiser), and model files print shortest
// round-trip doubles.

/// The state of a variational fit after an iteration.
public struct VariationalCheckpoint: Sendable {
    /// The restart in progress (0-based).
    public var restart: Int
    /// The posterior after the last iteration's update.
    public var posterior: VariationalPosterior
    /// The ELBO after each iteration of the restart in progress.
    public var lowerBoundTrace: [Double]
    /// The results of restarts `0..<restart`; `nil` where a restart failed (it is run again on resume).
    public var finishedRestarts: [VariationalFitResult?]

    /// Iterations done in the restart in progress.
    public var iteration: Int { lowerBoundTrace.count }

    /// A checkpoint with the given state, as a variational fit hands it to its `checkpoint` closure.
    public init(restart: Int, posterior: VariationalPosterior, lowerBoundTrace: [Double],
                finishedRestarts: [VariationalFitResult?]) {
        self.restart = restart
        self.posterior = posterior
        self.lowerBoundTrace = lowerBoundTrace
        self.finishedRestarts = finishedRestarts
    }
}

extension VariationalInference {
    /// Refuses a checkpoint that cannot belong to a fit with `options` on rows of `featureCount` features.
    static func check(_ resume: VariationalCheckpoint?, options: VariationalFitOptions, featureCount: Int) throws(FitError) {
        guard let resume else { return }
        let fit = options.fit
        func bad(_ reason: String) -> FitError { .invalidOption(name: "resumingFrom", reason: reason) }
        let restarts = options.initialResponsibilities == nil ? fit.initializationCount : 1
        guard resume.restart >= 0, resume.restart < restarts else {
            throw bad("is a checkpoint of restart \(resume.restart + 1), but the fit has \(restarts) restarts")
        }
        guard resume.finishedRestarts.count == resume.restart else {
            throw bad("is a checkpoint of restart \(resume.restart + 1) but holds \(resume.finishedRestarts.count) finished restarts")
        }
        let p = resume.posterior
        guard p.componentCount == fit.componentCount, p.covarianceKind == fit.covarianceKind,
              p.featureCount == featureCount, p.weightPrior == options.weightPrior else {
            throw bad("holds a posterior of \(p.componentCount) \(p.covarianceKind.rawValue) components over "
                + "\(p.featureCount) features, the fit \(fit.componentCount) \(fit.covarianceKind.rawValue) over \(featureCount)")
        }
        guard resume.iteration >= 1, resume.iteration <= fit.maxIterations else {
            throw bad("is a checkpoint after iteration \(resume.iteration), outside 1…\(fit.maxIterations)")
        }
    }
}

extension VariationalCheckpoint {
    /// The name of the member that holds the resume state.
    public static let memberName = "checkpoint"

    /// The file's bytes: a variational model file of the posterior with a "checkpoint"
    /// member; `settings` (ordered name/value pairs) are stored as a JSON object of strings.
    public func encoded(settings: [(String, String)]) -> [UInt8] {
        typealias W = JSONWriter
        let finished = finishedRestarts.map { result -> String in
            guard let result else { return "null" }
            let file = ModelFile.encode(result.posterior, summary: VariationalFitSummary(report: result.report))
            return W.indenting(file.dropLast(), by: "    ")
        }
        let state: [(String, String)] = [
            ("restart", String(restart)),
            ("iteration", String(iteration)),
            ("lower_bound_trace", W.list(lowerBoundTrace)),
            ("finished_restarts", finished.isEmpty ? "[]" : "[\n    " + finished.joined(separator: ",\n    ") + "\n  ]"),
            ("settings", W.object(settings.map { ($0.0, W.string($0.1)) }, indent: "  ")),
        ]
        return ModelFile.encode(posterior, summary: nil, extra: [(Self.memberName, W.object(state, indent: "  "))])
    }

    /// Reads a checkpoint file written by `encoded(settings:)`.
    ///
    /// - Throws: `ModelFileError`: `cannotOpen`, `notJSON`, or `invalid` naming the key that is wrong
    ///   (an EM checkpoint or a model file without a "checkpoint" member is refused so).
    public static func read(path: String) throws(ModelFileError) -> (checkpoint: VariationalCheckpoint, settings: [String: String]) {
        let root = try ModelFile.parse(ModelFile.contents(path: path), path: path)
        func fail(_ key: String, _ reason: String) -> ModelFileError { .invalid(path: path, key: key, reason: reason) }
        guard case let .variational(posterior, _) = try ModelFile.decodeModel(root: root, path: path) else {
            throw fail("method", "expected \"variational\": this is not a checkpoint of a variational fit")
        }
        let member = try CheckpointMember(root: root, path: path, traceKey: "lower_bound_trace")
        let (restart, trace) = (member.restart, member.trace)
        let finished = try member.finishedRestarts.enumerated().map { (i, item) throws(ModelFileError) -> VariationalFitResult? in
            if item == .null { return nil }
            let key = "\(memberName).finished_restarts[\(i)]"
            guard case let .variational(p, summary) = try ModelFile.decodeModel(root: item, path: "\(path) (\(key))"),
                  let summary else {
                throw fail(key, "a finished restart needs a variational posterior and its fit summary")
            }
            return VariationalFitResult(posterior: p, report: VariationalFitReport(
                hasConverged: summary.hasConverged, iterationCount: summary.iterationCount,
                lowerBound: summary.lowerBound, lowerBoundTrace: summary.lowerBoundTrace, selectedInitialization: i,
                initializationLowerBounds: [], sampleCount: summary.sampleCount, totalWeight: summary.totalWeight))
        }
        return (VariationalCheckpoint(restart: restart, posterior: posterior, lowerBoundTrace: trace,
                                      finishedRestarts: finished), member.settings)
    }
}
