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
    /// Whether the E-step skips, for groups of nearby rows, the components whose
    /// responsibilities there are below rounding (their responsibilities become 0).
    /// The statistics then differ from the exact E-step's by about 2⁻⁵² relative; a
    /// pass where they would differ more is repeated exactly. `false` (or the
    /// environment variable `GMM_EXACT=1`) evaluates every component for every row.
    public var skipsNegligibleComponents: Bool

    public init(
        componentCount: Int = 1, covarianceKind: CovarianceKind = .full,
        initialization: InitializationMethod = .kMeans, initializationCount: Int = 1,
        maxIterations: Int = 100, tolerance: Double = 1e-3, covarianceRegularization: Double = 1e-6,
        seed: UInt64 = 0, threadCount: Int? = nil, skipsNegligibleComponents: Bool = true
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
        self.skipsNegligibleComponents = skipsNegligibleComponents
    }

    /// The number of threads a pass uses.
    var resolvedThreadCount: Int { threadCount ?? ProcessInfo.processInfo.activeProcessorCount }

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
        if case let .responsibilities(table) = initialization {
            guard table.featureCount == componentCount else {
                throw bad("initialization", "has responsibilities for \(table.featureCount) components, not \(componentCount)")
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
            guard start.covarianceKind == covarianceKind else {
                throw bad("covarianceKind",
                          "the initial model has \"\(start.covarianceKind.rawValue)\" covariances, not \"\(covarianceKind.rawValue)\"")
            }
        }
    }
}
