// One pass over the rows: rows → responsibilities → sufficient statistics.
//
// The rows are visited in fixed blocks in a fixed order, so a pass is
// bit-for-bit repeatable. No N×K array of responsibilities is ever formed:
// each block's b×K responsibilities live in a scratch buffer only while that
// block is reduced.

enum ExpectationStep {
    /// The statistics of `data` under `model`, with moments taken around the
    /// model's means and the log-likelihood of every row summed; `momentShape`
    /// defaults to what the model's own family needs.
    ///
    /// - Parameter weights: one non-negative frequency weight per row, or `nil` for all 1.
    static func statistics(
        of data: DataMatrix, under model: GaussianMixture, weights: [Double]? = nil, momentShape: MomentShape? = nil
    ) -> SufficientStatistics {
        let blockRows = blockRowCount(featureCount: data.featureCount, componentCount: model.componentCount)
        var evaluator = BlockEvaluator(model: model, blockRows: blockRows)
        return accumulate(
            data, weights: weights, componentCount: model.componentCount,
            momentShape: momentShape ?? type(of: model.family).momentShape, shifts: model.flatMeans, blockRows: blockRows
        ) { _, block, rows, resp, logDensity in
            evaluator.logJoint(of: block, rows: rows, into: resp)
            normalizeRows(resp, rows: rows, componentCount: model.componentCount, logDensity: logDensity)
        }
    }

    /// Accumulates statistics block by block. `fill` writes the b×K
    /// responsibilities of rows `range` (at `block`) and each row's log P(x)
    /// (left at 0 where there is none, as during initialisation); the rows'
    /// weights then scale both.
    static func accumulate(
        _ data: DataMatrix, weights: [Double]?, componentCount kCount: Int, momentShape: MomentShape,
        shifts: [Double], blockRows: Int,
        fill: (_ range: Range<Int>, _ block: UnsafePointer<Double>, _ rows: Int,
               _ resp: UnsafeMutablePointer<Double>, _ logDensity: UnsafeMutablePointer<Double>) -> Void
    ) -> SufficientStatistics {
        precondition(weights == nil || weights!.count == data.sampleCount, "one weight per row")
        let d = data.featureCount
        var stats = SufficientStatistics.zero(
            componentCount: kCount, featureCount: d, momentShape: momentShape, shifts: shifts)
        var scratch = AccumulationScratch(blockRows: blockRows, featureCount: d)
        var resp = [Double](repeating: 0, count: blockRows * kCount)
        var logDensity = [Double](repeating: 0, count: blockRows)
        data.withUnsafeBufferPointer { x in
            resp.withUnsafeMutableBufferPointer { respBuf in
                logDensity.withUnsafeMutableBufferPointer { ld in
                    var start = 0
                    while start < data.sampleCount {
                        let rows = min(blockRows, data.sampleCount - start)
                        let block = x.baseAddress! + start * d
                        for r in 0..<rows { ld[r] = 0 }
                        fill(start..<(start + rows), block, rows, respBuf.baseAddress!, ld.baseAddress!)
                        if let weights {
                            for r in 0..<rows {
                                let w = weights[start + r]
                                // A zero weight removes the row, even a row whose density underflows.
                                stats.logLikelihood += w == 0 ? 0 : w * ld[r]
                                stats.totalWeight += w
                                for k in 0..<kCount { respBuf[r * kCount + k] *= w }
                            }
                        } else {
                            for r in 0..<rows { stats.logLikelihood += ld[r] }
                            stats.totalWeight += Double(rows)
                        }
                        stats.accumulate(block: block, rows: rows, responsibilities: respBuf.baseAddress!, scratch: &scratch)
                        start += rows
                    }
                }
            }
        }
        return stats
    }
}
