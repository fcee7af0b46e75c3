import Foundation

// Skipping the components a group of rows cannot see: the E-step's counterpart
// of the M-step's negligible responsibilities (`negligibleFraction`).
//
// The rows of a block are cut by median splits along the widest coordinate (the
// leaves of a kd-tree over the block, as in Moore 1999, "Very fast EM-based
// mixture model clustering using multiresolution kd-trees") into groups of at
// most `pruningGroupRows`. For a group with bounding box [lo, hi] and component k,
//   near_j = max(0, lo_j − μ_kj, μ_kj − hi_j),   far_j = max(|lo_j − μ_kj|, |hi_j − μ_kj|),
// and weights p_kj with Σ_j p_kj v_j² ≤ vᵀ Σ_k⁻¹ v for every v (`quadraticFloors`:
// 1/Σ_k,jj for axis-aligned covariances, else 1/λ with λ ≥ λ_max(Σ_k) by
// Gershgorin's theorem), every x in the box has q_k(x) ≥ Σ_j p_kj near_j², so
//   U_k = normalizer_k − ½ Σ_j p_kj near_j²  ≥  log P(x, c = k)  on the whole group.
// The component with the largest U_k is evaluated first; the smallest of its
// log-joints over the group, L, is below every row's largest log-joint, so
// r_rk ≤ exp(U_k − L) for every row. Component k is skipped (r_rk = 0 exactly,
// its log-joint never computed) when
//   exp(U_k − L) · (1 + max_j far_j² / Σ_k,jj)  ≤  τ w_k / 16,   τ = `negligibleFraction` = 2⁻⁵²:
// every row gives up at most τ/16 of its share w_k of the soft count N_k, and of
// the moments in units of the component's variances. What is skipped is tallied
// (`PruningTally`, with the group's exact smallest row maximum M ≥ L in place of
// L), and after the pass `leavesOutOnlyNegligibleMass` checks it against the new
// statistics: when some component lost more than τ of its soft count, of its
// centred second moments, or of its mean in units of its spread (its weight fell
// about 16-fold in one iteration), the pass is repeated without skipping. So a
// pruned pass differs from the exact one by about τ relative in every statistic
// and 64 τ in the log-likelihood: below the rounding of the sums themselves.

/// Whether `GMM_EXACT=1` turns skipping off for this process (to compare with the exact E-step).
let exactExpectationRequested = ProcessInfo.processInfo.environment["GMM_EXACT"] == "1"

/// The most rows a group evaluates with one set of components (see the note at the top).
let pruningGroupRows = 64

/// A pass skips only when the pruned evaluation of its first block skips at least this share
/// of the (row, component) pairs (data of more than four blocks; smaller data always tries),
/// and only with at least `pruningMinimumComponents` components: below either, grouping the
/// rows costs more than the skipping saves (bench/PRUNING.md: at 28 % skipped on diagonal
/// 10⁶×4, K = 8, the pruned pass took four times as long).
let pruningProbeShare = 0.5
let pruningMinimumComponents = 16

/// What grouping a row costs, in the units of `pairCost`: about 200·d flops (six median
/// splits and the groups' boxes and bounds, each a sweep over the row's d coordinates).
/// Measured on the AVX-512 build, 1 thread: a pruned pass cost 3.2× the exact one on diagonal
/// 200 000×32, K = 16, at 46 % skipped, and 0.75× on full 400 000×2, K = 64, at 81 % skipped;
/// both fit grouping ≈ 40 exact pairs of d = 2 or 32 diagonal, 160·d flops, made 200·d for margin.
func pruningGroupingCost(featureCount d: Int) -> Double { 200 * Double(d) }

/// The flops of one exact (row, component) pair: a triangular solve and a rank-one update
/// (2d²) for full and tied, an expanded square and two moments (4d) for the axis-aligned families.
func pruningPairCost(featureCount d: Int, momentShape: MomentShape) -> Double {
    momentShape == .matrix ? 2 * Double(d * d) : 4 * Double(d)
}

/// log(τ/16): the skip test's limit (see the note at the top).
private let skipLimit = log(negligibleFraction / 16)

/// What an E-step pass skipped, and bounds on what the skipped responsibilities would have added.
struct PruningTally: Equatable, Sendable {
    /// (row, component) pairs whose log-joint was computed.
    var evaluatedPairs = 0
    /// (row, component) pairs skipped (responsibility 0).
    var skippedPairs = 0
    /// Passes done twice, the second time without skipping, because what was skipped was not negligible.
    var repeatedPasses = 0
    /// Per component: ≥ Σ w_i r_ik over the skipped pairs.
    var droppedCounts: [Double]
    /// K×d: ≥ Σ w_i r_ik |x_ij − μ_kj| over the skipped pairs.
    var droppedFirst: [Double]
    /// K×d: ≥ Σ w_i r_ik (x_ij − μ_kj)² over the skipped pairs.
    var droppedSecond: [Double]

    static func zero(componentCount: Int, featureCount: Int) -> Self {
        PruningTally(droppedCounts: [Double](repeating: 0, count: componentCount),
                     droppedFirst: [Double](repeating: 0, count: componentCount * featureCount),
                     droppedSecond: [Double](repeating: 0, count: componentCount * featureCount))
    }

    static func + (a: Self, b: Self) -> Self {
        var c = a
        c.evaluatedPairs += b.evaluatedPairs
        c.skippedPairs += b.skippedPairs
        c.repeatedPasses += b.repeatedPasses
        for i in c.droppedCounts.indices { c.droppedCounts[i] += b.droppedCounts[i] }
        for i in c.droppedFirst.indices {
            c.droppedFirst[i] += b.droppedFirst[i]
            c.droppedSecond[i] += b.droppedSecond[i]
        }
        return c
    }
}

extension SufficientStatistics {
    /// Whether what a pruned pass skipped is below one rounding (τ = `negligibleFraction`) of every
    /// component's soft count, centred second moments and mean (in units of its spread), and below
    /// 64 τ of the log-likelihood. Always true for an exact pass.
    var leavesOutOnlyNegligibleMass: Bool {
        guard let t = pruning else { return true }
        let tau = negligibleFraction, d = featureCount, m = momentShape.count(featureCount: d)
        var dropped = 0.0
        for k in 0..<componentCount {
            let n = softCounts[k], lost = t.droppedCounts[k]
            guard lost > 0 else { continue }
            guard lost <= tau * n else { return false }
            dropped += lost
            for j in 0..<d {
                let a = sums[k * d + j]
                // The new mean's distance from the shift, and the moment around the new mean.
                let delta = abs(a / n)
                let raw = momentShape == .matrix ? moments[k * m + j * d + j] : moments[k * m + j]
                let centred = raw - a * a / n
                let first = t.droppedFirst[k * d + j] + delta * lost
                let second = t.droppedSecond[k * d + j] + 2 * delta * t.droppedFirst[k * d + j] + delta * delta * lost
                guard second <= tau * centred, first <= tau * (n * centred).squareRoot() else { return false }
            }
        }
        return dropped <= 64 * tau * abs(logLikelihood)
    }
}

extension ExpectationStep {
    /// Whether skipping is worth a pass under `model`: the first block's share of skipped pairs
    /// against `pruningProbeShare`, and the pairs it saves against the cost of grouping
    /// (`pruningGroupingCost`); depends on the model and those rows only, not on threads.
    static func pruningPays(_ data: DataMatrix, under model: GaussianMixture, blockRows: Int) -> Bool {
        guard model.componentCount >= pruningMinimumComponents else { return false }
        guard data.sampleCount > 4 * blockRows else { return true }
        // Skipping pays when the pairs it saves per row cost more than grouping the row
        // (and cannot, even skipping all but one, when K pairs cost less).
        let pairs = Double(model.componentCount)
            * pruningPairCost(featureCount: data.featureCount, momentShape: type(of: model.family).momentShape)
        let grouping = pruningGroupingCost(featureCount: data.featureCount)
        guard pairs >= grouping else { return false }
        // A whole block: the share skipped depends on how many rows share a box (a quarter
        // block of 64 separated clusters, d = 2, skipped too little to pass the cost test).
        let probeRows = blockRows
        var evaluator = BlockEvaluator(model: model, blockRows: blockRows)
        let pruner = ComponentPruner(model: model, normalizers: evaluator.normalizers, blockRows: blockRows)
        data.withUnsafeBufferPointer { x in
            pruner.evaluate(x.baseAddress!, rows: probeRows, weights: nil, offset: 0, evaluator: &evaluator)
        }
        return pruner.skippedShare >= pruningProbeShare && pruner.skippedShare * pairs >= grouping
    }
}

/// Weights p_kj (K×d) with Σ_j p_kj v_j² ≤ vᵀ Σ_k⁻¹ v for every v: 1/Σ_k,jj for axis-aligned
/// covariances, 1/λ for all j otherwise, λ ≥ λ_max(Σ_k) (Gershgorin: the largest absolute
/// row sum); both made 1e-12 smaller, so that rounding in either side cannot break the bound.
func quadraticFloors(of family: any CovarianceFamily) -> [Double] {
    let kCount = family.componentCount, d = family.featureCount
    var floors = [Double](repeating: 0, count: kCount * d)
    let axisAligned = type(of: family).momentShape == .diagonal
    for k in 0..<kCount {
        if axisAligned {
            for j in 0..<d { floors[k * d + j] = (1 - 1e-12) / family.covariance(component: k, row: j, column: j) }
            continue
        }
        var largest = 0.0
        for i in 0..<d {
            var sum = 0.0
            for j in 0..<d { sum += abs(family.covariance(component: k, row: i, column: j)) }
            largest = max(largest, sum)
        }
        let floor = 1 / (largest * (1 + 1e-12))
        for j in 0..<d { floors[k * d + j] = floor.isFinite ? floor : 0 }
    }
    return floors
}

/// One worker's pruned E-step: groups a block's rows, skips the components each group
/// cannot see and tallies what it skipped. Owns its scratch memory; one per worker.
///
/// A block is evaluated group by group into the kept responsibilities of each group
/// (`evaluate`); they then go either to the rows×K layout every consumer reads
/// (`scatter`, zeros where skipped), or, for the full and tied moments of d ≤ 16, straight
/// into the statistics group by group, with the kernel run on each group's kept components
/// only (`accumulateBlock`): once the components separate, that is most of the M-step's work.
final class ComponentPruner {
    let componentCount: Int
    let featureCount: Int
    private let means: [Double]
    private let normalizers: [Double]
    private let logWeights: [Double]
    private let floors: [Double]
    /// Σ_k,jj, K×d.
    private let variances: [Double]
    /// What the rows since the last `resetTally` skipped.
    private(set) var tally: PruningTally

    /// A group of a block: rows order[start..<start + count], its kept components
    /// activeLists[activeStart..<activeStart + kept], their responsibilities at kept[respStart...] (count×kept).
    private struct Group {
        var start: Int
        var count: Int
        var activeStart = 0
        var kept = 0
        var respStart = 0
    }

    // Scratch, owned here and freed in deinit (sized for a block, a group and K).
    private let blockRows: Int
    private let order: UnsafeMutablePointer<Int32>
    private let keys: UnsafeMutablePointer<Double>
    private let permuted: UnsafeMutablePointer<Double>
    private let lower: UnsafeMutablePointer<Double>
    private let upper: UnsafeMutablePointer<Double>
    private let bounds: UnsafeMutablePointer<Double>
    private let isActive: UnsafeMutablePointer<Bool>
    private let seedValues: UnsafeMutablePointer<Double>
    private let others: UnsafeMutablePointer<Double>
    /// The kept responsibilities of a block's groups, one after another (at most rows×K).
    private let keptValues: UnsafeMutablePointer<Double>
    /// log P(x) of a block's rows, in the rows' own order.
    private let blockDensity: UnsafeMutablePointer<Double>
    /// `accumulateBlock`'s gathered shifts, counts, sums and moments of a group's kept components, and the kernel's scratch.
    private let gathered: UnsafeMutablePointer<Double>
    private let momentScratch: UnsafeMutablePointer<Double>
    private var groups: [Group] = []
    private var activeLists: [Int] = []
    private var keptTotal = 0

    init(model: GaussianMixture, normalizers: [Double], blockRows: Int) {
        let kCount = model.componentCount, d = model.featureCount
        componentCount = kCount
        featureCount = d
        means = model.flatMeans
        self.normalizers = normalizers
        logWeights = model.logWeights
        floors = quadraticFloors(of: model.family)
        variances = (0..<(kCount * d)).map { model.family.covariance(component: $0 / d, row: $0 % d, column: $0 % d) }
        tally = .zero(componentCount: kCount, featureCount: d)
        self.blockRows = blockRows
        let g = pruningGroupRows
        order = .allocate(capacity: blockRows)
        keys = .allocate(capacity: blockRows)
        permuted = .allocate(capacity: blockRows * d)
        lower = .allocate(capacity: d)
        upper = .allocate(capacity: d)
        bounds = .allocate(capacity: kCount)
        isActive = .allocate(capacity: kCount)
        seedValues = .allocate(capacity: g)
        others = .allocate(capacity: g * kCount)
        keptValues = .allocate(capacity: blockRows * kCount)
        blockDensity = .allocate(capacity: blockRows)
        // Only the grouped moments (d ≤ momentKernelLimit) use these two.
        let grouped = d <= momentKernelLimit
        gathered = .allocate(capacity: grouped ? kCount * (1 + 2 * d + d * d) : 1)
        momentScratch = .allocate(capacity: grouped ? momentScratchCount(featureCount: d, componentCount: kCount) : 1)
    }

    deinit {
        for p in [keys, permuted, lower, upper, bounds, seedValues, others, keptValues, blockDensity, gathered,
                  momentScratch] { p.deallocate() }
        order.deallocate()
        isActive.deallocate()
    }

    func resetTally() { tally = .zero(componentCount: componentCount, featureCount: featureCount) }

    /// The share of (row, component) pairs skipped so far.
    var skippedShare: Double {
        let total = tally.evaluatedPairs + tally.skippedPairs
        return total == 0 ? 0 : Double(tally.skippedPairs) / Double(total)
    }

    /// P(c|x) into `values` (rows×K, 0 for skipped components) and log P(x) into `logDensity`
    /// for the `rows` rows at `block`; `weights[offset + r]`, when given, is row r's frequency weight.
    func posterior(
        of block: UnsafePointer<Double>, rows: Int, weights: [Double]?, offset: Int,
        evaluator: inout BlockEvaluator, into values: UnsafeMutablePointer<Double>,
        logDensity: UnsafeMutablePointer<Double>
    ) {
        evaluate(block, rows: rows, weights: weights, offset: offset, evaluator: &evaluator)
        scatter(block, rows: rows, evaluator: &evaluator, into: values, logDensity: logDensity)
    }

    /// Full and tied moments, d ≤ `momentKernelLimit`: adds the block's statistics (soft counts,
    /// sums, moments, log-likelihood, weights, rows) to `stats`, each group's through the moment
    /// kernel on its kept components alone. Returns false, with `stats` untouched, for a block
    /// with a row too far from every component for the kernels: its caller then passes the
    /// block's `scatter` to the ordinary accumulation.
    func accumulateBlock(
        _ block: UnsafePointer<Double>, rows: Int, weights: [Double]?, offset: Int, evaluator: inout BlockEvaluator,
        into stats: inout SufficientStatistics
    ) -> Bool {
        evaluate(block, rows: rows, weights: weights, offset: offset, evaluator: &evaluator)
        guard (0..<rows).allSatisfy({ blockDensity[$0].isFinite }) else { return false }
        for r in 0..<rows {
            if let weights {
                let w = weights[offset + r]
                // A zero weight removes the row, as in ExpectationStep.accumulateRows.
                stats.logLikelihood += w == 0 ? 0 : w * blockDensity[r]
                stats.totalWeight += w
            } else {
                stats.logLikelihood += blockDensity[r]
            }
        }
        if weights == nil { stats.totalWeight += Double(rows) }
        stats.sampleCount += rows
        for group in groups { accumulate(group, weights: weights, offset: offset, into: &stats) }
        return true
    }

    /// One group's kept responsibilities (times the rows' weights) into `stats` by the moment kernel.
    private func accumulate(_ group: Group, weights: [Double]?, offset: Int, into stats: inout SufficientStatistics) {
        let d = featureCount, kept = group.kept, m = group.count
        let resp = keptValues + group.respStart
        if let weights {
            for r in 0..<m {
                let w = weights[offset + Int(order[group.start + r])]
                for i in 0..<kept { resp[r &* kept &+ i] *= w }
            }
        }
        let shifts = gathered, counts = shifts + kept * d, sums = counts + kept, moments = sums + kept * d
        for i in 0..<kept {
            let k = activeLists[group.activeStart + i]
            counts[i] = stats.softCounts[k]
            for j in 0..<d {
                shifts[i * d + j] = stats.shifts[k * d + j]
                sums[i * d + j] = stats.sums[k * d + j]
            }
            for j in 0..<(d * d) { moments[i * d * d + j] = stats.moments[k * d * d + j] }
        }
        accumulateMoments(block: permuted + group.start * d, rows: m, featureCount: d, componentCount: kept,
                          responsibilities: resp, shifts: shifts, counts: counts, sums: sums, moments: moments,
                          scratch: momentScratch)
        for i in 0..<kept {
            let k = activeLists[group.activeStart + i]
            stats.softCounts[k] = counts[i]
            for j in 0..<d { stats.sums[k * d + j] = sums[i * d + j] }
            for j in 0..<(d * d) { stats.moments[k * d * d + j] = moments[i * d * d + j] }
        }
    }

    /// Writes the rows×K responsibilities of the block evaluated last (0 where skipped) and
    /// its rows' log P(x); rows too far from every component for the kernels get the exact formulas
    /// (BlockEvaluator.posterior).
    func scatter(
        _ block: UnsafePointer<Double>, rows: Int, evaluator: inout BlockEvaluator,
        into values: UnsafeMutablePointer<Double>, logDensity: UnsafeMutablePointer<Double>
    ) {
        let d = featureCount, kCount = componentCount
        for group in groups {
            let kept = group.kept, resp = keptValues + group.respStart
            for r in 0..<group.count {
                let row = Int(order[group.start &+ r])
                let out = values + row &* kCount
                if kept == kCount {
                    out.update(from: resp + r &* kCount, count: kCount)
                    continue
                }
                out.update(repeating: 0, count: kCount)
                for i in 0..<kept { out[activeLists[group.activeStart &+ i]] = resp[r &* kept &+ i] }
            }
        }
        logDensity.update(from: blockDensity, count: rows)
        for r in 0..<rows where !logDensity[r].isFinite {
            let row = values + r &* kCount
            let isFinite = evaluator.repairDistantRow(block + r &* d, into: row)
            let lse = logSumExp(UnsafeBufferPointer(start: row, count: kCount))
            for k in 0..<kCount { row[k] = exp(row[k] - lse) }
            logDensity[r] = isFinite ? lse : -.infinity
        }
    }

    /// Groups the block's rows and evaluates every group: kept responsibilities and log P(x).
    fileprivate func evaluate(
        _ block: UnsafePointer<Double>, rows: Int, weights: [Double]?, offset: Int, evaluator: inout BlockEvaluator
    ) {
        let d = featureCount
        precondition(rows <= blockRows, "block larger than the pruner's scratch")
        for r in 0..<rows { order[r] = Int32(r) }
        groups.removeAll(keepingCapacity: true)
        activeLists.removeAll(keepingCapacity: true)
        keptTotal = 0
        split(0, rows, block: block)
        for i in 0..<rows { (permuted + i &* d).update(from: block + Int(order[i]) &* d, count: d) }
        for g in groups.indices { evaluate(&groups[g], weights: weights, offset: offset, evaluator: &evaluator) }
    }

    /// Cuts order[start..<end] into groups of at most `pruningGroupRows` rows by splits along the
    /// widest coordinate of each part's bounding box, at a pivot near the median (`splitNearMedian`).
    private func split(_ start: Int, _ end: Int, block: UnsafePointer<Double>) {
        let count = end - start, d = featureCount
        guard count > pruningGroupRows else {
            if count > 0 { groups.append(Group(start: start, count: count)) }
            return
        }
        // The box of rows start..<end, a row at a time: column by column, each level swept the
        // block d times (at d = 32 a 1 MiB block from L3, and the splits took 40 % of a pruned pass).
        for j in 0..<d {
            lower[j] = .infinity
            upper[j] = -.infinity
        }
        for i in start..<end {
            let row = block + Int(order[i]) &* d
            for j in 0..<d {
                lower[j] = min(lower[j], row[j])
                upper[j] = max(upper[j], row[j])
            }
        }
        var widest = 0, width = -1.0
        for j in 0..<d where upper[j] - lower[j] > width {
            width = upper[j] - lower[j]
            widest = j
        }
        for i in start..<end { keys[i] = block[Int(order[i]) &* d &+ widest] }
        let middle = splitNearMedian(keys: keys, items: order, start, end)
        split(start, middle, block: block)
        split(middle, end, block: block)
    }

    /// One group: bounds, its first component, the others it cannot skip, then normalised
    /// kept responsibilities at `keptValues + keptTotal` and log P(x) at the rows' places.
    private func evaluate(
        _ group: inout Group, weights: [Double]?, offset: Int, evaluator: inout BlockEvaluator
    ) {
        let d = featureCount, kCount = componentCount, m = group.count
        let x = UnsafePointer(permuted + group.start &* d)
        setBox(x, rows: m)
        var seed = 0, best = -Double.infinity
        for k in 0..<kCount {
            var q = 0.0
            for j in 0..<d {
                let mu = means[k &* d &+ j]
                let near = max(0, lower[j] - mu, mu - upper[j])
                q += floors[k &* d &+ j] * near * near
            }
            bounds[k] = normalizers[k] - 0.5 * q
            if bounds[k] > best { best = bounds[k]; seed = k }
        }
        evaluator.logJoint(of: x, rows: m, components: [seed], into: seedValues)
        // The seed's smallest log-joint over the group (NaN when one is NaN).
        var floor = Double.infinity
        for r in 0..<m where !(seedValues[r] >= floor) { floor = seedValues[r].isNaN ? .nan : seedValues[r] }
        group.activeStart = activeLists.count
        var kept = kCount
        if floor.isFinite {
            activeLists.append(seed)
            isActive[seed] = true
            for k in 0..<kCount where k != seed {
                isActive[k] = true
                // log1p(spread) ≥ 0: only a component that could be skipped without it needs it.
                let base = bounds[k] - logWeights[k] - floor
                guard base <= skipLimit else { activeLists.append(k); continue }
                var spread = 0.0
                for j in 0..<d {
                    let mu = means[k &* d &+ j]
                    let far = max(abs(lower[j] - mu), abs(upper[j] - mu))
                    spread = max(spread, far * far / variances[k &* d &+ j])
                }
                // log1p(spread) ≤ (e + 1) ln 2 with e the binary exponent of 1 + spread: no libm call.
                let logSpread = spread < 0x1p1000 ? Double((1 + spread).exponent + 1) * M_LN2 : .infinity
                if base + logSpread <= skipLimit { isActive[k] = false } else { activeLists.append(k) }
            }
            kept = activeLists.count - group.activeStart
        }
        let c = keptValues + keptTotal
        group.respStart = keptTotal
        group.kept = kept
        if kept == kCount {
            activeLists.removeSubrange(group.activeStart...)
            activeLists.append(contentsOf: 0..<kCount)
            evaluator.logJoint(of: x, rows: m, into: c)
        } else {
            evaluator.logJoint(of: x, rows: m, components: Array(activeLists[(group.activeStart + 1)...]), into: others)
            for r in 0..<m {
                c[r &* kept] = seedValues[r]
                (c + r &* kept + 1).update(from: others + r &* (kept - 1), count: kept - 1)
            }
        }
        keptTotal += m * kept
        // The group's smallest row maximum, for the tally (≥ floor).
        var smallestMax = Double.infinity
        if kept < kCount {
            for r in 0..<m {
                var rowMax = -Double.infinity
                for i in 0..<kept { rowMax = max(rowMax, c[r &* kept &+ i]) }
                smallestMax = min(smallestMax, rowMax)
            }
        }
        normalizeRows(c, rows: m, componentCount: kept, logDensity: seedValues)
        for r in 0..<m { blockDensity[Int(order[group.start &+ r])] = seedValues[r] }
        tally.evaluatedPairs += m * kept
        guard kept < kCount else { return }
        tally.skippedPairs += m * (kCount - kept)
        var weight = Double(m)
        if let weights {
            weight = 0
            for r in 0..<m { weight += weights[offset + Int(order[group.start &+ r])] }
        }
        for k in 0..<kCount where !isActive[k] {
            // Below −746 the exponential is 0 in doubles: no call needed.
            guard bounds[k] - smallestMax > -746 else { continue }
            let lost = weight * exp(bounds[k] - smallestMax)
            guard lost > 0 else { continue }
            tally.droppedCounts[k] += lost
            for j in 0..<d {
                let mu = means[k &* d &+ j]
                let far = max(abs(lower[j] - mu), abs(upper[j] - mu))
                tally.droppedFirst[k &* d &+ j] += lost * far
                tally.droppedSecond[k &* d &+ j] += lost * far * far
            }
        }
    }

    /// `lower`, `upper` = the bounding box of `rows` rows at `x`.
    private func setBox(_ x: UnsafePointer<Double>, rows: Int) {
        let d = featureCount
        for j in 0..<d {
            lower[j] = x[j]
            upper[j] = x[j]
        }
        for r in 1..<max(rows, 1) {
            let row = x + r &* d
            for j in 0..<d {
                lower[j] = min(lower[j], row[j])
                upper[j] = max(upper[j], row[j])
            }
        }
    }
}

/// Reorders keys[start..<end] (and items alongside) so that the keys below a pivot come first,
/// and returns where the rest begin. The pivot is the median of three medians of three evenly
/// spaced keys (Tukey's ninther), so the two parts are near halves; one branch-free pass. When
/// every key is on one side (all equal), the middle index.
func splitNearMedian(
    keys: UnsafeMutablePointer<Double>, items: UnsafeMutablePointer<Int32>, _ start: Int, _ end: Int
) -> Int {
    let count = end - start
    func median3(_ a: Double, _ b: Double, _ c: Double) -> Double { max(min(a, b), min(max(a, b), c)) }
    func at(_ eighth: Int) -> Double { keys[start + (count - 1) * eighth / 8] }
    let pivot = median3(median3(at(0), at(1), at(2)), median3(at(3), at(4), at(5)), median3(at(6), at(7), at(8)))
    var i = start
    for j in start..<end {
        let key = keys[j], item = items[j]
        keys[j] = keys[i]
        items[j] = items[i]
        keys[i] = key
        items[i] = item
        i &+= key < pivot ? 1 : 0
    }
    return i == start || i == end ? start + count / 2 : i
}
