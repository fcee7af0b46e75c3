/// What happened during a fit: the counterpart of scikit-learn's `converged_`,
/// `n_iter_` and `lower_bound_`, plus what scikit-learn does not keep.
public struct FitReport: Sendable, Equatable {
    /// Whether the stopping rule was met before `maxIterations` (`converged_`).
    public var hasConverged: Bool
    /// EM iterations run by the kept restart (`n_iter_`).
    public var iterationCount: Int
    /// Mean log-likelihood of the training rows under the returned parameters.
    ///
    /// Computed by one more E-step after the loop, so it belongs to the saved
    /// model. scikit-learn's `lower_bound_` belongs to the parameters before
    /// the last M-step; that value is the last entry of `logLikelihoodTrace`.
    public var meanLogLikelihood: Double
    /// The mean log-likelihood computed in each iteration's E-step (of the
    /// parameters before that iteration's M-step). With a prior (`FitOptions.prior`)
    /// it is the mean log-posterior, the quantity MAP EM never lowers and stops on.
    public var logLikelihoodTrace: [Double]
    /// 0-based index of the kept restart.
    public var selectedInitialization: Int
    /// Final mean log-likelihood of every restart; `nil` where a restart failed.
    public var initializationLogLikelihoods: [Double?]
    /// Number of training rows.
    public var sampleCount: Int
    /// Sum of the frequency weights, or `nil` when the fit was unweighted.
    public var totalWeight: Double?
    /// Whether the fit was stopped early by its `shouldStop` request (then
    /// `hasConverged` is false and the result is the best of what was done).
    public var wasInterrupted = false

    /// The sample size for BIC and AIC: the total weight, or the number of rows.
    public var effectiveSampleSize: Double { totalWeight ?? Double(sampleCount) }
}

/// How many (row, component) pairs the E-steps evaluated and how many they skipped as negligible.
///
/// A skipped pair's responsibility is exactly 0; the skipped ones of a pass add up to less than
/// one rounding (2⁻⁵²) of every component's soft count and moments, or the pass is repeated
/// without skipping (counted in `repeatedPasses`).
public struct ExpectationSkipCount: Sendable, Equatable {
    /// (row, component) pairs whose log-joint the E-steps computed.
    public var evaluatedPairs = 0
    /// (row, component) pairs the E-steps skipped (responsibility exactly 0).
    public var skippedPairs = 0
    /// E-step passes repeated without skipping.
    public var repeatedPasses = 0

    /// No pair counted yet.
    public init() {}

    /// skipped / (evaluated + skipped), 0 when nothing was evaluated.
    public var skippedShare: Double {
        let total = evaluatedPairs + skippedPairs
        return total == 0 ? 0 : Double(skippedPairs) / Double(total)
    }

    mutating func add(_ tally: PruningTally?) {
        guard let tally else { return }
        evaluatedPairs += tally.evaluatedPairs
        skippedPairs += tally.skippedPairs
        repeatedPasses += tally.repeatedPasses
    }
}

/// A fitted mixture and the report of its fit.
public struct FitResult: Sendable {
    /// The fitted mixture: weights, means, covariances (and a noise component if asked for).
    public var model: GaussianMixture
    /// How the fit went: convergence, iterations, log-likelihood and its trace, the kept restart.
    public var report: FitReport
    /// What this process's E-steps of the kept restart skipped (`FitOptions.skipsNegligibleComponents`).
    /// Kept here, not in `FitReport`: the counts say how a result was computed, not what it
    /// is (a resumed fit counts only the passes it ran itself), so reports stay comparable.
    public var expectationSkips = ExpectationSkipCount()
}

/// One EM iteration's progress, for an observer such as a terminal progress line.
public struct FitProgress: Sendable {
    /// 0-based restart index.
    public var initialization: Int
    /// 1-based iteration.
    public var iteration: Int
    /// Mean log-likelihood from this iteration's E-step.
    public var meanLogLikelihood: Double
    /// Change from the previous iteration (infinite on the first).
    public var change: Double
}
