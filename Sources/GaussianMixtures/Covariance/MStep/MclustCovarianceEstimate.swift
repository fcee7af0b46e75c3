import Foundation

// What every mclust M-step returns, and the control of the inner iterations
// of the five iterative ones.
//
// Orientation sign convention: an eigenvector (a column of D_k) is only
// defined up to sign. Every orientation this folder returns has each column
// flipped so that its entry of largest magnitude is positive (the first such
// entry on an exact tie). Σ_k does not depend on the signs.

/// Σ_k = λ_k D_k A_k D_kᵀ for one mclust model, from an M-step.
struct MclustCovarianceEstimate: Sendable, Equatable {
    /// K volumes λ_k, all equal (the same `Double`) for E?? models.
    var volumes: [Double]
    /// K×d diagonals of A_k, row-major, each row with product 1 (all ones for
    /// EII and VII; every row the same `Double`s for ?E? models).
    var shapes: [Double]
    /// K×d×d row-major D_k, column j the j-th axis (whose variance is
    /// λ_k A_k[j]), each column's largest-magnitude entry positive; `nil` for
    /// the axis-aligned (??I) models. Every block the same for ??E models.
    var orientations: [Double]?
    /// K×d×d row-major Σ_k for full-type models (??E, ??V); K×d variances for
    /// axis-aligned models (??I).
    var covariances: [Double]
    /// Inner iterations the M-step made; 0 for the closed-form models.
    var innerIterations: Int
    /// The inner loop's last change measure (mclust's `errin`); 0 for the
    /// closed-form models. Above `MclustInnerControl.tolerance` only when the
    /// loop stopped at `maxIterations`.
    var innerError: Double = 0
}

/// When the inner loop of an iterative mclust M-step stops.
struct MclustInnerControl: Sendable, Equatable {
    /// Stop when the model's change measure falls below this (mclust:
    /// `emControl()$tol[2]`). VEI and VEV measure the largest relative change
    /// of a volume or shape, `|new − old| / (1 + |new|)`; VEE, EVE and VVE the
    /// relative change of their objective, `|new − old| / (1 + |new|)`.
    var tolerance: Double
    /// At most this many inner iterations (mclust: `emControl()$itmax[2]`).
    var maxIterations: Int

    /// mclust 6's defaults: `tol = sqrt(.Machine$double.eps)`, `itmax = .Machine$integer.max`.
    static let mclustDefault = MclustInnerControl(
        tolerance: Double.ulpOfOne.squareRoot(), maxIterations: Int(Int32.max)
    )
}

extension MclustCovarianceEstimate {
    /// Σ_k as a full d×d row-major matrix (a diagonal one expanded).
    func covarianceMatrix(component k: Int, featureCount d: Int) -> [Double] {
        if covariances.count == volumes.count * d * d {
            return Array(covariances[(k * d * d)..<((k + 1) * d * d)])
        }
        var matrix = [Double](repeating: 0, count: d * d)
        for j in 0..<d { matrix[j * d + j] = covariances[k * d + j] }
        return matrix
    }

    /// log det Σ_k = d log λ_k, since det A_k = 1 and det D_k = ±1.
    func logDeterminant(component k: Int, featureCount d: Int) -> Double {
        Double(d) * Foundation.log(volumes[k])
    }
}
