// The state of an online fit between two updates, so it can be saved and
// continued to the same bits (as `FitCheckpoint` for batch EM).
//
// Why this is enough: an update reads the current model, the running
// statistics (kept around the model's means) and the schedule's position (the
// batches and weight absorbed, for the step γ); which rows come next is fixed
// by the batch plan (rows and batch size), the epoch and the position in it,
// and the shuffled granule order of that epoch — the e-th shuffle of the
// generator seeded from the fit's seed, so it is replayed, not stored. The
// start (kept restart and every start's score) is done before the first
// update and is carried for the report. The trace holds each update's batch
// mean log-likelihood.
//
// The running statistics are stored as `EMStatistics.flattened` (the summable
// numbers) and rebuilt around the model's means, which are their shifts; the
// lower triangles of full and tied moments, which no step reads, are not kept.

/// The state of an online EM fit after an update: enough to continue it and
/// end with the same result, bit for bit, as a fit that was never stopped.
public struct OnlineCheckpoint: Sendable {
    /// The model, running statistics and step schedule after the last update.
    public var state: OnlineExpectationMaximization
    /// The epoch in progress (1-based).
    public var epoch: Int
    /// Batches of that epoch gone through: updated from, or passed over because every row weighs zero.
    public var batchesDone: Int
    /// Each update's batch mean log-likelihood (under the model before it), as `FitReport.logLikelihoodTrace`.
    public var batchTrace: [Double]
    /// The start kept (0-based) and every start's mean log-likelihood on the first batch (`nil` where it failed).
    public var selectedInitialization: Int
    /// Every start's mean log-likelihood on the first batch; `nil` where a start failed.
    public var initializationLogLikelihoods: [Double?]

    /// The model after the last update.
    public var model: GaussianMixture { state.model }
    /// Updates made so far.
    public var updateCount: Int { state.updateCount }

    /// A checkpoint with the given state, as an online fit hands it to its `checkpoint` closure.
    public init(state: OnlineExpectationMaximization, epoch: Int, batchesDone: Int, batchTrace: [Double],
                selectedInitialization: Int, initializationLogLikelihoods: [Double?]) {
        self.state = state
        self.epoch = epoch
        self.batchesDone = batchesDone
        self.batchTrace = batchTrace
        self.selectedInitialization = selectedInitialization
        self.initializationLogLikelihoods = initializationLogLikelihoods
    }
}

/// Called after every online update with the state reached; `isStopping` is
/// true when the fit stops there because `shouldStop` asked it to.
public typealias OnlineCheckpointHandler = (_ state: OnlineCheckpoint, _ isStopping: Bool) -> Void

extension OnlineExpectationMaximization {
    /// The summable numbers of the running statistics (`EMStatistics.flattened`); `nil` before the first update.
    var flattenedRunningStatistics: [Double]? {
        running.map { EMStatistics($0, kind: model.covarianceKind).flattened }
    }

    /// Running statistics around `model`'s means from their `flattened` numbers;
    /// `nil` when the count or the row count (the last number) is wrong.
    static func runningStatistics(_ values: [Double], model: GaussianMixture) -> SufficientStatistics? {
        let (kCount, d, kind) = (model.componentCount, model.featureCount, model.covarianceKind)
        guard values.count == EMStatistics.flattenedCount(componentCount: kCount, featureCount: d, kind: kind),
              let rows = values.last, rows >= 0, rows == rows.rounded(), rows < 0x1p53 else { return nil }
        let template = SufficientStatistics.zero(componentCount: kCount, featureCount: d,
                                                 momentShape: type(of: model.family).momentShape, shifts: model.flatMeans)
        return EMStatistics(template, kind: kind).replacingValues(withFlattened: values).base
    }

    /// The same state with another thread count (the result does not depend on it).
    func with(threadCount: Int?) throws(FitError) -> OnlineExpectationMaximization {
        try OnlineExpectationMaximization(
            restoring: model, schedule: schedule, covarianceRegularization: covarianceRegularization,
            threadCount: threadCount, running: running, absorbedBatches: absorbedBatches, absorbedWeight: absorbedWeight,
            updateCount: updateCount, rowCount: rowCount, latestBatchMeanLogLikelihood: latestBatchMeanLogLikelihood,
            latestStep: latestStep)
    }

    /// Refuses a checkpoint that cannot belong to an online fit with these options
    /// on rows of `featureCount` features cut into `batchCount` batches per epoch.
    static func check(_ resume: OnlineCheckpoint?, options: FitOptions, online: OnlineFitOptions, featureCount: Int,
                      batchCount: Int) throws(FitError) {
        guard let resume else { return }
        func bad(_ reason: String) -> FitError { .invalidOption(name: "resumingFrom", reason: reason) }
        let m = resume.model
        guard m.componentCount == options.componentCount, m.covarianceKind == options.covarianceKind,
              m.featureCount == featureCount else {
            throw bad("holds a model of \(m.componentCount) \(m.covarianceKind.rawValue) components over "
                + "\(m.featureCount) features, the fit \(options.componentCount) \(options.covarianceKind.rawValue) over \(featureCount)")
        }
        guard resume.epoch >= 1, resume.epoch <= online.epochCount, resume.batchesDone >= 1,
              resume.batchesDone <= batchCount else {
            throw bad("is a checkpoint after batch \(resume.batchesDone) of epoch \(resume.epoch), outside the fit's "
                + "\(online.epochCount) epochs of \(batchCount) batches")
        }
        guard resume.updateCount >= 1, resume.batchTrace.count == resume.updateCount, resume.state.running != nil else {
            throw bad("holds \(resume.batchTrace.count) trace entries for \(resume.updateCount) updates")
        }
        guard resume.selectedInitialization >= 0, resume.selectedInitialization < options.initializationCount,
              resume.initializationLogLikelihoods.count == options.initializationCount else {
            throw bad("holds the scores of \(resume.initializationLogLikelihoods.count) starts, the fit makes \(options.initializationCount)")
        }
        guard resume.state.schedule == .decaying(exponent: online.stepDecay),
              resume.state.covarianceRegularization == options.covarianceRegularization else {
            throw bad("was written with another step decay or regulariser")
        }
    }
}
