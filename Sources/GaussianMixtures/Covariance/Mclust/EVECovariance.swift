// mclust's EVE: ellipsoidal, equal volume and orientation, variable shape, Σ_k = λ D A_k Dᵀ.
// M-step: iterative (MM, Browne & McNicholas 2014) (MclustMStep, Covariance/MStep/).
// Everything else is MclustFamily's (MclustFamily.swift).

/// mclust's EVE model: Σ_k = λ D A_k Dᵀ.
struct EVECovariance: MclustFamily {
    static let model = MclustModelName.EVE
    let storage: MclustStorage
}
