// The numbers a report states about ALL rows, gathered in one streaming pass
// of P(c|x) and log P(x) block by block (`GaussianMixture.posterior(for:)`):
// soft and hard counts, the uncertain share, the log-likelihood and the ICL,
// and which rows to draw. Nothing here grows with the number of rows except
// the keepers, which are bounded by `maxPoints`.

import Foundation
import GaussianMixtures

/// Per-component and overall facts about how a data set splits among a mixture's components.
public struct AssignmentSummary: Sendable {
    /// Rows gone through.
    public var rowCount = 0
    /// Σ_x P(c|x) per component.
    public var softCounts: [Double]
    /// Rows whose most probable component is c.
    public var hardCounts: [Int]
    /// Of those, rows whose largest P(c|x) is below `uncertainBelow`.
    public var uncertainCounts: [Int]
    /// The threshold: a row is uncertain when its largest P(c|x) is below it.
    public let uncertainBelow: Double
    /// Σ log P(x) over all rows (−∞ when a row's density underflows).
    public var logLikelihood = 0.0
    /// Σ log max_c P(c|x): the hard-assignment term of the ICL.
    public var hardLogLikelihood = 0.0
    /// Rows with the lowest log P(x), lowest first.
    public var outlierRows: [Int] = []
    /// Rows to draw, in increasing order: the outliers, the most uncertain rows and a seeded sample.
    public var drawnRows: [Int] = []

    init(componentCount k: Int, uncertainBelow: Double) {
        softCounts = [Double](repeating: 0, count: k)
        hardCounts = [Int](repeating: 0, count: k)
        uncertainCounts = [Int](repeating: 0, count: k)
        self.uncertainBelow = uncertainBelow
    }

    /// One pass over `data`.
    ///
    /// - Parameters:
    ///   - model: the mixture.
    ///   - data: the rows, with the model's features.
    ///   - maxPoints: rows drawn at most (all of them when there are no more).
    ///   - outlierCount: rows listed as outliers (at most a twentieth of the rows, at least 10, and a fifth of `maxPoints`).
    ///   - uncertainBelow: a row is uncertain when its largest P(c|x) is below this.
    ///   - seed: picks the sample; the same seed draws the same rows.
    ///   - threads: threads for the pass; `nil` uses every core.
    public static func gather(model: GaussianMixture, data: DataMatrix, maxPoints: Int, outlierCount: Int,
                              uncertainBelow: Double = 0.9, seed: UInt64 = 0, threads: Int? = nil) -> AssignmentSummary {
        let kCount = model.componentCount
        var summary = AssignmentSummary(componentCount: kCount, uncertainBelow: uncertainBelow)
        // An outlier list of most of the rows says nothing: the lowest 5 % of them, within the limits.
        let listed = min(outlierCount, max(data.sampleCount / 20, 10), max(maxPoints / 5, 1))
        var outliers = LowestRows(capacity: listed)
        // A fifth of the drawing is reserved for the least certain rows, so they are always there to inspect.
        var uncertain = LowestRows(capacity: data.sampleCount > maxPoints ? maxPoints / 5 : 0)
        var sample = ReservoirSample(capacity: maxPoints, seed: seed)
        model.posterior(for: data, threads: threads) { block in
            for r in 0..<block.rows.count {
                let row = block.rows.lowerBound + r
                var best = 0
                for k in 0..<kCount {
                    let p = block.responsibilities[r * kCount + k]
                    summary.softCounts[k] += p
                    if p > block.responsibilities[r * kCount + best] { best = k }
                }
                let top = block.responsibilities[r * kCount + best]
                summary.hardCounts[best] += 1
                if top < uncertainBelow { summary.uncertainCounts[best] += 1 }
                summary.hardLogLikelihood += log(top)
                let logDensity = block.logDensities[r]
                summary.logLikelihood += logDensity
                outliers.offer(logDensity, row: row)
                uncertain.offer(top, row: row)
                sample.offer(row: row)
            }
        }
        summary.rowCount = data.sampleCount
        summary.outlierRows = outliers.sortedRows
        var drawn = Set(summary.outlierRows).union(uncertain.sortedRows)
        // The reservoir is a uniform random set in random order: any prefix of it is a uniform sample too.
        for row in sample.rows where drawn.count < maxPoints { drawn.insert(row) }
        summary.drawnRows = drawn.sorted()
        return summary
    }

    /// ICL (mclust's definition): BIC on these rows minus twice Σ log max_c P(c|x).
    public func icl(parameterCount: Int) -> Double {
        bic(parameterCount: parameterCount) - 2 * hardLogLikelihood
    }

    /// BIC on these rows: −2 Σ log P(x) + p ln n.
    public func bic(parameterCount: Int) -> Double {
        -2 * logLikelihood + Double(parameterCount) * log(Double(max(rowCount, 1)))
    }
}
