// mclust's EII: spherical, equal volume, Σ_k = λ I.
// M-step: closed form: λ = Σ_k tr W_k / (n d) (MclustMStep, Covariance/MStep/).
// Everything else is MclustFamily's (MclustFamily.swift).

/// mclust's EII model: Σ_k = λ I.
struct EIICovariance: MclustFamily {
    static let model = MclustModelName.EII
    let storage: MclustStorage
}
