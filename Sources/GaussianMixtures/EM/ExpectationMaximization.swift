// The EM loop: restarts, iterations, the stopping rule, keeping the best run.
//
// Each iteration is one pass rows → statistics (E-step, which also yields the
// mean log-likelihood of the current parameters) and statistics → parameters
// (M-step). The stopping rule is scikit-learn's: stop when the E-step's mean
// log-likelihood changed by less than `tolerance` from the previous
// iteration's, so iteration counts match scikit-learn's from the same start.
// After the loop one more E-step scores the returned parameters, so the
// reported log-likelihood belongs to the saved model.
//
// The loop itself (`iterate`) is in ExpectationMaximization+Distributed.swift:
// a single-process fit is the fit over several parties with `LocalReducer`.

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
    ///   - resume: continue from this saved state instead of starting afresh;
    ///     with the same rows, weights and `options` (threads may differ) the result
    ///     is the one of a fit never stopped, to the bit.
    ///   - checkpoint: called after every iteration with the state reached (to save it).
    ///   - shouldStop: polled after every iteration; when it answers true the fit
    ///     scores what it has and returns, with `report.wasInterrupted` set.
    /// - Throws: `FitError`.
    public static func fit(
        _ data: DataMatrix, weights: [Double]? = nil, options: FitOptions, progress: ((FitProgress) -> Void)? = nil,
        resumingFrom resume: FitCheckpoint? = nil, checkpoint: FitCheckpointHandler? = nil,
        shouldStop: (() -> Bool)? = nil
    ) throws(FitError) -> FitResult {
        // The distributed loop over one party: the sums over "every party" are this process's own.
        try fit(localRows: data, weights: weights, options: options, reducer: LocalReducer(), startingModel: {
            restart throws(FitError) in
            try startingModel(for: data, weights: weights, options: options, restart: restart)
        }, progress: progress, resumingFrom: resume, checkpoint: checkpoint, shouldStop: shouldStop)
    }

    /// Runs `count` restarts, each with its own generator derived from `seed`,
    /// and keeps the one with the highest `score` (ties keep the earlier).
    /// Restarts that fail are skipped; if all fail, the first failure is thrown.
    /// - Returns: the kept result, its index, and every restart's score (`nil` where it failed).
    /// `shouldEnd`, asked after each restart, ends the restarts early (the rest are not run).
    static func bestOfRestarts<R>(
        count: Int, seed: UInt64, score: (R) -> Double, shouldEnd: () -> Bool = { false },
        run: (Int, GSLRandom) throws(FitError) -> R
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
            if shouldEnd() { break }
        }
        guard let best else { throw firstError! }
        return (best.result, best.index, scores)
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
        try checkTotal(ofWeights: weights.reduce(0, +))
    }

    /// Refuses weights whose total overflows: every soft count and moment would too.
    static func checkTotal(ofWeights total: Double) throws(FitError) {
        guard total.isFinite else {
            throw .invalidWeights(row: nil, reason: "their total is beyond the largest double (1.8e308); only their "
                + "ratios change the fitted parameters, so divide them by a constant")
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
