import Foundation

/// How to fit a mixture: the counterpart of scikit-learn's `GaussianMixture` constructor arguments.
public struct FitOptions: Sendable {
    /// Number of components, K (scikit-learn's `n_components`).
    public var componentCount: Int
    /// Covariance structure (`covariance_type`).
    public var covarianceKind: CovarianceKind
    /// How the starting point is made (`init_params`, or `weights_init`/`means_init`/`precisions_init`).
    public var initialization: InitializationMethod
    /// Number of restarts; the one with the highest final log-likelihood is kept (`n_init`).
    public var initializationCount: Int
    /// EM iterations at most (`max_iter`); 0 returns the starting model.
    public var maxIterations: Int
    /// Stop when the mean log-likelihood changes by less than this (`tol`); 0 runs `maxIterations`.
    public var tolerance: Double
    /// Added to every variance (`reg_covar`).
    public var covarianceRegularization: Double
    /// Every random choice derives from this seed (`random_state`).
    public var seed: UInt64
    /// Threads for the E-step pass; `nil` uses every core. The result is the
    /// same to the bit whatever the value: the rows are cut into chunks
    /// independently of it and the chunks' statistics are added in a fixed order.
    public var threadCount: Int?
    /// mclust's uniform noise component (`NoiseOptions`); `nil`: none.
    public var noise: NoiseOptions?

    /// mclust's conjugate prior: MAP EM instead of maximum likelihood (`nil`: none).
    /// Its hyper-parameters are usually `ConjugatePrior.mclustDefault(for:weights:componentCount:kind:)`.
    /// The stopping rule and the trace then use the mean log-posterior (the
    /// log-likelihood plus `prior.logDensity(of:)`, over the sample size); the
    /// reported log-likelihood stays the log-likelihood, as mclust reports it.
    public var prior: ConjugatePrior?

    /// Whether the E-step skips, for groups of nearby rows, the components whose
    /// responsibilities there are below rounding (their responsibilities become 0).
    /// The statistics then differ from the exact E-step's by about 2⁻⁵² relative; a
    /// pass where they would differ more is repeated exactly. `false` (or the
    /// environment variable `GMM_EXACT=1`) evaluates every component for every row.
    public var skipsNegligibleComponents: Bool

    /// Whether the E-step actually skips: `skipsNegligibleComponents`, unless `GMM_EXACT=1`
    /// turns skipping off for the whole process.
    public var skipsNegligibleComponentsInEffect: Bool { skipsNegligibleComponents && !exactExpectationRequested }

    /// Options with scikit-learn's defaults: one full-covariance component from a
    /// k-means start, one restart, at most 100 iterations, `tol` 1e-3, `reg_covar` 1e-6, seed 0.
    public init(
        componentCount: Int = 1, covarianceKind: CovarianceKind = .full,
        initialization: InitializationMethod = .kMeans, initializationCount: Int = 1,
        maxIterations: Int = 100, tolerance: Double = 1e-3, covarianceRegularization: Double = 1e-6,
        seed: UInt64 = 0, threadCount: Int? = nil, noise: NoiseOptions? = nil,
        prior: ConjugatePrior? = nil, skipsNegligibleComponents: Bool = true
    ) {
        self.componentCount = componentCount
        self.covarianceKind = covarianceKind
        self.initialization = initialization
        self.initializationCount = initializationCount
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.covarianceRegularization = covarianceRegularization
        self.seed = seed
        self.threadCount = threadCount
        self.noise = noise
        self.prior = prior
        self.skipsNegligibleComponents = skipsNegligibleComponents
    }

    /// The number of threads a pass uses.
    var resolvedThreadCount: Int { threadCount ?? ProcessInfo.processInfo.activeProcessorCount }

    /// Throws unless `prior` is `nil`: for the fits MAP EM is not implemented for
    /// (`what`: online, variational, missing values, semi-supervised).
    func refusePrior(in what: String) throws(FitError) {
        guard prior == nil else {
            throw .invalidOption(name: "prior", reason: "cannot be used with \(what) fits (mclust's conjugate prior is implemented for EM on complete data)")
        }
    }

    /// Checks every value's range and that an initial model agrees with K and the kind.
    public func validate() throws(FitError) {
        func bad(_ name: String, _ why: String) -> FitError { .invalidOption(name: name, reason: why) }
        guard componentCount >= 1 else { throw bad("componentCount", "must be at least 1, got \(componentCount)") }
        guard initializationCount >= 1 else {
            throw bad("initializationCount", "must be at least 1, got \(initializationCount)")
        }
        if let threadCount, threadCount < 1 { throw bad("threadCount", "must be at least 1, got \(threadCount)") }
        guard maxIterations >= 0 else { throw bad("maxIterations", "must be at least 0, got \(maxIterations)") }
        guard tolerance >= 0, tolerance.isFinite else { throw bad("tolerance", "must be a finite number ≥ 0, got \(tolerance)") }
        guard covarianceRegularization >= 0, covarianceRegularization.isFinite else {
            throw bad("covarianceRegularization", "must be a finite number ≥ 0, got \(covarianceRegularization)")
        }
        if let noise { try noise.validate() }
        if let prior {
            let d = prior.mean.count
            try prior.validate(featureCount: d, kind: covarianceKind)
            if case let .model(start) = initialization, start.featureCount != d {
                throw bad("prior", "has \(d) features, the initial model \(start.featureCount)")
            }
        }
        if noise != nil && prior != nil {
            throw bad("prior", "mclust's conjugate prior is not defined here with a noise component: use one or the other")
        }
        if case let .responsibilities(table) = initialization {
            let columns = componentCount + (noise == nil ? 0 : 1)
            guard table.featureCount == columns else {
                throw bad("initialization", "has responsibilities for \(table.featureCount) components, not \(componentCount)"
                    + (noise == nil ? "" : " and the noise (\(columns) columns, the noise last)"))
            }
            guard initializationCount == 1 else {
                throw bad("initializationCount", "must be 1 with starting responsibilities (every restart would be the same), "
                    + "got \(initializationCount)")
            }
            if let bad = InitializationMethod.firstInvalidResponsibility(in: table) {
                throw .invalidOption(name: "initialization", reason: "row \(bad.row + 1)"
                    + (bad.column.map { ", column \($0 + 1)" } ?? "") + ": \(bad.reason)")
            }
        }
        if case let .model(start) = initialization {
            guard start.componentCount == componentCount else {
                throw bad("componentCount", "the initial model has \(start.componentCount) components, not \(componentCount)")
            }
            guard (start.noise != nil) == (noise != nil) else {
                throw bad("initialization", noise == nil ? "is a model with a noise component, but no noise was asked for"
                    : "is a model without a noise component, but a noise component was asked for")
            }
            guard start.covarianceKind == covarianceKind else {
                throw bad("covarianceKind",
                          "the initial model has \"\(start.covarianceKind.rawValue)\" covariances, not \"\(covarianceKind.rawValue)\"")
            }
        }
    }

    /// Refuses a noise component in a fit that cannot carry one (`feature` names that fit).
    func refuseNoise(in feature: String) throws(FitError) {
        guard noise == nil else {
            throw .invalidOption(name: "noise", reason: "a noise component is not supported with \(feature)")
        }
    }
}
