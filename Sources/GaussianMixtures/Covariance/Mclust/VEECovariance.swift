// mclust's VEE: ellipsoidal, variable volume, equal shape and orientation, Σ_k = λ_k D A Dᵀ.
// M-step: iterative: alternate λ_k and C = D A Dᵀ (MclustMStep, Covariance/MStep/).
// Everything else is MclustFamily's (MclustFamily.swift).

/// mclust's VEE model: Σ_k = λ_k D A Dᵀ.
struct VEECovariance: MclustFamily {
    static let model = MclustModelName.VEE
    let storage: MclustStorage
}
