import Foundation

// Per-column standardisation, z_j = (x_j − m_j) / s_j, and the exact way back
// for a mixture fitted on z. With S = diag(s) the map x = m + S z is affine, so
// a Gaussian N(μ, Σ) in z is N(m + S μ, S Σ S) in x, and
//   log p_x(x) = log p_z(z) − Σ_j log s_j          (the Jacobian of z ↦ x),
// the same shift for every component: responsibilities P(c|x) = P(c|z).
//
// Which family holds S Σ S? Volumes survive any linear map (det(SΣS) =
// det(S)² det Σ), and so do "one matrix for all" (tied) and "a diagonal
// matrix" (diag), but a spherical λ I becomes λ S², which is no longer
// spherical, and a common orientation D or shape A is not kept by a per-column
// scaling in general. So the model written in original units is the one of
// scikit-learn's four that holds the mapped covariances exactly: full, tied
// and diag stay what they are; spherical and mclust's axis-aligned models
// (EII, EEI, VEI, EVI) become diag; mclust's ellipsoidal models (VEE, EVE,
// VVE, EEV, VEV, EVV) become full. The parameters are exact; only the family
// name widens. (The free-parameter count of the fit is the fitted family's:
// the scales are constants of the data, not parameters.)

/// Column means and standard deviations that standardise data, and the map
/// that brings a mixture fitted on standardised data back to the original units.
///
/// The standard deviation is the population one (divide by n, as scikit-learn's
/// `StandardScaler`), weighted by frequency weights when there are some (divide
/// by their sum). A constant column keeps the scale 1 (it is only centred).
public struct Standardization: Sendable, Equatable {
    /// m_j, one per feature.
    public let means: [Double]
    /// s_j > 0, one per feature.
    public let deviations: [Double]

    /// The standardisation with these centres and scales.
    public init(means: [Double], deviations: [Double]) {
        precondition(means.count == deviations.count && deviations.allSatisfy { $0 > 0 && $0.isFinite },
                     "one positive finite scale per feature")
        self.means = means
        self.deviations = deviations
    }

    /// The (weighted) column means and population standard deviations of `data`.
    ///
    /// - Parameters:
    ///   - data: the rows whose columns are measured.
    ///   - weights: frequency weights, one per row, or `nil` for 1 each.
    public init(of data: DataMatrix, weights: [Double]? = nil) {
        let (n, d) = (data.sampleCount, data.featureCount)
        precondition(weights == nil || weights!.count == n, "one weight per row")
        var total = 0.0
        var sums = [Double](repeating: 0, count: d)
        var squares = [Double](repeating: 0, count: d)
        data.withUnsafeBufferPointer { x in
            for i in 0..<n {
                let w = weights?[i] ?? 1
                total += w
                for j in 0..<d { sums[j] += w * x[i * d + j] }
            }
            let centres = sums.map { $0 / total }
            // Second pass around the means: no cancellation of large offsets.
            for i in 0..<n {
                let w = weights?[i] ?? 1
                for j in 0..<d {
                    let e = x[i * d + j] - centres[j]
                    squares[j] += w * e * e
                }
            }
            sums = centres
        }
        let deviations = squares.map { s -> Double in
            let sd = (s / total).squareRoot()
            return sd > 0 && sd.isFinite ? sd : 1
        }
        self.init(means: sums, deviations: deviations)
    }

    /// Σ_j log s_j: log P(x) = log P(z) − `logScale` for every row.
    public var logScale: Double { deviations.reduce(0) { $0 + log($1) } }

    /// The ratio of the largest column scale to the smallest (non-constant columns).
    public var scaleRatio: Double {
        guard let hi = deviations.max(), let lo = deviations.min() else { return 1 }
        return hi / lo
    }

    /// `data` standardised, z_ij = (x_ij − m_j) / s_j, with the same names.
    public func standardize(_ data: DataMatrix) -> DataMatrix {
        let (n, d) = (data.sampleCount, data.featureCount)
        precondition(d == means.count, "data has \(d) features, the standardisation \(means.count)")
        var z = [Double](repeating: 0, count: n * d)
        data.withUnsafeBufferPointer { x in
            for i in 0..<n {
                for j in 0..<d { z[i * d + j] = (x[i * d + j] - means[j]) / deviations[j] }
            }
        }
        return DataMatrix(trusted: DataStorage(copying: z), sampleCount: n, featureCount: d, featureNames: data.featureNames)
    }

    /// A row standardised, (x_j − m_j) / s_j.
    public func standardize(row x: [Double]) -> [Double] {
        (0..<x.count).map { (x[$0] - means[$0]) / deviations[$0] }
    }

    /// The mixture `model`, fitted on standardised data, in the original units:
    /// means m + S μ_k, covariances S Σ_k S. Full, tied and diag keep their family;
    /// spherical and mclust's axis-aligned models become diag, mclust's ellipsoidal
    /// models other than EEE and VVV become full (see the note at the top of the file).
    ///
    /// - Throws: `ModelError` only when a mapped variance overflows a double.
    public func originalUnits(_ model: GaussianMixture) throws(ModelError) -> GaussianMixture {
        let d = model.featureCount
        precondition(d == means.count, "model has \(d) features, the standardisation \(means.count)")
        let s = deviations
        func scaled(_ m: [[Double]]) -> [[Double]] {
            // Σ_rc (s_r s_c): the product s_r s_c is the same both ways, so symmetry is kept to the bit.
            (0..<d).map { r in (0..<d).map { c in m[r][c] * (s[r] * s[c]) } }
        }
        func scaled(variances v: [Double]) -> [Double] { (0..<d).map { v[$0] * (s[$0] * s[$0]) } }
        let covariances: CovarianceParameters
        switch model.covariances {
        case let .full(m): covariances = .full(m.map(scaled))
        case let .tied(m): covariances = .tied(scaled(m))
        case let .diagonal(v): covariances = .diagonal(v.map { scaled(variances: $0) })
        case let .spherical(v): covariances = .diagonal(v.map { scaled(variances: [Double](repeating: $0, count: d)) })
        case let .decomposed(kind, m, _):
            covariances = kind.hasCorrelations ? .full(m.map(scaled))
                : .diagonal(m.map { c in scaled(variances: (0..<d).map { c[$0][$0] }) })
        }
        let mapped = model.means.map { mu in (0..<d).map { means[$0] + s[$0] * mu[$0] } }
        // A noise component's box maps like the means and its volume (density 1/V) by Π s, the
        // same log|det S| shift as the Gaussian densities.
        let noise = try model.noise.map { (n: NoiseComponent) throws(ModelError) in
            try NoiseComponent(weight: n.weight, volume: n.volume * s.reduce(1, *),
                               lower: (0..<d).map { means[$0] + s[$0] * n.lower[$0] },
                               upper: (0..<d).map { means[$0] + s[$0] * n.upper[$0] }, featureCount: d)
        }
        // S Σ S is positive definite whenever Σ is and s > 0; overflow of s² σ² is the only way to fail.
        return try GaussianMixture(weights: model.weights, means: mapped, covariances: covariances,
                                   featureNames: model.featureNames, noise: noise)
    }
}
