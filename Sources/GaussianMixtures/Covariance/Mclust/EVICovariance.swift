// mclust's EVI: diagonal, equal volume, variable shape, Σ_k = λ A_k.
// M-step: closed form: A_k ∝ diag(W_k), λ = Σ_k det(diag W_k)^(1/d) / n (MclustMStep, Covariance/MStep/).
// Everything else is MclustFamily's (MclustFamily.swift).

/// mclust's EVI model: Σ_k = λ A_k.
struct EVICovariance: MclustFamily {
    static let model = MclustModelName.EVI
    let storage: MclustStorage
}
