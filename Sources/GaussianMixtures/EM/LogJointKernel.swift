import Foundation

// How a covariance family turns a block of rows into log P(x, c = k).
//
// Every kernel writes, for the b rows of a block and the K components,
//   log P(x_r, c = k) = normalizer_k − ½ q_k(x_r),   q_k(x) = |L_k⁻¹ (x − μ_k)|²,
// into a b×K row-major array. Which arithmetic is fastest depends on the
// family and the dimension, so each family picks its kernel
// (`CovarianceFamily.logJointKernel`); the default is `WhiteningKernel`.
//
// `ExpandedDiagonalKernel` serves the diagonal and spherical families. With
// P_kj = 1/σ²_kj and every row shifted by a fixed centre c (x̃ = x − c,
// μ̃_k = μ_k − c) the quadratic form expands into
//   q_k(x) = Σ_j x̃_j² P_kj − 2 Σ_j x̃_j μ̃_kj P_kj + Σ_j μ̃_kj² P_kj,
// so one DGEMM of the b×2d block [x̃², x̃] by a 2d×K coefficient matrix gives
// the whole b×K block. The expansion cancels digits when x̃ and μ̃_k are both
// large compared with σ_k: the rounding error of q_k is about
// ε·(q_k + C_k)·(a few), C_k = Σ_j μ̃_kj² P_kj (from |x̃|_P ≤ |x̃ − μ̃|_P + |μ̃|_P).
// The centre is the mean of the component means, so C_k is the squared
// Mahalanobis distance of component k from the middle of the mixture; a
// component with C_k above `expansionLimit` (its mean more than 64 of its own
// standard deviations from the centre) is evaluated by the direct formula
// instead, which keeps the absolute error of q below about 1e-12.
//
// An exact pass (no component skipped, no noise, no known labels) of a kernel
// with a fused pass does not call `logJoint` at all: `addStatistics` goes from
// rows to sufficient statistics with nothing b×K in memory — full and tied at
// d ≤ `fusedStatisticsLimit` (ForwardSubstitutionKernel.swift), diagonal and
// spherical at d·K ≤ `fusedDiagonalLimit`, there by the direct formula.

/// Evaluates log P(x, c = k) for blocks of rows under one mixture; owns its scratch memory.
protocol LogJointKernel {
    /// Writes log P(x_r, c = k) to `logJoint[r·K + k]` for the `rows` rows at
    /// `block` (row-major, d values per row); `rows` is at most the block size
    /// the kernel was made for.
    mutating func logJoint(of block: UnsafePointer<Double>, rows: Int, into logJoint: UnsafeMutablePointer<Double>)

    /// The same for the listed components only (ComponentPruning.swift): log P(x_r, c = components[i])
    /// to `logJoint[r·m + i]`, m = `components.count`, each value as `logJoint(of:rows:into:)` computes it
    /// up to the summation order of a smaller product.
    mutating func logJoint(of block: UnsafePointer<Double>, rows: Int, components: [Int],
                           into logJoint: UnsafeMutablePointer<Double>)

    /// The moments `addStatistics` adds, or `nil` when the kernel has no fused E-step and
    /// moment pass for its d (full and tied: `.matrix` for d ≤ `fusedStatisticsLimit`;
    /// diagonal and spherical: `.diagonal`).
    var fusedMomentShape: MomentShape? { get }

    /// The fused pass: adds the block's soft counts, sums and moments of `fusedMomentShape`
    /// around `shifts` (responsibilities times `weights[r]` when given) and sets
    /// `logLikelihood` to the block's Σ_r w_r log P(x_r), as `BlockEvaluator.posterior` then
    /// `KernelWorkspace.addBlock` would up to rounding.
    /// - Returns: `false`, with nothing added, when the kernel has no fused pass or a row of
    ///   the block needs the exact path (`BlockEvaluator.repairDistantRow`).
    mutating func addStatistics(
        of block: UnsafePointer<Double>, rows: Int, weights: UnsafePointer<Double>?, shifts: UnsafePointer<Double>,
        counts: UnsafeMutablePointer<Double>, sums: UnsafeMutablePointer<Double>, moments: UnsafeMutablePointer<Double>,
        logLikelihood: inout Double
    ) -> Bool
}

extension LogJointKernel {
    var fusedMomentShape: MomentShape? { nil }

    mutating func addStatistics(
        of block: UnsafePointer<Double>, rows: Int, weights: UnsafePointer<Double>?, shifts: UnsafePointer<Double>,
        counts: UnsafeMutablePointer<Double>, sums: UnsafeMutablePointer<Double>, moments: UnsafeMutablePointer<Double>,
        logLikelihood: inout Double
    ) -> Bool { false }
}

/// The largest d·K for which an exact pass of the diagonal and spherical families runs the fused
/// kernel (`fusedDiagonalStatistics`). Its E-step costs what the DGEMM's does (two multiplications
/// per row, component and feature), but its moments take every responsibility, where the DGEMM
/// path's sparse moments leave the negligible ones out (most of them once components separate,
/// and more of them the larger K is). Whole fits from the same start, 20 iterations, CPU s, fused
/// vs DGEMM (median of 5, paired runs): 2·10⁵×16 K = 16 0.52 vs 0.61; 10⁵×64 K = 8 0.55 vs
/// 0.73; 4·10⁵×2 K = 64 1.04 vs 1.93; 2·10⁵×32 K = 16 even; 2·10⁵×64 K = 16 1.35 vs 1.36;
/// 2·10⁵×32 K = 32 1.43 vs 1.14; 10⁶×32 K = 64 0.67 vs 0.45 s per iteration.
let fusedDiagonalLimit = 512

/// The largest squared Mahalanobis distance C_k of a component mean from the
/// expansion centre for which the expanded (DGEMM) form is used: 64².
let expansionLimit = 4096.0

/// The centre the expanded forms shift rows by: the mean of the K component means.
func expansionCentre(means: [Double], componentCount kCount: Int, featureCount d: Int) -> [Double] {
    var centre = [Double](repeating: 0, count: d)
    for k in 0..<kCount {
        for j in 0..<d { centre[j] += means[k * d + j] }
    }
    for j in 0..<d { centre[j] /= Double(kCount) }
    return centre
}

/// The general kernel, the protocol's default: per component, centre the block
/// on μ_k, whiten it with the family's `whiten` (a BLAS-3 triangular solve for
/// full and tied) and sum the squared row norms. Every family has a faster
/// kernel of its own; this one, the definition written out, is what the tests
/// check them against.
struct WhiteningKernel<Family: CovarianceFamily>: LogJointKernel {
    let family: Family
    let means: [Double]
    let normalizers: [Double]
    private var scratch: [Double]

    init(family: Family, means: [Double], normalizers: [Double], blockRows: Int) {
        self.family = family
        self.means = means
        self.normalizers = normalizers
        scratch = [Double](repeating: 0, count: blockRows * family.featureCount)
    }

    mutating func logJoint(of block: UnsafePointer<Double>, rows: Int, into logJoint: UnsafeMutablePointer<Double>) {
        let d = family.featureCount
        let kCount = family.componentCount
        let family = self.family
        let normalizers = self.normalizers
        means.withUnsafeBufferPointer { mu in
            scratch.withUnsafeMutableBufferPointer { z in
                let z = z.baseAddress!
                for k in 0..<kCount {
                    subtractRows(block: block, rows: rows, featureCount: d, mean: mu.baseAddress! + k &* d, into: z)
                    family.whiten(z, rows: rows, component: k)
                    halfSquaredNorms(z, rows: rows, featureCount: d, constant: normalizers[k], into: logJoint + k, stride: kCount)
                }
            }
        }
    }

    mutating func logJoint(of block: UnsafePointer<Double>, rows: Int, components: [Int],
                           into logJoint: UnsafeMutablePointer<Double>) {
        let d = family.featureCount
        let family = self.family
        let normalizers = self.normalizers
        means.withUnsafeBufferPointer { mu in
            scratch.withUnsafeMutableBufferPointer { z in
                let z = z.baseAddress!
                for (i, k) in components.enumerated() {
                    subtractRows(block: block, rows: rows, featureCount: d, mean: mu.baseAddress! + k &* d, into: z)
                    family.whiten(z, rows: rows, component: k)
                    halfSquaredNorms(z, rows: rows, featureCount: d, constant: normalizers[k], into: logJoint + i,
                                     stride: components.count)
                }
            }
        }
    }
}

/// The diagonal and spherical kernel: one DGEMM per block (see the note at the top); an exact
/// pass's statistics by the fused kernel instead (`addStatistics`).
struct ExpandedDiagonalKernel: LogJointKernel {
    let componentCount: Int
    let featureCount: Int
    /// μ_kj (K×d) and the normalizers, for the direct formula and the fused pass.
    private let means: ScratchBuffer<Double>
    private let normalizers: ScratchBuffer<Double>
    /// 1/σ_kj, K×d: for the components evaluated directly.
    let inverseDeviations: [Double]
    /// The expansion centre c (d values); in the fused pass, the centre of the rows' spreads in
    /// the negligible-responsibility rule.
    private let centre: ScratchBuffer<Double>
    /// 2d×K, row-major: rows j < d hold −½ P_kj, rows d + j hold μ̃_kj P_kj.
    let coefficients: [Double]
    /// normalizer_k − ½ C_k.
    let offsets: [Double]
    /// Components too far from the centre for the expansion (C_k > `expansionLimit`).
    let directComponents: [Int]
    /// b×2d: [x̃², x̃] for the rows of a block (sized on first use: a fused pass never needs it,
    /// and zeroing it cost every pass worker 2 MiB at d = 32).
    private var expanded = ScratchBuffer<Double>()
    /// The coefficients' and offsets' columns of the components a pruned block evaluates.
    private var subsetCoefficients: [Double] = []
    private var subsetOffsets: [Double] = []
    /// The fused pass's precisions P_kj = 1/σ²_kj (K×d).
    private let precisions: ScratchBuffer<Double>
    /// The fused pass's lane sums and transposed rows (`fusedDiagonalScratchCount`, sized on first use).
    private var fusedScratch = ScratchBuffer<Double>()
    let level: KernelLevel

    /// - Parameter variances: σ²_kj, K×d row-major.
    init(variances: [Double], means: [Double], normalizers: [Double], componentCount kCount: Int,
         featureCount d: Int, level: KernelLevel = activeKernelLevel) {
        self.level = level
        precisions = ScratchBuffer(variances.map { 1 / $0 })
        componentCount = kCount
        featureCount = d
        self.means = ScratchBuffer(means)
        self.normalizers = ScratchBuffer(normalizers)
        inverseDeviations = variances.map { 1 / $0.squareRoot() }
        let centre = expansionCentre(means: means, componentCount: kCount, featureCount: d)
        self.centre = ScratchBuffer(centre)
        var coefficients = [Double](repeating: 0, count: 2 * d * kCount)
        var offsets = normalizers
        var direct: [Int] = []
        for k in 0..<kCount {
            var c = 0.0
            for j in 0..<d {
                let precision = 1 / variances[k * d + j]
                let shifted = means[k * d + j] - centre[j]
                coefficients[j * kCount + k] = -0.5 * precision
                coefficients[(d + j) * kCount + k] = shifted * precision
                c += shifted * shifted * precision
            }
            offsets[k] -= 0.5 * c
            if !(c <= expansionLimit) { direct.append(k) }
        }
        self.coefficients = coefficients
        self.offsets = offsets
        directComponents = direct
    }

    mutating func logJoint(of block: UnsafePointer<Double>, rows: Int, into logJoint: UnsafeMutablePointer<Double>) {
        let d = featureCount
        let kCount = componentCount
        let u = expanded.mutablePointer(count: rows * 2 * d)
        fillExpandedRows(block, rows: rows, featureCount: d, centre: centre.pointer, into: u)
        offsets.withUnsafeBufferPointer { off in
            for r in 0..<rows {
                (logJoint + r &* kCount).update(from: off.baseAddress!, count: kCount)
            }
        }
        coefficients.withUnsafeBufferPointer { g in
            GSLLinearAlgebra.multiply(UnsafePointer(u), lda: 2 * d, g.baseAddress!, ldb: kCount,
                                      into: logJoint, ldc: kCount, m: rows, n: kCount, p: 2 * d, beta: 1)
        }
        guard !directComponents.isEmpty else { return }
        inverseDeviations.withUnsafeBufferPointer { s in
            for k in directComponents {
                let muK = means.pointer + k &* d, sK = s.baseAddress! + k &* d
                for r in 0..<rows {
                    let x = block + r &* d
                    var q = 0.0
                    for j in 0..<d {
                        let z = (x[j] - muK[j]) * sK[j]
                        q += z * z
                    }
                    logJoint[r &* kCount &+ k] = normalizers[k] - 0.5 * q
                }
            }
        }
    }
}

extension ExpandedDiagonalKernel {
    /// d·K ≤ `fusedDiagonalLimit`: the fused kernel (its direct form needs no expansion, nor a
    /// limit on it); above, the DGEMM and the sparse moments.
    var fusedMomentShape: MomentShape? { featureCount * componentCount <= fusedDiagonalLimit ? .diagonal : nil }

    /// Log-joints by the direct form, their normalisation and the diagonal moments for a
    /// vector's rows at a time (`fusedDiagonalStatistics`), nothing b×K in memory.
    mutating func addStatistics(
        of block: UnsafePointer<Double>, rows: Int, weights: UnsafePointer<Double>?, shifts: UnsafePointer<Double>,
        counts: UnsafeMutablePointer<Double>, sums: UnsafeMutablePointer<Double>, moments: UnsafeMutablePointer<Double>,
        logLikelihood: inout Double
    ) -> Bool {
        let scratch = fusedScratch.mutablePointer(count: fusedDiagonalScratchCount(featureCount: featureCount,
                                                                                   componentCount: componentCount))
        return fusedDiagonalStatistics(block: block, rows: rows, featureCount: featureCount,
                                       componentCount: componentCount, means: means.pointer,
                                       precisions: precisions.pointer, normalizers: normalizers.pointer,
                                       shifts: shifts, centre: centre.pointer, weights: weights, counts: counts,
                                       sums: sums, moments: moments, logLikelihood: &logLikelihood, scratch: scratch, level: level)
    }

    /// The listed components' columns of the DGEMM (and the direct formula for the far ones among them).
    mutating func logJoint(of block: UnsafePointer<Double>, rows: Int, components: [Int],
                           into logJoint: UnsafeMutablePointer<Double>) {
        let d = featureCount, kCount = componentCount, m = components.count
        guard m > 0, rows > 0 else { return }
        if subsetCoefficients.count < 2 * d * kCount { subsetCoefficients = [Double](repeating: 0, count: 2 * d * kCount) }
        if subsetOffsets.count < kCount { subsetOffsets = [Double](repeating: 0, count: kCount) }
        for (i, k) in components.enumerated() {
            for j in 0..<(2 * d) { subsetCoefficients[j * m + i] = coefficients[j * kCount + k] }
            subsetOffsets[i] = offsets[k]
        }
        let u = expanded.mutablePointer(count: rows * 2 * d)
        fillExpandedRows(block, rows: rows, featureCount: d, centre: centre.pointer, into: u)
        subsetOffsets.withUnsafeBufferPointer { off in
            for r in 0..<rows { (logJoint + r &* m).update(from: off.baseAddress!, count: m) }
        }
        subsetCoefficients.withUnsafeBufferPointer { g in
            GSLLinearAlgebra.multiply(UnsafePointer(u), lda: 2 * d, g.baseAddress!, ldb: m,
                                      into: logJoint, ldc: m, m: rows, n: m, p: 2 * d, beta: 1)
        }
        guard !directComponents.isEmpty else { return }
        for (i, k) in components.enumerated() where directComponents.contains(k) {
            for r in 0..<rows {
                let x = block + r &* d
                var q = 0.0
                for j in 0..<d {
                    let z = (x[j] - means[k &* d &+ j]) * inverseDeviations[k &* d &+ j]
                    q += z * z
                }
                logJoint[r &* m &+ i] = normalizers[k] - 0.5 * q
            }
        }
    }
}

/// Writes [ (x_r − c)², x_r − c ] (2d values) for each row r of a block into `u` (rows×2d).
func fillExpandedRows(
    _ block: UnsafePointer<Double>, rows: Int, featureCount d: Int, centre: UnsafePointer<Double>,
    into u: UnsafeMutablePointer<Double>
) {
    for r in 0..<rows {
        let x = block + r &* d
        let ur = u + r &* (2 &* d)
        for j in 0..<d {
            let t = x[j] - centre[j]
            ur[j] = t * t
            ur[d &+ j] = t
        }
    }
}
