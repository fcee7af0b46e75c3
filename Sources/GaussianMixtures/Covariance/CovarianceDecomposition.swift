/// Σ_k = λ_k D_k A_k D_kᵀ, mclust's decomposition of a component covariance
/// (Celeux & Govaert 1995): volume λ_k, shape A_k (diagonal, product 1),
/// orientation D_k (orthogonal).
///
/// The model's letters say which parts are Equal across components, Variable,
/// or the Identity: equal parts hold the same numbers in every component.
public struct CovarianceDecomposition: Equatable, Sendable {
    /// K volumes λ_k = det(Σ_k)^(1/d).
    public var volumes: [Double]
    /// K rows of d shape values (the diagonal of A_k), each row with product 1.
    public var shapes: [[Double]]
    /// K d×d orthogonal matrices D_k, `[component][row][column]`, column j the axis
    /// whose variance is λ_k A_k[j]; `nil` for the axis-aligned models (D_k = I).
    public var orientations: [[[Double]]]?

    /// A decomposition from its parts, taken as given (a model file's reader checks them
    /// against the covariances).
    public init(volumes: [Double], shapes: [[Double]], orientations: [[[Double]]]?) {
        self.volumes = volumes
        self.shapes = shapes
        self.orientations = orientations
    }

    /// The same decomposition with component k taken from component `permutation[k]`.
    func permuted(_ permutation: [Int]) -> CovarianceDecomposition {
        CovarianceDecomposition(volumes: permutation.map { volumes[$0] }, shapes: permutation.map { shapes[$0] },
                                orientations: orientations.map { o in permutation.map { o[$0] } })
    }
}
