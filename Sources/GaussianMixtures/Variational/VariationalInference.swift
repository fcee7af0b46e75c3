import Foundation

// The variational Bayesian fit (scikit-learn's `BayesianGaussianMixture.fit`):
// start from responsibilities, turn them into a posterior (the variational
// M-step), then alternate E-step and M-step. After each iteration the evidence
// lower bound (ELBO) is computed from that iteration's E-step responsibilities
// and the new posterior, as scikit-learn does; the fit stops when the ELBO (in
// total, not per sample: scikit-learn's rule) changes by less than `tolerance`,
// or after `maxIterations`. The ELBO never decreases, up to rounding and the
// regulariser.

/// Options of a variational fit: the EM options plus the priors.
public struct VariationalFitOptions: Sendable {
    /// K (the truncation: an upper bound on the components used), the family,
    /// `initialization`, restarts, `maxIterations`, `tolerance` (on the total ELBO),
    /// `covarianceRegularization`, `seed` and `threadCount`, as for EM (the result is
    /// the same to the bit whatever the thread count).
    public var fit: FitOptions
    /// The weight prior: a Dirichlet process (the default) or a Dirichlet distribution.
    public var weightPrior: WeightPrior
    /// The priors' hyper-parameters; those left `nil` take scikit-learn's defaults from the data.
    public var priors: VariationalPriors
    /// Starting responsibilities (row-major n×K, rows summing to 1); overrides
    /// `fit.initialization` when set. scikit-learn's `_initialize(X, resp)`.
    public var initialResponsibilities: [Double]?

    /// Options with scikit-learn's defaults for the priors: a Dirichlet-process weight prior
    /// and every hyper-parameter from the data.
    public init(fit: FitOptions, weightPrior: WeightPrior = .dirichletProcess, priors: VariationalPriors = .init(),
                initialResponsibilities: [Double]? = nil) {
        self.fit = fit
        self.weightPrior = weightPrior
        self.priors = priors
        self.initialResponsibilities = initialResponsibilities
    }
}

/// What happened during a variational fit.
public struct VariationalFitReport: Sendable, Equatable {
    /// Whether the ELBO's change fell below the tolerance.
    public var hasConverged: Bool
    /// Iterations run by the kept restart.
    public var iterationCount: Int
    /// scikit-learn's `lower_bound_`: the ELBO (up to its dropped constants) after the
    /// last iteration; with no iteration, the bound of the starting posterior.
    public var lowerBound: Double
    /// The ELBO after each iteration (scikit-learn's `lower_bounds_`).
    public var lowerBoundTrace: [Double]
    /// The restart kept (0-based): the one with the highest final ELBO.
    public var selectedInitialization: Int
    /// Final ELBO of every restart; `nil` where a restart failed.
    public var initializationLowerBounds: [Double?]
    /// Training rows.
    public var sampleCount: Int
    /// Sum of the frequency weights, or `nil` when unweighted.
    public var totalWeight: Double?
    /// Whether the fit was stopped early by its `shouldStop` request (then
    /// `hasConverged` is false and the result is the best of what was done).
    public var wasInterrupted = false
    /// The ELBO per sample (divided by the total weight or the row count).
    public var lowerBoundPerSample: Double { lowerBound / (totalWeight ?? Double(sampleCount)) }
}

/// A fitted variational mixture and the report of its fit.
public struct VariationalFitResult: Sendable {
    /// The posterior hyper-parameters, and what follows from them.
    public var posterior: VariationalPosterior
    /// How the fit went: convergence, iterations, the ELBO and its trace.
    public var report: VariationalFitReport
}

/// One iteration's progress.
public struct VariationalProgress: Sendable {
    /// The restart in progress (0-based).
    public var initialization: Int
    /// The iteration just finished (1-based).
    public var iteration: Int
    /// The ELBO after it.
    public var lowerBound: Double
    /// Change from the previous iteration (infinite on the first).
    public var change: Double
}

/// Fits Gaussian mixtures by variational Bayes (mean-field, scikit-learn's updates).
public enum VariationalInference {
    /// Fits a variational mixture; restarts keep the highest final ELBO.
    ///
    /// - Throws: `FitError` for bad options, weights or priors, or a collapsed component.
    public static func fit(
        _ data: DataMatrix, weights: [Double]? = nil, options: VariationalFitOptions,
        progress: ((VariationalProgress) -> Void)? = nil
    ) throws(FitError) -> VariationalFitResult {
        try fit(data, weights: weights, options: options, resumingFrom: nil, checkpoint: nil, progress: progress)
    }

    /// Fits a variational mixture, continuing from `resumingFrom` when given (the result is then
    /// the uninterrupted fit's, bit for bit) and handing the state after every iteration to `checkpoint`.
    ///
    /// `shouldStop` is polled after every iteration, before `checkpoint` is called; when it
    /// answers true the fit ends after that iteration (no later restart is run) with the best
    /// of what was done, `report.wasInterrupted` set and `hasConverged` false.
    ///
    /// - Throws: `FitError` as `fit(_:weights:options:progress:)`; `.invalidOption(name: "resumingFrom")`
    ///   for a checkpoint that cannot belong to this fit.
    public static func fit(
        _ data: DataMatrix, weights: [Double]? = nil, options: VariationalFitOptions,
        resumingFrom resume: VariationalCheckpoint?, checkpoint: ((VariationalCheckpoint) -> Void)?,
        shouldStop: (() -> Bool)? = nil, progress: ((VariationalProgress) -> Void)? = nil
    ) throws(FitError) -> VariationalFitResult {
        let fitOptions = options.fit
        guard fitOptions.covarianceKind.family.scikitLearnShape != nil else {
            throw .invalidOption(name: "covarianceKind", reason: "\(fitOptions.covarianceKind.rawValue): variational fits support "
                + "full, diag, spherical and tied covariances (scikit-learn's four), not mclust's other models")
        }
        try check(resume, options: options, featureCount: data.featureCount)
        try fitOptions.validate()
        try fitOptions.refuseNoise(in: "variational inference")
        try fitOptions.refusePrior(in: "variational (it has its own priors)")
        if let weights { try ExpectationMaximization.validate(weights, rows: data.sampleCount) }
        let kCount = fitOptions.componentCount
        let usable = weights.map { $0.filter { $0 > 0 }.count } ?? data.sampleCount
        try ExpectationMaximization.checkFeasible(usableRows: usable, featureCount: data.featureCount, options: fitOptions)
        try data.withUnsafeBufferPointer { (x) throws(FitError) in
            try ExpectationMaximization.checkMagnitudes(x, featureCount: data.featureCount,
                                                        totalWeight: weights?.reduce(0, +) ?? Double(data.sampleCount))
        }
        if let resp = options.initialResponsibilities {
            guard resp.count == data.sampleCount * kCount else {
                throw .invalidOption(name: "initialResponsibilities",
                                     reason: "expected \(data.sampleCount)×\(kCount) values, found \(resp.count)")
            }
            guard resp.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw .invalidOption(name: "initialResponsibilities", reason: "must be finite and non-negative")
            }
        }
        let priors = try options.priors.resolved(for: data, weights: weights, componentCount: kCount,
                                                 kind: fitOptions.covarianceKind)
        let restarts = options.initialResponsibilities == nil ? fitOptions.initializationCount : 1
        var finished = resume?.finishedRestarts ?? []
        var isStopped = false
        let stop = shouldStop.map { ask in
            { () -> Bool in
                if !isStopped, ask() { isStopped = true }
                return isStopped
            }
        }
        var (kept, index, finals) = try ExpectationMaximization.bestOfRestarts(
            count: restarts, seed: fitOptions.seed, score: \.report.lowerBound, shouldEnd: { isStopped }
        ) { (restart, random) throws(FitError) in
            if restart < finished.count, let done = finished[restart] { return done }
            let state = resume?.restart == restart ? resume : nil
            let handler = checkpoint.map { handler in
                { (posterior: VariationalPosterior, trace: [Double]) in
                    handler(VariationalCheckpoint(restart: restart, posterior: posterior, lowerBoundTrace: trace,
                                                  finishedRestarts: Array(finished.prefix(restart))))
                }
            }
            func record(_ result: VariationalFitResult?) {
                if restart < finished.count { finished[restart] = result } else { finished.append(result) }
            }
            do throws(FitError) {
                let result = try single(data, weights: weights, options: options, priors: priors, restart: restart,
                                        random: random, resume: state, checkpoint: handler, shouldStop: stop,
                                        progress: progress)
                record(result)
                return result
            } catch {
                record(nil)
                throw error
            }
        }
        kept.report.selectedInitialization = index
        kept.report.initializationLowerBounds = finals
        if isStopped {
            kept.report.wasInterrupted = true
            kept.report.hasConverged = false
        }
        return kept
    }

    /// The starting responsibilities (n×K): given ones; one-hot k-means labels
    /// (scikit-learn's `init_params="kmeans"`); or, for the other methods, the
    /// posterior P(c|x) of the EM starting model that method makes.
    static func startingResponsibilities(
        _ data: DataMatrix, weights: [Double]?, options: VariationalFitOptions, random: GSLRandom
    ) throws(FitError) -> [Double] {
        if let resp = options.initialResponsibilities { return resp }
        if case let .responsibilities(table) = options.fit.initialization { return table.values }
        let kCount = options.fit.componentCount
        if options.fit.initialization == .kMeans {
            let labels = KMeans.labels(of: data, weights: weights, clusterCount: kCount, random: random)
            var resp = [Double](repeating: 0, count: data.sampleCount * kCount)
            for (i, k) in labels.enumerated() { resp[i * kCount + k] = 1 }
            return resp
        }
        let start = try Initializer.startingModel(for: data, weights: weights, options: options.fit, random: random)
        do {
            return try start.responsibilities(for: data).values
        } catch {
            throw .featureCountMismatch(expected: start.featureCount, actual: data.featureCount)
        }
    }

    static func single(
        _ data: DataMatrix, weights: [Double]?, options: VariationalFitOptions, priors: ResolvedPriors, restart: Int,
        random: GSLRandom, resume: VariationalCheckpoint? = nil,
        checkpoint: ((VariationalPosterior, [Double]) -> Void)? = nil, shouldStop: (() -> Bool)? = nil,
        progress: ((VariationalProgress) -> Void)?
    ) throws(FitError) -> VariationalFitResult {
        let kind = options.fit.covarianceKind
        let kCount = options.fit.componentCount
        let reg = options.fit.covarianceRegularization
        func update(_ stats: SufficientStatistics, iteration: Int) throws(FitError) -> VariationalPosterior {
            do {
                return try VariationalUpdate.posterior(from: stats, kind: kind, weightPrior: options.weightPrior,
                                                       priors: priors, regularization: reg,
                                                       featureNames: data.featureNames)
            } catch {
                throw collapse(error, stats: stats, iteration: iteration)
            }
        }
        var posterior: VariationalPosterior
        var lowerBound: Double
        var trace: [Double] = []
        var converged = false
        var iteration = 0
        var previous = -Double.infinity
        if let resume {
            // The state after iteration `resume.iteration`, which may have been the converging one.
            posterior = resume.posterior
            trace = resume.lowerBoundTrace
            iteration = trace.count
            lowerBound = trace[iteration - 1]
            previous = lowerBound
            let change = iteration >= 2 ? lowerBound - trace[iteration - 2] : Double.infinity
            converged = abs(change) < options.fit.tolerance
        } else {
            let resp = try startingResponsibilities(data, weights: weights, options: options, random: random)
            let (initial, initialEntropy) = statistics(of: data, responsibilities: resp, weights: weights,
                                                       componentCount: kCount, momentShape: kind.family.momentShape)
            posterior = try update(initial, iteration: 0)
            lowerBound = posterior.lowerBound(responsibilityEntropy: initialEntropy)
        }
        while !converged && iteration < options.fit.maxIterations {
            iteration += 1
            let (stats, entropy) = posterior.expectationPass(data, weights: weights, threads: options.fit.resolvedThreadCount)
            posterior = try update(stats, iteration: iteration)
            lowerBound = posterior.lowerBound(responsibilityEntropy: entropy)
            guard lowerBound.isFinite else {
                throw .componentCollapsed(component: nil, softCount: nil, iteration: iteration)
            }
            trace.append(lowerBound)
            let change = lowerBound - previous
            previous = lowerBound
            progress?(VariationalProgress(initialization: restart, iteration: iteration, lowerBound: lowerBound,
                                          change: change))
            // Polled before the handler, so the handler's owner knows whether this is the last state.
            let stopping = shouldStop?() == true
            checkpoint?(posterior, trace)
            if abs(change) < options.fit.tolerance {
                converged = true
                break
            }
            if stopping { break }
        }
        let report = VariationalFitReport(
            hasConverged: converged, iterationCount: iteration, lowerBound: lowerBound, lowerBoundTrace: trace,
            selectedInitialization: restart, initializationLowerBounds: [], sampleCount: data.sampleCount,
            totalWeight: weights.map { $0.reduce(0, +) })
        return VariationalFitResult(posterior: posterior, report: report)
    }
}
