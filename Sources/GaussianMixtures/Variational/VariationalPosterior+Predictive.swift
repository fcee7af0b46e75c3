import Foundation

// Two densities of a variational mixture, clearly apart:
//
// - the plug-in density Σ_k E[π_k] N(x | m_k, C_k), the Gaussian mixture at the
//   posterior means (C_k = `covariances`, the inverse expected precision): what
//   scikit-learn's fitted attributes describe;
// - the posterior-predictive density p(x | data) = ∫ p(x | θ) q(θ) dθ, the correct
//   Bayesian P(x): integrating the Normal-Wishart posterior of each component
//   gives a multivariate Student t (Bishop, PRML §10.2.3, eq. 10.81),
//     p(x | data) = Σ_k E[π_k] St(x | m_k, S_k, ν'_k),
//     ν'_k = ν_k + 1 − d,   S_k = (1 + β_k) / (β_k ν'_k) · W_k⁻¹ = (1 + β_k) ν_k / (β_k ν'_k) · C_k.
//   For `tied` one ν and W are shared and each component keeps its β_k. For
//   `diag` and `spherical` scikit-learn keeps the Wishart's form with a diagonal
//   (scalar) scale, and the same t with that diagonal scale is used.
//   E[π_k] are the posterior mean weights (`weights`); under the truncated
//   Dirichlet process they are renormalised to sum to 1, like scikit-learn's.
// As the data grow, ν'_k → ∞ and S_k → C_k, so the predictive tends to the plug-in.

extension VariationalPosterior {
    /// The Student-t degrees of freedom ν'_k and the factor s_k with S_k = s_k C_k.
    func studentT(component k: Int) -> (degrees: Double, scaleFactor: Double) {
        let nu = degreesOfFreedom(component: k)
        let dof = nu + 1 - Double(featureCount)
        return (dof, (1 + meanPrecision[k]) * nu / (meanPrecision[k] * dof))
    }

    /// log p(x | data) of every row: the posterior-predictive density, a mixture of
    /// multivariate Student t distributions (a normalised density in x).
    ///
    /// - Throws: `ModelError.featureCountMismatch` when the data has the wrong number of columns.
    public func logPredictiveDensities(of data: DataMatrix) throws(ModelError) -> [Double] {
        guard data.featureCount == featureCount else {
            throw .featureCountMismatch(expected: featureCount, actual: data.featureCount)
        }
        let n = data.sampleCount, d = featureCount, kCount = componentCount
        let dd = Double(d)
        let logWeights = weights.map { log($0) }
        let params = (0..<kCount).map { studentT(component: $0) }
        let constants = (0..<kCount).map { k in
            let (dof, s) = params[k]
            return logWeights[k] + GSLSpecialFunctions.logGamma(0.5 * (dof + dd)) - GSLSpecialFunctions.logGamma(0.5 * dof)
                - 0.5 * dd * log(dof * Double.pi) - 0.5 * (dd * log(s) + family.logDeterminant(component: k))
        }
        let blockRows = variationalBlockRows(featureCount: d, componentCount: kCount)
        var out = [Double](repeating: 0, count: n)
        var z = [Double](repeating: 0, count: blockRows * d)
        var terms = [Double](repeating: 0, count: blockRows * kCount)
        data.withUnsafeBufferPointer { x in
            var start = 0
            while start < n {
                let rows = min(blockRows, n - start)
                z.withUnsafeMutableBufferPointer { zBuf in
                    for k in 0..<kCount {
                        for r in 0..<rows {
                            for j in 0..<d { zBuf[r * d + j] = x[(start + r) * d + j] - flatMeans[k * d + j] }
                        }
                        family.whiten(zBuf.baseAddress!, rows: rows, component: k)
                        let (dof, s) = params[k]
                        for r in 0..<rows {
                            var q = 0.0
                            for j in 0..<d { q += zBuf[r * d + j] * zBuf[r * d + j] }
                            terms[r * kCount + k] = constants[k] - 0.5 * (dof + dd) * log1p(q / (s * dof))
                        }
                    }
                }
                terms.withUnsafeBufferPointer { t in
                    for r in 0..<rows {
                        out[start + r] = logSumExp(UnsafeBufferPointer(rebasing: t[(r * kCount)..<((r + 1) * kCount)]))
                    }
                }
                start += rows
            }
        }
        return out
    }

    /// log of the plug-in density (the Gaussian mixture at the posterior means) of every row.
    public func logPlugInDensities(of data: DataMatrix) throws(ModelError) -> [Double] {
        try plugInModel.logDensities(of: data)
    }

    /// The variational responsibilities q(c = k | x) (scikit-learn's `predict_proba`
    /// for a Bayesian mixture): proportional to exp(E[log π_k] + E[log N(x | μ_k, Λ_k⁻¹)]).
    public func responsibilities(for data: DataMatrix) throws(ModelError) -> ResponsibilityMatrix {
        guard data.featureCount == featureCount else {
            throw .featureCountMismatch(expected: featureCount, actual: data.featureCount)
        }
        let pass = expectationPass(data, weights: nil, keepingResponsibilities: true,
                                   threads: ProcessInfo.processInfo.activeProcessorCount)
        return ResponsibilityMatrix(values: pass.responsibilities, componentCount: componentCount)
    }

    /// The most probable component of every row under `responsibilities(for:)` (`predict`).
    public func labels(for data: DataMatrix) throws(ModelError) -> [Int] {
        let r = try responsibilities(for: data)
        return (0..<r.sampleCount).map { i in
            let row = r.row(i)
            return row.indices.max { row[$0] < row[$1] }! - row.startIndex
        }
    }

    /// Draws `count` rows from the posterior predictive: a component by the weights,
    /// then x = m_k + √(s_k ν'_k / u) L_k z with z standard normal, u ~ χ²(ν'_k) and
    /// C_k = L_k L_kᵀ (a multivariate t). Built on the plug-in sampler's rows
    /// (m_k + L_k z), so the same seed picks the same components as `plugInModel.sample`.
    public func samplePredictive(count: Int, seed: UInt64) -> MixtureSample {
        let plain = plugInModel.sample(count: count, seed: seed)
        let random = GSLRandom(seed: ExpectationMaximization.restartSeed(seed, 1_000_003))
        let d = featureCount
        var values = plain.samples.values
        let params = (0..<componentCount).map { studentT(component: $0) }
        for i in 0..<count {
            let k = plain.components[i]
            let (dof, s) = params[k]
            let u = 2 * random.gamma(shape: 0.5 * dof)
            let factor = (s * dof / u).squareRoot()
            for j in 0..<d {
                let m = flatMeans[k * d + j]
                values[i * d + j] = m + factor * (values[i * d + j] - m)
            }
        }
        // swiftlint:disable:next force_try
        let matrix = try! DataMatrix(values: values, sampleCount: count, featureCount: d, featureNames: featureNames)
        return MixtureSample(samples: matrix, components: plain.components)
    }
}

extension GSLRandom {
    /// A Gamma(shape, 1) draw (Marsaglia and Tsang 2000; shape < 1 by the boost
    /// Gamma(a) = Gamma(a + 1) U^{1/a}), from this generator's normals and uniforms.
    func gamma(shape a: Double) -> Double {
        precondition(a > 0, "shape must be positive")
        if a < 1 { return gamma(shape: a + 1) * pow(uniformPositive(), 1 / a) }
        let dd = a - 1.0 / 3.0
        let c = 1 / (9 * dd).squareRoot()
        var normal = [0.0]
        while true {
            var x = 0.0, v = 0.0
            repeat {
                normal.withUnsafeMutableBufferPointer { fillStandardNormal($0) }
                x = normal[0]
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = uniformPositive()
            if u < 1 - 0.0331 * x * x * x * x { return dd * v }
            if log(u) < 0.5 * x * x + dd * (1 - v + log(v)) { return dd * v }
        }
    }
}
