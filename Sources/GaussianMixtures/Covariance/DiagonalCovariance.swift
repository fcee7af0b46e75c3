import Foundation

// Diagonal covariance: component k has its own variances σ²_kj, no correlations.
// M-step: σ²_kj = (1 / N_k) Σ_i r_ik (x_ij − m_kj)² + reg, from moments centred on
// the new mean, so a variance cannot go negative through cancellation (the
// one-pass E[x²] − m² form scikit-learn uses can, in float32: its issue #30382).
// Whitening divides by σ_kj; log det Σ_k = Σ_j log σ²_kj.

/// Each component has its own diagonal covariance matrix.
struct DiagonalCovariance: CovarianceFamily {
    static let momentShape = MomentShape.diagonal
    static let isSpherical = false
    static let scikitLearnShape: ScikitLearnShape? = .diagonal

    static func covarianceParameterCount(componentCount: Int, featureCount d: Int) -> Int { componentCount * d }

    let componentCount: Int
    let featureCount: Int
    /// K×d variances.
    private let variances: [Double]
    /// K×d standard deviations.
    private let deviations: [Double]
    private let logDeterminants: [Double]

    init(parameters: CovarianceParameters, componentCount: Int, featureCount d: Int) throws(CovarianceError) {
        guard case let .diagonal(v) = parameters, v.count == componentCount, v.allSatisfy({ $0.count == d }) else {
            throw .wrongShape(expected: "\(componentCount) lists of \(d) variances")
        }
        try self.init(variances: v.flatMap { $0 }, componentCount: componentCount, featureCount: d)
    }

    init(variances: [Double], componentCount: Int, featureCount d: Int) throws(CovarianceError) {
        for k in 0..<componentCount {
            let block = variances[(k * d)..<((k + 1) * d)]
            guard block.allSatisfy(\.isFinite) else { throw .nonFinite(component: k) }
            guard block.allSatisfy({ $0 > 0 }) else { throw .notPositiveDefinite(component: k) }
        }
        self.componentCount = componentCount
        self.featureCount = d
        self.variances = variances
        deviations = variances.map { $0.squareRoot() }
        logDeterminants = (0..<componentCount).map { k in
            variances[(k * d)..<((k + 1) * d)].reduce(0) { $0 + log($1) }
        }
    }

    static func estimate(
        centredMoments: [Double], softCounts: [Double], featureCount d: Int, regularization: Double
    ) throws(CovarianceError) -> DiagonalCovariance {
        let kCount = softCounts.count
        var variances = [Double](repeating: 0, count: kCount * d)
        for k in 0..<kCount {
            for j in 0..<d { variances[k * d + j] = centredMoments[k * d + j] / softCounts[k] + regularization }
        }
        return try DiagonalCovariance(variances: variances, componentCount: kCount, featureCount: d)
    }

    static func conditionalParameters(_ covariances: [[Double]], targetCount: Int) -> CovarianceParameters {
        .diagonal(covariances)
    }

    func modelFileMembers() -> [(String, String)] {
        guard case let .diagonal(v) = parameters else { preconditionFailure("diagonal parameters") }
        return [("covariances", JSONWriter.matrix(v, indent: "  "))]
    }

    static func parameters(
        reading file: ModelFile.Reader, componentCount: Int, featureCount: Int
    ) throws(ModelFileError) -> CovarianceParameters {
        .diagonal(try file.rows(file.object["covariances"], key: "covariances"))
    }

    var parameters: CovarianceParameters {
        let d = featureCount
        return .diagonal((0..<componentCount).map { k in Array(variances[(k * d)..<((k + 1) * d)]) })
    }

    func logDeterminant(component k: Int) -> Double { logDeterminants[k] }

    func whiten(_ block: UnsafeMutablePointer<Double>, rows: Int, component k: Int) {
        scaleColumns(block, rows: rows, featureCount: featureCount) { j in 1 / deviations[k * featureCount + j] }
    }

    func colour(_ block: UnsafeMutablePointer<Double>, rows: Int, component k: Int) {
        scaleColumns(block, rows: rows, featureCount: featureCount) { j in deviations[k * featureCount + j] }
    }

    func covariance(component k: Int, row i: Int, column j: Int) -> Double {
        i == j ? variances[k * featureCount + i] : 0
    }

    func covarianceMatrix(component k: Int) -> [Double] {
        let d = featureCount
        var m = [Double](repeating: 0, count: d * d)
        for j in 0..<d { m[j * d + j] = variances[k * d + j] }
        return m
    }

    /// One DGEMM per block instead of K element-wise passes (see LogJointKernel.swift).
    func logJointKernel(means: [Double], normalizers: [Double], blockRows: Int) -> any LogJointKernel {
        ExpandedDiagonalKernel(variances: variances, means: means, normalizers: normalizers,
                               componentCount: componentCount, featureCount: featureCount)
    }
}

/// Multiplies column j of a row-major block by `factor(j)`.
func scaleColumns(_ block: UnsafeMutablePointer<Double>, rows: Int, featureCount d: Int, factor: (Int) -> Double) {
    let factors = (0..<d).map(factor)
    factors.withUnsafeBufferPointer { f in
        for r in 0..<rows {
            let row = block + r &* d
            for j in 0..<d { row[j] *= f[j] }
        }
    }
}
