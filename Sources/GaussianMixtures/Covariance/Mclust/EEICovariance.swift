// mclust's EEI: diagonal, equal volume and shape, Σ_k = λ A.
// M-step: closed form: λ A = Σ_k diag(W_k) / n (MclustMStep, Covariance/MStep/).
// Everything else is MclustFamily's (MclustFamily.swift).

/// mclust's EEI model: Σ_k = λ A.
struct EEICovariance: MclustFamily {
    static let model = MclustModelName.EEI
    let storage: MclustStorage
}
