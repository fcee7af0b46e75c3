/// Covariance parameters of a mixture in scikit-learn's `covariances_` shapes.
public enum CovarianceParameters: Equatable, Sendable {
    /// One d×d matrix per component: `[component][row][column]`.
    case full([[[Double]]])
    /// One vector of d variances per component: `[component][feature]`.
    case diagonal([[Double]])
    /// One variance per component.
    case spherical([Double])
    /// One d×d matrix shared by all components: `[row][column]`.
    case tied([[Double]])
    /// One of mclust's ten models beyond scikit-learn's four (EII, EEI, VEI, EVI,
    /// EEV, VEE, EVE, VVE, VEV, EVV): one full d×d matrix per component
    /// (`[component][row][column]`, zero off the diagonal for the axis-aligned
    /// models) and its decomposition Σ_k = λ_k D_k A_k D_kᵀ.
    case decomposed(CovarianceKind, covariances: [[[Double]]], decomposition: CovarianceDecomposition)

    /// The covariance kind these parameters belong to.
    public var kind: CovarianceKind {
        switch self {
        case .full: .full
        case .diagonal: .diagonal
        case .spherical: .spherical
        case .tied: .tied
        case let .decomposed(kind, _, _): kind
        }
    }

    /// All numbers, flattened in row-major order of the scikit-learn shape.
    var flattened: [Double] {
        switch self {
        case let .full(m): m.flatMap { $0.flatMap { $0 } }
        case let .diagonal(v): v.flatMap { $0 }
        case let .spherical(s): s
        case let .tied(m): m.flatMap { $0 }
        case let .decomposed(_, m, _): m.flatMap { $0.flatMap { $0 } }
        }
    }

    /// The same parameters with component k taken from component `permutation[k]`
    /// (a shared covariance stays as it is).
    func permuted(_ permutation: [Int]) -> CovarianceParameters {
        switch self {
        case let .full(m): .full(permutation.map { m[$0] })
        case let .diagonal(v): .diagonal(permutation.map { v[$0] })
        case let .spherical(s): .spherical(permutation.map { s[$0] })
        case .tied: self
        case let .decomposed(kind, m, parts):
            .decomposed(kind, covariances: permutation.map { m[$0] }, decomposition: parts.permuted(permutation))
        }
    }
}
