import Foundation

// Spherical covariance: component k has one variance σ²_k for every feature.
// M-step (scikit-learn's `_estimate_gaussian_covariances_spherical`): the mean
// over features of the diagonal family's variances, reg included:
//   σ²_k = (1 / d) Σ_j [(1 / N_k) Σ_i r_ik (x_ij − m_kj)²] + reg.
// log det Σ_k = d log σ²_k.

/// Each component has its own single variance.
struct SphericalCovariance: CovarianceFamily {
    static let momentShape = MomentShape.diagonal
    static let isSpherical = true
    static let scikitLearnShape: ScikitLearnShape? = .spherical

    static func covarianceParameterCount(componentCount: Int, featureCount d: Int) -> Int { componentCount }

    let componentCount: Int
    let featureCount: Int
    private let variances: [Double]

    init(parameters: CovarianceParameters, componentCount: Int, featureCount d: Int) throws(CovarianceError) {
        guard case let .spherical(v) = parameters, v.count == componentCount else {
            throw .wrongShape(expected: "a list of \(componentCount) variances")
        }
        try self.init(variances: v, featureCount: d)
    }

    private init(variances: [Double], featureCount d: Int) throws(CovarianceError) {
        for (k, v) in variances.enumerated() {
            guard v.isFinite else { throw .nonFinite(component: k) }
            guard v > 0 else { throw .notPositiveDefinite(component: k) }
        }
        componentCount = variances.count
        featureCount = d
        self.variances = variances
    }

    static func estimate(
        centredMoments: [Double], softCounts: [Double], featureCount d: Int, regularization: Double
    ) throws(CovarianceError) -> SphericalCovariance {
        let variances = softCounts.indices.map { k in
            (0..<d).reduce(0.0) { $0 + (centredMoments[k * d + $1] / softCounts[k] + regularization) } / Double(d)
        }
        return try SphericalCovariance(variances: variances, featureCount: d)
    }

    static func conditionalParameters(_ covariances: [[Double]], targetCount: Int) -> CovarianceParameters {
        .spherical(covariances.map { $0[0] })
    }

    func modelFileMembers() -> [(String, String)] { [("covariances", JSONWriter.list(variances))] }

    static func parameters(
        reading file: ModelFile.Reader, componentCount: Int, featureCount: Int
    ) throws(ModelFileError) -> CovarianceParameters {
        .spherical(try file.numbers(file.object["covariances"], key: "covariances"))
    }

    var parameters: CovarianceParameters { .spherical(variances) }

    func logDeterminant(component k: Int) -> Double { Double(featureCount) * log(variances[k]) }

    func whiten(_ block: UnsafeMutablePointer<Double>, rows: Int, component k: Int) {
        let s = 1 / variances[k].squareRoot()
        scaleColumns(block, rows: rows, featureCount: featureCount) { _ in s }
    }

    func colour(_ block: UnsafeMutablePointer<Double>, rows: Int, component k: Int) {
        let s = variances[k].squareRoot()
        scaleColumns(block, rows: rows, featureCount: featureCount) { _ in s }
    }

    func covariance(component k: Int, row i: Int, column j: Int) -> Double { i == j ? variances[k] : 0 }

    func covarianceMatrix(component k: Int) -> [Double] {
        let d = featureCount
        var m = [Double](repeating: 0, count: d * d)
        for j in 0..<d { m[j * d + j] = variances[k] }
        return m
    }

    /// The diagonal family's DGEMM kernel with σ²_kj = σ²_k (see LogJointKernel.swift).
    func logJointKernel(means: [Double], normalizers: [Double], blockRows: Int) -> any LogJointKernel {
        let d = featureCount
        return ExpandedDiagonalKernel(variances: variances.flatMap { Array(repeating: $0, count: d) }, means: means,
                                      normalizers: normalizers, componentCount: componentCount, featureCount: d)
    }
}
