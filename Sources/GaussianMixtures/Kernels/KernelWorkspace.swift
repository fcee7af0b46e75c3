// One worker's scratch memory for the E-step and M-step kernels.
//
// A pass over the rows gives every worker (thread) one workspace, made once and
// reused for every block the worker handles; nothing in it is shared between
// threads. Its buffers are sized when it is made (from the block size, K, d and
// the kernels' own scratch sizes in the C header) or, for the few whose size
// depends on the data (how many responsibilities a block keeps), grown on first
// need and kept. Callers pass the workspace, or pointers it hands out, instead
// of taking pointers array by array.

/// The buffers one worker needs to turn blocks of rows into sufficient statistics.
final class KernelWorkspace {
    let blockRows: Int
    let componentCount: Int
    let featureCount: Int

    // MARK: A block's posterior

    /// The block's b×K responsibilities (sized on first use: the fused pass never needs them,
    /// and zeroing b×K doubles for every worker of every pass cost page faults at small d).
    var responsibilities = ScratchBuffer<Double>()
    /// The block's rows' log P(x) (or what a pass carries in its place).
    var logDensity: ScratchBuffer<Double>

    // MARK: The statistics being accumulated (SufficientStatistics.swift)

    /// What the statistics' moments are, while blocks are added.
    var momentShape = MomentShape.matrix
    /// The shifts s_k (K×d), soft counts R_k (K), sums a_k (K×d) and moments M_k the blocks add to.
    var shifts: ScratchBuffer<Double>
    var counts: ScratchBuffer<Double>
    var sums: ScratchBuffer<Double>
    var moments: ScratchBuffer<Double>
    /// The mean c of the shifts: the centre of the expanded products and of the rows' spreads.
    var centre: ScratchBuffer<Double>

    // MARK: The M-step's block scratch

    /// Full and tied: the moment kernel's lanes (d ≤ `momentKernelLimit`), else √r_ik (x_i − s_k)
    /// for the kept rows of a block, the operand of the rank update. Diagonal: [(x_i − c)², x_i − c]
    /// per row (2d values). Sized on first use.
    var scaled = ScratchBuffer<Double>()
    /// Diagonal: the K×2d products Rᵀ [(x − c)², x − c] of one block; then one component's moved sums (2d).
    var products: ScratchBuffer<Double>
    var moved: ScratchBuffer<Double>
    /// Per row of a block: s_i = max(1, max_j (x_ij − c_j)²).
    var spreads: ScratchBuffer<Double>
    /// Per component: the block's Σ_i r_ik, then its Σ_i r_ik s_i (2K).
    var columnSums: ScratchBuffer<Double>
    /// Per component: the `negligibleFraction` thresholds of the two sums above (2K).
    var thresholds: ScratchBuffer<Double>
    /// Per component: how many of a block's responsibilities are kept; per row, which (bit masks).
    var keptCounts: ScratchBuffer<Int>
    var keptMasks = ScratchBuffer<UInt64>()
    /// The pair-by-pair diagonal moments' lists: per component a position, per kept pair its row
    /// and weight (sized on first use).
    var keptPositions: ScratchBuffer<Int>
    var keptRows = ScratchBuffer<Int32>()
    var keptWeights = ScratchBuffer<Double>()

    init(blockRows: Int, componentCount kCount: Int, featureCount d: Int) {
        self.blockRows = blockRows
        componentCount = kCount
        featureCount = d
        logDensity = ScratchBuffer(count: blockRows)
        shifts = ScratchBuffer(count: kCount * d)
        counts = ScratchBuffer(count: kCount)
        sums = ScratchBuffer(count: kCount * d)
        moments = ScratchBuffer()
        centre = ScratchBuffer(count: d)
        products = ScratchBuffer(count: kCount * 2 * d)
        moved = ScratchBuffer(count: 2 * d)
        spreads = ScratchBuffer(count: blockRows)
        columnSums = ScratchBuffer(count: 2 * kCount)
        thresholds = ScratchBuffer(count: 2 * kCount)
        keptCounts = ScratchBuffer(count: kCount)
        keptPositions = ScratchBuffer(count: kCount)
    }
}
