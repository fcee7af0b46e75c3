import Foundation

// The E-step kernel: log P(x, c = k) for a block of rows at once.
//
//   log P(x, c = k) = log w_k − ½ (d log 2π + log det Σ_k + |z|²),  z = L_k⁻¹ (x − μ_k).
// How |z|² is computed is the covariance family's choice (LogJointKernel.swift):
// a BLAS-3 triangular solve per component for full and tied, one DGEMM of the
// expanded square per block for diagonal and spherical. Rows are then
// normalised with a max-shifted log-sum-exp. Names: `b` rows in
// the block, `d` features, `K` components; `lj` is the b×K log-joint block.

/// Number of rows evaluated together: large enough for BLAS-3 efficiency,
/// small enough that a block and its scratch stay in cache.
func blockRowCount(featureCount d: Int, componentCount K: Int) -> Int {
    max(64, min(4096, (1 << 18) / max(d, K, 1)))
}

/// Evaluates log P(x, c = k) for blocks of rows under one mixture, with the
/// kernel the mixture's covariance family provides.
struct BlockEvaluator {
    let model: GaussianMixture
    /// log w_k − ½ (d log 2π + log det Σ_k).
    let normalizers: [Double]
    let blockRows: Int
    private var kernel: any LogJointKernel

    init(model: GaussianMixture, blockRows: Int) {
        let d = Double(model.featureCount)
        self.model = model
        self.blockRows = blockRows
        let normalizers = (0..<model.componentCount).map { k in
            model.logWeights[k] - 0.5 * (d * log(2 * Double.pi) + model.family.logDeterminant(component: k))
        }
        self.normalizers = normalizers
        kernel = model.family.logJointKernel(means: model.flatMeans, normalizers: normalizers, blockRows: blockRows)
    }

    /// Writes log P(x_r, c = k) to `logJoint[r·K + k]` for the `rows` rows at `block`.
    mutating func logJoint(of block: UnsafePointer<Double>, rows: Int, into logJoint: UnsafeMutablePointer<Double>) {
        precondition(rows <= blockRows, "block larger than the evaluator's scratch")
        kernel.logJoint(of: block, rows: rows, into: logJoint)
    }

    /// log P(x_r, c = components[i]) to `logJoint[r·m + i]`, m = `components.count` (ComponentPruning.swift).
    mutating func logJoint(of block: UnsafePointer<Double>, rows: Int, components: [Int],
                           into logJoint: UnsafeMutablePointer<Double>) {
        precondition(rows <= blockRows, "block larger than the evaluator's scratch")
        kernel.logJoint(of: block, rows: rows, components: components, into: logJoint)
    }

    /// The moments of the kernel's fused E-step and moment pass (`addStatistics`), if it has one.
    var fusedMomentShape: MomentShape? { kernel.fusedMomentShape }

    /// The kernel's fused pass (`LogJointKernel.addStatistics`): `false`, with nothing added,
    /// when it has none or a row of the block needs `posterior`'s exact treatment.
    mutating func addStatistics(
        of block: UnsafePointer<Double>, rows: Int, weights: UnsafePointer<Double>?, shifts: UnsafePointer<Double>,
        counts: UnsafeMutablePointer<Double>, sums: UnsafeMutablePointer<Double>, moments: UnsafeMutablePointer<Double>,
        logLikelihood: inout Double
    ) -> Bool {
        precondition(rows <= blockRows, "block larger than the evaluator's scratch")
        return kernel.addStatistics(of: block, rows: rows, weights: weights, shifts: shifts, counts: counts,
                                    sums: sums, moments: moments, logLikelihood: &logLikelihood)
    }

    /// `logJoint(of:rows:into:)` followed by `normalizeRows`: P(c|x) (or its log) in
    /// `values` and log P(x) in `logDensity`, for rows at any distance.
    ///
    /// A row so far from every component that the kernel's squared distances
    /// overflow (values near 1e155, or inf − inf in an expanded square) comes out of
    /// the fast path with a log P(x) that is not finite; only such rows — one
    /// comparison per row finds them — are recomputed by `repairDistantRow`.
    /// With a noise component (NoiseComponent.swift) the Gaussian rows are then
    /// rescaled by `addNoise`, and P(noise|x) (or its log) goes to `noise` when given.
    /// - Returns: the rows (0-based in the block) whose log P(x) truly underflows:
    ///   their `logDensity` is −∞ and their P(c|x) exact. Almost always none
    ///   (and none with a noise component).
    @discardableResult
    mutating func posterior(
        of block: UnsafePointer<Double>, rows: Int, into values: UnsafeMutablePointer<Double>,
        logDensity: UnsafeMutablePointer<Double>, keepLog: Bool = false, noise: UnsafeMutablePointer<Double>? = nil
    ) -> [Int] {
        let kCount = model.componentCount, d = model.featureCount
        logJoint(of: block, rows: rows, into: values)
        normalizeRows(values, rows: rows, componentCount: kCount, logDensity: logDensity, keepLog: keepLog)
        var underflowed: [Int] = []
        for r in 0..<rows where !logDensity[r].isFinite {
            let row = values + r &* kCount
            let isFinite = repairDistantRow(block + r &* d, into: row)
            let lse = logSumExp(UnsafeBufferPointer(start: row, count: kCount))
            for k in 0..<kCount { row[k] = keepLog ? row[k] - lse : exp(row[k] - lse) }
            logDensity[r] = isFinite ? lse : -.infinity
            if !isFinite { underflowed.append(r) }
        }
        if let component = model.noise {
            addNoise(component.logJoint, to: values, rows: rows, logDensity: logDensity, keepLog: keepLog, noise: noise)
            return []
        }
        return underflowed
    }

    /// Adds the noise column c₀ = log π₀ − log V to normalised rows: with
    /// g = logsumexp_k log P(x, c = k) (the Gaussian part, in `logDensity`),
    /// log P(x) = logaddexp(g, c₀), P(noise|x) = exp(c₀ − log P(x)), and each
    /// P(c = k|x) is multiplied by exp(g − log P(x)) = 1 − P(noise|x). A row whose
    /// Gaussian part underflows (g = −∞) is all noise.
    private func addNoise(
        _ c0: Double, to values: UnsafeMutablePointer<Double>, rows: Int, logDensity: UnsafeMutablePointer<Double>,
        keepLog: Bool, noise: UnsafeMutablePointer<Double>?
    ) {
        let kCount = model.componentCount
        for r in 0..<rows {
            let g = logDensity[r]
            let total = g > c0 ? g + log1p(exp(c0 - g)) : c0 + log1p(exp(g - c0))
            let shift = g - total
            let row = values + r &* kCount
            if keepLog {
                for k in 0..<kCount { row[k] += shift }
            } else {
                let scale = exp(shift)
                for k in 0..<kCount { row[k] *= scale }
            }
            noise?[r] = keepLog ? c0 - total : exp(c0 - total)
            logDensity[r] = total
        }
    }

    /// log P(x, c = k) for one row without overflow, through the scaled distances
    /// m_k = |z_k| / s with z_k = L_k⁻¹ (x − μ_k) and s a power of two near the
    /// largest |x_j|, |μ_kj|, so that log P(x, c = k) = c_k − ½ s² m_k² and
    /// differences between components, c_k − c_j − ½ s(m_k − m_j) · s(m_k + m_j),
    /// stay finite where they are representable.
    ///
    /// - Returns: `true` with the log-joints written when the largest of them is a
    ///   finite number; `false` with the differences to the largest written when it
    ///   underflows (log P(x) = −∞: P(c|x) is still well defined, one-hot on the
    ///   nearest component in Mahalanobis terms up to the normalisers).
    func repairDistantRow(_ x: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) -> Bool {
        let kCount = model.componentCount, d = model.featureCount
        let scale = max(powerOfTwoScale(UnsafeBufferPointer(start: x, count: d)), powerOfTwoScale(model.flatMeans))
        var z = [Double](repeating: 0, count: d)
        let distances = (0..<kCount).map { k in
            for j in 0..<d { z[j] = x[j] / scale - model.flatMeans[k * d + j] / scale }
            z.withUnsafeMutableBufferPointer { model.family.whiten($0.baseAddress!, rows: 1, component: k) }
            return scaledNorm(z)
        }
        let (differences, _, largest) = logJointsFromScaledDistances(normalizers: normalizers, distances: distances,
                                                                     scale: scale)
        let shift = largest.isFinite ? largest : 0
        for k in 0..<kCount { out[k] = shift + differences[k] }
        return largest.isFinite
    }
}
