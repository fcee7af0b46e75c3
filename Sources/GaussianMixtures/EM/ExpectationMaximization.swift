// The EM loop: restarts, iterations, the stopping rule, keeping the best run.
//
// Each iteration is one pass rows → statistics (E-step, which also yields the
// mean log-likelihood of the current parameters) and statistics → parameters
// (M-step). The stopping rule is scikit-learn's: stop when the E-step's mean
// log-likelihood changed by less than `tolerance` from the previous
// iteration's, so iteration counts match scikit-learn's from the same start.
// After the loop one more E-step scores the returned parameters, so the
// reported log-likelihood belongs to the saved model.

/// Fits Gaussian mixtures by expectation-maximisation.
public enum ExpectationMaximization {
    /// Fits a mixture to `data`.
    ///
    /// Runs `options.initializationCount` restarts, each with its own generator
    /// derived from `options.seed`, and keeps the one with the highest final
    /// mean log-likelihood (ties keep the earlier restart). Restarts whose
    /// components collapse are skipped; if all collapse, the first failure is
    /// thrown. Cost: about `n·K·d²` per iteration for the full family.
    ///
    /// The log-likelihood never decreases from one iteration to the next when
    /// `covarianceRegularization` is 0 (up to rounding); with a regulariser it
    /// usually does not, but it is not guaranteed.
    ///
    /// - Parameters:
    ///   - data: one row per sample, one column per feature.
    ///   - weights: one non-negative, finite frequency weight per row (`nil`: all 1).
    ///     An integer weight acts exactly as that many copies of the row, a zero
    ///     weight as a removed row; BIC and AIC then use the total weight as the
    ///     sample size. scikit-learn has no such parameter.
    ///   - options: scikit-learn's hyper-parameters under Swift names.
    ///   - progress: called after each iteration (for progress lines); may be `nil`.
    /// - Throws: `FitError`.
    public static func fit(
        _ data: DataMatrix, weights: [Double]? = nil, options: FitOptions, progress: ((FitProgress) -> Void)? = nil
    ) throws(FitError) -> FitResult {
        try options.validate()
        if let weights { try validate(weights, rows: data.sampleCount) }
        let usable = weights.map { $0.filter { $0 > 0 }.count } ?? data.sampleCount
        guard usable >= options.componentCount else {
            throw .tooFewSamples(samples: usable, components: options.componentCount)
        }
        if case let .model(start) = options.initialization, start.featureCount != data.featureCount {
            throw .featureCountMismatch(expected: start.featureCount, actual: data.featureCount)
        }
        var (kept, index, finals) = try bestOfRestarts(
            count: options.initializationCount, seed: options.seed, score: \.report.meanLogLikelihood
        ) { (restart, random) throws(FitError) in
            try single(data, weights: weights, options: options, restart: restart, random: random, progress: progress)
        }
        kept.report.selectedInitialization = index
        kept.report.initializationLogLikelihoods = finals
        return kept
    }

    /// Runs `count` restarts, each with its own generator derived from `seed`,
    /// and keeps the one with the highest `score` (ties keep the earlier).
    /// Restarts that fail are skipped; if all fail, the first failure is thrown.
    /// - Returns: the kept result, its index, and every restart's score (`nil` where it failed).
    static func bestOfRestarts<R>(
        count: Int, seed: UInt64, score: (R) -> Double, run: (Int, GSLRandom) throws(FitError) -> R
    ) throws(FitError) -> (result: R, index: Int, scores: [Double?]) {
        var best: (result: R, index: Int, score: Double)?
        var firstError: FitError?
        var scores: [Double?] = []
        for restart in 0..<count {
            do {
                let result = try run(restart, GSLRandom(seed: restartSeed(seed, restart)))
                let value = score(result)
                scores.append(value)
                if best == nil || value > best!.score { best = (result, restart, value) }
            } catch {
                scores.append(nil)
                if firstError == nil { firstError = error }
            }
        }
        guard let best else { throw firstError! }
        return (best.result, best.index, scores)
    }

    /// One restart: initialise, iterate, score the final parameters.
    static func single(
        _ data: DataMatrix, weights: [Double]?, options: FitOptions, restart: Int, random: GSLRandom,
        progress: ((FitProgress) -> Void)?
    ) throws(FitError) -> FitResult {
        let family = options.covarianceKind.family
        var model = try Initializer.startingModel(for: data, weights: weights, options: options, random: random)
        let n = weights?.reduce(0, +) ?? Double(data.sampleCount)
        var trace: [Double] = []
        var lowerBound = -Double.infinity
        var converged = false
        var iteration = 0
        while iteration < options.maxIterations {
            iteration += 1
            let previous = lowerBound
            let stats = ExpectationStep.statistics(of: data, under: model, weights: weights,
                                                   threads: options.resolvedThreadCount)
            lowerBound = stats.logLikelihood / n
            guard lowerBound.isFinite else {
                throw .componentCollapsed(component: nil, softCount: nil, iteration: iteration)
            }
            do {
                model = try MaximizationStep.parameters(
                    from: stats, family: family, regularization: options.covarianceRegularization,
                    featureNames: data.featureNames)
            } catch {
                throw collapse(error, stats: stats, iteration: iteration)
            }
            trace.append(lowerBound)
            let change = lowerBound - previous
            progress?(FitProgress(initialization: restart, iteration: iteration, meanLogLikelihood: lowerBound, change: change))
            if abs(change) < options.tolerance {
                converged = true
                break
            }
        }
        let final = ExpectationStep.statistics(of: data, under: model, weights: weights,
                                               threads: options.resolvedThreadCount)
        let meanLogLikelihood = final.logLikelihood / n
        guard meanLogLikelihood.isFinite else {
            throw .componentCollapsed(component: nil, softCount: nil, iteration: iteration)
        }
        let report = FitReport(
            hasConverged: converged, iterationCount: iteration, meanLogLikelihood: meanLogLikelihood,
            logLikelihoodTrace: trace, selectedInitialization: restart, initializationLogLikelihoods: [],
            sampleCount: data.sampleCount, totalWeight: weights == nil ? nil : n)
        return FitResult(model: model, report: report)
    }

    /// Checks frequency weights: one per row, finite, non-negative, not all zero.
    static func validate(_ weights: [Double], rows: Int) throws(FitError) {
        guard weights.count == rows else {
            throw .invalidWeights(row: nil, reason: "expected \(rows) weights, one per data row, found \(weights.count)")
        }
        if let bad = weights.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
            throw .invalidWeights(row: bad, reason: "weights must be finite and non-negative, found \(weights[bad])")
        }
        guard weights.contains(where: { $0 > 0 }) else {
            throw .invalidWeights(row: nil, reason: "every weight is zero")
        }
    }

    /// The seed of restart `r`: SplitMix64 of the user's seed and the restart index,
    /// so restarts are independent streams and can later run in any order.
    static func restartSeed(_ seed: UInt64, _ restart: Int) -> UInt64 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(restart + 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension GaussianMixture {
    /// Fits a mixture to `data` by EM: a shorthand for `ExpectationMaximization.fit`.
    public static func fit(_ data: DataMatrix, weights: [Double]? = nil, options: FitOptions) throws(FitError) -> FitResult {
        try ExpectationMaximization.fit(data, weights: weights, options: options)
    }
}
