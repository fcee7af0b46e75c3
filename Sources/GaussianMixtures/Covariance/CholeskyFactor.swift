import Foundation

// Lower Cholesky factors of symmetric positive-definite matrices.
//
// We store L with Σ = L Lᵀ (lower triangle, row-major, strict upper triangle
// zero), the factor GSL's multivariate-Gaussian routines expect. scikit-learn
// stores the Cholesky factor of the precision instead; both give the same
// Mahalanobis distance |L⁻¹(x − μ)|² and log-determinant 2 Σ_j log L_jj.

/// A lower Cholesky factor and the log-determinant of the matrix it factors.
struct CholeskyFactor: Sendable, Equatable {
    let dimension: Int
    /// L, row-major d×d.
    let lower: [Double]
    /// log det Σ = 2 Σ_j log L_jj.
    let logDeterminant: Double

    /// Factors a symmetric positive-definite d×d matrix.
    ///
    /// - Throws: `GSLStatus.domain` when the matrix is not positive definite.
    init(factoring matrix: [Double], dimension d: Int) throws(GSLStatus) {
        precondition(matrix.count == d * d, "matrix does not match dimension")
        var l = matrix
        try l.withUnsafeMutableBufferPointer { (p: inout UnsafeMutableBufferPointer<Double>) throws(GSLStatus) in
            try GSLLinearAlgebra.choleskyInPlace(p.baseAddress!, dimension: d)
        }
        var logDet = 0.0
        for j in 0..<d {
            let ljj = l[j * d + j]
            guard ljj > 0, ljj.isFinite else { throw GSLStatus.domain }
            logDet += log(ljj)
        }
        dimension = d
        lower = l
        logDeterminant = 2 * logDet
    }

    func whiten(_ block: UnsafeMutablePointer<Double>, rows: Int) {
        lower.withUnsafeBufferPointer { l in
            GSLLinearAlgebra.solveLowerTransposedFromRight(block, rows: rows, factor: l.baseAddress!, dimension: dimension)
        }
    }

    func colour(_ block: UnsafeMutablePointer<Double>, rows: Int) {
        lower.withUnsafeBufferPointer { l in
            GSLLinearAlgebra.multiplyLowerTransposedFromRight(block, rows: rows, factor: l.baseAddress!, dimension: dimension)
        }
    }
}

/// Checks that a d×d row-major matrix is finite and symmetric within `relativeTolerance`
/// of its largest absolute entry.
func isSymmetric(_ m: ArraySlice<Double>, dimension d: Int, relativeTolerance: Double = 1e-8) -> Bool {
    let base = m.startIndex
    var scale = 0.0
    for v in m { scale = max(scale, abs(v)) }
    for r in 0..<d {
        for c in (r + 1)..<d where abs(m[base + r * d + c] - m[base + c * d + r]) > relativeTolerance * scale {
            return false
        }
    }
    return true
}
