// mclust's VEI: diagonal, variable volume, equal shape, Σ_k = λ_k A.
// M-step: iterative (Celeux & Govaert 1995): alternate λ_k and A (MclustMStep, Covariance/MStep/).
// Everything else is MclustFamily's (MclustFamily.swift).

/// mclust's VEI model: Σ_k = λ_k A.
struct VEICovariance: MclustFamily {
    static let model = MclustModelName.VEI
    let storage: MclustStorage
}
