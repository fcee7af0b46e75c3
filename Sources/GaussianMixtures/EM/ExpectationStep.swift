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
    static func statistics(
        of data: DataMatrix, under model: GaussianMixture, momentShape: MomentShape? = nil
    ) -> SufficientStatistics {
        let blockRows = blockRowCount(featureCount: data.featureCount, componentCount: model.componentCount)
        var evaluator = BlockEvaluator(model: model, blockRows: blockRows)
        var logDensity = [Double](repeating: 0, count: blockRows)
        return accumulate(
            data, componentCount: model.componentCount, momentShape: momentShape ?? type(of: model.family).momentShape,
            shifts: model.flatMeans, blockRows: blockRows
        ) { _, block, rows, resp in
            evaluator.logJoint(of: block, rows: rows, into: resp)
            return logDensity.withUnsafeMutableBufferPointer { ld in
                normalizeRows(resp, rows: rows, componentCount: model.componentCount, logDensity: ld.baseAddress!)
                var total = 0.0
                for r in 0..<rows { total += ld[r] }
                return total
            }
        }
    }

    /// Accumulates statistics block by block; `fill` writes the b×K
    /// responsibilities of rows `range` (at `block`) and returns their summed
    /// log-likelihood (0 where there is none, as during initialisation).
    static func accumulate(
        _ data: DataMatrix, componentCount kCount: Int, momentShape: MomentShape, shifts: [Double],
        blockRows: Int,
        fill: (_ range: Range<Int>, _ block: UnsafePointer<Double>, _ rows: Int, _ resp: UnsafeMutablePointer<Double>) -> Double
    ) -> SufficientStatistics {
        let d = data.featureCount
        var stats = SufficientStatistics.zero(
            componentCount: kCount, featureCount: d, momentShape: momentShape, shifts: shifts)
        var scratch = AccumulationScratch(blockRows: blockRows, featureCount: d)
        var resp = [Double](repeating: 0, count: blockRows * kCount)
        data.withUnsafeBufferPointer { x in
            resp.withUnsafeMutableBufferPointer { respBuf in
                var start = 0
                while start < data.sampleCount {
                    let rows = min(blockRows, data.sampleCount - start)
                    let block = x.baseAddress! + start * d
                    stats.logLikelihood += fill(start..<(start + rows), block, rows, respBuf.baseAddress!)
                    stats.accumulate(block: block, rows: rows, responsibilities: respBuf.baseAddress!, scratch: &scratch)
                    start += rows
                }
            }
        }
        return stats
    }
}
