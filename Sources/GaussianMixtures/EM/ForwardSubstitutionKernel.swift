import Foundation

// The full and tied families' E-step kernel.
//
// `WhiteningKernel` centres the block on each μ_k and calls BLAS's triangular
// solve (dtrsm) once per component. For small d that call's fixed cost
// dominates (at d = 2 a 4096-row solve is 16 k flops), and the centred copy
// and the norm pass each touch the block again; at d = 64 OpenBLAS's dtrsm
// runs at 40 % of its DGEMM speed. Here rows are transposed so that the lanes
// of a SIMD4 are four rows, and for every component the forward substitution
// L_k z = x − μ_k runs on those lanes, adding z_i² to the squared norm as each
// z_i appears; z is never written to the caller. Division by L_ii is a
// multiplication by 1/L_ii, as OpenBLAS's dtrsm does. The loops are C
// (`forwardSubstitution`, Kernels/), so that they run on AVX2 registers with
// fused multiply-adds where the CPU has them: for d ≤ 16 the whole of z stays
// in registers (the loops unrolled for each d); above, z is solved four
// columns at a time on eight rows, each step reading the earlier z_i from a
// small table (see Sources/CMixtureKernels).
//
// Measured on this project's machine (AMD Zen 3, OpenBLAS 0.3.21 Zen kernels,
// one core). The solve alone, GFLOP/s (d² flops per row and component; DGEMM
// 46): d = 64, K = 32: dtrsm 18.5, here 39; d = 128: 23 → 40; d = 256: 30 → 38
// (K = 32); d = 512: 32 → 37; d = 1024 here 39. Whole EM iterations, CPU
// seconds: d = 2, K = 4, 10⁵ rows 0.0152–0.0196 with dtrsm, 0.0124–0.0130
// here; d = 8, K = 8, 10⁵ rows 0.050–0.064 → 0.044–0.046; d = 16, K = 16,
// 2·10⁵ rows 0.34–0.43 → 0.24–0.32; d = 64, K = 32, 10⁵ rows 1.41 → 0.57–0.71
// (with rows of zero responsibility left out of the M-step's rank update).
//
// For d ≤ `fusedStatisticsLimit` (8) the exact pass does not call `logJoint`:
// `addStatistics` runs the fused kernel, log-joints to moments with nothing b×K
// in memory. The kernels alone cost about what the three separate ones do (the
// exponentials dominate: at d = 2, K = 4 the row normalisation is 60 % of the
// three); what it saves is the passes over b×K buffers and the Swift work
// between them. Whole EM iterations, CPU s on one thread, medians of 5 on a
// shared AMD EPYC with AVX-512 (noise about ±10 %), before → after: 10⁵×2 K = 4
// 0.0018 → 0.0013; 3·10⁵×3 K = 6 0.0080 → 0.0056; 2·10⁵×8 K = 8 0.0124 →
// 0.0113; 10⁶×8 K = 8 0.062 → 0.061 (two threads 0.069 → 0.055 CPU s).

struct ForwardSubstitutionKernel: LogJointKernel {
    let componentCount: Int
    let featureCount: Int
    let factorCount: Int
    /// The vector kernels' variant (the process's own unless a test asks for another).
    let level: KernelLevel
    /// μ_k (K×d) and the normalizers (K).
    private let means: ScratchBuffer<Double>
    private let normalizers: ScratchBuffer<Double>
    /// The lower factors L_k, row-major d×d each: K of them, or one that every component shares (tied).
    private let lower: ScratchBuffer<Double>
    /// 1/L_k,ii, one row of d per factor.
    private let inverseDiagonal: ScratchBuffer<Double>
    /// Transposed rows and −z for d > `momentKernelLimit` (`substitutionScratchCount`).
    private var scratch: ScratchBuffer<Double>
    /// The factors, 1/L_ii, means and normalizers of the components a pruned block evaluates.
    private var subsetLower = ScratchBuffer<Double>()
    private var subsetInverseDiagonal = ScratchBuffer<Double>()
    private var subsetMeans = ScratchBuffer<Double>()
    private var subsetNormalizers = ScratchBuffer<Double>()
    /// The fused pass's lane accumulators and log-joints (`fusedScratchCount`, sized on first use).
    private var fusedScratch = ScratchBuffer<Double>()

    /// - Parameter factors: one Cholesky factor per component, or one for all (tied); the
    ///   components are those of `normalizers`.
    init(factors: [CholeskyFactor], means: [Double], normalizers: [Double], level: KernelLevel = activeKernelLevel) {
        let d = factors.first?.dimension ?? 0
        precondition(factors.count == 1 || factors.count == normalizers.count, "one factor, or one per component")
        componentCount = normalizers.count
        factorCount = factors.count
        featureCount = d
        self.means = ScratchBuffer(means)
        self.normalizers = ScratchBuffer(normalizers)
        lower = ScratchBuffer(factors.flatMap(\.lower))
        inverseDiagonal = ScratchBuffer(factors.flatMap { f in (0..<d).map { 1 / f.lower[$0 * d + $0] } })
        self.level = level
        scratch = ScratchBuffer(count: substitutionScratchCount(featureCount: d))
    }

    mutating func logJoint(of block: UnsafePointer<Double>, rows: Int, into logJoint: UnsafeMutablePointer<Double>) {
        forwardSubstitution(block: block, rows: rows, featureCount: featureCount, componentCount: componentCount,
                            factorCount: factorCount, lower: lower.pointer, inverseDiagonal: inverseDiagonal.pointer,
                            means: means.pointer, normalizers: normalizers.pointer, into: logJoint,
                            scratch: scratch.mutablePointer(), level: level)
    }

    var fusedMomentShape: MomentShape? { featureCount <= fusedStatisticsLimit ? .matrix : nil }

    /// For d ≤ `fusedStatisticsLimit`, one pass over the block: log-joints, their normalisation and
    /// the moments for a vector's rows at a time (`fusedStatistics`), nothing b×K in memory.
    mutating func addStatistics(
        of block: UnsafePointer<Double>, rows: Int, weights: UnsafePointer<Double>?, shifts: UnsafePointer<Double>,
        counts: UnsafeMutablePointer<Double>, sums: UnsafeMutablePointer<Double>, moments: UnsafeMutablePointer<Double>,
        logLikelihood: inout Double
    ) -> Bool {
        guard fusedMomentShape != nil else { return false }
        let scratch = fusedScratch.mutablePointer(count: fusedScratchCount(featureCount: featureCount,
                                                                           componentCount: componentCount))
        return fusedStatistics(block: block, rows: rows, featureCount: featureCount, componentCount: componentCount,
                               factorCount: factorCount, lower: lower.pointer, inverseDiagonal: inverseDiagonal.pointer,
                               means: means.pointer, normalizers: normalizers.pointer, shifts: shifts,
                               weights: weights, counts: counts, sums: sums, moments: moments,
                               logLikelihood: &logLikelihood, scratch: scratch, level: level)
    }

    /// The listed components only: their parameters gathered (K'·d² values), then the same kernel.
    mutating func logJoint(of block: UnsafePointer<Double>, rows: Int, components: [Int],
                           into logJoint: UnsafeMutablePointer<Double>) {
        let d = featureCount, m = components.count
        guard m > 0, rows > 0 else { return }
        let shared = factorCount == 1
        let subsetMeans = self.subsetMeans.mutablePointer(count: componentCount * d)
        let subsetNormalizers = self.subsetNormalizers.mutablePointer(count: componentCount)
        let subsetLower = shared ? nil : self.subsetLower.mutablePointer(count: componentCount * d * d)
        let subsetInverse = shared ? nil : self.subsetInverseDiagonal.mutablePointer(count: componentCount * d)
        let means = self.means.pointer, lower = self.lower.pointer, inverseDiagonal = self.inverseDiagonal.pointer
        for (i, k) in components.enumerated() {
            (subsetMeans + i * d).update(from: means + k * d, count: d)
            subsetNormalizers[i] = normalizers[k]
            if let subsetLower, let subsetInverse {
                (subsetLower + i * d * d).update(from: lower + k * d * d, count: d * d)
                (subsetInverse + i * d).update(from: inverseDiagonal + k * d, count: d)
            }
        }
        forwardSubstitution(block: block, rows: rows, featureCount: d, componentCount: m,
                            factorCount: shared ? 1 : m, lower: subsetLower.map { UnsafePointer($0) } ?? lower,
                            inverseDiagonal: subsetInverse.map { UnsafePointer($0) } ?? inverseDiagonal,
                            means: subsetMeans, normalizers: subsetNormalizers, into: logJoint,
                            scratch: scratch.mutablePointer(), level: level)
    }
}
