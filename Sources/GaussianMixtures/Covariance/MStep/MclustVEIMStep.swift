// VEI: Σ_k = λ_k A, variable volume, one diagonal shape (Celeux & Govaert
// 1995, §4; mclust's msvei / mevei). No closed form: given A the volumes are
//   λ_k = Σ_j w_kj / A_j / (d n_k),
// and given the volumes the shape is
//   A_j ∝ Σ_k w_kj / λ_k, scaled to Π_j A_j = 1;
// the two updates alternate until the largest relative change of a volume or
// a shape entry, |new − old| / (1 + new), falls below the tolerance.
//
// (mclust's VEI loop may make one iteration past its limit; here the limit
// is exact. With mclust's default, no limit, the two agree.)
//
// Start: λ_k = 1, A = I, as mclust's `mstepVEI` does; with a previous
// estimate its volumes and shape, as mclust's `meVEI` carries them from one
// EM iteration to the next.

enum MclustVEIMStep {
    static func estimate(
        _ input: MclustScatter, control: MclustInnerControl, previous: MclustCovarianceEstimate?
    ) throws(CovarianceError) -> MclustCovarianceEstimate {
        let d = input.featureCount, K = input.componentCount
        let w = input.values, counts = input.softCounts
        var shape = previous.map { Array($0.shapes[0..<d]) } ?? [Double](repeating: 1, count: d)
        var volumes = previous?.volumes ?? [Double](repeating: 1, count: K)
        var iterations = 0
        var change = Double.greatestFiniteMagnitude
        repeat {
            iterations += 1
            let oldVolumes = volumes, oldShape = shape
            for k in 0..<K {
                var sum = 0.0
                for j in 0..<d { sum += w[k * d + j] / shape[j] }
                volumes[k] = sum / (counts[k] * Double(d))
                guard volumes[k] > 0, volumes[k].isFinite else { throw .notPositiveDefinite(component: k) }
            }
            for j in 0..<d {
                var sum = 0.0
                for k in 0..<K { sum += w[k * d + j] / volumes[k] }
                shape[j] = sum
            }
            let size = MclustDecomposition.geometricMean(shape)
            guard size > 0, size.isFinite else { throw .notPositiveDefinite(component: nil) }
            shape = shape.map { $0 / size }
            change = 0
            for k in 0..<K { change = max(change, abs(oldVolumes[k] - volumes[k]) / (1 + volumes[k])) }
            for j in 0..<d { change = max(change, abs(oldShape[j] - shape[j]) / (1 + shape[j])) }
        } while change > control.tolerance && iterations < control.maxIterations
        return MclustCovarianceEstimate(
            volumes: volumes,
            shapes: Array([[Double]](repeating: shape, count: K).joined()),
            orientations: nil,
            covariances: volumes.flatMap { v in shape.map { v * $0 } },
            innerIterations: iterations, innerError: change)
    }
}
