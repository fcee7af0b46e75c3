// Restarts that can be resumed and stopped: the restarts a checkpoint says
// are finished are taken from it, the one it was taken in continues from its
// state, and a stop request ends the fit after the current iteration with the
// best of what was done.

extension ExpectationMaximization {
    /// `bestOfRestarts` for EM fits with a session: finished restarts come from
    /// the checkpoint (a failed one is run again, failing alike), each outcome is
    /// recorded for the next checkpoint, and a stop request ends the restarts.
    /// Sets the report's restart index, restart scores and `wasInterrupted`.
    static func bestOfRestarts(
        options: FitOptions, session: FitSession, run: (_ restart: Int) throws(FitError) -> FitResult
    ) throws(FitError) -> FitResult {
        var (kept, index, finals) = try bestOfRestarts(
            count: options.initializationCount, seed: options.seed, score: { (result: FitResult) in result.report.meanLogLikelihood },
            shouldEnd: { session.isStopped }
        ) { (restart, _) throws(FitError) in
            if let done = session.finishedResult(restart: restart) { return done }
            do throws(FitError) {
                let result = try run(restart)
                session.record(restart: restart, result)
                return result
            } catch {
                session.record(restart: restart, nil)
                throw error
            }
        }
        kept.report.selectedInitialization = index
        kept.report.initializationLogLikelihoods = finals
        if session.isStopped {
            kept.report.wasInterrupted = true
            kept.report.hasConverged = false
        }
        return kept
    }

    /// Refuses a checkpoint that cannot belong to a fit with `options` on rows of `featureCount` features.
    static func check(_ resume: FitCheckpoint?, options: FitOptions, featureCount: Int) throws(FitError) {
        guard let resume else { return }
        func bad(_ reason: String) -> FitError { .invalidOption(name: "resumingFrom", reason: reason) }
        guard resume.restart >= 0, resume.restart < options.initializationCount else {
            throw bad("is a checkpoint of restart \(resume.restart + 1), but the fit has \(options.initializationCount) restarts")
        }
        guard resume.finishedRestarts.count == resume.restart else {
            throw bad("is a checkpoint of restart \(resume.restart + 1) but holds \(resume.finishedRestarts.count) finished restarts")
        }
        let m = resume.model
        guard m.componentCount == options.componentCount, m.covarianceKind == options.covarianceKind,
              m.featureCount == featureCount else {
            throw bad("holds a model of \(m.componentCount) \(m.covarianceKind.rawValue) components over "
                + "\(m.featureCount) features, the fit \(options.componentCount) \(options.covarianceKind.rawValue) over \(featureCount)")
        }
        guard (m.noise != nil) == (options.noise != nil) else {
            throw bad(m.noise != nil ? "holds a model with a noise component, but the fit has none"
                : "holds a model without a noise component, but the fit has one")
        }
        guard resume.iteration <= options.maxIterations else {
            throw bad("is a checkpoint after iteration \(resume.iteration), beyond the \(options.maxIterations) iterations allowed")
        }
    }
}
