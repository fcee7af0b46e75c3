// mclust's VVE: ellipsoidal, variable volume and shape, equal orientation, Σ_k = λ_k D A_k Dᵀ.
// M-step: iterative (MM, Browne & McNicholas 2014) (MclustMStep, Covariance/MStep/).
// Everything else is MclustFamily's (MclustFamily.swift).

/// mclust's VVE model: Σ_k = λ_k D A_k Dᵀ.
struct VVECovariance: MclustFamily {
    static let model = MclustModelName.VVE
    let storage: MclustStorage
}
