import Foundation

// Online (stepwise) EM, after Cappé & Moulines, "On-line expectation–
// maximization algorithm for latent data models", J. R. Stat. Soc. B 71 (2009),
// and Liang & Klein, "Online EM for unsupervised models" (NAACL 2009).
//
// Batch EM passes over every row once per iteration. Online EM keeps a running
// estimate S of the per-row sufficient statistics (soft counts, first and
// second moments) and, for each mini-batch, replaces it by
//   S ← (1 − γ) S + γ ŝ,
// where ŝ is the batch's own statistics under the current model (the ordinary
// E-step over those rows), then runs the ordinary M-step on S. With
// γ_t = t^(−ρ), ρ ∈ (0.5, 1], the step sizes satisfy Σγ = ∞ and Σγ² < ∞,
// the Robbins–Monro conditions under which Cappé & Moulines show the iterates
// converge to a stationary point of the likelihood. ρ = 1 weighs every batch
// equally (a running mean); smaller ρ forgets the early, poorly-fitted batches
// faster.
//
// Representation. S is held in the units of the latest batch (its counts sum
// to the batch's total weight), so that the M-step — whose soft-count floor
// and regulariser are scikit-learn's — sees the same magnitudes as batch EM on
// one batch; with equal batch sizes no rescaling happens at all, and γ = 1
// gives exactly the M-step batch EM would take on that batch. S is kept
// around the means of the model it produced and re-centred exactly on the new
// means after each M-step (SufficientStatistics+Recentring.swift), because the
// next batch's E-step takes its moments around those means.

/// How the step γ of each online update is chosen.
public enum OnlineStepSchedule: Sendable, Equatable {
    /// γ = (a + 1)^(−ρ), where `a` is the number of batches (a prior weight
    /// counting as one) already in the running statistics: the first batch of
    /// a fresh state replaces them (γ = 1), the next gets 2^(−ρ), and so on.
    /// `exponent` is ρ, in (0.5, 1]; 0.6 is a good default.
    case decaying(exponent: Double)
    /// γ = w / (W + w), where w is the batch's total weight and W the weight
    /// absorbed so far (starting from the prior weight): each row counts once,
    /// as if the new rows were appended to the training set. The incremental
    /// EM of Neal & Hinton (1998), without revisiting old rows.
    case cumulative
}

/// Online (stepwise) expectation-maximisation: a mixture updated one mini-batch at a time.
///
/// Holds the current model and the running sufficient statistics. Each
/// `update(with:)` runs the E-step over the new rows only (cost about
/// `b·K·d²` for a batch of b rows, full family), blends the batch's statistics
/// into the running ones with the schedule's step γ, and runs the M-step
/// (soft-count floor and `covarianceRegularization` as in batch EM). Memory
/// is the model plus the statistics, independent of how many rows have been
/// seen. scikit-learn's `GaussianMixture` has no `partial_fit`.
///
/// Properties: the result depends on the order of the batches. With a
/// decaying step it approaches a stationary point of the likelihood (not
/// necessarily the one batch EM reaches from the same start); it does not
/// increase the log-likelihood monotonically. A failed update (a component
/// that can no longer be factored) throws and leaves the state unchanged.
public struct OnlineExpectationMaximization: Sendable {
    /// The current mixture.
    public private(set) var model: GaussianMixture
    /// How γ is chosen.
    public let schedule: OnlineStepSchedule
    /// Added to every variance in each M-step (`reg_covar`).
    public let covarianceRegularization: Double
    /// Threads for each batch's E-step (`nil`: every core); the result does not depend on it.
    public let threadCount: Int?
    /// Number of updates made (mini-batches absorbed).
    public private(set) var updateCount = 0
    /// Number of rows absorbed by the updates.
    public private(set) var rowCount = 0
    /// Mean log-likelihood of the latest batch under the model before its update
    /// (a noisy progress measure); `nil` before the first update.
    public private(set) var latestBatchMeanLogLikelihood: Double?
    /// The step γ of the latest update; `nil` before the first.
    public private(set) var latestStep: Double?

    /// Running statistics in the units of the latest batch, around `model`'s means.
    private(set) var running: SufficientStatistics?
    /// Batches (a prior counting as one) in `running`, for the decaying schedule.
    private(set) var absorbedBatches = 0
    /// Weight in `running`, for the cumulative schedule.
    private(set) var absorbedWeight = 0.0

    /// Starts from `model` with no running statistics: the first update
    /// replaces them (γ = 1), so it is exactly one batch-EM step on its rows.
    ///
    /// - Throws: `FitError.invalidOption` for a ρ outside (0.5, 1], or a
    ///   negative or non-finite regulariser, or a thread count below 1.
    public init(model: GaussianMixture, schedule: OnlineStepSchedule = .decaying(exponent: 0.6),
                covarianceRegularization: Double = 1e-6, threadCount: Int? = nil) throws(FitError) {
        try Self.validate(schedule: schedule, regularization: covarianceRegularization, threadCount: threadCount)
        guard model.noise == nil else {
            throw .invalidOption(name: "noise", reason: "a noise component is not supported with online EM")
        }
        self.model = model
        self.schedule = schedule
        self.covarianceRegularization = covarianceRegularization
        self.threadCount = threadCount
    }

    /// Starts from `model` treated as the summary of `priorWeight` rows.
    ///
    /// The running statistics are those the model's own rows would have in
    /// expectation: soft counts `priorWeight · w_k`, centred moments
    /// `N_k (Σ_k − reg·I)` (the regulariser is added back by each M-step). With
    /// the `.cumulative` schedule an update then moves the model as far as
    /// appending the new rows to `priorWeight` old ones would move one EM step;
    /// with `.decaying` the prior counts as the first batch.
    ///
    /// - Parameters:
    ///   - model: the mixture to start from.
    ///   - priorWeight: how many rows the model stands for, > 0; for a
    ///     model fitted by this library, its `FitReport.effectiveSampleSize`.
    ///   - schedule: the step of each update (default `.cumulative`).
    ///   - covarianceRegularization: added to every variance in each M-step.
    ///   - threadCount: threads for each update's E-step; `nil` uses every core.
    /// - Throws: as `init(model:schedule:covarianceRegularization:threadCount:)`, and
    ///   `FitError.invalidOption` for a `priorWeight` that is not positive and finite.
    public init(model: GaussianMixture, priorWeight: Double, schedule: OnlineStepSchedule = .cumulative,
                covarianceRegularization: Double = 1e-6, threadCount: Int? = nil) throws(FitError) {
        try self.init(model: model, schedule: schedule, covarianceRegularization: covarianceRegularization,
                      threadCount: threadCount)
        guard priorWeight > 0, priorWeight.isFinite else {
            throw .invalidOption(name: "priorWeight", reason: "must be a finite number > 0, got \(priorWeight)")
        }
        running = .implied(by: model, weight: priorWeight, regularization: covarianceRegularization)
        absorbedBatches = 1
        absorbedWeight = priorWeight
    }

    /// The state saved in a checkpoint, as it was (OnlineCheckpoint.swift): every
    /// stored property, so the next update is the one the saved state would have made.
    init(restoring model: GaussianMixture, schedule: OnlineStepSchedule, covarianceRegularization: Double,
         threadCount: Int?, running: SufficientStatistics?, absorbedBatches: Int, absorbedWeight: Double,
         updateCount: Int, rowCount: Int, latestBatchMeanLogLikelihood: Double?, latestStep: Double?) throws(FitError) {
        try self.init(model: model, schedule: schedule, covarianceRegularization: covarianceRegularization,
                      threadCount: threadCount)
        self.running = running
        self.absorbedBatches = absorbedBatches
        self.absorbedWeight = absorbedWeight
        self.updateCount = updateCount
        self.rowCount = rowCount
        self.latestBatchMeanLogLikelihood = latestBatchMeanLogLikelihood
        self.latestStep = latestStep
    }

    /// The step the next update would take for a batch of total weight `batchWeight`.
    public func nextStep(batchWeight: Double) -> Double {
        guard running != nil else { return 1 }
        switch schedule {
        case let .decaying(rho): return pow(Double(absorbedBatches + 1), -rho)
        case .cumulative: return batchWeight / (absorbedWeight + batchWeight)
        }
    }

    /// Absorbs a mini-batch: E-step on `rows` under the current model, blend
    /// into the running statistics with the scheduled γ, M-step.
    ///
    /// - Parameters:
    ///   - rows: one row per sample, the model's number of columns.
    ///   - weights: one non-negative frequency weight per row (`nil`: all 1).
    /// - Throws: `FitError.featureCountMismatch`, `.invalidWeights`, or
    ///   `.componentCollapsed` (with `iteration` the 1-based update number); the
    ///   state is then unchanged.
    public mutating func update(with rows: DataMatrix, weights: [Double]? = nil) throws(FitError) {
        guard rows.featureCount == model.featureCount else {
            throw .featureCountMismatch(expected: model.featureCount, actual: rows.featureCount)
        }
        if let weights { try ExpectationMaximization.validate(weights, rows: rows.sampleCount) }
        guard rows.sampleCount > 0 else { return }
        let number = updateCount + 1
        // The E-step and M-step are EMStatistics' (EMStatistics.swift); only the blend is online EM's own.
        let batchStatistics = model.statistics(of: rows, weights: weights,
                                               threads: threadCount ?? ProcessInfo.processInfo.activeProcessorCount)
        let batch = batchStatistics.base
        guard batch.logLikelihood.isFinite else {
            throw .componentCollapsed(component: nil, softCount: nil, iteration: number)
        }
        let gamma = nextStep(batchWeight: batch.totalWeight)
        var combined = batch
        if let running {
            // Into the batch's units (a no-op when the batches weigh the same), then blend.
            let inBatchUnits = running.totalWeight == batch.totalWeight
                ? running : running.scaled(by: batch.totalWeight / running.totalWeight)
            combined = inBatchUnits.interpolated(toward: batch, step: gamma)
        }
        let next = try model.maximized(from: EMStatistics(combined, kind: batchStatistics.covarianceKind),
                                       regularization: covarianceRegularization, iteration: number)
        running = combined.recentred(on: next.flatMeans)
        model = next
        updateCount = number
        rowCount += rows.sampleCount
        absorbedBatches += 1
        absorbedWeight += batch.totalWeight
        latestBatchMeanLogLikelihood = batch.logLikelihood / batch.totalWeight
        latestStep = gamma
    }

    private static func validate(schedule: OnlineStepSchedule, regularization: Double, threadCount: Int?) throws(FitError) {
        if case let .decaying(rho) = schedule, !(rho > 0.5 && rho <= 1) {
            throw .invalidOption(name: "stepDecay", reason: "must be in (0.5, 1], got \(rho)")
        }
        guard regularization >= 0, regularization.isFinite else {
            throw .invalidOption(name: "covarianceRegularization", reason: "must be a finite number ≥ 0, got \(regularization)")
        }
        if let threadCount, threadCount < 1 {
            throw .invalidOption(name: "threadCount", reason: "must be at least 1, got \(threadCount)")
        }
    }
}

extension FitResult {
    /// Moves the fitted model toward new rows, treating it as the summary of
    /// the rows it was fitted to (`report.effectiveSampleSize` of them).
    ///
    /// One online-EM update with the `.cumulative` step γ = w / (W + w): a
    /// model fitted to 1000 rows and updated with 100 moves as one EM step on
    /// 1100 rows would, except that the old rows are represented by the
    /// model's parameters instead of being re-read. The report's sample count
    /// (and total weight, when weighted) grows by the new rows; its
    /// log-likelihood fields still describe the original fit. For many
    /// batches, or a decaying step, keep an `OnlineExpectationMaximization`.
    ///
    /// - Throws: `FitError`, as `OnlineExpectationMaximization.update(with:weights:)`.
    public mutating func update(with rows: DataMatrix, weights: [Double]? = nil,
                                covarianceRegularization: Double = 1e-6) throws(FitError) {
        var online = try OnlineExpectationMaximization(
            model: model, priorWeight: report.effectiveSampleSize, schedule: .cumulative,
            covarianceRegularization: covarianceRegularization, threadCount: nil)
        try online.update(with: rows, weights: weights)
        model = online.model
        let added = weights?.reduce(0, +) ?? Double(rows.sampleCount)
        if let total = report.totalWeight { report.totalWeight = total + added }
        report.sampleCount += rows.sampleCount
    }
}
