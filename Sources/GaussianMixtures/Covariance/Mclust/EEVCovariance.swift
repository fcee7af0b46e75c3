// mclust's EEV: ellipsoidal, equal volume and shape, variable orientation, Σ_k = λ D_k A D_kᵀ.
// M-step: closed form from the eigendecompositions of W_k (MclustMStep, Covariance/MStep/).
// Everything else is MclustFamily's (MclustFamily.swift).

/// mclust's EEV model: Σ_k = λ D_k A D_kᵀ.
struct EEVCovariance: MclustFamily {
    static let model = MclustModelName.EEV
    let storage: MclustStorage
}
