// Full covariance: each component k has its own symmetric positive-definite
// d×d matrix Σ_k. M-step (scikit-learn's `_estimate_gaussian_covariances_full`):
//   Σ_k = (1 / N_k) Σ_i r_ik (x_i − m_k)(x_i − m_k)ᵀ + reg·I.

/// Each component has its own unrestricted covariance matrix.
struct FullCovariance: CovarianceFamily {
    static let momentShape = MomentShape.matrix
    static let isSpherical = false
    static let scikitLearnShape: ScikitLearnShape? = .full

    static func covarianceParameterCount(componentCount: Int, featureCount d: Int) -> Int {
        componentCount * d * (d + 1) / 2
    }

    let componentCount: Int
    let featureCount: Int
    /// K matrices, row-major d×d each.
    private let matrices: [Double]
    let factors: [CholeskyFactor]

    init(parameters: CovarianceParameters, componentCount: Int, featureCount d: Int) throws(CovarianceError) {
        guard case let .full(m) = parameters, m.count == componentCount,
              m.allSatisfy({ $0.count == d && $0.allSatisfy { $0.count == d } }) else {
            throw .wrongShape(expected: "\(componentCount) lists of \(d) lists of \(d) numbers")
        }
        let flat = parameters.flattened
        for k in 0..<componentCount {
            let block = flat[(k * d * d)..<((k + 1) * d * d)]
            guard block.allSatisfy(\.isFinite) else { throw .nonFinite(component: k) }
            guard isSymmetric(block, dimension: d) else { throw .notSymmetric(component: k) }
        }
        try self.init(matrices: flat, componentCount: componentCount, featureCount: d)
    }

    /// Factors `matrices` (K symmetric d×d blocks).
    init(matrices: [Double], componentCount: Int, featureCount d: Int) throws(CovarianceError) {
        var factors: [CholeskyFactor] = []
        factors.reserveCapacity(componentCount)
        for k in 0..<componentCount {
            let block = Array(matrices[(k * d * d)..<((k + 1) * d * d)])
            do {
                factors.append(try CholeskyFactor(factoring: block, dimension: d))
            } catch {
                throw .notPositiveDefinite(component: k)
            }
        }
        self.componentCount = componentCount
        self.featureCount = d
        self.matrices = matrices
        self.factors = factors
    }

    static func estimate(
        centredMoments: [Double], softCounts: [Double], featureCount d: Int, regularization: Double
    ) throws(CovarianceError) -> FullCovariance {
        let kCount = softCounts.count
        var matrices = [Double](repeating: 0, count: kCount * d * d)
        for k in 0..<kCount {
            let base = k * d * d
            for r in 0..<d {
                for c in 0..<d {
                    // Average the two triangles so the result is symmetric to the bit.
                    let v = 0.5 * (centredMoments[base + r * d + c] + centredMoments[base + c * d + r])
                    matrices[base + r * d + c] = v / softCounts[k]
                }
                matrices[base + r * d + r] += regularization
            }
            guard matrices[base..<(base + d * d)].allSatisfy(\.isFinite) else { throw .nonFinite(component: k) }
        }
        return try FullCovariance(matrices: matrices, componentCount: kCount, featureCount: d)
    }

    static func conditionalParameters(_ covariances: [[Double]], targetCount nb: Int) -> CovarianceParameters {
        .full(covariances.map { cov in (0..<nb).map { r in Array(cov[(r * nb)..<((r + 1) * nb)]) } })
    }

    func modelFileMembers() -> [(String, String)] {
        guard case let .full(m) = parameters else { preconditionFailure("full parameters") }
        return [("covariances", JSONWriter.matrices(m, indent: "  "))]
    }

    static func parameters(
        reading file: ModelFile.Reader, componentCount: Int, featureCount: Int
    ) throws(ModelFileError) -> CovarianceParameters {
        .full(try file.list(file.object["covariances"], key: "covariances").enumerated().map { (idx, v) throws(ModelFileError) in
            try file.rows(v, key: "covariances[\(idx)]")
        })
    }

    var parameters: CovarianceParameters {
        let d = featureCount
        return .full((0..<componentCount).map { k in
            (0..<d).map { r in Array(matrices[(k * d * d + r * d)..<(k * d * d + (r + 1) * d)]) }
        })
    }

    func logDeterminant(component k: Int) -> Double { factors[k].logDeterminant }

    func whiten(_ block: UnsafeMutablePointer<Double>, rows: Int, component k: Int) {
        factors[k].whiten(block, rows: rows)
    }

    func colour(_ block: UnsafeMutablePointer<Double>, rows: Int, component k: Int) {
        factors[k].colour(block, rows: rows)
    }

    func covariance(component k: Int, row i: Int, column j: Int) -> Double {
        matrices[(k * featureCount + i) * featureCount + j]
    }

    func covarianceMatrix(component k: Int) -> [Double] {
        Array(matrices[(k * featureCount * featureCount)..<((k + 1) * featureCount * featureCount)])
    }

    /// Forward substitution on several rows at a time (`ForwardSubstitutionKernel`).
    func logJointKernel(means: [Double], normalizers: [Double], blockRows: Int) -> any LogJointKernel {
        ForwardSubstitutionKernel(factors: factors, means: means, normalizers: normalizers)
    }
}
