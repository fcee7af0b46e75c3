import Foundation

// Rows grouped by their pattern of missingness, and what a mixture looks like
// on the coordinates a pattern observes.
//
// For a pattern with observed coordinates o and missing ones m, and a
// component with mean μ and covariance Σ:
//   x_o ~ N(μ_o, Σ_oo)                                     (the marginal)
//   x_m | x_o ~ N(μ_m + Σ_mo Σ_oo⁻¹ (x_o − μ_o),  Σ_mm − Σ_mo Σ_oo⁻¹ Σ_om)
// With Σ_oo = L Lᵀ (Cholesky, GSL), u = L⁻¹ (x_o − μ_o) and W = (L⁻¹ Σ_om)ᵀ
// (|m|×|o|, one triangular solve per missing coordinate), the marginal's
// squared Mahalanobis distance is |u|², the conditional mean is μ_m + W u
// and the conditional covariance Σ_mm − W Wᵀ: triangular solves only, no
// inverse. Everything but u depends on the pattern and the component alone,
// so it is computed once per (pattern, component) and iteration (twice when
// a pass's chunk boundary cuts a pattern) and every row of the pattern reuses
// it: data with few patterns costs little more than complete data. Diagonal
// and spherical components have Σ_mo = 0: W vanishes, the conditional mean is
// μ_m and the conditional covariance Σ_mm. Tied components share one factor
// and one regression per pattern.

/// The rows that miss the same features.
struct MissingPattern: Sendable {
    /// Indices of the observed features, ascending.
    let observed: [Int]
    /// Indices of the missing features, ascending (empty for complete rows).
    let missing: [Int]
    /// The rows with this pattern, ascending.
    let rows: [Int]
    /// The observed values of those rows, `rows.count`×`observed.count`, row-major.
    let observedValues: [Double]
}

/// Every row of a data set, grouped by pattern of missingness.
struct MissingPatterns: Sendable {
    /// Patterns in order of their first row.
    let patterns: [MissingPattern]
    let featureCount: Int
    let sampleCount: Int

    init(_ data: IncompleteDataMatrix) {
        let d = data.featureCount
        let words = (d + 63) / 64
        var index: [[UInt64]: Int] = [:]
        var rowsOf: [[Int]] = []
        var keys: [[UInt64]] = []
        var key = [UInt64](repeating: 0, count: words)
        let x = data.storage.base
        for i in 0..<data.sampleCount {
            for w in 0..<words { key[w] = 0 }
            for j in 0..<d where x[i &* d &+ j].isNaN { key[j >> 6] |= 1 << UInt64(j & 63) }
            if let p = index[key] {
                rowsOf[p].append(i)
            } else {
                index[key] = rowsOf.count
                rowsOf.append([i])
                keys.append(key)
            }
        }
        patterns = zip(keys, rowsOf).map { key, rows in
            let isMissing = { (j: Int) in key[j >> 6] & (1 << UInt64(j & 63)) != 0 }
            let observed = (0..<d).filter { !isMissing($0) }
            let missing = (0..<d).filter(isMissing)
            var values = [Double]()
            values.reserveCapacity(rows.count * observed.count)
            for i in rows { for j in observed { values.append(x[i &* d &+ j]) } }
            return MissingPattern(observed: observed, missing: missing, rows: rows, observedValues: values)
        }
        featureCount = d
        sampleCount = data.sampleCount
    }
}

/// One component seen through one pattern: its marginal on the observed
/// coordinates and the regression of the missing ones on them.
struct PatternComponent: Sendable {
    /// L with Σ_oo = L Lᵀ.
    let factor: CholeskyFactor
    /// log w_k − ½ (|o| log 2π + log det Σ_oo).
    let normalizer: Double
    /// W = (L⁻¹ Σ_om)ᵀ, |m|×|o| row-major; empty when the family makes it zero or nothing is missing.
    let regression: [Double]
    /// Σ_mm − W Wᵀ, |m|×|m| row-major (symmetric to the bit).
    let conditionalCovariance: [Double]
}

/// A mixture seen through one pattern: one `PatternComponent` per component.
struct PatternMarginal: Sendable {
    let pattern: MissingPattern
    let components: [PatternComponent]
    /// The component means, K×d row-major.
    let means: [Double]
    /// Whether W is zero for every component (diagonal and spherical families).
    let isIndependent: Bool

    /// Prepares `model` for the rows of `pattern`.
    ///
    /// - Throws: `CovarianceError.notPositiveDefinite` naming the component whose
    ///   observed block cannot be factored (only possible through rounding, as
    ///   every principal block of a positive-definite matrix is positive definite).
    init(model: GaussianMixture, pattern: MissingPattern) throws(CovarianceError) {
        let o = pattern.observed
        let m = pattern.missing
        let (no, nm) = (o.count, m.count)
        let kind = model.covarianceKind
        let independent = !kind.hasCorrelations
        var components: [PatternComponent] = []
        components.reserveCapacity(model.componentCount)
        for k in 0..<model.componentCount {
            if kind.sharesOneCovariance, let first = components.first {
                // One covariance for all: only the weight in the normaliser changes.
                let normalizer = model.logWeights[k] - 0.5 * (Double(no) * log(2 * Double.pi) + first.factor.logDeterminant)
                components.append(PatternComponent(factor: first.factor, normalizer: normalizer,
                                                   regression: first.regression,
                                                   conditionalCovariance: first.conditionalCovariance))
                continue
            }
            let sigma = { (i: Int, j: Int) in model.family.covariance(component: k, row: i, column: j) }
            var block = [Double](repeating: 0, count: no * no)
            for (r, i) in o.enumerated() { for (c, j) in o.enumerated() { block[r * no + c] = sigma(i, j) } }
            let factor: CholeskyFactor
            do {
                factor = try CholeskyFactor(factoring: block, dimension: no)
            } catch {
                throw .notPositiveDefinite(component: k)
            }
            var regression: [Double] = []
            var conditional = [Double](repeating: 0, count: nm * nm)
            for (r, i) in m.enumerated() { for (c, j) in m.enumerated() { conditional[r * nm + c] = sigma(i, j) } }
            if nm > 0 && !independent {
                // Row t of W is L⁻¹ Σ_{o, m_t}: whitening the rows of Σ_mo solves all of them at once.
                regression = [Double](repeating: 0, count: nm * no)
                for (t, i) in m.enumerated() { for (c, j) in o.enumerated() { regression[t * no + c] = sigma(i, j) } }
                regression.withUnsafeMutableBufferPointer { w in factor.whiten(w.baseAddress!, rows: nm) }
                for r in 0..<nm {
                    for c in r..<nm {
                        var s = 0.0
                        for l in 0..<no { s += regression[r * no + l] * regression[c * no + l] }
                        let v = 0.5 * (conditional[r * nm + c] + conditional[c * nm + r]) - s
                        conditional[r * nm + c] = v
                        conditional[c * nm + r] = v
                    }
                }
            }
            let normalizer = model.logWeights[k] - 0.5 * (Double(no) * log(2 * Double.pi) + factor.logDeterminant)
            components.append(PatternComponent(factor: factor, normalizer: normalizer, regression: regression,
                                               conditionalCovariance: conditional))
        }
        self.pattern = pattern
        self.components = components
        self.means = model.flatMeans
        self.isIndependent = independent
    }

    var componentCount: Int { components.count }

    /// For `rows` rows of observed values at `xo` (rows×|o|): writes log P(x_o, c = k)
    /// to `logJoint` (rows×K) and the whitened u of component k to `whitened + k·rows·|o|`.
    func evaluate(_ xo: UnsafePointer<Double>, rows: Int, whitened: UnsafeMutablePointer<Double>,
                  logJoint: UnsafeMutablePointer<Double>) {
        let o = pattern.observed
        let no = o.count
        let d = means.count / componentCount
        let kCount = componentCount
        means.withUnsafeBufferPointer { mu in
            for k in 0..<kCount {
                let u = whitened + k &* rows &* no
                let muK = mu.baseAddress! + k &* d
                for r in 0..<rows {
                    for (c, j) in o.enumerated() { u[r &* no &+ c] = xo[r &* no &+ c] - muK[j] }
                }
                components[k].factor.whiten(u, rows: rows)
                let c0 = components[k].normalizer
                for r in 0..<rows {
                    var q = 0.0
                    for c in 0..<no { q += u[r &* no &+ c] * u[r &* no &+ c] }
                    logJoint[r &* kCount &+ k] = c0 - 0.5 * q
                }
            }
        }
    }

    /// log P(x_o, c = k) of one row far from every component, as
    /// `BlockEvaluator.repairDistantRow` computes it for complete rows (DistantRows.swift).
    /// - Returns: `false` when log P(x_o) underflows; `out` then holds the differences to the largest.
    func repairDistantRow(_ xo: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) -> Bool {
        let o = pattern.observed
        let d = means.count / componentCount
        let observedMeans = (0..<componentCount).flatMap { k in o.map { means[k * d + $0] } }
        let scale = max(powerOfTwoScale(UnsafeBufferPointer(start: xo, count: o.count)), powerOfTwoScale(observedMeans))
        var u = [Double](repeating: 0, count: o.count)
        let distances = (0..<componentCount).map { k in
            for c in o.indices { u[c] = xo[c] / scale - observedMeans[k * o.count + c] / scale }
            u.withUnsafeMutableBufferPointer { components[k].factor.whiten($0.baseAddress!, rows: 1) }
            return scaledNorm(u)
        }
        let (differences, _, largest) = logJointsFromScaledDistances(
            normalizers: components.map(\.normalizer), distances: distances, scale: scale)
        for k in 0..<componentCount { out[k] = (largest.isFinite ? largest : 0) + differences[k] }
        return largest.isFinite
    }

    /// Writes the conditional means μ_m + W u of component `k` for `rows` rows
    /// (`whitened`: their u, rows×|o|) to `out` (rows×|m|). Nothing to do when nothing is missing.
    func conditionalMeans(component k: Int, whitened u: UnsafePointer<Double>, rows: Int,
                          into out: UnsafeMutablePointer<Double>) {
        let m = pattern.missing
        let nm = m.count
        guard nm > 0 else { return }
        let d = means.count / componentCount
        for r in 0..<rows {
            for (t, j) in m.enumerated() { out[r &* nm &+ t] = means[k &* d &+ j] }
        }
        guard !isIndependent else { return }
        components[k].regression.withUnsafeBufferPointer { w in
            let p = pattern.observed.count
            GSLLinearAlgebra.multiply(u, lda: p, w.baseAddress!, transposeB: true, ldb: p, into: out, ldc: nm,
                                      m: rows, n: nm, p: p, beta: 1)
        }
    }
}
