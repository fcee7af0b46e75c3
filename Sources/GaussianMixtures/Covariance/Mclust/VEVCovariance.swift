// mclust's VEV: ellipsoidal, variable volume and orientation, equal shape, Σ_k = λ_k D_k A D_kᵀ.
// M-step: iterative: alternate λ_k and A given the eigenvectors of W_k (MclustMStep, Covariance/MStep/).
// Everything else is MclustFamily's (MclustFamily.swift).

/// mclust's VEV model: Σ_k = λ_k D_k A D_kᵀ.
struct VEVCovariance: MclustFamily {
    static let model = MclustModelName.VEV
    let storage: MclustStorage
}
