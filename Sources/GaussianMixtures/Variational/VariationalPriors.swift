// The priors of the variational (Bayesian) Gaussian mixture, as scikit-learn's
// `BayesianGaussianMixture` defines them:
//   weights   π ~ Dirichlet process (stick-breaking, truncated at K) with
//             concentration γ, or a symmetric Dirichlet(γ, …, γ);
//   means     μ_k | Λ_k ~ N(m₀, (β₀ Λ_k)⁻¹);
//   precision Λ_k ~ Wishart(ν₀, Ψ₀⁻¹) (one Λ shared by all components for `tied`;
//             for `diag` and `spherical` scikit-learn keeps the Wishart's
//             expected-log-determinant form with a diagonal or scalar Ψ₀).
// Defaults (scikit-learn's): γ = 1/K, β₀ = 1, m₀ = the data mean, ν₀ = d,
// Ψ₀ = the sample covariance (ddof 1), its diagonal (diag) or the mean of its
// diagonal (spherical).

/// The prior on the mixing weights, named by scikit-learn's `weight_concentration_prior_type`.
public enum WeightPrior: String, CaseIterable, Codable, Sendable {
    /// A Dirichlet process truncated at K components (stick-breaking): switches unused components off.
    case dirichletProcess = "dirichlet_process"
    /// A symmetric Dirichlet distribution over the K weights.
    case dirichlet = "dirichlet_distribution"
}

/// Prior hyper-parameters; `nil` means scikit-learn's default, computed from the data.
public struct VariationalPriors: Sendable, Equatable {
    /// γ (`weight_concentration_prior`), > 0; default 1/K.
    public var weightConcentration: Double?
    /// β₀ (`mean_precision_prior`), > 0; default 1.
    public var meanPrecision: Double?
    /// m₀ (`mean_prior`), d values; default the data mean.
    public var mean: [Double]?
    /// ν₀ (`degrees_of_freedom_prior`), > d − 1; default d.
    public var degreesOfFreedom: Double?
    /// Ψ₀ (`covariance_prior`) in the family's shape, flattened: d×d for full and tied,
    /// d variances for diag, one variance for spherical; default from the data.
    public var covariance: [Double]?

    /// Priors with the given values; those left `nil` take scikit-learn's defaults.
    public init(weightConcentration: Double? = nil, meanPrecision: Double? = nil, mean: [Double]? = nil,
                degreesOfFreedom: Double? = nil, covariance: [Double]? = nil) {
        self.weightConcentration = weightConcentration
        self.meanPrecision = meanPrecision
        self.mean = mean
        self.degreesOfFreedom = degreesOfFreedom
        self.covariance = covariance
    }
}

/// Prior hyper-parameters with every value resolved (scikit-learn's `*_prior_` attributes).
public struct ResolvedPriors: Sendable, Equatable {
    /// γ (`weight_concentration_prior_`).
    public var weightConcentration: Double
    /// β₀ (`mean_precision_prior_`).
    public var meanPrecision: Double
    /// m₀ (`mean_prior_`), d values.
    public var mean: [Double]
    /// ν₀ (`degrees_of_freedom_prior_`).
    public var degreesOfFreedom: Double
    /// Ψ₀ flattened in the family's shape (see `VariationalPriors.covariance`).
    public var covariance: [Double]

    /// Priors with every value given.
    public init(weightConcentration: Double, meanPrecision: Double, mean: [Double], degreesOfFreedom: Double,
                covariance: [Double]) {
        self.weightConcentration = weightConcentration
        self.meanPrecision = meanPrecision
        self.mean = mean
        self.degreesOfFreedom = degreesOfFreedom
        self.covariance = covariance
    }

    /// Number of values Ψ₀ has for `kind` in `d` dimensions.
    static func covarianceCount(_ kind: CovarianceKind, featureCount d: Int) -> Int {
        switch kind.variationalShape {
        case .full, .tied: d * d
        case .diagonal: d
        case .spherical: 1
        }
    }
}

extension ResolvedPriors {
    /// Checks the values that `VariationalPriors.resolved` guarantees, for priors
    /// that come from elsewhere (a model file): the ELBO's normalisers take logs
    /// of them and factor Ψ₀. Keys are those of a model file's "priors" object.
    func check(kind: CovarianceKind, featureCount d: Int) throws(ModelError) {
        func bad(_ key: String, _ reason: String) -> ModelError { .invalid(key: "priors.\(key)", reason: reason) }
        guard weightConcentration > 0, weightConcentration.isFinite else {
            throw bad("weight_concentration", "must be a finite number > 0, got \(weightConcentration)")
        }
        guard meanPrecision > 0, meanPrecision.isFinite else {
            throw bad("mean_precision", "must be a finite number > 0, got \(meanPrecision)")
        }
        guard mean.allSatisfy(\.isFinite) else { throw bad("mean", "must be finite numbers") }
        guard degreesOfFreedom > Double(d) - 1, degreesOfFreedom.isFinite else {
            throw bad("degrees_of_freedom", "must be a finite number > \(d - 1) (features − 1), got \(degreesOfFreedom)")
        }
        guard covariance.allSatisfy(\.isFinite) else { throw bad("covariance", "must be finite numbers") }
        switch kind.variationalShape {
        case .full, .tied:
            guard isSymmetric(covariance[...], dimension: d), (try? CholeskyFactor(factoring: covariance, dimension: d)) != nil else {
                throw bad("covariance", "must be a symmetric positive-definite \(d)×\(d) matrix")
            }
        case .diagonal, .spherical:
            guard covariance.allSatisfy({ $0 > 0 }) else { throw bad("covariance", "variances must be > 0") }
        }
    }
}

extension VariationalPriors {
    /// Fills in scikit-learn's defaults from the (weighted) data and checks every value.
    func resolved(for data: DataMatrix, weights: [Double]?, componentCount kCount: Int,
                  kind: CovarianceKind) throws(FitError) -> ResolvedPriors {
        let d = data.featureCount
        func bad(_ name: String, _ reason: String) -> FitError { .invalidOption(name: name, reason: reason) }
        let gamma = weightConcentration ?? 1 / Double(kCount)
        guard gamma > 0, gamma.isFinite else { throw bad("weightConcentration", "must be a finite number > 0, got \(gamma)") }
        let beta = meanPrecision ?? 1
        guard beta > 0, beta.isFinite else { throw bad("meanPrecision", "must be a finite number > 0, got \(beta)") }
        let (dataMean, dataCovariance) = weightedMoments(of: data, weights: weights)
        let m0 = mean ?? dataMean
        guard m0.count == d, m0.allSatisfy(\.isFinite) else {
            throw bad("meanPrior", "must be \(d) finite numbers, got \(m0.count)")
        }
        let nu = degreesOfFreedom ?? Double(d)
        guard nu > Double(d) - 1, nu.isFinite else {
            throw bad("degreesOfFreedom", "must be a finite number > \(d - 1) (features − 1), got \(nu)")
        }
        let psi: [Double]
        if let covariance {
            guard covariance.count == ResolvedPriors.covarianceCount(kind, featureCount: d),
                  covariance.allSatisfy(\.isFinite) else {
                throw bad("covariancePrior", "must be \(ResolvedPriors.covarianceCount(kind, featureCount: d)) finite numbers for \(kind.rawValue) covariances, got \(covariance.count)")
            }
            psi = covariance
        } else {
            switch kind.variationalShape {
            case .full, .tied: psi = dataCovariance
            case .diagonal: psi = (0..<d).map { dataCovariance[$0 * d + $0] }
            case .spherical: psi = [(0..<d).reduce(0) { $0 + dataCovariance[$1 * d + $1] } / Double(d)]
            }
        }
        // Without --covariance-prior, Ψ₀ is the data's own covariance: when that is singular
        // the data are at fault (a constant column, dependent columns), not a flag.
        func unusable(_ what: String) -> FitError {
            guard covariance == nil else { return bad("covariancePrior", what) }
            let constant = (0..<d).filter { dataCovariance[$0 * d + $0] == 0 }.map { data.featureNames[$0] }
            let cause = constant.isEmpty ? "some columns are linear combinations of others"
                : "column\(constant.count == 1 ? "" : "s") \(constant.map { "\"\($0)\"" }.joined(separator: ", ")) "
                    + "\(constant.count == 1 ? "is" : "are") constant"
            return .infeasible(reason: "the data's covariance, the default covariance prior, is singular: \(cause); "
                + "remove such columns (--columns) or give --covariance-prior")
        }
        switch kind.variationalShape {
        case .full, .tied:
            guard isSymmetric(psi[...], dimension: d), (try? CholeskyFactor(factoring: psi, dimension: d)) != nil else {
                throw unusable("must be a symmetric positive-definite \(d)×\(d) matrix")
            }
        case .diagonal, .spherical:
            guard psi.allSatisfy({ $0 > 0 }) else { throw unusable("variances must be > 0") }
        }
        return ResolvedPriors(weightConcentration: gamma, meanPrecision: beta, mean: m0, degreesOfFreedom: nu,
                              covariance: psi)
    }
}

/// The (frequency-weighted) column means and the d×d sample covariance with
/// Bessel's correction (numpy's `cov(X.T)`; with weights, `cov(X.T, fweights=w)`).
func weightedMoments(of data: DataMatrix, weights: [Double]?) -> (mean: [Double], covariance: [Double]) {
    let n = data.sampleCount, d = data.featureCount
    var total = 0.0
    var mean = [Double](repeating: 0, count: d)
    var cov = [Double](repeating: 0, count: d * d)
    data.withUnsafeBufferPointer { x in
        for i in 0..<n {
            let w = weights?[i] ?? 1
            total += w
            for j in 0..<d { mean[j] += w * x[i * d + j] }
        }
        for j in 0..<d { mean[j] /= total }
        for i in 0..<n {
            let w = weights?[i] ?? 1
            guard w != 0 else { continue }
            for r in 0..<d {
                let a = x[i * d + r] - mean[r]
                for c in r..<d { cov[r * d + c] += w * a * (x[i * d + c] - mean[c]) }
            }
        }
    }
    for r in 0..<d {
        for c in r..<d {
            cov[r * d + c] /= (total - 1)
            cov[c * d + r] = cov[r * d + c]
        }
    }
    return (mean, cov)
}
