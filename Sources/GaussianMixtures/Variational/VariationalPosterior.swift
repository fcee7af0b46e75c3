import Foundation

// The variational posterior q(π) q(μ, Λ) of a Bayesian Gaussian mixture, in
// scikit-learn's parametrisation (`BayesianGaussianMixture` attributes):
//   weightConcentration  Dirichlet process: the Beta parameters (a_k, b_k) of each
//                        stick, `weight_concentration_` = (a, b); Dirichlet: α_k.
//   meanPrecision        β_k (`mean_precision_`).
//   means                m_k (`means_`), the posterior means of μ_k.
//   degreesOfFreedom     ν_k (`degrees_of_freedom_`; one value for `tied`).
//   covariances          W_k⁻¹ / ν_k (`covariances_`): the inverse of the expected
//                        precision, in the family's shape.
// Names inside: K components, d features, k a component, j a feature.

/// The posterior hyper-parameters of a variational Gaussian mixture, and what follows from them.
public struct VariationalPosterior: Sendable {
    /// The weight prior the posterior was fitted with.
    public let weightPrior: WeightPrior
    /// The priors' hyper-parameters, every default resolved.
    public let priors: ResolvedPriors
    /// Dirichlet process: `[a, b]` (two lists of K); Dirichlet: `[α]` (one list of K).
    public let weightConcentration: [[Double]]
    /// β_k.
    public let meanPrecision: [Double]
    /// m_k, one list of d values per component.
    public let means: [[Double]]
    /// ν_k (K values), or one ν for `tied`.
    public let degreesOfFreedom: [Double]
    /// W_k⁻¹/ν_k in scikit-learn's `covariances_` shape.
    public let covariances: CovarianceParameters
    /// The names of the d features, in order.
    public let featureNames: [String]

    /// The covariances as a family (factors, log-determinants, whitening).
    let family: any CovarianceFamily
    let flatMeans: [Double]

    /// K, the truncation (components switched off by the prior included).
    public var componentCount: Int { meanPrecision.count }
    /// d, the number of features.
    public var featureCount: Int { featureNames.count }
    /// The covariance family (one of scikit-learn's four).
    public var covarianceKind: CovarianceKind { covariances.kind }

    /// Creates a posterior from its hyper-parameters, checking shapes and values.
    public init(
        weightPrior: WeightPrior, priors: ResolvedPriors, weightConcentration: [[Double]], meanPrecision: [Double],
        means: [[Double]], degreesOfFreedom: [Double], covariances: CovarianceParameters, featureNames: [String]
    ) throws(ModelError) {
        let kCount = meanPrecision.count
        let d = featureNames.count
        func bad(_ key: String, _ reason: String) -> ModelError { .invalid(key: key, reason: reason) }
        guard kCount >= 1, d >= 1 else { throw bad("mean_precision", "a mixture needs at least one component and feature") }
        let lists = weightPrior == .dirichletProcess ? 2 : 1
        guard weightConcentration.count == lists, weightConcentration.allSatisfy({ $0.count == kCount }) else {
            throw bad("weight_concentration", "expected \(lists) list(s) of \(kCount) numbers")
        }
        guard weightConcentration.allSatisfy({ $0.allSatisfy { $0 > 0 && $0.isFinite } }) else {
            throw bad("weight_concentration", "concentrations must be positive")
        }
        guard meanPrecision.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw bad("mean_precision", "must be positive")
        }
        guard means.count == kCount, means.allSatisfy({ $0.count == d && $0.allSatisfy(\.isFinite) }) else {
            throw bad("means", "expected \(kCount) lists of \(d) finite numbers")
        }
        let dofCount = covariances.kind.sharesOneCovariance ? 1 : kCount
        guard degreesOfFreedom.count == dofCount, degreesOfFreedom.allSatisfy({ $0 > Double(d) - 1 && $0.isFinite }) else {
            throw bad("degrees_of_freedom", "expected \(dofCount) numbers > \(d - 1)")
        }
        guard priors.mean.count == d,
              priors.covariance.count == ResolvedPriors.covarianceCount(covariances.kind, featureCount: d) else {
            throw bad("priors", "shapes do not match \(d) features and \(covariances.kind.rawValue) covariances")
        }
        try priors.check(kind: covariances.kind, featureCount: d)
        let family: any CovarianceFamily
        do {
            family = try covariances.kind.family.init(parameters: covariances, componentCount: kCount, featureCount: d)
        } catch {
            throw ModelError(covariance: error)
        }
        self.init(weightPrior: weightPrior, priors: priors, weightConcentration: weightConcentration,
                  meanPrecision: meanPrecision, flatMeans: means.flatMap { $0 }, degreesOfFreedom: degreesOfFreedom,
                  family: family, featureNames: featureNames)
    }

    /// Assembles a posterior from parts this library has already checked.
    init(weightPrior: WeightPrior, priors: ResolvedPriors, weightConcentration: [[Double]], meanPrecision: [Double],
         flatMeans: [Double], degreesOfFreedom: [Double], family: any CovarianceFamily, featureNames: [String]) {
        let d = family.featureCount
        self.weightPrior = weightPrior
        self.priors = priors
        self.weightConcentration = weightConcentration
        self.meanPrecision = meanPrecision
        self.flatMeans = flatMeans
        self.means = (0..<meanPrecision.count).map { k in Array(flatMeans[(k * d)..<((k + 1) * d)]) }
        self.degreesOfFreedom = degreesOfFreedom
        self.family = family
        self.covariances = family.parameters
        self.featureNames = featureNames
    }

    /// ν_k of component k (the shared ν for `tied`).
    func degreesOfFreedom(component k: Int) -> Double {
        degreesOfFreedom.count == 1 ? degreesOfFreedom[0] : degreesOfFreedom[k]
    }

    /// The posterior mean weights E[π_k], scikit-learn's `weights_`.
    ///
    /// Dirichlet: α_k / Σ α. Dirichlet process: E[v_k] Π_{j<k} E[1 − v_j] with
    /// E[v_k] = a_k / (a_k + b_k); the truncated sticks leave some mass beyond
    /// component K, so, as scikit-learn does, the K values are renormalised to sum to 1.
    public var weights: [Double] {
        switch weightPrior {
        case .dirichlet:
            let alpha = weightConcentration[0]
            let total = alpha.reduce(0, +)
            return alpha.map { $0 / total }
        case .dirichletProcess:
            let a = weightConcentration[0], b = weightConcentration[1]
            var remaining = 1.0
            var w = [Double](repeating: 0, count: a.count)
            for k in a.indices {
                let sum = a[k] + b[k]
                w[k] = a[k] / sum * remaining
                remaining *= b[k] / sum
            }
            let total = w.reduce(0, +)
            return w.map { $0 / total }
        }
    }

    /// E[log π_k] under q(π) (scikit-learn's `_estimate_log_weights`), with digamma ψ:
    /// Dirichlet ψ(α_k) − ψ(Σα); Dirichlet process
    /// ψ(a_k) − ψ(a_k + b_k) + Σ_{j<k} [ψ(b_j) − ψ(a_j + b_j)].
    var expectedLogWeights: [Double] {
        let psi = GSLSpecialFunctions.digamma
        switch weightPrior {
        case .dirichlet:
            let alpha = weightConcentration[0]
            let total = psi(alpha.reduce(0, +))
            return alpha.map { psi($0) - total }
        case .dirichletProcess:
            let a = weightConcentration[0], b = weightConcentration[1]
            var carried = 0.0
            var out = [Double](repeating: 0, count: a.count)
            for k in a.indices {
                let digammaSum = psi(a[k] + b[k])
                out[k] = psi(a[k]) - digammaSum + carried
                carried += psi(b[k]) - digammaSum
            }
            return out
        }
    }

    /// The per-component constants of the variational E-step, added to
    /// log N(x | m_k, covariances_k) (scikit-learn's `_estimate_log_prob` plus log weights):
    ///   E[log π_k] − ½ d log ν_k + ½ (d log 2 + Σ_j ψ((ν_k − j)/2) − d/β_k).
    var expectedLogJointOffsets: [Double] {
        let d = Double(featureCount)
        let logWeights = expectedLogWeights
        return (0..<componentCount).map { k in
            let nu = degreesOfFreedom(component: k)
            var logLambda = d * log(2.0)
            for j in 0..<featureCount { logLambda += GSLSpecialFunctions.digamma(0.5 * (nu - Double(j))) }
            return logWeights[k] - 0.5 * d * log(nu) + 0.5 * (logLambda - d / meanPrecision[k])
        }
    }

    /// The d×d matrix C_k = W_k⁻¹/ν_k of component k (row-major), whatever the kind.
    public func covarianceMatrix(component k: Int) -> [Double] { family.covarianceMatrix(component: k) }

    /// Weights above which a component counts as effective (`effectiveComponentCount`).
    public static let effectiveWeightThreshold = 0.01

    /// Components whose posterior mean weight is at least `threshold` (default 0.01).
    public func effectiveComponents(threshold: Double = effectiveWeightThreshold) -> [Int] {
        weights.indices.filter { weights[$0] >= threshold }
    }

    /// The plug-in mixture: posterior mean weights, the means m_k and `covariances`
    /// (the inverse expected precisions) used as if they were known parameters.
    /// Its density is what scikit-learn's fitted attributes describe; it ignores the
    /// posterior uncertainty that `logPredictiveDensities(of:)` integrates over.
    public var plugInModel: GaussianMixture {
        GaussianMixture(weights: weights, flatMeans: flatMeans, family: family, featureNames: featureNames)
    }
}

extension VariationalPosterior: Equatable {
    /// Equal when every hyper-parameter and name is equal to the bit.
    public static func == (a: VariationalPosterior, b: VariationalPosterior) -> Bool {
        a.weightPrior == b.weightPrior && a.priors == b.priors && a.weightConcentration == b.weightConcentration
            && a.meanPrecision == b.meanPrecision && a.means == b.means && a.degreesOfFreedom == b.degreesOfFreedom
            && a.covariances == b.covariances && a.featureNames == b.featureNames
    }
}
