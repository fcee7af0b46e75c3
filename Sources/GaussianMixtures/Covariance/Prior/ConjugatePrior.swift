import Foundation

// mclust's conjugate prior (Fraley & Raftery 2007, "Bayesian regularization for
// normal mixture estimation and model-based clustering"): each mean given its
// covariance is normal around μ_P with covariance Σ_k/κ_P, each covariance has an
// inverse-Wishart (ellipsoidal models) or inverse-gamma (axis-aligned models)
// prior with ν_P degrees of freedom and scale Λ_P (a matrix) or ς²_P (a number).
// EM then maximises the posterior (MAP): weights as before, means shrunk toward
// μ_P, covariances with the scale and a mean-shift term added to the scatter.
//
// `mclustDefault` gives `priorControl()`'s hyper-parameters (`defaultPrior`):
//   κ_P = 0.01, μ_P = the column means, ν_P = d + 2,
//   Λ_P = var(X) / K^(2/d) for the ellipsoidal models (diag(var) when n ≤ d),
//   ς²_P = Σ_j var(X_j) / d / K^(2/d) for the axis-aligned ones,
// with var the sample variance (divisor n − 1). The M-steps are in
// ConjugatePrior+MStep.swift.

/// The hyper-parameters of mclust's conjugate prior on a mixture's means and covariances.
public struct ConjugatePrior: Sendable, Equatable {
    /// The prior's scale: a d×d matrix Λ_P for the ellipsoidal models, one
    /// variance ς²_P for the axis-aligned ones (as mclust's `defaultPrior`).
    public enum Scale: Sendable, Equatable {
        /// Λ_P, a d×d scale matrix (the inverse-Wishart prior of the ellipsoidal models).
        case matrix([[Double]])
        /// ς²_P, one variance (the inverse-gamma prior of the axis-aligned and spherical models).
        case variance(Double)
    }

    /// κ_P: how many observations' worth of weight the prior mean has (mclust: `shrinkage`).
    public var shrinkage: Double
    /// μ_P, d values (mclust: `mean`).
    public var mean: [Double]
    /// ν_P (mclust: `dof`).
    public var degreesOfFreedom: Double
    /// Λ_P or ς²_P (mclust: `scale`).
    public var scale: Scale

    /// A prior with the given hyper-parameters; ``mclustDefault(for:weights:componentCount:kind:)``
    /// gives mclust's defaults for some data.
    public init(shrinkage: Double, mean: [Double], degreesOfFreedom: Double, scale: Scale) {
        self.shrinkage = shrinkage
        self.mean = mean
        self.degreesOfFreedom = degreesOfFreedom
        self.scale = scale
    }

    /// The models mclust defines a prior for: all but VEE, EVE, VVE and EVV
    /// (mclust 6 fits those without the prior, with a warning).
    public static func isSupported(_ kind: CovarianceKind) -> Bool {
        switch kind.mclustModel {
        case .VEE, .EVE, .VVE, .EVV: false
        default: true
        }
    }

    /// The kind of scale a model's prior takes: a matrix for the ellipsoidal models.
    static func takesMatrixScale(_ kind: CovarianceKind) -> Bool { kind.hasCorrelations }

    /// mclust's `priorControl()` defaults for fitting `componentCount` components of `kind` to `data`.
    ///
    /// - Parameters:
    ///   - data: the rows the mixture will be fitted to (their mean and variance set the prior).
    ///   - weights: frequency weights (a weight of w counts as w copies of the row), or `nil`.
    ///   - componentCount: K; the scale is the data's variance over K^(2/d).
    ///   - kind: the covariance model, which decides the scale's form (a matrix or one variance).
    /// - Throws: `FitError.invalidOption` when mclust has no prior for `kind`, or
    ///   when the data cannot define one (fewer than two rows' worth of weight, or
    ///   a column without spread).
    public static func mclustDefault(
        for data: DataMatrix, weights: [Double]? = nil, componentCount: Int, kind: CovarianceKind
    ) throws(FitError) -> ConjugatePrior {
        guard isSupported(kind) else { throw unsupported(kind) }
        let d = data.featureCount, n = data.sampleCount
        let (mean, covariance, total) = weightedMoments(of: data, weights: weights)
        guard total > 1 else {
            throw .invalidOption(name: "prior", reason: "needs more than one row to estimate the data's variance")
        }
        if let j = (0..<d).first(where: { !(covariance[$0 * d + $0] > 0) }) {
            throw .invalidOption(name: "prior", reason: "column \(j + 1) has no spread, so the default prior scale is singular")
        }
        let factor = pow(1 / Double(componentCount), 2 / Double(d))
        let scale: Scale
        if takesMatrixScale(kind) {
            var rows = [[Double]]()
            for r in 0..<d {
                var row = [Double](repeating: 0, count: d)
                for c in 0..<d where n > d || r == c { row[c] = factor * covariance[r * d + c] }
                rows.append(row)
            }
            scale = .matrix(rows)
        } else {
            var sum = 0.0
            for j in 0..<d { sum += covariance[j * d + j] }
            scale = .variance(factor * sum / Double(d))
        }
        return ConjugatePrior(shrinkage: 0.01, mean: mean, degreesOfFreedom: Double(d) + 2, scale: scale)
    }

    /// The usage error for a model mclust defines no prior for.
    static func unsupported(_ kind: CovarianceKind) -> FitError {
        .invalidOption(name: "prior", reason: "is not defined for \(kind.mclustName): mclust defines its conjugate prior "
            + "for EII, VII, EEI, VEI, EVI, VVI, EEE, EEV, VEV and VVV only")
    }

    /// Checks the hyper-parameters against a fit of `kind` in `featureCount` dimensions.
    ///
    /// - Throws: `FitError.invalidOption` naming the hyper-parameter that is wrong.
    public func validate(featureCount d: Int, kind: CovarianceKind) throws(FitError) {
        func bad(_ name: String, _ why: String) -> FitError { .invalidOption(name: "prior \(name)", reason: why) }
        guard Self.isSupported(kind) else { throw Self.unsupported(kind) }
        guard shrinkage > 0, shrinkage.isFinite else {
            throw bad("shrinkage", "must be a finite number > 0 (mclust's M-steps differ without it), got \(shrinkage)")
        }
        guard mean.count == d, mean.allSatisfy(\.isFinite) else { throw bad("mean", "must be \(d) finite numbers") }
        guard degreesOfFreedom > 0, degreesOfFreedom.isFinite else {
            throw bad("dof", "must be a finite number > 0, got \(degreesOfFreedom)")
        }
        switch scale {
        case let .variance(v):
            guard !Self.takesMatrixScale(kind) else { throw bad("scale", "must be a \(d)×\(d) matrix for \(kind.mclustName)") }
            guard v > 0, v.isFinite else { throw bad("scale", "must be a finite number > 0, got \(v)") }
        case let .matrix(m):
            guard Self.takesMatrixScale(kind) else { throw bad("scale", "must be one number for \(kind.mclustName)") }
            guard m.count == d, m.allSatisfy({ $0.count == d && $0.allSatisfy(\.isFinite) }) else {
                throw bad("scale", "must be a \(d)×\(d) matrix of finite numbers")
            }
            for r in 0..<d {
                for c in 0..<r where abs(m[r][c] - m[c][r]) > 1e-8 * max(abs(m[r][c]), abs(m[c][r]), .leastNormalMagnitude) {
                    throw bad("scale", "must be symmetric: entries (\(r + 1), \(c + 1)) and (\(c + 1), \(r + 1)) differ")
                }
            }
            guard (try? CholeskyFactor(factoring: m.flatMap { $0 }, dimension: d)) != nil else {
                throw bad("scale", "must be positive definite")
            }
        }
    }

    /// The weighted column means, the d×d covariance (divisor W − 1) and the total weight W.
    static func weightedMoments(of data: DataMatrix, weights: [Double]?) -> (mean: [Double], covariance: [Double], total: Double) {
        let d = data.featureCount, n = data.sampleCount
        var total = 0.0
        var mean = [Double](repeating: 0, count: d)
        var scatter = [Double](repeating: 0, count: d * d)
        var centred = [Double](repeating: 0, count: d)
        data.withUnsafeBufferPointer { x in
            // Welford's update: one pass, no large sums of squares to cancel.
            for i in 0..<n {
                let w = weights?[i] ?? 1
                guard w > 0 else { continue }
                total += w
                for j in 0..<d { centred[j] = x[i &* d &+ j] - mean[j] }
                for j in 0..<d { mean[j] += centred[j] * w / total }
                for r in 0..<d {
                    let after = x[i &* d &+ r] - mean[r]
                    for c in 0..<d { scatter[r * d + c] += w * after * centred[c] }
                }
            }
        }
        for r in 0..<d {
            for c in 0..<r {
                let m = 0.5 * (scatter[r * d + c] + scatter[c * d + r])
                scatter[r * d + c] = m
                scatter[c * d + r] = m
            }
        }
        return (mean, scatter.map { $0 / (total - 1) }, total)
    }
}
