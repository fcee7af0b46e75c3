// Tied covariance: every component shares one symmetric positive-definite Σ.
// M-step (scikit-learn's `_estimate_gaussian_covariances_tied`): the pooled
// within-component scatter,
//   Σ = (1 / Σ_k N_k) Σ_k Σ_i r_ik (x_i − m_k)(x_i − m_k)ᵀ + reg·I,
// here from moments centred on each new mean rather than XᵀX − Σ_k N_k m_k m_kᵀ,
// which cancels digits when the means are large. One Cholesky factor serves
// every component.

/// All components share one unrestricted covariance matrix.
struct TiedCovariance: CovarianceFamily {
    static let momentShape = MomentShape.matrix
    static let isSpherical = false
    static let scikitLearnShape: ScikitLearnShape? = .tied
    static let sharesOneCovariance = true

    static func covarianceParameterCount(componentCount: Int, featureCount d: Int) -> Int { d * (d + 1) / 2 }

    let componentCount: Int
    let featureCount: Int
    private let matrix: [Double]
    let factor: CholeskyFactor

    init(parameters: CovarianceParameters, componentCount: Int, featureCount d: Int) throws(CovarianceError) {
        guard case let .tied(m) = parameters, m.count == d, m.allSatisfy({ $0.count == d }) else {
            throw .wrongShape(expected: "\(d) lists of \(d) numbers")
        }
        let flat = m.flatMap { $0 }
        guard flat.allSatisfy(\.isFinite) else { throw .nonFinite(component: nil) }
        guard isSymmetric(flat[...], dimension: d) else { throw .notSymmetric(component: nil) }
        try self.init(matrix: flat, componentCount: componentCount, featureCount: d)
    }

    private init(matrix: [Double], componentCount: Int, featureCount d: Int) throws(CovarianceError) {
        do {
            factor = try CholeskyFactor(factoring: matrix, dimension: d)
        } catch {
            throw .notPositiveDefinite(component: nil)
        }
        self.componentCount = componentCount
        self.featureCount = d
        self.matrix = matrix
    }

    static func estimate(
        centredMoments: [Double], softCounts: [Double], featureCount d: Int, regularization: Double
    ) throws(CovarianceError) -> TiedCovariance {
        let total = softCounts.reduce(0, +)
        var pooled = [Double](repeating: 0, count: d * d)
        for k in softCounts.indices {
            for idx in 0..<(d * d) { pooled[idx] += centredMoments[k * d * d + idx] }
        }
        var m = [Double](repeating: 0, count: d * d)
        for r in 0..<d {
            for c in 0..<d { m[r * d + c] = 0.5 * (pooled[r * d + c] + pooled[c * d + r]) / total }
            m[r * d + r] += regularization
        }
        guard m.allSatisfy(\.isFinite) else { throw .nonFinite(component: nil) }
        return try TiedCovariance(matrix: m, componentCount: softCounts.count, featureCount: d)
    }

    static func conditionalParameters(_ covariances: [[Double]], targetCount nb: Int) -> CovarianceParameters {
        .tied((0..<nb).map { r in Array(covariances[0][(r * nb)..<((r + 1) * nb)]) })
    }

    func modelFileMembers() -> [(String, String)] {
        guard case let .tied(m) = parameters else { preconditionFailure("tied parameters") }
        return [("covariances", JSONWriter.matrix(m, indent: "  "))]
    }

    static func parameters(
        reading file: ModelFile.Reader, componentCount: Int, featureCount: Int
    ) throws(ModelFileError) -> CovarianceParameters {
        .tied(try file.rows(file.object["covariances"], key: "covariances"))
    }

    var parameters: CovarianceParameters {
        let d = featureCount
        return .tied((0..<d).map { r in Array(matrix[(r * d)..<((r + 1) * d)]) })
    }

    func logDeterminant(component k: Int) -> Double { factor.logDeterminant }

    func whiten(_ block: UnsafeMutablePointer<Double>, rows: Int, component k: Int) { factor.whiten(block, rows: rows) }

    func colour(_ block: UnsafeMutablePointer<Double>, rows: Int, component k: Int) { factor.colour(block, rows: rows) }

    func covarianceMatrix(component k: Int) -> [Double] { matrix }

    func covariance(component k: Int, row i: Int, column j: Int) -> Double { matrix[i * featureCount + j] }

    /// Forward substitution on several rows at a time (`ForwardSubstitutionKernel`), every component on the one factor.
    func logJointKernel(means: [Double], normalizers: [Double], blockRows: Int) -> any LogJointKernel {
        ForwardSubstitutionKernel(factors: [factor], means: means, normalizers: normalizers)
    }
}
