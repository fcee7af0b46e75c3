import Foundation

// EM on data with gaps: the same restarts, stopping rule, final E-step and
// report as the complete-data loop, with `MissingDataStep` in place of the
// ordinary E-step and the ordinary M-step after it. The trace and the final
// score are observed-data log-likelihoods, Σ_i log P(x_i,o).
//
// Data without gaps is handed to the complete-data `fit` untouched, so the
// result is the same to the bit. With gaps, the rows are grouped by pattern
// once per fit (the data do not change between iterations).
//
// Initialisation: the starting responsibilities of `.kMeans`, `.kMeansPlusPlus`,
// `.randomResponsibilities` and `.randomSamples` are made, and the first
// M-step taken, on the data with each gap replaced by its column's observed
// mean; from then on every step uses the gaps properly. `.model` starts from
// the given parameters exactly.

extension ExpectationMaximization {
    /// Fits a mixture to data with gaps, marginalising the missing values
    /// (Ghahramani–Jordan EM).
    ///
    /// Each row's E-step uses the marginal Gaussian of its observed coordinates;
    /// the M-step uses the conditional expectations of the missing coordinates
    /// and their conditional covariance, for all four covariance families.
    /// `report.meanLogLikelihood` and `logLikelihoodTrace` are the mean
    /// observed-data log-likelihood, which never decreases from one iteration
    /// to the next when `covarianceRegularization` is 0 (up to rounding). Cost
    /// per iteration: about `n·K·d²` plus `P·K·d³` for P patterns of missingness.
    ///
    /// Without gaps this is `fit(_:weights:options:progress:)` on the complete
    /// matrix, to the bit. Starting responsibilities are computed on the data
    /// with gaps replaced by column means (see the file's note).
    ///
    /// `resumingFrom`, `checkpoint` and `shouldStop` are those of the complete-data `fit`.
    /// With `knownComponents`, labelled rows keep their component (semi-supervised
    /// EM, as `fit(_:knownComponents:weights:options:progress:)`), and a restart
    /// starts from `semiSupervisedStart` on the mean-filled data.
    ///
    /// - Throws: `FitError`, as the complete-data `fit`.
    public static func fit(
        _ data: IncompleteDataMatrix, weights: [Double]? = nil, knownComponents known: KnownComponents? = nil,
        options: FitOptions, progress: ((FitProgress) -> Void)? = nil,
        resumingFrom resume: FitCheckpoint? = nil, checkpoint: FitCheckpointHandler? = nil,
        shouldStop: (() -> Bool)? = nil
    ) throws(FitError) -> FitResult {
        if let complete = data.complete {
            if let known {
                return try fit(complete, knownComponents: known, weights: weights, options: options, progress: progress,
                               resumingFrom: resume, checkpoint: checkpoint, shouldStop: shouldStop)
            }
            return try fit(complete, weights: weights, options: options, progress: progress,
                           resumingFrom: resume, checkpoint: checkpoint, shouldStop: shouldStop)
        }
        try options.validate()
        try options.refuseNoise(in: "missing values")
        try options.refusePrior(in: "missing-value")
        if let weights { try validate(weights, rows: data.sampleCount) }
        try known?.validate(rows: data.sampleCount, componentCount: options.componentCount)
        let usable = weights.map { $0.filter { $0 > 0 }.count } ?? data.sampleCount
        try checkFeasible(usableRows: usable, featureCount: data.featureCount, options: options)
        try data.values.withUnsafeBufferPointer { (x) throws(FitError) in
            try checkMagnitudes(x, featureCount: data.featureCount,
                                totalWeight: weights?.reduce(0, +) ?? Double(data.sampleCount))
        }
        if case let .model(start) = options.initialization, start.featureCount != data.featureCount {
            throw .featureCountMismatch(expected: start.featureCount, actual: data.featureCount)
        }
        let patterns = MissingPatterns(data)
        try check(resume, options: options, featureCount: data.featureCount)
        let meanFilled = data.filled()
        let session = FitSession(resume: resume, checkpoint: checkpoint, shouldStop: shouldStop)
        return try bestOfRestarts(options: options, session: session) { restart throws(FitError) in
            let start: GaussianMixture
            if let state = session.resumedState(restart: restart) { start = state.model } else if let known {
                start = try semiSupervisedStart(for: meanFilled, knownComponents: known, weights: weights,
                                                options: options, restart: restart)
            } else {
                start = try Initializer.startingModel(for: meanFilled, weights: weights, options: options,
                                                      random: GSLRandom(seed: restartSeed(options.seed, restart)))
            }
            return try iterateWithGaps(patterns, weights: weights, options: options, known: known,
                                       from: start, restart: restart, progress: progress, session: session)
        }
    }

    /// One restart's EM loop from `start` (the complete-data loop, with the
    /// missing-data E-step as its pass), then the final scoring E-step.
    static func iterateWithGaps(
        _ patterns: MissingPatterns, weights: [Double]?, options: FitOptions, known: KnownComponents? = nil,
        from start: GaussianMixture, restart: Int, progress: ((FitProgress) -> Void)?, session: FitSession? = nil
    ) throws(FitError) -> FitResult {
        let threads = options.resolvedThreadCount
        return try iterate(options: options, from: start, restart: restart, rowCount: patterns.sampleCount,
                           sampleSize: weights?.reduce(0, +) ?? Double(patterns.sampleCount),
                           isWeighted: weights != nil, progress: progress, session: session) { model, iteration throws(FitError) in
            let stats: SufficientStatistics
            do {
                stats = try MissingDataStep.statistics(of: patterns, under: model, weights: weights, threads: threads,
                                                       known: known)
            } catch let error as CovarianceError {
                throw .componentCollapsed(component: error.component, softCount: nil, iteration: iteration)
            } catch {
                throw .componentCollapsed(component: nil, softCount: nil, iteration: iteration)
            }
            return EMStatistics(stats, kind: options.covarianceKind)
        }
    }
}

extension CovarianceError {
    /// The component the error names, if any.
    var component: Int? {
        switch self {
        case let .notPositiveDefinite(c), let .notSymmetric(c), let .nonFinite(c): c
        case .wrongShape, .brokenConstraint: nil
        }
    }
}
