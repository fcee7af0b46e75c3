// scikit-learn's `precisions_cholesky_`, written to the model file so that a
// Python user can build a fitted `GaussianMixture` from it (readers ignore it).
//
// scikit-learn (`_compute_precision_cholesky`) factors Σ = L Lᵀ (L lower) and
// stores P = (L⁻¹)ᵀ, upper triangular, so that P Pᵀ = Σ⁻¹; its E-step takes the
// squared Mahalanobis distance as |(x − μ) P|² and log det Σ⁻¹ᐟ² as Σ_j log P_jj,
// which is why P must be that triangular factor and no other square root of Σ⁻¹.
// Here P comes from one triangular solve per component: the d rows of the
// identity whitened by L (row form: I · L⁻ᵀ = P), never from an inverse of Σ.
// For the diagonal and spherical shapes, P is 1 / √σ² per variance.
//
// Shapes: scikit-learn's for its four kinds (full K×d×d, tied d×d, diag K×d,
// spherical K); mclust's other ten models are written in the full shape, to be
// loaded with `covariance_type="full"`.

extension GaussianMixture {
    /// scikit-learn's `precisions_cholesky_`: for each covariance Σ = L Lᵀ the
    /// upper-triangular P = (L⁻¹)ᵀ with P Pᵀ = Σ⁻¹, in scikit-learn's shape for
    /// full, tied, diag (1/√variances) and spherical (1/√variance); mclust's other
    /// models as one full d×d factor per component (the `.full` case).
    var precisionCholeskyFactors: CovarianceParameters {
        family.precisionCholeskyFactors
    }
}

extension CovarianceFamily {
    /// See `GaussianMixture.precisionCholeskyFactors`.
    var precisionCholeskyFactors: CovarianceParameters {
        let d = featureCount
        switch parameters {
        case let .diagonal(variances):
            return .diagonal(variances.map { $0.map { 1 / $0.squareRoot() } })
        case let .spherical(variances):
            return .spherical(variances.map { 1 / $0.squareRoot() })
        case .tied:
            return .tied(rows(upperFactor(component: 0), dimension: d))
        case .full, .decomposed:
            return .full((0..<componentCount).map { k in rows(upperFactor(component: k), dimension: d) })
        }
    }

    /// P = (L_k⁻¹)ᵀ for component k's covariance, row-major d×d. The full and tied
    /// families whiten with their lower Cholesky factor, so their `whiten` gives P
    /// directly; mclust's models may whiten with another square root, so their
    /// covariance matrix is factored afresh.
    private func upperFactor(component k: Int) -> [Double] {
        let d = featureCount
        var identity = [Double](repeating: 0, count: d * d)
        for j in 0..<d { identity[j * d + j] = 1 }
        identity.withUnsafeMutableBufferPointer { block in
            if Self.scikitLearnShape == .full || Self.scikitLearnShape == .tied {
                whiten(block.baseAddress!, rows: d, component: k)
            } else {
                // The covariance of a valid model is positive definite: it was factored when the model was built.
                guard let factor = try? CholeskyFactor(factoring: covarianceMatrix(component: k), dimension: d) else {
                    preconditionFailure("component \(k)'s covariance no longer factors")
                }
                factor.whiten(block.baseAddress!, rows: d)
            }
        }
        return identity
    }

    private func rows(_ m: [Double], dimension d: Int) -> [[Double]] {
        (0..<d).map { r in Array(m[(r * d)..<((r + 1) * d)]) }
    }
}

extension CovarianceParameters {
    /// The JSON text of these numbers in their shape (K×d×d, d×d, K×d or K).
    var modelFileText: String {
        switch self {
        case let .full(m): JSONWriter.matrices(m, indent: "  ")
        case let .tied(m): JSONWriter.matrix(m, indent: "  ")
        case let .diagonal(v): JSONWriter.matrix(v, indent: "  ")
        case let .spherical(s): JSONWriter.list(s)
        case let .decomposed(_, m, _): JSONWriter.matrices(m, indent: "  ")
        }
    }
}
