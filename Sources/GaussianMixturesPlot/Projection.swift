// The plane a mixture figure shows: two features, or the two leading
// principal directions of the data. Either way it is an affine map
// x ↦ A (x − o) with A a 2×d matrix, so a Gaussian N(μ, Σ) becomes
// N(A(μ − o), A Σ Aᵀ) exactly, and the mixture's 2-D marginal on the
// plane is again a mixture with the same weights.

import GaussianMixtures

/// A linear view of d-dimensional rows onto two axes.
public struct PlaneProjection: Sendable {
    /// Two rows of d numbers: the directions of the horizontal and vertical axes.
    public let axes: [[Double]]
    /// The point of feature space drawn at (0, 0).
    public let origin: [Double]
    /// The horizontal axis's label (a feature's name, or a principal direction with its share of variance).
    public let xLabel: String
    /// The vertical axis's label.
    public let yLabel: String
    /// Lines explaining the axes (the loadings of the principal directions, one line each), if any.
    public let note: String?
    /// Whether the axes are orthonormal directions of feature space (principal
    /// directions), so that both measure lengths in the same units.
    public let isPrincipal: Bool

    /// Features `i` and `j` (0-based) of `names`, as they are.
    public static func features(_ i: Int, _ j: Int, names: [String]) -> PlaneProjection {
        let d = names.count
        precondition(i >= 0 && i < d && j >= 0 && j < d && i != j, "features \(i), \(j) of \(d)")
        let unit = { (k: Int) in (0..<d).map { $0 == k ? 1.0 : 0.0 } }
        return PlaneProjection(axes: [unit(i), unit(j)], origin: [Double](repeating: 0, count: d),
                               xLabel: names[i], yLabel: names[j], note: nil, isPrincipal: false)
    }

    /// The two leading principal directions of `data` (the eigenvectors of its
    /// sample covariance with the largest eigenvalues), centred on its mean.
    public static func principal(of data: DataMatrix) -> PlaneProjection {
        let n = data.sampleCount, d = data.featureCount
        precondition(d >= 2 && n >= 1)
        var mean = [Double](repeating: 0, count: d)
        var scatter = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
        data.withUnsafeBufferPointer { values in
            for i in 0..<n { for j in 0..<d { mean[j] += values[i * d + j] } }
            for j in 0..<d { mean[j] /= Double(n) }
            var centred = [Double](repeating: 0, count: d)
            for i in 0..<n {
                for j in 0..<d { centred[j] = values[i * d + j] - mean[j] }
                for r in 0..<d { for c in r..<d { scatter[r][c] += centred[r] * centred[c] } }
            }
        }
        for r in 0..<d { for c in 0..<r { scatter[r][c] = scatter[c][r] } }
        let (values, vectors) = symmetricEigen(scatter)
        let total = max(values.reduce(0) { $0 + max($1, 0) }, .leastNonzeroMagnitude)
        let share = { (k: Int) in String(format: "%.1f%%", 100 * max(values[k], 0) / total) }
        let loadings = (0..<2).map { k in
            "PD\(k + 1) = " + zip(vectors[k], data.featureNames).map { w, name in
                String(format: "%+.2f ", w) + name
            }.joined(separator: " ")
        }
        return PlaneProjection(axes: [vectors[0], vectors[1]], origin: mean,
                               xLabel: "principal direction 1 (\(share(0)) of variance)",
                               yLabel: "principal direction 2 (\(share(1)) of variance)",
                               note: loadings.joined(separator: "\n"), isPrincipal: true)
    }

    /// The plane coordinates of a row.
    public func project(_ row: [Double]) -> (x: Double, y: Double) {
        var x = 0.0, y = 0.0
        for j in 0..<row.count {
            let centred = row[j] - origin[j]
            x += axes[0][j] * centred
            y += axes[1][j] * centred
        }
        return (x, y)
    }

    /// A d×d covariance seen on the plane: A Σ Aᵀ, a 2×2 matrix.
    public func project(covariance: [[Double]]) -> [[Double]] {
        let d = covariance.count
        return (0..<2).map { r in
            (0..<2).map { c in
                var sum = 0.0
                for i in 0..<d { for j in 0..<d { sum += axes[r][i] * covariance[i][j] * axes[c][j] } }
                return sum
            }
        }
    }

    /// The exact marginal of `model` on the plane: the same weights, projected
    /// means and covariances, full 2×2. A noise component is left out (its weight
    /// shared among the Gaussians in proportion): the contours show the Gaussian part.
    public func marginal(of model: GaussianMixture) throws -> GaussianMixture {
        let means = model.means.map { mean in let p = project(mean); return [p.x, p.y] }
        let covariances = (0..<model.componentCount).map { project(covariance: model.covarianceMatrix(component: $0)) }
            .map { m in [[m[0][0], (m[0][1] + m[1][0]) / 2], [(m[0][1] + m[1][0]) / 2, m[1][1]]] }
        let gaussianShare = 1 - (model.noise?.weight ?? 0)
        return try GaussianMixture(weights: model.weights.map { $0 / gaussianShare }, means: means, covariances: .full(covariances),
                                   featureNames: [xLabel, yLabel])
    }
}
