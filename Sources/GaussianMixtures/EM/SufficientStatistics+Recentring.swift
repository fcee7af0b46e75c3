// What online EM needs from the statistics besides `+`: moving them to other
// shifts, scaling them, and the convex combination of a running estimate with
// a new batch.
//
// Statistics are taken around shifts s_k (the means of the model the E-step
// ran under). A running estimate S is kept around the shifts of the model it
// produced, while the next batch's statistics ŝ come out around the new means.
// Before the two can be combined S is re-expressed around the new shifts
// s' = s + δ, exactly (no approximation; x − s' = (x − s) − δ):
//   R' = R
//   a' = Σ r (x − s') = a − R δ
//   M' = Σ r (x − s')(x − s')ᵀ = M − a δᵀ − δ aᵀ + R δ δᵀ      (full and tied)
//   M'_j = M_j − 2 a_j δ_j + R δ_j²                              (diagonal moments)
// These are the same terms the M-step uses to centre the moments on the new
// means; with s' equal to the new means, a' is (up to the soft-count floor and
// rounding) zero and M' is the centred scatter.

extension SufficientStatistics {
    /// The same statistics expressed around `newShifts` (K×d), exactly.
    func recentred(on newShifts: [Double]) -> SufficientStatistics {
        precondition(newShifts.count == shifts.count, "one shift vector per component")
        let d = featureCount
        var out = SufficientStatistics(
            componentCount: componentCount, featureCount: d, momentShape: momentShape, shifts: newShifts,
            softCounts: softCounts, sums: sums, moments: moments, logLikelihood: logLikelihood,
            sampleCount: sampleCount, totalWeight: totalWeight)
        var delta = [Double](repeating: 0, count: d)
        for k in 0..<componentCount {
            let rk = softCounts[k]
            for j in 0..<d { delta[j] = newShifts[k * d + j] - shifts[k * d + j] }
            momentShape.recentre(moments: moments, sums: sums, component: k, softCount: rk, delta: delta,
                                 featureCount: d, into: &out.moments)
            for j in 0..<d { out.sums[k * d + j] = sums[k * d + j] - rk * delta[j] }
        }
        return out
    }

    /// Every additive quantity (counts, sums, moments, log-likelihood, total
    /// weight) multiplied by `factor`; `sampleCount` is kept.
    func scaled(by factor: Double) -> SufficientStatistics {
        var out = self
        for idx in out.softCounts.indices { out.softCounts[idx] *= factor }
        for idx in out.sums.indices { out.sums[idx] *= factor }
        for idx in out.moments.indices { out.moments[idx] *= factor }
        out.logLikelihood *= factor
        out.totalWeight *= factor
        return out
    }

    /// `(1 − γ) self + γ batch`, term by term (same shifts). `γ = 1` returns
    /// `batch`'s values exactly; the sample count is the sum of both.
    func interpolated(toward batch: SufficientStatistics, step gamma: Double) -> SufficientStatistics {
        precondition(shifts == batch.shifts && momentShape == batch.momentShape, "statistics around different shifts")
        let keep = 1 - gamma
        var out = batch
        for idx in out.softCounts.indices { out.softCounts[idx] = keep * softCounts[idx] + gamma * batch.softCounts[idx] }
        for idx in out.sums.indices { out.sums[idx] = keep * sums[idx] + gamma * batch.sums[idx] }
        for idx in out.moments.indices { out.moments[idx] = keep * moments[idx] + gamma * batch.moments[idx] }
        out.logLikelihood = keep * logLikelihood + gamma * batch.logLikelihood
        out.totalWeight = keep * totalWeight + gamma * batch.totalWeight
        out.sampleCount = sampleCount + batch.sampleCount
        return out
    }

    /// The statistics `weight` rows drawn from `model` would have in
    /// expectation, around the model's means: R_k = weight·w_k, a_k = 0 and
    /// M_k = R_k (Σ_k − reg·I), the regulariser taken off so that the M-step,
    /// which adds it back, returns the model's own covariances.
    static func implied(by model: GaussianMixture, weight: Double, regularization: Double) -> SufficientStatistics {
        let d = model.featureCount
        let kCount = model.componentCount
        let shape = type(of: model.family).momentShape
        var stats = SufficientStatistics.zero(componentCount: kCount, featureCount: d, momentShape: shape,
                                              shifts: model.flatMeans)
        for k in 0..<kCount {
            let rk = weight * model.weights[k]
            stats.softCounts[k] = rk
            let sigma = { (r: Int, c: Int) in model.family.covariance(component: k, row: r, column: c) }
            shape.implied(softCount: rk, covariance: sigma, regularization: regularization, component: k, featureCount: d,
                          into: &stats.moments)
        }
        stats.totalWeight = weight
        return stats
    }
}
