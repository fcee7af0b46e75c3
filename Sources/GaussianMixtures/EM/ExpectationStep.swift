import Foundation

// One pass over the rows: rows → responsibilities → sufficient statistics.
//
// The rows are cut into a fixed number of chunks (aligned to blocks, the same
// whatever the thread count); each chunk is reduced to its own statistics,
// block by block, and the chunks' statistics are added in chunk order. So a
// pass gives the same bits on one thread or many. No N×K array of
// responsibilities is ever formed: each block's b×K responsibilities live in
// a scratch buffer only while that block is reduced. An exact pass of full or
// tied moments at d ≤ `fusedStatisticsLimit`, or of diagonal and spherical
// moments at any d, forms none at all: the fused kernels go from rows to
// moments a sub-block at a time (`PassWorker.fusedStatistics`).

/// The signature of a block filler: writes the b×K responsibilities of rows
/// `range` (at `block`) and each row's log P(x) (left at 0 where there is none).
typealias BlockFiller = (_ range: Range<Int>, _ block: UnsafePointer<Double>, _ rows: Int,
                         _ resp: UnsafeMutablePointer<Double>, _ logDensity: UnsafeMutablePointer<Double>) -> Void

enum ExpectationStep {
    /// The statistics of `data` under `model`, with moments taken around the
    /// model's means and the log-likelihood of every row summed; `momentShape`
    /// defaults to what the model's own family needs.
    ///
    /// - Parameter weights: one non-negative frequency weight per row, or `nil` for all 1.
    /// - Parameter threads: how many chunks run at once (the result does not depend on it).
    /// - Parameter known: rows whose component is known keep it (semi-supervised EM, KnownComponents.swift).
    /// - Parameter skipsNegligibleComponents: skip, for groups of rows, the components whose
    ///   responsibilities are below rounding (ComponentPruning.swift); the pass is repeated
    ///   exactly when what was skipped is not negligible. Off under `GMM_EXACT=1`, with `known`
    ///   and with a noise component.
    /// - Parameter fusesStatistics: let an exact pass run the family's fused kernel when it has
    ///   one for the moments asked for (`BlockEvaluator.fusedMomentShape`); off, it takes the b×K block path (tests
    ///   compare the two).
    static func statistics(
        of data: DataMatrix, under model: GaussianMixture, weights: [Double]? = nil, momentShape: MomentShape? = nil,
        threads: Int = 1, known: KnownComponents? = nil, skipsNegligibleComponents: Bool = true,
        fusesStatistics: Bool = true
    ) -> SufficientStatistics {
        let blockRows = blockRowCount(featureCount: data.featureCount, componentCount: model.componentCount)
        let shape = momentShape ?? type(of: model.family).momentShape
        func pass(pruning: Bool) -> SufficientStatistics {
            reduceChunks(data, blockRows: blockRows, threads: threads) {
                // One evaluator and one set of buffers per worker, reused for every chunk it reduces.
                let worker = PassWorker(model: model, data: data, weights: weights, momentShape: shape,
                                        blockRows: blockRows, known: known, pruning: pruning,
                                        fusing: fusesStatistics)
                return worker.statistics
            }
        }
        // (A noise component's column is BlockEvaluator's alone: such passes are exact.)
        guard skipsNegligibleComponents && !exactExpectationRequested && known == nil && model.noise == nil
                && model.componentCount > 1
        else { return pass(pruning: false) }
        // An exact pass still counts its pairs, so that skip shares are over every pass.
        var tally = PruningTally.zero(componentCount: model.componentCount, featureCount: data.featureCount)
        tally.evaluatedPairs = data.sampleCount * model.componentCount
        if pruningPays(data, under: model, blockRows: blockRows) {
            let stats = pass(pruning: true)
            guard !stats.leavesOutOnlyNegligibleMass else { return stats }
            tally.repeatedPasses = 1
        }
        var exact = pass(pruning: false)
        exact.pruning = tally
        return exact
    }

    /// Number of chunks a pass cuts `n` rows into: fixed by n and the block size
    /// only, a block each up to 64. Threads take chunks as they finish the last
    /// one, so the pass ends unevenly by up to a chunk: with 16 chunks the 64-D
    /// benchmark case (25 blocks, 1 or 2 per chunk) ran 1.53–1.58× faster on two
    /// threads than on one, with a chunk per block 1.66–1.77×.
    static func chunkCount(rows n: Int, blockRows: Int) -> Int {
        max(1, min(64, (n + blockRows - 1) / blockRows))
    }

    /// Reduces every chunk with `reduce` (concurrently, up to `threads` at once)
    /// and adds the chunks' statistics in chunk order.
    static func reduceChunks(
        _ data: DataMatrix, blockRows: Int, threads: Int,
        _ reduce: @escaping @Sendable (Range<Int>) -> SufficientStatistics
    ) -> SufficientStatistics {
        reduceChunks(data, blockRows: blockRows, threads: threads) { reduce }
    }

    /// Reduces every chunk and adds the chunks' statistics in chunk order; each
    /// of the up to `threads` workers calls `makeWorker` once and reduces all
    /// the chunks it takes with the function it returns, so per-worker scratch
    /// memory is set up once per pass, not once per chunk.
    static func reduceChunks(
        _ data: DataMatrix, blockRows: Int, threads: Int,
        worker makeWorker: @escaping @Sendable () -> (Range<Int>) -> SufficientStatistics
    ) -> SufficientStatistics {
        let n = data.sampleCount
        let chunks = chunkCount(rows: n, blockRows: blockRows)
        // Chunk c covers whole blocks; the last chunk takes the remainder.
        let blocks = (n + blockRows - 1) / blockRows
        let bounds = (0...chunks).map { c in c == chunks ? n : min(n, (blocks * c / chunks) * blockRows) }
        let ranges = (0..<chunks).map { bounds[$0]..<bounds[$0 + 1] }
        // ((s₀ + s₁) + s₂) + … whatever the thread count; a chunk's statistics wait only until
        // every earlier chunk is in, so few are alive at once (each holds K moment blocks).
        return ParallelWork.orderedReduce(count: chunks, threads: threads, makeWorker: makeWorker) { reduce, c in
            reduce(ranges[c])
        } combine: { $0 + $1 }!
    }

    /// Accumulates statistics block by block, in row order, on one thread.
    /// `fill` writes the b×K responsibilities of rows `range` (at `block`) and
    /// each row's log P(x) (left at 0 where there is none, as during
    /// initialisation); the rows' weights then scale both. The chunk partition
    /// and reduction order are those of the concurrent pass, so both agree to the bit.
    static func accumulate(
        _ data: DataMatrix, weights: [Double]?, componentCount kCount: Int, momentShape: MomentShape,
        shifts: [Double], blockRows: Int, fill: BlockFiller
    ) -> SufficientStatistics {
        withoutActuallyEscaping(fill) { fill in
            nonisolated(unsafe) let fill = fill
            return reduceChunks(data, blockRows: blockRows, threads: 1) { rows in
                accumulateRows(rows, of: data, weights: weights, componentCount: kCount, momentShape: momentShape,
                               shifts: shifts, blockRows: blockRows, fill: fill)
            }
        }
    }

    /// The statistics of the rows `range`, block by block.
    /// `workspace`, when given, holds the block buffers to reuse (made for `blockRows` rows, K components and d).
    static func accumulateRows(
        _ range: Range<Int>, of data: DataMatrix, weights: [Double]?, componentCount kCount: Int,
        momentShape: MomentShape, shifts: [Double], blockRows: Int, workspace: KernelWorkspace? = nil,
        fill: BlockFiller
    ) -> SufficientStatistics {
        precondition(weights == nil || weights!.count == data.sampleCount, "one weight per row")
        let d = data.featureCount
        var stats = SufficientStatistics.zero(
            componentCount: kCount, featureCount: d, momentShape: momentShape, shifts: shifts)
        let workspace = workspace ?? KernelWorkspace(blockRows: blockRows, componentCount: kCount, featureCount: d)
        precondition(workspace.blockRows >= blockRows && workspace.componentCount == kCount, "workspace too small")
        let resp = workspace.responsibilities.mutablePointer(count: blockRows * kCount)
        let ld = workspace.logDensity.mutablePointer(count: blockRows)
        workspace.beginAccumulating(stats)
        data.withUnsafeBufferPointer { x in
            var start = range.lowerBound
            while start < range.upperBound {
                let rows = min(blockRows, range.upperBound - start)
                let block = x.baseAddress! + start * d
                for r in 0..<rows { ld[r] = 0 }
                fill(start..<(start + rows), block, rows, resp, ld)
                if let weights {
                    for r in 0..<rows {
                        let w = weights[start + r]
                        // A zero weight removes the row, even a row whose density underflows.
                        stats.logLikelihood += w == 0 ? 0 : w * ld[r]
                        stats.totalWeight += w
                        for k in 0..<kCount { resp[r * kCount + k] *= w }
                    }
                } else {
                    for r in 0..<rows { stats.logLikelihood += ld[r] }
                    stats.totalWeight += Double(rows)
                }
                workspace.addBlock(block, rows: rows, responsibilities: resp)
                stats.sampleCount += rows
                data.dropResidentPages(rows: start..<(start + rows))
                start += rows
            }
        }
        workspace.endAccumulating(into: &stats)
        data.dropResidentPages(rows: range, outward: true)
        return stats
    }
}

/// One worker of an EM pass: its evaluator and buffers, reused for every chunk
/// it reduces. (A class rather than captured `var`s: Swift 6.3's
/// ClosureLifetimeFixup pass crashes on those in closures like these.)
private final class PassWorker {
    let data: DataMatrix
    let weights: [Double]?
    let momentShape: MomentShape
    let shifts: [Double]
    let blockRows: Int
    let known: KnownComponents?
    var evaluator: BlockEvaluator
    let workspace: KernelWorkspace
    /// P(noise|x) of a block's rows (used only with a noise component).
    let noiseScratch: UnsafeMutablePointer<Double>
    /// Skips negligible components when present (ComponentPruning.swift).
    let pruner: ComponentPruner?
    /// Whether an exact pass may run the fused kernel (`fusedStatistics(of:)`).
    let fusing: Bool

    init(model: GaussianMixture, data: DataMatrix, weights: [Double]?, momentShape: MomentShape, blockRows: Int,
         known: KnownComponents?, pruning: Bool = false, fusing: Bool = true) {
        self.fusing = fusing
        self.data = data
        self.known = known
        self.weights = weights
        self.momentShape = momentShape
        shifts = model.flatMeans
        self.blockRows = blockRows
        evaluator = BlockEvaluator(model: model, blockRows: blockRows)
        workspace = KernelWorkspace(blockRows: blockRows, componentCount: model.componentCount,
                                    featureCount: data.featureCount)
        noiseScratch = .allocate(capacity: blockRows)
        noiseScratch.initialize(repeating: 0, count: blockRows)
        pruner = pruning ? ComponentPruner(model: model, normalizers: evaluator.normalizers, blockRows: blockRows) : nil
    }

    deinit { noiseScratch.deallocate() }

    func statistics(of rows: Range<Int>) -> SufficientStatistics {
        let kCount = evaluator.model.componentCount
        let hasNoise = evaluator.model.noise != nil
        var noiseCount = 0.0
        pruner?.resetTally()
        if let pruner, momentShape == .matrix, data.featureCount <= momentKernelLimit {
            var stats = groupedStatistics(of: rows, pruner: pruner)
            stats.pruning = pruner.tally
            return stats
        }
        if fusing, pruner == nil, known == nil, !hasNoise, evaluator.fusedMomentShape == momentShape {
            return fusedStatistics(of: rows)
        }
        var stats = ExpectationStep.accumulateRows(
            rows, of: data, weights: weights, componentCount: kCount, momentShape: momentShape, shifts: shifts,
            blockRows: blockRows, workspace: workspace
        ) { range, block, count, resp, logDensity in
            if let pruner {
                pruner.posterior(of: block, rows: count, weights: weights, offset: range.lowerBound,
                                 evaluator: &evaluator, into: resp, logDensity: logDensity)
                return
            }
            evaluator.posterior(of: block, rows: count, into: resp, logDensity: logDensity, keepLog: known != nil,
                                noise: hasNoise ? noiseScratch : nil)
            known?.clamp(resp, rows: count, componentCount: kCount, logDensity: logDensity) { range.lowerBound + $0 }
            // The noise column's soft count Σ_i w_i z_i0 (NoiseComponent.swift).
            if hasNoise {
                for r in 0..<count { noiseCount += (weights?[range.lowerBound + r] ?? 1) * noiseScratch[r] }
            }
        }
        if hasNoise { stats.noiseCount = noiseCount }
        stats.pruning = pruner?.tally
        return stats
    }

    /// `statistics(of:)` for an exact pass the kernel fuses (`BlockEvaluator.fusedMomentShape`):
    /// each block in one pass over its rows, log-joints to moments (`LogJointKernel.addStatistics`); a block
    /// with a row that needs `BlockEvaluator.posterior`'s exact treatment is redone by `accumulateRows`.
    private func fusedStatistics(of rows: Range<Int>) -> SufficientStatistics {
        let d = data.featureCount, kCount = evaluator.model.componentCount
        var stats = SufficientStatistics.zero(componentCount: kCount, featureCount: d, momentShape: momentShape,
                                              shifts: shifts)
        workspace.beginAccumulating(stats)
        var start = rows.lowerBound
        while start < rows.upperBound {
            let block = start..<min(start + blockRows, rows.upperBound)
            let shift = workspace.shifts.pointer, counts = workspace.counts.mutablePointer()
            let sums = workspace.sums.mutablePointer()
            let moments = workspace.moments.mutablePointer(count: kCount * momentShape.count(featureCount: d))
            var blockLikelihood = 0.0
            let isDone = data.withUnsafeBufferPointer { x in
                let rowsAt = x.baseAddress! + start * d
                guard let weights else {
                    return evaluator.addStatistics(of: rowsAt, rows: block.count, weights: nil, shifts: shift,
                                                   counts: counts, sums: sums, moments: moments,
                                                   logLikelihood: &blockLikelihood)
                }
                return weights.withUnsafeBufferPointer { w in
                    evaluator.addStatistics(of: rowsAt, rows: block.count, weights: w.baseAddress! + start,
                                            shifts: shift, counts: counts, sums: sums, moments: moments,
                                            logLikelihood: &blockLikelihood)
                }
            }
            if isDone {
                stats.logLikelihood += blockLikelihood
                if let weights {
                    for r in block { stats.totalWeight += weights[r] }
                } else {
                    stats.totalWeight += Double(block.count)
                }
                stats.sampleCount += block.count
            } else {
                // A row far from every component (or a NaN): this block by the exact path.
                workspace.endAccumulating(into: &stats)
                stats = stats + ExpectationStep.accumulateRows(
                    block, of: data, weights: weights, componentCount: kCount, momentShape: momentShape,
                    shifts: shifts, blockRows: blockRows, workspace: workspace
                ) { _, x, count, resp, logDensity in
                    evaluator.posterior(of: x, rows: count, into: resp, logDensity: logDensity)
                }
                workspace.beginAccumulating(stats)
            }
            data.dropResidentPages(rows: block)
            start = block.upperBound
        }
        workspace.endAccumulating(into: &stats)
        data.dropResidentPages(rows: rows, outward: true)
        return stats
    }

    /// `statistics(of:)` for full and tied moments of d ≤ 16 under pruning: each group of rows
    /// adds its kept components' moments alone (ComponentPruner.accumulateBlock).
    private func groupedStatistics(of rows: Range<Int>, pruner: ComponentPruner) -> SufficientStatistics {
        let d = data.featureCount, kCount = evaluator.model.componentCount
        var stats = SufficientStatistics.zero(componentCount: kCount, featureCount: d, momentShape: momentShape,
                                              shifts: shifts)
        var start = rows.lowerBound
        while start < rows.upperBound {
            let block = start..<min(start + blockRows, rows.upperBound)
            let isDone = data.withUnsafeBufferPointer { x in
                pruner.accumulateBlock(x.baseAddress! + start * d, rows: block.count, weights: weights, offset: start,
                                       evaluator: &evaluator, into: &stats)
            }
            if !isDone {
                stats = stats + ExpectationStep.accumulateRows(
                    block, of: data, weights: weights, componentCount: kCount, momentShape: momentShape,
                    shifts: shifts, blockRows: blockRows, workspace: workspace
                ) { _, x, count, resp, logDensity in
                    pruner.scatter(x, rows: count, evaluator: &evaluator, into: resp, logDensity: logDensity)
                }
            }
            data.dropResidentPages(rows: block)
            start = block.upperBound
        }
        data.dropResidentPages(rows: rows, outward: true)
        return stats
    }
}
