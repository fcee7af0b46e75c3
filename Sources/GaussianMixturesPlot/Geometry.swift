// Two-by-two geometry for the figures: the axes of a covariance ellipse, and
// the eigenvectors of a small symmetric matrix (cyclic Jacobi rotations,
// Golub & Van Loan §8.5) for the principal-direction view. The matrices are
// d×d with d the number of features, so a few sweeps cost nothing.

import Foundation

/// An ellipse in pixels: centre, semi-axes and the rotation of the first axis.
public struct EllipseShape: Sendable, Equatable {
    /// The centre in pixels.
    public var centerX: Double, centerY: Double
    /// The semi-axes in pixels, `radiusX` along the rotated first axis.
    public var radiusX: Double, radiusY: Double
    /// Rotation of the `radiusX` axis in degrees, clockwise on screen (SVG's `rotate`).
    public var degrees: Double

    /// The ellipse {p : (p − c)ᵀ Σ⁻¹ (p − c) = r²} for a symmetric positive
    /// definite 2×2 `covariance` [[a, b], [b, c]], all in the same coordinates.
    public init(centerX: Double, centerY: Double, covariance: [[Double]], radius: Double) {
        let a = covariance[0][0], b = covariance[0][1], c = covariance[1][1]
        let mid = (a + c) / 2
        let half = ((a - c) * (a - c) / 4 + b * b).squareRoot()
        self.centerX = centerX
        self.centerY = centerY
        self.radiusX = radius * max(mid + half, 0).squareRoot()
        self.radiusY = radius * max(mid - half, 0).squareRoot()
        self.degrees = 0.5 * atan2(2 * b, a - c) * 180 / Double.pi
    }
}

/// Eigenvalues (largest first) and unit eigenvectors of a symmetric matrix.
///
/// Each eigenvector's largest-magnitude entry is made positive, so the
/// directions do not flip between runs or platforms.
public func symmetricEigen(_ matrix: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
    let n = matrix.count
    var a = matrix
    var v = (0..<n).map { i in (0..<n).map { j in i == j ? 1.0 : 0.0 } }
    for _ in 0..<100 {
        var off = 0.0
        for i in 0..<n { for j in (i + 1)..<max(n, i + 1) { off += a[i][j] * a[i][j] } }
        var scale = 0.0
        for i in 0..<n { scale += a[i][i] * a[i][i] }
        if off <= 1e-30 * max(scale, 1e-300) { break }
        for p in 0..<n {
            for q in (p + 1)..<max(n, p + 1) where a[p][q] != 0 {
                let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let cosine = 1 / (t * t + 1).squareRoot(), sine = t * cosine
                for k in 0..<n {
                    let akp = a[k][p], akq = a[k][q]
                    a[k][p] = cosine * akp - sine * akq
                    a[k][q] = sine * akp + cosine * akq
                }
                for k in 0..<n {
                    let apk = a[p][k], aqk = a[q][k]
                    a[p][k] = cosine * apk - sine * aqk
                    a[q][k] = sine * apk + cosine * aqk
                }
                for k in 0..<n {
                    let vkp = v[k][p], vkq = v[k][q]
                    v[k][p] = cosine * vkp - sine * vkq
                    v[k][q] = sine * vkp + cosine * vkq
                }
            }
        }
    }
    let order = (0..<n).sorted { a[$0][$0] > a[$1][$1] }
    let vectors = order.map { j -> [Double] in
        var column = (0..<n).map { v[$0][j] }
        if let big = column.max(by: { abs($0) < abs($1) }), big < 0 { column = column.map { -$0 } }
        return column
    }
    return (order.map { a[$0][$0] }, vectors)
}
