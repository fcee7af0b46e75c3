// The behaviour behind each covariance kind, as one protocol.
//
// The EM loop, scoring, sampling and the information criteria are written
// once against this protocol and never ask which family they hold. A family
// value carries the covariance parameters of every component plus what is
// derived from them once (Cholesky factors, log-determinants).
//
// "Whitening" maps a centred row x − μ_k to z with |z|² the squared
// Mahalanobis distance: z = L_k⁻¹ (x − μ_k) where Σ_k = L_k L_kᵀ (lower
// Cholesky factor). "Colouring" is the inverse, used to draw samples.

protocol CovarianceFamily: Sendable {
    /// The second moments `estimate` consumes.
    static var momentShape: MomentShape { get }

    /// Whether each component's covariance is one variance times the identity.
    static var isSpherical: Bool { get }

    /// Whether every component has the same covariance matrix (default: no).
    static var sharesOneCovariance: Bool { get }

    /// scikit-learn's name for this family's shape, `nil` for a family it lacks (default).
    static var scikitLearnShape: ScikitLearnShape? { get }

    /// Free covariance parameters of a K-component mixture in d dimensions.
    static func covarianceParameterCount(componentCount: Int, featureCount: Int) -> Int

    /// About how many doubles the family keeps for K components in d dimensions
    /// (parameters and what is derived from them), for the memory check before a fit.
    /// Defaults to twice the free parameters (matrices are stored whole).
    static func storedValueCount(componentCount: Int, featureCount: Int) -> Double

    /// Builds the family from parameters in scikit-learn's shape; checks
    /// symmetry and positive definiteness and factors.
    init(parameters: CovarianceParameters, componentCount: Int, featureCount: Int) throws(CovarianceError)

    /// The M-step: covariances from moments centred on the new means.
    ///
    /// - Parameters:
    ///   - centredMoments: K blocks of `momentShape.count(d)` values, each
    ///     Σ_i r_ik (x_i − m_k)(x_i − m_k)ᵀ (or its diagonal) around the new mean m_k;
    ///     a `.matrix` block is symmetric in full.
    ///   - softCounts: N_k, already floored away from zero.
    ///   - regularization: added to every variance (the diagonal).
    static func estimate(
        centredMoments: [Double], softCounts: [Double], featureCount: Int, regularization: Double
    ) throws(CovarianceError) -> Self

    /// The M-step given the previous iteration's family of the same kind, when there
    /// is one: mclust's iterative M-steps start their inner loop from it. Defaults to
    /// `estimate(centredMoments:softCounts:featureCount:regularization:)`.
    static func estimate(
        centredMoments: [Double], softCounts: [Double], featureCount: Int, regularization: Double,
        previous: (any CovarianceFamily)?
    ) throws(CovarianceError) -> Self

    var componentCount: Int { get }
    var featureCount: Int { get }

    /// The parameters in scikit-learn's `covariances_` shape.
    var parameters: CovarianceParameters { get }

    /// log det Σ_k.
    func logDeterminant(component k: Int) -> Double

    /// Replaces each centred row x − μ_k of a `rows`×d block by its whitened z.
    func whiten(_ block: UnsafeMutablePointer<Double>, rows: Int, component k: Int)

    /// Replaces each white-noise row z of a `rows`×d block by L_k z (covariance Σ_k).
    func colour(_ block: UnsafeMutablePointer<Double>, rows: Int, component k: Int)

    /// The full d×d covariance matrix of component k, row-major.
    func covarianceMatrix(component k: Int) -> [Double]

    /// Entry (i, j) of component k's covariance matrix, without building the matrix
    /// (d×d doubles are terabytes for a diagonal model of 10⁶ features).
    func covariance(component k: Int, row i: Int, column j: Int) -> Double

    /// The parameters of P(x_b | x_a) for `targetCount` = |b| target features, given
    /// each component's conditional covariance: a row-major |b|×|b| matrix, or for
    /// an axis-aligned family (no correlations) its |b| variances. Conditioning
    /// keeps full, diagonal, spherical and tied families what they are.
    static func conditionalParameters(_ covariances: [[Double]], targetCount: Int) -> CovarianceParameters

    /// The model file's members for these covariances, as (key, JSON text) pairs in
    /// file order: `covariances` in scikit-learn's shape, and any other key the family has.
    func modelFileMembers() -> [(String, String)]

    /// The parameters a model file's members hold (what `modelFileMembers` wrote).
    ///
    /// - Throws: `ModelFileError.invalid` naming the key that is missing or malformed.
    static func parameters(
        reading file: ModelFile.Reader, componentCount: Int, featureCount: Int
    ) throws(ModelFileError) -> CovarianceParameters

    /// The E-step kernel for this family: log P(x, c = k) for blocks of up to
    /// `blockRows` rows, given the K×d means and each component's
    /// `log w_k − ½ (d log 2π + log det Σ_k)`. Defaults to `WhiteningKernel`.
    func logJointKernel(means: [Double], normalizers: [Double], blockRows: Int) -> any LogJointKernel
}

extension CovarianceFamily {
    static var sharesOneCovariance: Bool { false }

    static var scikitLearnShape: ScikitLearnShape? { nil }

    static func storedValueCount(componentCount: Int, featureCount: Int) -> Double {
        2 * Double(covarianceParameterCount(componentCount: componentCount, featureCount: featureCount))
    }

    static func estimate(
        centredMoments: [Double], softCounts: [Double], featureCount: Int, regularization: Double,
        previous: (any CovarianceFamily)?
    ) throws(CovarianceError) -> Self {
        try estimate(centredMoments: centredMoments, softCounts: softCounts, featureCount: featureCount,
                     regularization: regularization)
    }

    func logJointKernel(means: [Double], normalizers: [Double], blockRows: Int) -> any LogJointKernel {
        WhiteningKernel(family: self, means: means, normalizers: normalizers, blockRows: blockRows)
    }
}

/// A covariance that cannot be used, with the 0-based component it belongs to
/// (`nil` for a parameter shared by all components).
enum CovarianceError: Error, Equatable {
    case notPositiveDefinite(component: Int?)
    case notSymmetric(component: Int?)
    case nonFinite(component: Int?)
    case wrongShape(expected: String)
    /// Parameters that break their model's constraints (equal volumes, unit shape
    /// products, orthonormal orientations, …), naming the model-file key.
    case brokenConstraint(key: String, reason: String)
}
