import Foundation

// The variational M-step: posterior hyper-parameters from one pass's
// sufficient statistics, scikit-learn's `_estimate_weights`, `_estimate_means`
// and `_estimate_wishart_*`. With N_k the soft counts (floored by 10ε), x̄_k the
// weighted means and S_k the weighted covariances plus the regulariser — exactly
// what the EM M-step computes, so `MaximizationStep` supplies them:
//   weights    DP: a_k = 1 + N_k, b_k = γ + Σ_{j>k} N_j;  Dirichlet: α_k = γ + N_k
//   means      β_k = β₀ + N_k,  m_k = (β₀ m₀ + N_k x̄_k) / β_k
//   Wishart    ν_k = ν₀ + N_k,  δ_k = x̄_k − m₀,
//     full       W_k⁻¹ = Ψ₀ + N_k S_k + N_k β₀/β_k δ_k δ_kᵀ
//     diag       W_kj⁻¹ = ψ₀_j + N_k (S_kj + β₀/β_k δ_kj²)
//     spherical  W_k⁻¹ = ψ₀ + N_k (S_k + β₀/β_k mean_j δ_kj²)
//     tied       ν = ν₀ + ΣN/K,  W⁻¹ = Ψ₀ + S ΣN/K + β₀/K Σ_k (N_k/β_k) δ_k δ_kᵀ
//   and `covariances` = W⁻¹/ν (scikit-learn normalises by the degrees of freedom).

enum VariationalUpdate {
    static func posterior(
        from stats: SufficientStatistics, kind: CovarianceKind, weightPrior: WeightPrior, priors: ResolvedPriors,
        regularization: Double, featureNames: [String]
    ) throws(CovarianceError) -> VariationalPosterior {
        let kCount = stats.componentCount
        let d = stats.featureCount
        let moments = try MaximizationStep.parameters(
            from: stats, family: kind.family, regularization: regularization, featureNames: featureNames)
        let nk = stats.softCounts.map { $0 + 10 * Double.ulpOfOne }
        let xk = moments.flatMeans
        let sk = moments.covariances.flattened

        // Weights.
        let concentration: [[Double]]
        switch weightPrior {
        case .dirichletProcess:
            var b = [Double](repeating: priors.weightConcentration, count: kCount)
            var tail = 0.0
            for k in stride(from: kCount - 1, through: 0, by: -1) {
                b[k] = priors.weightConcentration + tail
                tail += nk[k]
            }
            concentration = [nk.map { 1 + $0 }, b]
        case .dirichlet:
            concentration = [nk.map { priors.weightConcentration + $0 }]
        }

        // Means.
        let beta0 = priors.meanPrecision
        let beta = nk.map { beta0 + $0 }
        var means = [Double](repeating: 0, count: kCount * d)
        var diff = [Double](repeating: 0, count: kCount * d)
        for k in 0..<kCount {
            for j in 0..<d {
                means[k * d + j] = (beta0 * priors.mean[j] + nk[k] * xk[k * d + j]) / beta[k]
                diff[k * d + j] = xk[k * d + j] - priors.mean[j]
            }
        }

        // Wishart.
        let nu0 = priors.degreesOfFreedom
        let psi0 = priors.covariance
        let dof: [Double]
        let covariances: CovarianceParameters
        switch kind.variationalShape {
        case .full:
            dof = nk.map { nu0 + $0 }
            covariances = .full((0..<kCount).map { k in
                (0..<d).map { r in
                    (0..<d).map { c in
                        let v = psi0[r * d + c] + nk[k] * sk[k * d * d + r * d + c]
                            + nk[k] * beta0 / beta[k] * (diff[k * d + r] * diff[k * d + c])
                        return v / dof[k]
                    }
                }
            })
        case .diagonal:
            dof = nk.map { nu0 + $0 }
            covariances = .diagonal((0..<kCount).map { k in
                (0..<d).map { j in
                    let dj = diff[k * d + j]
                    return (psi0[j] + nk[k] * (sk[k * d + j] + beta0 / beta[k] * (dj * dj))) / dof[k]
                }
            })
        case .spherical:
            dof = nk.map { nu0 + $0 }
            covariances = .spherical((0..<kCount).map { k in
                var meanSquare = 0.0
                for j in 0..<d { meanSquare += diff[k * d + j] * diff[k * d + j] }
                meanSquare /= Double(d)
                return (psi0[0] + nk[k] * (sk[k] + beta0 / beta[k] * meanSquare)) / dof[k]
            })
        case .tied:
            let perComponent = nk.reduce(0, +) / Double(kCount)
            let nu = nu0 + perComponent
            dof = [nu]
            covariances = .tied((0..<d).map { r in
                (0..<d).map { c in
                    var outer = 0.0
                    for k in 0..<kCount { outer += (nk[k] / beta[k]) * diff[k * d + r] * diff[k * d + c] }
                    return (psi0[r * d + c] + sk[r * d + c] * perComponent + beta0 / Double(kCount) * outer) / nu
                }
            })
        }
        let family = try kind.family.init(parameters: covariances, componentCount: kCount, featureCount: d)
        return VariationalPosterior(
            weightPrior: weightPrior, priors: priors, weightConcentration: concentration, meanPrecision: beta,
            flatMeans: means, degreesOfFreedom: dof, family: family, featureNames: featureNames)
    }
}

extension VariationalPosterior {
    /// scikit-learn's `lower_bound_` (`_compute_lower_bound`) for these parameters,
    /// given Σ_i r_ik log r_ik of the E-step that produced them. Its constants are
    /// scikit-learn's: terms that do not depend on the parameters are left out, so
    /// the value is the evidence lower bound up to an additive constant.
    ///   ELBO = −Σ r log r − Σ_k log B(W_k, ν_k) − log C(weights) − ½ d Σ_k log β_k
    /// with log B = −(ν log|L| + ν d/2 log 2 + Σ_j log Γ((ν − j)/2)), log|L| =
    /// −½ log det(W⁻¹/ν) − ½ d log ν (the precision's Cholesky log-determinant),
    /// log C = −Σ_k log Beta(a_k, b_k) (Dirichlet process) or
    /// log Γ(Σα) − Σ log Γ(α_k) (Dirichlet); `tied` counts its one Wishart K times.
    func lowerBound(responsibilityEntropy: Double) -> Double {
        var logWishart = 0.0
        if covarianceKind.variationalShape == .tied {
            logWishart = Double(componentCount)
                * logWishartNormalizer(degreesOfFreedom[0], logDetCovariance: family.logDeterminant(component: 0))
        } else {
            for k in 0..<componentCount {
                logWishart += logWishartNormalizer(degreesOfFreedom[k], logDetCovariance: family.logDeterminant(component: k))
            }
        }
        let logNormWeight: Double
        switch weightPrior {
        case .dirichletProcess:
            logNormWeight = stickBreakingNormalizer(a: weightConcentration[0], b: weightConcentration[1])
        case .dirichlet:
            logNormWeight = dirichletNormalizer(weightConcentration[0])
        }
        let logBeta = meanPrecision.reduce(0) { $0 + log($1) }
        return responsibilityEntropy - logWishart - logNormWeight - 0.5 * Double(featureCount) * logBeta
    }

    /// What scikit-learn's bound leaves out: the normalisers of the priors and of the
    /// data term, which depend on K, the family and the priors but not on the fit.
    /// Right after a variational M-step the full evidence lower bound reduces to
    ///   ELBO = `lowerBound` + log C(prior weights) + ½ d K log β₀ + K log B(W₀, ν₀) − ½ n d log 2π
    /// (Bishop, PRML §10.2.2, with the expectations of the optimal factors in
    /// closed form; the ¼ d(d−1) log π of the multivariate gamma cancels between
    /// prior and posterior Wisharts). n is the total frequency weight. For `full`
    /// and K = 1 with a Dirichlet prior it is the exact log marginal likelihood
    /// of the Normal–Wishart model (a test checks this); for `diag`, `spherical`
    /// and `tied` it follows scikit-learn's construction of those families.
    func priorNormalizers(totalWeight n: Double) -> Double {
        let kCount = Double(componentCount)
        let d = Double(featureCount)
        let gamma = priors.weightConcentration
        let logC0: Double
        switch weightPrior {
        case .dirichletProcess:
            logC0 = stickBreakingNormalizer(a: [Double](repeating: 1, count: componentCount),
                                            b: [Double](repeating: gamma, count: componentCount))
        case .dirichlet:
            logC0 = dirichletNormalizer([Double](repeating: gamma, count: componentCount))
        }
        let nu0 = priors.degreesOfFreedom
        let logDetPsi0: Double
        switch covarianceKind.variationalShape {
        case .full, .tied:
            // Ψ₀ was checked positive definite when the priors were resolved.
            logDetPsi0 = (try? CholeskyFactor(factoring: priors.covariance, dimension: featureCount))?.logDeterminant ?? .nan
        case .diagonal:
            logDetPsi0 = priors.covariance.reduce(0) { $0 + log($1) }
        case .spherical:
            logDetPsi0 = d * log(priors.covariance[0])
        }
        let logB0 = logWishartNormalizer(nu0, logDetCovariance: logDetPsi0 - d * log(nu0))
        return logC0 + 0.5 * d * kCount * log(priors.meanPrecision) + kCount * logB0 - 0.5 * n * d * log(2 * Double.pi)
    }

    /// The full evidence lower bound (a lower bound on log P(data)), from scikit-learn's
    /// bound of these parameters and the total frequency weight of the data.
    public func evidenceLowerBound(lowerBound: Double, totalWeight: Double) -> Double {
        lowerBound + priorNormalizers(totalWeight: totalWeight)
    }

    /// log B(W, ν), the Wishart's normalising constant, in scikit-learn's form
    /// (without −¼ d(d−1) log π), from ν and log det(W⁻¹/ν), the family's covariance.
    private func logWishartNormalizer(_ nu: Double, logDetCovariance: Double) -> Double {
        let d = featureCount
        let dd = Double(d)
        let logDetPrecisionCholesky = -0.5 * logDetCovariance - 0.5 * dd * log(nu)
        var lg = 0.0
        for j in 0..<d { lg += GSLSpecialFunctions.logGamma(0.5 * (nu - Double(j))) }
        return -(nu * logDetPrecisionCholesky + nu * dd * 0.5 * log(2.0) + lg)
    }
}

/// log C of K stick-breaking Beta(a_k, b_k) factors: −Σ_k log Beta(a_k, b_k).
private func stickBreakingNormalizer(a: [Double], b: [Double]) -> Double {
    zip(a, b).reduce(0) { $0 - GSLSpecialFunctions.logBeta($1.0, $1.1) }
}

/// log C of a Dirichlet(α): log Γ(Σα) − Σ log Γ(α_k).
private func dirichletNormalizer(_ alpha: [Double]) -> Double {
    alpha.reduce(GSLSpecialFunctions.logGamma(alpha.reduce(0, +))) { $0 - GSLSpecialFunctions.logGamma($1) }
}
