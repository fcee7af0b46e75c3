import Foundation

// The M-step: parameters from sufficient statistics, as scikit-learn's
// `_estimate_gaussian_parameters` defines them:
//   N_k = R_k + 10·ε            (floored so an empty component gives no NaN)
//   w_k = N_k / Σ N_k
//   m_k = Σ_i r_ik x_i / N_k = (a_k + R_k s_k) / N_k
// and the moments around the new means, exactly re-centred from the shift:
//   Σ_i r_ik (x_i − m_k)(x_i − m_k)ᵀ = M_k − δ a_kᵀ − a_k δᵀ + R_k δ δᵀ,  δ = m_k − s_k.
// The covariance family turns those moments into its covariances.
// With a noise component (NoiseComponent.swift) its soft count R_0 joins the
// total, w_k = N_k / (Σ N_k + N_0) and π₀ = N_0 / (Σ N_k + N_0), N_0 = R_0 + 10·ε:
// mclust's `mstep` with `Vinv`, whose proportions are the column sums of z over n.

enum MaximizationStep {
    /// The mixture the statistics imply.
    ///
    /// - Parameter prior: mclust's conjugate prior, for a MAP M-step
    ///   (ConjugatePrior+MStep.swift); `nil` for maximum likelihood.
    /// - Throws: `CovarianceError` when a component's covariance cannot be factored.
    static func parameters(
        from stats: SufficientStatistics, family: any CovarianceFamily.Type,
        regularization: Double, featureNames: [String], previous: (any CovarianceFamily)? = nil,
        noise: NoiseComponent? = nil, prior: ConjugatePrior? = nil
    ) throws(CovarianceError) -> GaussianMixture {
        precondition((stats.noiseCount != nil) == (noise != nil), "noise statistics without a noise component, or back")
        precondition(stats.momentShape == family.momentShape, "statistics lack the moments this family needs")
        precondition(noise == nil || prior == nil, "a noise component with a prior (refused by FitOptions.validated)")
        let moments = centredMoments(of: stats)
        if let prior {
            return try prior.parameters(
                weights: moments.weights, softCounts: moments.softCounts, means: moments.means, centred: moments.centred,
                family: family, regularization: regularization, featureNames: featureNames, previous: previous)
        }
        let covariances = try family.estimate(
            centredMoments: moments.centred, softCounts: moments.softCounts, featureCount: stats.featureCount,
            regularization: regularization, previous: previous)
        return GaussianMixture(weights: moments.weights, flatMeans: moments.means, family: covariances, featureNames: featureNames,
                               noise: moments.noiseWeight.map { noise!.reweighted($0) })
    }

    /// Floored soft counts N_k, weights, the K×d means, the moments centred on them, and
    /// the noise component's weight when the statistics have one.
    static func centredMoments(of stats: SufficientStatistics)
        -> (softCounts: [Double], weights: [Double], means: [Double], centred: [Double], noiseWeight: Double?) {
        let d = stats.featureCount
        let kCount = stats.componentCount
        let m = stats.momentShape.count(featureCount: d)
        let floor = 10 * Double.ulpOfOne
        let softCounts = stats.softCounts.map { $0 + floor }
        let noiseCount = stats.noiseCount.map { $0 + floor }
        let total = softCounts.reduce(0, +) + (noiseCount ?? 0)
        let weights = softCounts.map { $0 / total }
        var means = [Double](repeating: 0, count: kCount * d)
        var centred = [Double](repeating: 0, count: kCount * m)
        for k in 0..<kCount {
            let rk = stats.softCounts[k]
            var delta = [Double](repeating: 0, count: d)
            for j in 0..<d {
                let s = stats.shifts[k * d + j]
                let a = stats.sums[k * d + j]
                let mean = (a + rk * s) / softCounts[k]
                means[k * d + j] = mean
                delta[j] = mean - s
            }
            stats.momentShape.centre(moments: stats.moments, sums: stats.sums, component: k, softCount: rk, delta: delta,
                                     featureCount: d, into: &centred)
        }
        return (softCounts, weights, means, centred, noiseCount.map { $0 / total })
    }
}
