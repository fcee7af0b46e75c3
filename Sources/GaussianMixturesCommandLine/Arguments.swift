import ArgumentParser
import GaussianMixtures

// What `gmm` and `gmm-mpi` (mpi/) share of their command lines: an executable
// target cannot be imported, so the pieces both use live here.

/// Covariance models as command-line values: `full`, `diag`, `spherical`, `tied` or an mclust name
/// such as `VVE` (`--covariance`).
extension CovarianceKind: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }

    /// The names `--covariance` accepts, for help and messages.
    public static var argumentNames: String {
        "full, diag, spherical, tied, or an mclust model: " + mclustOrder.map(\.mclustName).joined(separator: ", ")
    }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) + scikitLearnKinds.map(\.mclustName) }
}

/// Component orders as command-line values: `weight` or `mean` (`--order`).
extension ComponentOrder: ExpressibleByArgument {}

/// The `--init` choices, spelled as scikit-learn's `init_params`, plus mclust's `hc`.
public enum InitChoice: String, CaseIterable, ExpressibleByArgument {
    /// `kmeans`: k-means from a seeded k-means++ start, then an M-step (the default of `fit`).
    case kmeans
    /// `k-means++`: the k-means++ centres alone.
    case kmeansPlusPlus = "k-means++"
    /// `random`: random responsibilities.
    case random
    /// `random-from-data`: K random rows as the means.
    case randomFromData = "random-from-data"
    /// `hc`: mclust's model-based hierarchical agglomeration, cut at K (the default of `select`).
    case hc

    /// The library's initialisation method for this choice.
    public var method: InitializationMethod {
        switch self {
        case .kmeans: .kMeans
        case .kmeansPlusPlus: .kMeansPlusPlus
        case .random: .randomResponsibilities
        case .randomFromData: .randomSamples
        case .hc: .hierarchical
        }
    }
}

/// A `--seed` value: a whole number from 0 to 2⁶⁴ − 1 (a negative one is a value out of range, not a flag).
public func seedArgument(_ text: String) throws -> UInt64 {
    guard let seed = UInt64(text) else {
        throw ValidationError("a seed is a whole number from 0 to \(UInt64.max), got \(text)")
    }
    return seed
}

/// How EM runs: `--n-init`, `--max-iter`, `--tol`, `--reg-covar`, `--seed`.
public struct EMParameters: ParsableArguments {
    /// `--n-init`: restarts; the one with the highest final log-likelihood is kept.
    @Option(name: .customLong("n-init"), parsing: .unconditional, help: "Restarts; the one with the highest final log-likelihood is kept.")
    public var initializationCount: Int = 1

    /// `--max-iter`: EM iterations at most; 0 returns the starting model.
    @Option(name: .customLong("max-iter"), parsing: .unconditional, help: "EM iterations at most; 0 returns the starting model.")
    public var maxIterations: Int = 100

    /// `--tol`: stop when the mean log-likelihood changes by less than this.
    @Option(parsing: .unconditional, help: "Stop when the mean log-likelihood changes by less than this; 0 runs exactly --max-iter iterations.")
    public var tol: Double = 1e-3

    /// `--reg-covar`: added to every covariance's diagonal.
    @Option(name: .customLong("reg-covar"), parsing: .unconditional, help: "Added to every covariance's diagonal.")
    public var regularization: Double = 1e-6

    /// `--seed`: every random choice derives from it.
    @Option(parsing: .unconditional, help: "Every random choice derives from this seed.", transform: seedArgument)
    public var seed: UInt64 = 0

    public init() {}

    /// The checks of these flags, called by the command's `validate()` where its
    /// other checks put them (not `validate()`, which ArgumentParser would run first).
    public func check() throws {
        if initializationCount < 1 { throw ValidationError("--n-init must be at least 1, got \(initializationCount)") }
        if maxIterations < 0 { throw ValidationError("--max-iter must be at least 0, got \(maxIterations)") }
        if !(tol >= 0) || !tol.isFinite { throw ValidationError("--tol must be a finite number ≥ 0, got \(tol)") }
        if !(regularization >= 0) || !regularization.isFinite {
            throw ValidationError("--reg-covar must be a finite number ≥ 0, got \(regularization)")
        }
    }
}
