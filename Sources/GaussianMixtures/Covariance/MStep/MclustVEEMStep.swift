import Foundation

// VEE: Σ_k = λ_k C with one C = D A Dᵀ of determinant 1 (Celeux & Govaert
// 1995, §3.1; mclust's msvee / mevee). Given the volumes,
//   C ∝ Σ_k W_k / λ_k, scaled to det C = 1,
// and given C,
//   λ_k = tr(W_k C⁻¹) / (d n_k);
// the two alternate until the objective n d + d Σ_k n_k log λ_k changes by
// less than the tolerance relative to 1 + |objective|.
//
// Start: λ_k = 1 at every call. mclust's `meVEE` restarts the volumes at 1 in
// each EM iteration too, so a previous estimate is not used. tr(W_k C⁻¹) is
// Σ_j v_jᵀ W_k v_j / c_j over C's eigenpairs (c_j, v_j): no inverse is formed.

enum MclustVEEMStep {
    static func estimate(_ input: MclustScatter, control: MclustInnerControl) throws(CovarianceError) -> MclustCovarianceEstimate {
        let d = input.featureCount, K = input.componentCount, counts = input.softCounts
        let n = input.total
        var volumes = [Double](repeating: 1, count: K)
        var common = [Double](), shape = [Double](), orientation = [Double]()
        var iterations = 0
        var change = Double.greatestFiniteMagnitude
        var objective = Double.greatestFiniteMagnitude / 2
        repeat {
            iterations += 1
            var numerator = [Double](repeating: 0, count: d * d)
            for k in 0..<K {
                for idx in 0..<(d * d) { numerator[idx] += input.values[k * d * d + idx] / volumes[k] }
            }
            let (values, vectors) = try MclustDecomposition.eigen(numerator, dimension: d, component: nil)
            guard let smallest = values.last, smallest > 0 else { throw .notPositiveDefinite(component: nil) }
            let size = MclustDecomposition.geometricMean(values)
            common = numerator.map { $0 / size }
            shape = values.map { $0 / size }
            orientation = vectors
            for k in 0..<K {
                let rotated = MclustDecomposition.rotatedDiagonal(input.block(k), orientation: vectors, dimension: d)
                var trace = 0.0
                for j in 0..<d { trace += rotated[j] / shape[j] }
                volumes[k] = trace / (Double(d) * counts[k])
                guard volumes[k] > 0, volumes[k].isFinite else { throw .notPositiveDefinite(component: k) }
            }
            var next = n * Double(d)
            var logSum = 0.0
            for k in 0..<K { logSum += log(volumes[k]) * counts[k] }
            next += Double(d) * logSum
            change = abs(next - objective) / (1 + abs(next))
            objective = next
        } while change > control.tolerance && iterations < control.maxIterations
        var covariances = [Double]()
        for k in 0..<K { covariances += common.map { volumes[k] * $0 } }
        return MclustCovarianceEstimate(
            volumes: volumes,
            shapes: Array([[Double]](repeating: shape, count: K).joined()),
            orientations: Array([[Double]](repeating: orientation, count: K).joined()),
            covariances: covariances, innerIterations: iterations, innerError: change)
    }
}
