// Inference for new rows: log P(x), P(c|x) and labels, computed with the same
// blocked kernel as the E-step so that `fit` followed by `labels(for:)` on the
// training rows agrees with the final E-step.

/// One block of posterior results handed to a `posterior(for:_:)` callback.
public struct PosteriorBlock {
    /// The rows of the data these results belong to.
    public let rows: Range<Int>
    /// `rows.count`×K values, row-major: P(c = k | x), or log P(c = k | x) when asked for logs.
    public let responsibilities: UnsafeBufferPointer<Double>
    /// log P(x) for each row.
    public let logDensities: UnsafeBufferPointer<Double>
    /// P(noise | x) for each row (or its log, as `responsibilities`); `nil` without a noise component.
    public let noiseResponsibilities: UnsafeBufferPointer<Double>?
}

/// Responsibilities P(c = k | x) of many rows, stored contiguously.
///
/// With a noise component the K Gaussian columns of a row sum to 1 − P(noise|x);
/// `GaussianMixture.noiseResponsibilities(for:)` gives that last column.
public struct ResponsibilityMatrix: Sendable, Equatable {
    /// Row-major n×K values.
    public let values: [Double]
    /// K, the number of columns.
    public let componentCount: Int
    /// n, the number of rows.
    public var sampleCount: Int { componentCount == 0 ? 0 : values.count / componentCount }
    /// P(c = k | x_i).
    public subscript(i: Int, k: Int) -> Double { values[i * componentCount + k] }
    /// P(c | x_i) for every component.
    public func row(_ i: Int) -> ArraySlice<Double> { values[(i * componentCount)..<((i + 1) * componentCount)] }
}

extension GaussianMixture {
    /// Streams the posterior of every row of `data`, block by block, in row order.
    ///
    /// No n×K array is formed: each block's results are valid only inside `body`,
    /// which is always called on the calling thread. Blocks are evaluated up to
    /// `threads` at once (see ParallelBlocks.swift); the values do not depend on
    /// the thread count, to the bit.
    /// - Parameters:
    ///   - data: the rows, with this mixture's features.
    ///   - logarithmic: pass log P(c|x) instead of P(c|x) (no underflow for distant rows).
    ///   - threads: how many blocks are evaluated at once; `nil` uses every core.
    ///   - body: called with each block's results, in row order.
    /// - Throws: `ModelError.featureCountMismatch`, or what `body` throws.
    public func posterior<E: Error>(
        for data: DataMatrix, logarithmic: Bool = false, threads: Int? = nil, _ body: (PosteriorBlock) throws(E) -> Void
    ) throws(E) {
        precondition(data.featureCount == featureCount, "check featureCount first")
        let blockRows = blockRowCount(featureCount: featureCount, componentCount: componentCount)
        let d = featureCount
        let kCount = componentCount
        try data.withUnsafeBufferPointer { (x) throws(E) -> Void in
            nonisolated(unsafe) let base = x.baseAddress!
            try forEachBlockInOrder(
                rowCount: data.sampleCount, blockRows: blockRows, threads: resolvedThreadCount(threads),
                makeWorker: { BlockEvaluator(model: self, blockRows: blockRows) },
                makeSlot: { PosteriorSlot(blockRows: blockRows, componentCount: kCount) },
                evaluate: { evaluator, range, slot in
                    evaluator.posterior(of: base + range.lowerBound * d, rows: range.count, into: slot.responsibilities,
                                        logDensity: slot.logDensities, keepLog: logarithmic, noise: slot.noise)
                },
                deliver: { (range, slot) throws(E) -> Void in
                    try body(PosteriorBlock(
                        rows: range,
                        responsibilities: UnsafeBufferPointer(start: slot.responsibilities, count: range.count * kCount),
                        logDensities: UnsafeBufferPointer(start: slot.logDensities, count: range.count),
                        noiseResponsibilities: noise == nil ? nil
                            : UnsafeBufferPointer(start: slot.noise, count: range.count)))
                    data.dropResidentPages(rows: range)
                })
        }
    }

    /// log P(x) for each row: the marginal density of the mixture, natural log.
    ///
    /// Matches scikit-learn's `score_samples`.
    public func logDensities(of data: DataMatrix) throws(ModelError) -> [Double] {
        try checkFeatures(data)
        var out = [Double]()
        out.reserveCapacity(data.sampleCount)
        posterior(for: data) { block in out.append(contentsOf: block.logDensities) }
        return out
    }

    /// Mean of log P(x) over the rows. Matches scikit-learn's `score`.
    public func meanLogLikelihood(of data: DataMatrix) throws(ModelError) -> Double {
        let values = try logDensities(of: data)
        return values.reduce(0, +) / Double(max(values.count, 1))
    }

    /// P(c = k | x) for each row. Matches scikit-learn's `predict_proba`.
    public func responsibilities(for data: DataMatrix) throws(ModelError) -> ResponsibilityMatrix {
        try checkFeatures(data)
        var out = [Double]()
        out.reserveCapacity(data.sampleCount * componentCount)
        posterior(for: data) { block in out.append(contentsOf: block.responsibilities) }
        return ResponsibilityMatrix(values: out, componentCount: componentCount)
    }

    /// P(noise | x) for each row under the noise component (mclust's last column of `z`).
    ///
    /// - Throws: `ModelError.invalid(key: "noise")` when the mixture has no noise component.
    public func noiseResponsibilities(for data: DataMatrix) throws(ModelError) -> [Double] {
        try checkFeatures(data)
        guard noise != nil else { throw .invalid(key: "noise", reason: "the model has no noise component") }
        var out = [Double]()
        out.reserveCapacity(data.sampleCount)
        posterior(for: data) { block in out.append(contentsOf: block.noiseResponsibilities!) }
        return out
    }

    /// The most probable component of each row (ties go to the lower index);
    /// with a noise component, `componentCount` for a row whose P(noise|x) is
    /// larger than every P(c = k|x) (mclust's label 0 for noise).
    /// Matches scikit-learn's `predict`.
    public func labels(for data: DataMatrix) throws(ModelError) -> [Int] {
        try checkFeatures(data)
        var out = [Int]()
        out.reserveCapacity(data.sampleCount)
        let kCount = componentCount
        posterior(for: data) { block in
            for r in 0..<block.rows.count {
                var best = 0
                for k in 1..<max(kCount, 1) where block.responsibilities[r * kCount + k] > block.responsibilities[r * kCount + best] {
                    best = k
                }
                if let z0 = block.noiseResponsibilities, z0[r] > block.responsibilities[r * kCount + best] { best = kCount }
                out.append(best)
            }
        }
        return out
    }

    func checkFeatures(_ data: DataMatrix) throws(ModelError) {
        guard data.featureCount == featureCount else {
            throw .featureCountMismatch(expected: featureCount, actual: data.featureCount)
        }
    }
}
