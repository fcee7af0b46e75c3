import Foundation

/// A Gaussian mixture: P(x) = Σ_k P(c = k) N(x | μ_k, Σ_k).
///
/// A value type holding the weights P(c), the means and covariances of the
/// components P(x|c), and what is derived from them once (Cholesky factors,
/// log-determinants). It has no mutable parameters, so the derived values
/// can never drift from the parameters. Matches scikit-learn's fitted
/// `GaussianMixture` (`weights_`, `means_`, `covariances_`).
public struct GaussianMixture: Sendable {
    /// The mixing weights P(c = k): positive, summing to 1 (to 1 − π₀ with a noise component).
    public let weights: [Double]
    /// mclust's uniform noise component, if the mixture has one (NoiseComponent.swift).
    public let noise: NoiseComponent?
    /// One mean vector of `featureCount` values per component.
    public let means: [[Double]]
    /// One name per feature, used for file headers and summaries.
    public let featureNames: [String]

    let family: any CovarianceFamily
    /// Row-major K×d copy of `means`, for the kernels.
    let flatMeans: [Double]
    /// log P(c = k).
    let logWeights: [Double]

    /// The number of components, K.
    public var componentCount: Int { weights.count }
    /// The number of features, d.
    public var featureCount: Int { featureNames.count }
    /// The covariance structure.
    public var covarianceKind: CovarianceKind { family.parameters.kind }
    /// The covariance parameters in scikit-learn's `covariances_` shape.
    public var covariances: CovarianceParameters { family.parameters }

    /// mclust's decomposition Σ_k = λ_k D_k A_k D_kᵀ for the ten models beyond
    /// scikit-learn's four (`nil` for full, diag, spherical and tied).
    public var decomposition: CovarianceDecomposition? {
        if case let .decomposed(_, _, parts) = covariances { return parts }
        return nil
    }

    /// Creates a mixture from its parameters, checking every shape and value.
    ///
    /// - Throws: `ModelError` naming the parameter that is wrong: weights that are
    ///   not positive or do not sum to 1 within 1e-6 (with `noise`, together with
    ///   its weight), means of the wrong length, covariances of the wrong shape,
    ///   not symmetric (1e-8 relative) or not positive definite, a noise box of
    ///   the wrong length.
    public init(
        weights: [Double], means: [[Double]], covariances: CovarianceParameters, featureNames: [String]? = nil,
        noise: NoiseComponent? = nil
    ) throws(ModelError) {
        let kCount = weights.count
        guard kCount >= 1 else { throw .invalid(key: "weights", reason: "a mixture needs at least one component") }
        guard let d = means.first?.count, d >= 1 else {
            throw .invalid(key: "means", reason: "expected \(kCount) lists of at least one number")
        }
        guard means.count == kCount, means.allSatisfy({ $0.count == d }) else {
            throw .invalid(key: "means", reason: "expected \(kCount) lists of \(d) numbers")
        }
        if let bad = weights.firstIndex(where: { !($0 > 0) || !$0.isFinite }) {
            throw .invalid(key: "weights[\(bad)]", reason: "weights must be positive, found \(weights[bad])")
        }
        let total = weights.reduce(0, +) + (noise?.weight ?? 0)
        guard abs(total - 1) <= 1e-6 else {
            throw .invalid(key: "weights", reason: noise == nil ? "weights must sum to 1, they sum to \(total)"
                : "weights and noise.weight must sum to 1, they sum to \(total)")
        }
        if let noise, noise.lower.count != d || noise.upper.count != d {
            let (key, count) = noise.lower.count != d ? ("noise.lower", noise.lower.count) : ("noise.upper", noise.upper.count)
            throw .invalid(key: key, reason: "expected \(d) numbers, found \(count)")
        }
        if let k = means.firstIndex(where: { !$0.allSatisfy(\.isFinite) }) {
            throw .invalid(key: "means[\(k)]", reason: "every mean must be a finite number")
        }
        let names = featureNames ?? (0..<d).map { "x\($0)" }
        guard names.count == d else {
            throw .invalid(key: "feature_names", reason: "expected \(d) names, found \(names.count)")
        }
        let family: any CovarianceFamily
        do {
            family = try covariances.kind.family.init(parameters: covariances, componentCount: kCount, featureCount: d)
        } catch {
            throw ModelError(covariance: error)
        }
        self.init(weights: weights, flatMeans: means.flatMap { $0 }, family: family, featureNames: names, noise: noise)
    }

    /// Assembles a mixture from parts this library has already checked.
    init(weights: [Double], flatMeans: [Double], family: any CovarianceFamily, featureNames: [String],
         noise: NoiseComponent? = nil) {
        let d = family.featureCount
        self.weights = weights
        self.noise = noise
        self.flatMeans = flatMeans
        self.means = (0..<weights.count).map { k in Array(flatMeans[(k * d)..<((k + 1) * d)]) }
        self.family = family
        self.featureNames = featureNames
        self.logWeights = weights.map { log($0) }
    }

    /// The same parameters with other feature names.
    public func renamingFeatures(_ names: [String]) throws(ModelError) -> GaussianMixture {
        guard names.count == featureCount else {
            throw .invalid(key: "feature_names", reason: "expected \(featureCount) names, found \(names.count)")
        }
        return GaussianMixture(weights: weights, flatMeans: flatMeans, family: family, featureNames: names, noise: noise)
    }

    /// The same Gaussian components with `noise` as the noise component (weights as given).
    func withNoise(_ noise: NoiseComponent?, weights: [Double]) -> GaussianMixture {
        GaussianMixture(weights: weights, flatMeans: flatMeans, family: family, featureNames: featureNames, noise: noise)
    }

    /// The full d×d covariance matrix of component `k`, whatever the kind.
    public func covarianceMatrix(component k: Int) -> [[Double]] {
        let m = family.covarianceMatrix(component: k)
        let d = featureCount
        return (0..<d).map { r in Array(m[(r * d)..<((r + 1) * d)]) }
    }

    /// Entry (i, j) of component `k`'s covariance matrix, whatever the kind, without
    /// building the d×d matrix.
    public func covariance(component k: Int, row i: Int, column j: Int) -> Double {
        family.covariance(component: k, row: i, column: j)
    }

    /// Number of free parameters, as scikit-learn's `_n_parameters` counts them;
    /// with a noise component 2 more, as mclust's `nMclustParams(noise = TRUE)`
    /// counts them (the noise weight and the volume).
    public var parameterCount: Int {
        covarianceKind.parameterCount(componentCount: componentCount, featureCount: featureCount) + (noise == nil ? 0 : 2)
    }
}

extension GaussianMixture: Equatable {
    /// Equal when every parameter and name is equal to the bit.
    public static func == (a: GaussianMixture, b: GaussianMixture) -> Bool {
        a.weights == b.weights && a.means == b.means && a.covariances == b.covariances
            && a.featureNames == b.featureNames && a.noise == b.noise
    }
}
