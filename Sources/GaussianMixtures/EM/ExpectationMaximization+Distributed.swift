// EM over rows that live in several places (MPI ranks, machines), and the
// single-process fit as its special case.
//
// Every party holds some rows and runs the same loop. Where the loop needs a
// number that depends on all rows — the row count and total weight before it
// starts, the statistics of every E-step — it sums a flat vector over the
// parties with a `StatisticsReducer`. All parties then hold the same bits, so
// they take the same M-step, the same stopping decision and the same restart,
// and never need to talk about control flow. The single-process fit is this
// loop with `LocalReducer`, which leaves the vector as it is.
//
// The starting model of each restart comes from a closure, because where it
// is made is the caller's business: one process, over a sample of all rows,
// then sent to the others (`startingModel(for:weights:options:restart:)` is
// the single-process initialisation, usable on such a sample).

/// Sums vectors of numbers over every party that takes part in a fit.
///
/// The local implementation (`LocalReducer`) does nothing; an MPI one calls
/// `MPI_Allreduce` with `MPI_SUM`. Every party calls `sum` the same number of
/// times, in the same order, with vectors of the same length.
public protocol StatisticsReducer {
    /// Replaces `values` by its element-wise sum over all parties.
    ///
    /// Every party must receive the same bits (MPI's `Allreduce` gives that),
    /// since each takes its decisions from them.
    func sum(_ values: inout [Double])
}

/// The reducer of a fit whose rows are all in this process: the sum over one party is its own vector.
public struct LocalReducer: StatisticsReducer, Sendable {
    /// The reducer of a single-process fit.
    public init() {}
    public func sum(_ values: inout [Double]) {}
}

extension ExpectationMaximization {
    /// Fits a mixture to rows spread over several parties, each holding `data`, its share.
    ///
    /// Every party calls this with its own rows and the same `options`; the
    /// loop (restarts, iterations, scikit-learn's stopping rule, the final
    /// E-step, collapse detection) is the one `fit(_:weights:options:progress:)`
    /// runs, which is this function with `LocalReducer`. Each E-step's
    /// statistics are summed with `reducer` as `EMStatistics.flattened`
    /// vectors, so every party computes the same M-step and returns the same
    /// `FitResult`; `sampleCount` and the BIC sample size are those of all rows.
    /// A party may hold no rows.
    ///
    /// Restarts are kept as in `fit`: the highest final mean log-likelihood wins.
    ///
    /// - Parameters:
    ///   - data: this party's rows (one row per sample, every party the same features).
    ///   - weights: frequency weights of this party's rows; either every party passes weights or none does.
    ///   - options: the same on every party.
    ///   - reducer: sums vectors over the parties.
    ///   - known: semi-supervised EM — per row of this party, its known
    ///     component or `nil` (KnownComponents.swift); `nil`: every row is latent.
    ///   - startingModel: the starting mixture of restart `r` (0-based), the same
    ///     on every party — typically made by one party with
    ///     `startingModel(for:weights:options:restart:)` on a sample of all rows
    ///     and sent to the others. With `.model` initialisation, return that model.
    ///     An error must be thrown by every party alike (the restart is then skipped everywhere).
    ///   - progress: called after each iteration; may be `nil`.
    ///   - resume: continue from this state (from `checkpoint`) instead of
    ///     starting afresh; the result is then the one of a fit never stopped, to
    ///     the bit, given the same rows and `options` (threads may differ).
    ///   - checkpoint: called after every iteration with the state reached.
    ///   - shouldStop: polled after every iteration; when it answers true the fit
    ///     scores what it has and returns, with `report.wasInterrupted` set.
    ///     Every party must answer alike.
    /// - Throws: `FitError`, the same on every party (weights that are invalid on
    ///   another party are reported as `invalidWeights` without a row).
    public static func fit(
        localRows data: DataMatrix, weights: [Double]? = nil, options: FitOptions,
        reducer: some StatisticsReducer, knownComponents known: KnownComponents? = nil,
        startingModel: (_ restart: Int) throws(FitError) -> GaussianMixture,
        progress: ((FitProgress) -> Void)? = nil,
        resumingFrom resume: FitCheckpoint? = nil, checkpoint: FitCheckpointHandler? = nil,
        shouldStop: (() -> Bool)? = nil
    ) throws(FitError) -> FitResult {
        try options.validate()
        if known != nil { try options.refuseNoise(in: "known labels (semi-supervised EM)") }
        if !(reducer is LocalReducer) { try options.refuseNoise(in: "rows spread over several processes (gmm-mpi)") }
        if known != nil { try options.refusePrior(in: "semi-supervised") }
        var localError: FitError?
        if let weights {
            do throws(FitError) { try checkLocally(weights, rows: data.sampleCount) } catch { localError = error }
        }
        if let known, localError == nil {
            do throws(FitError) {
                try known.validate(rows: data.sampleCount, componentCount: options.componentCount)
            } catch { localError = error }
        }
        let localWeight = localError == nil ? (weights?.reduce(0, +) ?? Double(data.sampleCount)) : 0
        var magnitudeError: FitError?
        do throws(FitError) {
            try data.withUnsafeBufferPointer { (x) throws(FitError) in
                try checkMagnitudes(x, featureCount: data.featureCount, totalWeight: localWeight)
            }
        } catch { magnitudeError = error }
        let usable = weights.map { w in w.filter { $0 > 0 }.count } ?? data.sampleCount
        // The facts every party needs before the first restart, in one reduction: [parties with
        // invalid weights, rows, rows of positive weight, total weight, parties with values too large].
        var facts = [localError == nil ? 0 : 1, Double(data.sampleCount), Double(usable), localWeight,
                     magnitudeError == nil ? 0 : 1]
        reducer.sum(&facts)
        if let localError { throw localError }
        guard facts[0] == 0 else {
            throw .invalidWeights(row: nil, reason: "the weights of another process's rows are invalid")
        }
        if let magnitudeError { throw magnitudeError }
        guard facts[4] == 0 else {
            throw .infeasible(reason: "another process's rows hold values whose squares overflow a double; rescale the data")
        }
        if weights != nil, facts[2] == 0 { throw .invalidWeights(row: nil, reason: "every weight is zero") }
        try checkTotal(ofWeights: facts[3])
        try checkFeasible(usableRows: Int(facts[2]), featureCount: data.featureCount, options: options)
        if case let .model(start) = options.initialization, start.featureCount != data.featureCount {
            throw .featureCountMismatch(expected: start.featureCount, actual: data.featureCount)
        }
        if let prior = options.prior, prior.mean.count != data.featureCount {
            throw .invalidOption(name: "prior", reason: "has \(prior.mean.count) features, the data \(data.featureCount)")
        }
        try check(resume, options: options, featureCount: data.featureCount)
        let session = FitSession(resume: resume, checkpoint: checkpoint, shouldStop: shouldStop)
        return try bestOfRestarts(options: options, session: session) { restart throws(FitError) in
            let start: GaussianMixture
            if let state = session.resumedState(restart: restart) { start = state.model } else { start = try startingModel(restart) }
            guard start.featureCount == data.featureCount, start.componentCount == options.componentCount,
                  start.covarianceKind == options.covarianceKind, (start.noise != nil) == (options.noise != nil) else {
                preconditionFailure("the starting model does not match the options and the data")
            }
            return try iterate(data, weights: weights, options: options, from: start, restart: restart,
                               rowCount: Int(facts[1]), sampleSize: facts[3], reducer: reducer, known: known,
                               progress: progress, session: session)
        }
    }

    /// The starting mixture of restart `restart` made from `sample` as
    /// `fit(_:weights:options:progress:)` makes it from all rows (same seed,
    /// same method), e.g. on one process from a sample gathered from all.
    ///
    /// With `.model` initialisation it returns that model (renamed to the
    /// sample's feature names when they differ), whatever the sample.
    ///
    /// - Throws: `FitError.tooFewSamples` when the sample has fewer usable rows
    ///   than components; `componentCollapsed` when the first M-step fails.
    public static func startingModel(
        for sample: DataMatrix, weights: [Double]? = nil, options: FitOptions, restart: Int
    ) throws(FitError) -> GaussianMixture {
        try options.validate()
        if case .model = options.initialization {} else {
            if let weights { try validate(weights, rows: sample.sampleCount) }
            let usable = weights.map { w in w.filter { $0 > 0 }.count } ?? sample.sampleCount
            guard usable >= options.componentCount else {
                throw .tooFewSamples(samples: usable, components: options.componentCount)
            }
        }
        return try Initializer.startingModel(
            for: sample, weights: weights, options: options, random: GSLRandom(seed: restartSeed(options.seed, restart)))
    }

    /// One restart's iterations from `start`, then the final E-step that scores
    /// the returned parameters. `rowCount` and `sampleSize` (total weight) are over all parties.
    static func iterate(
        _ data: DataMatrix, weights: [Double]?, options: FitOptions, from start: GaussianMixture, restart: Int,
        rowCount: Int, sampleSize n: Double, reducer: some StatisticsReducer, known: KnownComponents? = nil,
        progress: ((FitProgress) -> Void)?, session: FitSession? = nil
    ) throws(FitError) -> FitResult {
        let threads = options.resolvedThreadCount
        return try iterate(options: options, from: start, restart: restart, rowCount: rowCount, sampleSize: n,
                           isWeighted: weights != nil, progress: progress, session: session) { model, _ in
            // One E-step over every party's rows.
            let local = model.statistics(of: data, weights: weights, known: known, threads: threads,
                                         skipsNegligibleComponents: options.skipsNegligibleComponents)
            var values = local.flattened
            reducer.sum(&values)
            return local.replacingValues(withFlattened: values)
        }
    }

    /// The EM loop itself, whatever a pass over the rows is (this process's rows,
    /// every party's, or rows with gaps): iterate E-step `pass` and M-step until the
    /// mean log-likelihood changes by less than the tolerance, then score the
    /// returned parameters with one more pass.
    ///
    /// - Parameters:
    ///   - session: where a resumed restart's state comes from (then `start` is
    ///     its model), where each iteration's state goes, and whether to stop early.
    ///   - pass: the statistics of all rows under a model, at an iteration
    ///     (the final scoring pass gets the last iteration's number).
    static func iterate(
        options: FitOptions, from start: GaussianMixture, restart: Int, rowCount: Int, sampleSize n: Double,
        isWeighted: Bool, progress: ((FitProgress) -> Void)?, session: FitSession? = nil,
        pass: (GaussianMixture, Int) throws(FitError) -> EMStatistics
    ) throws(FitError) -> FitResult {
        var model = start
        var trace: [Double] = []
        var lowerBound = -Double.infinity
        var converged = false
        var iteration = 0
        var skips = ExpectationSkipCount()
        if let state = session?.resumedState(restart: restart) {
            // The loop's variables as they were after the checkpoint's iteration,
            // including the stopping decision taken there (the same subtraction).
            model = state.model
            trace = state.logLikelihoodTrace
            iteration = trace.count
            if let last = trace.last {
                lowerBound = last
                converged = abs(last - (trace.count > 1 ? trace[trace.count - 2] : -.infinity)) < options.tolerance
            }
        }
        while !converged && iteration < options.maxIterations {
            iteration += 1
            let previous = lowerBound
            let stats = try pass(model, iteration)
            skips.add(stats.base.pruning)
            lowerBound = stats.logLikelihood / n
            guard lowerBound.isFinite else { throw nonFiniteLikelihood(lowerBound, iteration: iteration) }
            // MAP EM: the quantity that never decreases is the log-posterior.
            if let prior = options.prior { lowerBound += prior.logDensity(of: model) / n }
            model = try model.maximized(from: stats, regularization: options.covarianceRegularization, iteration: iteration,
                                        prior: options.prior)
            trace.append(lowerBound)
            let change = lowerBound - previous
            progress?(FitProgress(initialization: restart, iteration: iteration, meanLogLikelihood: lowerBound, change: change))
            converged = abs(change) < options.tolerance
            if session?.afterIteration(restart: restart, model: model, trace: trace) == true { break }
        }
        let final = try pass(model, iteration)
        skips.add(final.base.pruning)
        let meanLogLikelihood = final.logLikelihood / n
        guard meanLogLikelihood.isFinite else { throw nonFiniteLikelihood(meanLogLikelihood, iteration: iteration) }
        let report = FitReport(
            hasConverged: converged, iterationCount: iteration, meanLogLikelihood: meanLogLikelihood,
            logLikelihoodTrace: trace, selectedInitialization: restart, initializationLogLikelihoods: [],
            sampleCount: rowCount, totalWeight: isWeighted ? n : nil)
        return FitResult(model: model, report: report, expectationSkips: skips)
    }

    /// The error for a mean log-likelihood of −∞ (or NaN) in `iteration` (0: the starting model).
    private static func nonFiniteLikelihood(_ value: Double, iteration: Int) -> FitError {
        .infeasible(reason: "the mean log-likelihood is \(value) in iteration \(iteration): some rows lie so far from "
            + "every component that their density underflows; rescale the data or start from another model")
    }

    /// The checks of `validate(_:rows:)` that one party can make alone: one
    /// weight per row, each finite and non-negative (not: some weight positive).
    static func checkLocally(_ weights: [Double], rows: Int) throws(FitError) {
        guard weights.count == rows else {
            throw .invalidWeights(row: nil, reason: "expected \(rows) weights, one per data row, found \(weights.count)")
        }
        if let bad = weights.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
            throw .invalidWeights(row: bad, reason: "weights must be finite and non-negative, found \(weights[bad])")
        }
    }
}
