import Foundation

// The whole online fit of `gmm fit --online`: mini-batches in a seeded order,
// a start from the first batch, `epochCount` passes of updates, and one last
// full pass that scores the result.
//
// Mini-batches are made of granules: runs of up to 1024 consecutive rows. Each
// epoch shuffles the granules (GSL's Mersenne Twister from the fit's seed) and
// cuts the shuffled list into batches of about `batchSize` rows, so a batch
// mixes rows from all over the file (a file sorted by cluster still gives
// representative batches) while reads stay sequential within a granule — which
// matters when the data is a memory-mapped file larger than memory. The rows
// of a batch are copied into one buffer of batchSize×d values; nothing else
// grows with the number of rows (unless frequency weights are given, one per row).

/// Options of an online fit beyond those of `FitOptions`.
public struct OnlineFitOptions: Sendable {
    /// Rows per mini-batch, at least 1. Above 1024 it is rounded to a multiple of 1024
    /// (whole granules); the last batch of an epoch may be up to half a batch larger or smaller.
    public var batchSize: Int
    /// ρ in the step γ_t = t^(−ρ) of the t-th update (t = 1, 2, …; the first
    /// replaces the statistics of the start), in (0.5, 1]. Default 0.6.
    public var stepDecay: Double
    /// Passes over the data, at least 1. Default 1.
    public var epochCount: Int

    /// Options with the command's defaults: a step decay of 0.6 and one epoch.
    public init(batchSize: Int, stepDecay: Double = 0.6, epochCount: Int = 1) {
        self.batchSize = batchSize
        self.stepDecay = stepDecay
        self.epochCount = epochCount
    }
}

/// One online update's progress, for an observer such as a terminal progress line.
public struct OnlineProgress: Sendable {
    /// 1-based epoch.
    public var epoch: Int
    /// 1-based batch within the epoch, and the number of batches per epoch.
    public var batch: Int
    /// The number of batches per epoch.
    public var batchCount: Int
    /// Mean log-likelihood of the batch under the model before its update.
    public var batchMeanLogLikelihood: Double
    /// The step γ of the update.
    public var step: Double
}

extension OnlineExpectationMaximization {
    /// Granule length: consecutive rows read together.
    static let granuleRows = 1024

    /// Fits a mixture to `data` by online EM over mini-batches.
    ///
    /// The start is made from the first mini-batch by `options.initialization`
    /// (k-means on that batch by default; with `initializationCount` > 1 the
    /// start with the highest log-likelihood on that batch is kept). Then every
    /// batch of every epoch makes one update with γ_t = t^(−ρ). Finally one
    /// full pass computes the mean log-likelihood of the returned model over all
    /// rows, as batch EM reports it. `maxIterations` and `tolerance` are not
    /// used: there is no stopping rule, so `hasConverged` is false; the report's
    /// `iterationCount` is the number of updates, `logLikelihoodTrace` holds
    /// each batch's mean log-likelihood before its update, and
    /// `initializationLogLikelihoods` each start's mean log-likelihood on the
    /// first batch. Cost per epoch is about one batch-EM iteration.
    ///
    /// - Parameters:
    ///   - data: one row per sample; may be a memory-mapped `.npy` file larger than memory.
    ///   - weights: one non-negative frequency weight per row (`nil`: all 1).
    ///   - options: K, family, initialisation, restarts, `covarianceRegularization`, `seed`, threads.
    ///   - online: batch size, step decay, epochs.
    ///   - progress: called after each update; may be `nil`.
    ///   - resume: continue from this saved state instead of starting afresh;
    ///     with the same rows, weights, `options` and `online` (threads may differ)
    ///     the result is the one of a fit never stopped, to the bit.
    ///   - checkpoint: called after every update with the state reached (to save it).
    ///   - shouldStop: polled after every update; when it answers true the fit
    ///     scores the model it has and returns, with `report.wasInterrupted` set.
    /// - Throws: `FitError`; `.invalidOption(name: "resumingFrom")` for a
    ///   checkpoint that cannot belong to this fit.
    public static func fit(
        _ data: DataMatrix, weights: [Double]? = nil, options: FitOptions, online: OnlineFitOptions,
        progress: ((OnlineProgress) -> Void)? = nil, resumingFrom resume: OnlineCheckpoint? = nil,
        checkpoint: OnlineCheckpointHandler? = nil, shouldStop: (() -> Bool)? = nil
    ) throws(FitError) -> FitResult {
        try options.validate()
        try options.refuseNoise(in: "online EM")
        try options.refusePrior(in: "online")
        guard online.batchSize >= 1 else {
            throw .invalidOption(name: "batchSize", reason: "must be at least 1, got \(online.batchSize)")
        }
        guard online.epochCount >= 1 else {
            throw .invalidOption(name: "epochCount", reason: "must be at least 1, got \(online.epochCount)")
        }
        if let weights { try ExpectationMaximization.validate(weights, rows: data.sampleCount) }
        try ExpectationMaximization.checkFeasible(
            usableRows: weights.map { $0.filter { $0 > 0 }.count } ?? data.sampleCount,
            featureCount: data.featureCount, options: options)
        try data.withUnsafeBufferPointer { (x) throws(FitError) in
            try ExpectationMaximization.checkMagnitudes(x, featureCount: data.featureCount,
                                                        totalWeight: weights?.reduce(0, +) ?? Double(data.sampleCount))
        }
        if case let .model(start) = options.initialization, start.featureCount != data.featureCount {
            throw .featureCountMismatch(expected: start.featureCount, actual: data.featureCount)
        }
        if case .responsibilities = options.initialization {
            throw .invalidOption(name: "initialization", reason: "cannot be starting responsibilities in an online fit, "
                + "which starts from its first mini-batch")
        }
        let plan = BatchPlan(rowCount: data.sampleCount, batchSize: online.batchSize)
        try check(resume, options: options, online: online, featureCount: data.featureCount, batchCount: plan.batchCount)
        let order = GSLRandom(seed: ExpectationMaximization.restartSeed(options.seed, -1))
        var granules = plan.shuffledGranules(using: order)
        let threads = options.resolvedThreadCount

        var state: OnlineExpectationMaximization
        var trace: [Double] = []
        let kept: Int
        let scores: [Double?]
        var first: (rows: DataMatrix, weights: [Double]?)?
        var (firstEpoch, firstBatch) = (1, 0)
        if let resume {
            // Epoch e's order is the e-th shuffle of the generator: replay the ones before it.
            for _ in 1..<resume.epoch { granules = plan.shuffledGranules(using: order) }
            state = try resume.state.with(threadCount: options.threadCount)
            trace = resume.batchTrace
            (kept, scores) = (resume.selectedInitialization, resume.initializationLogLikelihoods)
            (firstEpoch, firstBatch) = (resume.epoch, resume.batchesDone)
        } else {
            // The start, from the first batch.
            let (rows, rowWeights) = plan.batch(0, of: granules, from: data, weights: weights)
            let usable = rowWeights.map { $0.filter { $0 > 0 }.count } ?? rows.sampleCount
            guard usable >= options.componentCount else {
                throw .tooFewSamples(samples: usable, components: options.componentCount)
            }
            let start: (model: GaussianMixture, score: Double)
            (start, kept, scores) = try ExpectationMaximization.bestOfRestarts(
                count: options.initializationCount, seed: options.seed, score: \.score
            ) { (_, random) throws(FitError) -> (model: GaussianMixture, score: Double) in
                let model = try Initializer.startingModel(for: rows, weights: rowWeights, options: options, random: random)
                let stats = ExpectationStep.statistics(of: rows, under: model, weights: rowWeights, threads: threads)
                return (model, stats.logLikelihood / stats.totalWeight)
            }
            state = try OnlineExpectationMaximization(
                model: start.model, schedule: .decaying(exponent: online.stepDecay),
                covarianceRegularization: options.covarianceRegularization, threadCount: options.threadCount)
            first = (rows, rowWeights)
        }

        var isStopped = false
        epochs: for epoch in firstEpoch...online.epochCount {
            if epoch > firstEpoch { granules = plan.shuffledGranules(using: order) }
            for b in (epoch == firstEpoch ? firstBatch : 0)..<plan.batchCount {
                let (rows, rowWeights) = b == 0 && epoch == 1 && first != nil ? first!
                    : plan.batch(b, of: granules, from: data, weights: weights)
                // A batch whose rows all weigh zero carries nothing (and has no step).
                if let rowWeights, !rowWeights.contains(where: { $0 > 0 }) { continue }
                try state.update(with: rows, weights: rowWeights)
                trace.append(state.latestBatchMeanLogLikelihood!)
                progress?(OnlineProgress(epoch: epoch, batch: b + 1, batchCount: plan.batchCount,
                                         batchMeanLogLikelihood: state.latestBatchMeanLogLikelihood!,
                                         step: state.latestStep!))
                // Polled once, before the handler, so the handler knows it sees the last state.
                if shouldStop?() == true { isStopped = true }
                checkpoint?(OnlineCheckpoint(state: state, epoch: epoch, batchesDone: b + 1, batchTrace: trace,
                                             selectedInitialization: kept, initializationLogLikelihoods: scores),
                            isStopped)
                if isStopped { break epochs }
            }
        }

        let final = ExpectationStep.statistics(of: data, under: state.model, weights: weights, threads: threads)
        let meanLogLikelihood = final.logLikelihood / final.totalWeight
        guard meanLogLikelihood.isFinite else {
            throw .componentCollapsed(component: nil, softCount: nil, iteration: state.updateCount)
        }
        var report = FitReport(
            hasConverged: false, iterationCount: state.updateCount, meanLogLikelihood: meanLogLikelihood,
            logLikelihoodTrace: trace, selectedInitialization: kept, initializationLogLikelihoods: scores,
            sampleCount: data.sampleCount, totalWeight: weights == nil ? nil : final.totalWeight)
        report.wasInterrupted = isStopped
        return FitResult(model: state.model, report: report)
    }
}

/// How the rows are cut into granules and the granules into mini-batches.
struct BatchPlan {
    let rowCount: Int
    let granuleRows: Int
    let granuleCount: Int
    let granulesPerBatch: Int
    let batchCount: Int

    init(rowCount n: Int, batchSize: Int) {
        rowCount = n
        granuleRows = max(1, min(batchSize, OnlineExpectationMaximization.granuleRows))
        granuleCount = (n + granuleRows - 1) / granuleRows
        granulesPerBatch = max(1, Int((Double(batchSize) / Double(granuleRows)).rounded()))
        // A short last batch (under half the others) joins the one before it.
        let whole = granuleCount / granulesPerBatch
        let rest = granuleCount % granulesPerBatch
        batchCount = max(1, whole + (rest * 2 >= granulesPerBatch || whole == 0 ? 1 : 0))
    }

    func shuffledGranules(using random: GSLRandom) -> [Int] {
        var order = Array(0..<granuleCount)
        random.shuffle(&order)
        return order
    }

    /// The granules (positions in `order`) that make batch `b`.
    func granuleRange(_ b: Int) -> Range<Int> {
        let lower = b * granulesPerBatch
        let upper = b == batchCount - 1 ? granuleCount : lower + granulesPerBatch
        return lower..<upper
    }

    /// Batch `b`'s rows (copied, granule by granule) and their weights.
    func batch(_ b: Int, of order: [Int], from data: DataMatrix, weights: [Double]?) -> (DataMatrix, [Double]?) {
        let ranges = granuleRange(b).map { g in
            let start = order[g] * granuleRows
            return start..<min(start + granuleRows, rowCount)
        }
        let rows = data.gathering(ranges)
        return (rows, weights.map { w in ranges.flatMap { w[$0] } })
    }
}
