import Foundation

// Per-row facts about the latent assignment: how sure the model is (the top
// probability and the entropy of P(c|x)), how typical the row is (log P(x)),
// and how far it lies from its component (squared Mahalanobis distance, whose
// chi-square upper tail with d degrees of freedom flags outliers: under the
// component's own Gaussian, |L⁻¹(x − μ)|² ~ χ²_d).

/// What the model says about one row.
public struct AssignmentDetail: Sendable, Equatable {
    /// The most probable component (ties go to the lower index); K, the component
    /// count, when the noise component is more probable than every Gaussian.
    public var component: Int
    /// P(c = component | x).
    public var probability: Double
    /// log P(c = component | x), exact even when the probability underflows.
    public var logProbability: Double
    /// Entropy of P(c|x) in nats: 0 when certain, ln K when every component is equally likely.
    public var entropy: Double
    /// log P(x).
    public var logDensity: Double
    /// Squared Mahalanobis distance to the assigned component (to the most probable
    /// Gaussian when the row is assigned to the noise).
    public var mahalanobisSquared: Double
    /// P(χ²_d > mahalanobisSquared): small values mark rows far from their component.
    public var tailProbability: Double
    /// P(noise | x) with a noise component, else `nil`.
    public var noiseProbability: Double? = nil
}

extension GaussianMixture {
    /// Calls `body` with the details of each row, in row order, block by block.
    ///
    /// `body` runs on the calling thread; blocks are evaluated up to `threads`
    /// at once (`nil`: every core), with the same values whatever the number.
    public func assignmentDetails(
        for data: DataMatrix, threads: Int? = nil, _ body: (Range<Int>, [AssignmentDetail]) throws -> Void
    ) throws {
        try checkFeatures(data)
        let kCount = componentCount
        let blockRows = blockRowCount(featureCount: featureCount, componentCount: kCount)
        let degrees = Double(featureCount)
        let d = featureCount
        let c0 = noise?.logJoint
        try data.withUnsafeBufferPointer { x in
            nonisolated(unsafe) let base = x.baseAddress!
            try forEachBlockInOrder(
                rowCount: data.sampleCount, blockRows: blockRows, threads: resolvedThreadCount(threads),
                makeWorker: { (BlockEvaluator(model: self, blockRows: blockRows),
                               [Double](repeating: 0, count: blockRows * kCount)) },
                makeSlot: { DetailSlot() },
                evaluate: { worker, range, slot in
                    let rows = range.count
                    var details: [AssignmentDetail] = []
                    details.reserveCapacity(rows)
                    let normalizers = worker.0.normalizers
                    worker.1.withUnsafeMutableBufferPointer { lj in
                        worker.0.logJoint(of: base + range.lowerBound * d, rows: rows, into: lj.baseAddress!)
                        for r in 0..<rows {
                            let row = UnsafeBufferPointer(rebasing: lj[(r * kCount)..<((r + 1) * kCount)])
                            var lse = logSumExp(row)
                            var isFar = false
                            if !lse.isFinite {
                                isFar = !worker.0.repairDistantRow(base + (range.lowerBound + r) * d,
                                                                   into: lj.baseAddress! + r * kCount)
                                lse = logSumExp(row)
                            }
                            var best = 0
                            for k in 1..<max(kCount, 1) where row[k] > row[best] { best = k }
                            // With noise: log P(x) = logaddexp(Gaussian part, c₀) (NoiseComponent.swift), and
                            // each log P(c = k | x) moves by shift = Gaussian part − log P(x).
                            let gaussian = isFar ? -Double.infinity : lse
                            let total = c0.map { gaussian > $0 ? gaussian + log1p(exp($0 - gaussian))
                                                                : $0 + log1p(exp(gaussian - $0)) }
                            let shift = total.map { gaussian - $0 } ?? 0
                            var entropy = 0.0
                            for k in 0..<kCount {
                                let logP = row[k] - lse + shift
                                let p = exp(logP)
                                if p > 0 { entropy -= p * logP }
                            }
                            let logNoise = c0.map { $0 - total! }
                            if let logNoise, exp(logNoise) > 0 { entropy -= exp(logNoise) * logNoise }
                            var logTop = row[best] - lse + shift
                            var component = best
                            if let logNoise, logNoise > logTop { (component, logTop) = (kCount, logNoise) }
                            // log P(x, c = k) = normalizer_k − ½ |z|², so |z|² comes back exactly;
                            // a row whose log P(x) underflows is infinitely far in double precision.
                            let q = isFar ? .infinity : max(0, 2 * (normalizers[best] - row[best]))
                            details.append(AssignmentDetail(
                                component: component, probability: exp(logTop), logProbability: logTop,
                                entropy: entropy, logDensity: total ?? (isFar ? -.infinity : lse), mahalanobisSquared: q,
                                tailProbability: GSLDistributions.chiSquareUpperTail(q, degrees: degrees),
                                noiseProbability: logNoise.map { exp($0) }))
                        }
                    }
                    slot.details = details
                },
                deliver: { range, slot in
                    try body(range, slot.details)
                    slot.details = []
                    data.dropResidentPages(rows: range)
                })
        }
    }

    /// The details of every row (see `assignmentDetails(for:_:)`).
    public func assignmentDetails(for data: DataMatrix) throws -> [AssignmentDetail] {
        var all: [AssignmentDetail] = []
        try assignmentDetails(for: data) { _, block in all.append(contentsOf: block) }
        return all
    }
}
