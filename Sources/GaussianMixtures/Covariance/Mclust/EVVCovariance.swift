// mclust's EVV: ellipsoidal, equal volume, variable shape and orientation, Σ_k = λ D_k A_k D_kᵀ.
// M-step: closed form: λ = Σ_k det(W_k)^(1/d) / n (MclustMStep, Covariance/MStep/).
// Everything else is MclustFamily's (MclustFamily.swift).

/// mclust's EVV model: Σ_k = λ D_k A_k D_kᵀ.
struct EVVCovariance: MclustFamily {
    static let model = MclustModelName.EVV
    let storage: MclustStorage
}
