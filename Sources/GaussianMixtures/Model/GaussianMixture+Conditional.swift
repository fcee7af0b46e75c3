import Foundation

// Conditioning a mixture on some of its features.
//
// Split the features into the given ones a and the rest b. For each component,
// with Σ_aa = L Lᵀ (Cholesky), u = L⁻¹ (x_a − μ_a) and V = L⁻¹ Σ_ab (triangular
// solves, no inverse):
//   mean of b given a:        μ_b + Vᵀ u
//   covariance of b given a:  Σ_bb − Vᵀ V
//   new weight:               ∝ w_k N(x_a | μ_a, Σ_aa), i.e. P(c = k | x_a)
// so P(x_b | x_a) is again a Gaussian mixture (Bishop, PRML eq. 2.81–2.82). The
// covariance of b given a does not depend on x_a, so everything but u is
// computed once per component and reused for every row (`ConditionalMap`).
// Diagonal and spherical components have Σ_ab = 0: conditioning leaves their
// b-part unchanged and only reweights; tied components stay tied.

/// P(x_b | x_a) for a fixed set of given features a, ready to evaluate at many x_a.
public struct ConditionalMap: Sendable {
    /// The model conditioned.
    public let model: GaussianMixture
    /// Indices of the given features a, in the order values are passed.
    public let givenFeatures: [Int]
    /// Indices of the remaining features b, in model order.
    public let targetFeatures: [Int]

    private let givenFactors: [CholeskyFactor]
    /// Per component: V = L⁻¹ Σ_ab, |a|×|b| row-major.
    private let projections: [[Double]]
    /// Per component: Σ_bb − Vᵀ V, |b|×|b| row-major; for diagonal and spherical
    /// components, whose Σ_ab = 0, only the |b| variances of Σ_bb (no |b|×|b| matrix:
    /// a diagonal model of 10⁵ features would need 80 GB for it).
    private let conditionalCovariances: [[Double]]
    /// Whether the components have no correlations (diagonal, spherical): V = 0.
    private let isIndependent: Bool

    /// Prepares conditioning on the features `given` (0-based indices, distinct).
    ///
    /// - Throws: `ModelError.invalid(key: "given", …)` for an index out of range,
    ///   a repeated index, or when no feature would be left to predict.
    public init(model: GaussianMixture, given: [Int]) throws(ModelError) {
        let d = model.featureCount
        guard model.noise == nil else {
            throw .invalid(key: "noise", reason: "conditioning a model with a noise component is not supported "
                + "(the noise's conditional density depends on the box); fit without --noise")
        }
        guard !given.isEmpty else { throw .invalid(key: "given", reason: "name at least one feature to condition on") }
        if let bad = given.first(where: { $0 < 0 || $0 >= d }) {
            throw .invalid(key: "given", reason: "feature index \(bad) is out of range 0..<\(d)")
        }
        guard Set(given).count == given.count else { throw .invalid(key: "given", reason: "a feature is given twice") }
        let targets = (0..<d).filter { !given.contains($0) }
        guard !targets.isEmpty else {
            throw .invalid(key: "given", reason: "every feature is given: nothing is left to condition")
        }
        var factors: [CholeskyFactor] = []
        var projections: [[Double]] = []
        var covariances: [[Double]] = []
        let (na, nb) = (given.count, targets.count)
        let independent = type(of: model.family).momentShape == .diagonal
        for k in 0..<model.componentCount {
            let sigma = { (i: Int, j: Int) in model.covariance(component: k, row: i, column: j) }
            let saa = given.flatMap { r in given.map { c in sigma(r, c) } }
            let factor: CholeskyFactor
            do {
                factor = try CholeskyFactor(factoring: saa, dimension: na)
            } catch {
                throw .invalid(key: "covariances[\(k)]", reason: "the given features' covariance is not positive definite")
            }
            if independent {
                factors.append(factor)
                projections.append([])
                covariances.append(targets.map { sigma($0, $0) })
                continue
            }
            // V = L⁻¹ Σ_ab by forward substitution, one column of Σ_ab at a time.
            var v = [Double](repeating: 0, count: na * nb)
            for (col, j) in targets.enumerated() {
                for (row, i) in given.enumerated() {
                    var s = sigma(i, j)
                    for m in 0..<row { s -= factor.lower[row * na + m] * v[m * nb + col] }
                    v[row * nb + col] = s / factor.lower[row * na + row]
                }
            }
            var cov = [Double](repeating: 0, count: nb * nb)
            for (r, i) in targets.enumerated() {
                for (c, j) in targets.enumerated() {
                    var s = sigma(i, j)
                    for m in 0..<na { s -= v[m * nb + r] * v[m * nb + c] }
                    cov[r * nb + c] = s
                }
            }
            // Symmetrise so the result is symmetric to the bit.
            for r in 0..<nb { for c in (r + 1)..<max(nb, r + 1) {
                let avg = 0.5 * (cov[r * nb + c] + cov[c * nb + r])
                cov[r * nb + c] = avg
                cov[c * nb + r] = avg
            } }
            factors.append(factor)
            projections.append(v)
            covariances.append(cov)
        }
        self.model = model
        self.givenFeatures = given
        self.targetFeatures = targets
        self.givenFactors = factors
        self.projections = projections
        self.conditionalCovariances = covariances
        self.isIndependent = independent
    }

    /// The weights P(c = k | x_a) and the conditional means of x_b, one per component.
    ///
    /// - Parameter values: the given features' values, in `givenFeatures` order.
    public func weightsAndMeans(at values: [Double]) -> (weights: [Double], means: [[Double]]) {
        precondition(values.count == givenFeatures.count, "one value per given feature")
        let (na, nb) = (givenFeatures.count, targetFeatures.count)
        // Deviations divided by a power of two s, so that given values near 1e300 neither
        // overflow u nor its square: the weights come from the scaled distances |u|/s
        // (DistantRows.swift) and the means add s·(Vᵀ u/s).
        let scale = max(powerOfTwoScale(values), powerOfTwoScale(givenFeatures.flatMap { j in model.means.map { $0[j] } }))
        var normalizers = [Double](repeating: 0, count: model.componentCount)
        var distances = [Double](repeating: 0, count: model.componentCount)
        var means: [[Double]] = []
        means.reserveCapacity(model.componentCount)
        for k in 0..<model.componentCount {
            let factor = givenFactors[k]
            var u = [Double](repeating: 0, count: na)
            for row in 0..<na {
                var s = values[row] / scale - model.means[k][givenFeatures[row]] / scale
                for m in 0..<row { s -= factor.lower[row * na + m] * u[m] }
                u[row] = s / factor.lower[row * na + row]
            }
            normalizers[k] = log(model.weights[k]) - 0.5 * (Double(na) * log(2 * Double.pi) + factor.logDeterminant)
            distances[k] = scaledNorm(u)
            let v = projections[k]
            means.append(targetFeatures.enumerated().map { col, j in
                var shift = 0.0
                for row in 0..<na where !v.isEmpty { shift += v[row * nb + col] * u[row] }
                return model.means[k][j] + scale * shift
            })
        }
        let differences = logJointsFromScaledDistances(normalizers: normalizers, distances: distances, scale: scale).differences
        let lse = logSumExp(differences)
        return (differences.map { exp($0 - lse) }, means)
    }

    /// The variance of target `t` (index into `targetFeatures`) given a, per component.
    public func conditionalVariances(ofTarget t: Int) -> [Double] {
        let nb = targetFeatures.count
        return conditionalCovariances.map { isIndependent ? $0[t] : $0[t * nb + t] }
    }

    /// P(x_b | x_a) as a mixture over the target features, of the model's covariance kind.
    public func conditional(at values: [Double]) throws(ModelError) -> GaussianMixture {
        var (weights, means) = weightsAndMeans(at: values)
        // Components whose weight underflows to 0 stay, with the smallest positive weight.
        if weights.contains(0) {
            weights = weights.map { max($0, Double.leastNormalMagnitude) }
            let total = weights.reduce(0, +)
            weights = weights.map { $0 / total }
        }
        let covariances = type(of: model.family).conditionalParameters(
            conditionalCovariances, targetCount: targetFeatures.count)
        return try GaussianMixture(weights: weights, means: means, covariances: covariances,
                                   featureNames: targetFeatures.map { model.featureNames[$0] })
    }
}

extension GaussianMixture {
    /// P(x_b | x_a): the mixture of the other features given the values of some.
    ///
    /// The new weights are P(c = k | x_a); each component's mean and covariance
    /// are those of its Gaussian conditioned on x_a. The result is itself a
    /// mixture that can score, sample and be saved.
    /// - Parameter given: feature index → value.
    public func conditional(given: [Int: Double]) throws(ModelError) -> GaussianMixture {
        let indices = given.keys.sorted()
        return try ConditionalMap(model: self, given: indices).conditional(at: indices.map { given[$0]! })
    }

    /// P(x_b | x_a) with the given features named.
    public func conditional(givenNamed given: [String: Double]) throws(ModelError) -> GaussianMixture {
        var byIndex: [Int: Double] = [:]
        for (name, value) in given {
            guard let j = featureNames.firstIndex(of: name) else {
                throw .invalid(key: "given", reason: "no feature named \"\(name)\" (features: \(featureNames.joined(separator: ", ")))")
            }
            byIndex[j] = value
        }
        return try conditional(given: byIndex)
    }
}

extension ConditionalMap {
    /// The central interval holding `probability` of target `t`'s conditional
    /// distribution (a mixture of 1-D Gaussians), by bisection on its CDF.
    public func interval(ofTarget t: Int, at values: [Double], probability: Double) -> (lower: Double, upper: Double) {
        precondition(probability > 0 && probability < 1, "probability must be in (0, 1)")
        let (weights, means) = weightsAndMeans(at: values)
        let sds = conditionalVariances(ofTarget: t).map { $0.squareRoot() }
        func cdf(_ x: Double) -> Double {
            var total = 0.0
            for k in weights.indices where weights[k] > 0 {
                total += weights[k] * GSLDistributions.gaussianLowerTail(x - means[k][t], sigma: sds[k])
            }
            return total
        }
        func quantile(_ p: Double) -> Double {
            var lo = weights.indices.map { means[$0][t] - 40 * sds[$0] }.min()!
            var hi = weights.indices.map { means[$0][t] + 40 * sds[$0] }.max()!
            for _ in 0..<200 {
                let mid = 0.5 * (lo + hi)
                if mid == lo || mid == hi { break }
                if cdf(mid) < p { lo = mid } else { hi = mid }
            }
            return 0.5 * (lo + hi)
        }
        return (quantile((1 - probability) / 2), quantile((1 + probability) / 2))
    }
}
