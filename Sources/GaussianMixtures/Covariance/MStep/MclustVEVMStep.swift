// VEV: Σ_k = λ_k D_k A D_kᵀ, variable volume and orientation, one shape
// (Celeux & Govaert 1995, §3.2; mclust's msvev / mevev). D_k is the
// eigenvector matrix of W_k = D_k Ω_k D_kᵀ (eigenvalues ω_kj decreasing; the
// j-th of every component is paired with A_j, as mclust pairs them). Volumes
// and shape then alternate:
//   λ_k = Σ_j ω_kj / A_j / (d n_k),   A_j ∝ Σ_k ω_kj / λ_k with Π_j A_j = 1,
// until the largest relative change of a volume or shape entry,
// |new − old| / (1 + new), falls below the tolerance.
//
// Start: A ∝ Σ_k Ω_k and λ_k = det(Σ_k Ω_k)^(1/d) / n, as mclust's
// `mstepVEV` (the starting volumes only enter the first change measure, which
// never stops the loop); with a previous estimate its shape and volumes, as
// mclust's `meVEV` carries them from one EM iteration to the next.

enum MclustVEVMStep {
    static func estimate(
        _ input: MclustScatter, control: MclustInnerControl, previous: MclustCovarianceEstimate?
    ) throws(CovarianceError) -> MclustCovarianceEstimate {
        let d = input.featureCount, K = input.componentCount, counts = input.softCounts
        var omega = [Double](), orientations = [Double]()
        for k in 0..<K {
            let (values, vectors) = try MclustDecomposition.eigen(input.block(k), dimension: d, component: k)
            omega += values.map { max($0, 0) }
            orientations += vectors
        }
        var shape: [Double], volumes: [Double]
        if let previous {
            shape = Array(previous.shapes[0..<d])
            volumes = previous.volumes
        } else {
            shape = (0..<d).map { j in (0..<K).reduce(0) { $0 + omega[$1 * d + j] } }
            let size = MclustDecomposition.geometricMean(shape)
            guard size > 0, size.isFinite else { throw .notPositiveDefinite(component: nil) }
            shape = shape.map { $0 / size }
            volumes = [Double](repeating: size / input.total, count: K)
        }
        var iterations = 0
        var change = Double.greatestFiniteMagnitude
        repeat {
            let oldVolumes = volumes, oldShape = shape
            for k in 0..<K {
                var sum = 0.0
                for j in 0..<d { sum += omega[k * d + j] / oldShape[j] }
                volumes[k] = sum / counts[k] / Double(d)
                guard volumes[k] > 0, volumes[k].isFinite else { throw .notPositiveDefinite(component: k) }
            }
            for j in 0..<d {
                var sum = 0.0
                for k in 0..<K { sum += omega[k * d + j] / volumes[k] }
                shape[j] = sum
            }
            iterations += 1
            let size = MclustDecomposition.geometricMean(shape)
            guard size > 0, size.isFinite else { throw .notPositiveDefinite(component: nil) }
            shape = shape.map { $0 / size }
            change = 0
            for j in 0..<d { change = max(change, abs(oldShape[j] - shape[j]) / (1 + shape[j])) }
            for k in 0..<K { change = max(change, abs(volumes[k] - oldVolumes[k]) / (1 + volumes[k])) }
        } while change >= control.tolerance && iterations < control.maxIterations
        var covariances = [Double]()
        for k in 0..<K {
            covariances += MclustDecomposition.compose(
                volume: volumes[k], shape: shape[...],
                orientation: orientations[(k * d * d)..<((k + 1) * d * d)], dimension: d)
        }
        return MclustCovarianceEstimate(
            volumes: volumes,
            shapes: Array([[Double]](repeating: shape, count: K).joined()),
            orientations: orientations, covariances: covariances,
            innerIterations: iterations, innerError: change)
    }
}
