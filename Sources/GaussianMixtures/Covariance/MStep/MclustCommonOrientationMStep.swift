// EVE and VVE: one orientation D shared by all components, a shape A_k per
// component, and one volume (EVE) or a volume per component (VVE). mclust
// estimates them with the majorisation-minimisation algorithms of Browne &
// McNicholas (2014), "Estimating common principal components in high
// dimensions" (mclust's mseve / msvve, meeve / mevve); so does this file.
// One inner iteration:
//   MM 1:  F = Σ_k (A_k⁻¹ Dᵀ W_k − ω_k A_k⁻¹ Dᵀ), ω_k the largest eigenvalue of W_k;
//          F = P S Rᵀ (SVD), Dᵀ ← P Rᵀ.
//   MM 2:  F = Σ_k (W_k D A_k⁻¹ − α_k W_k D), α_k = max_j 1 / A_kj;
//          F = P S Rᵀ, D ← P Rᵀ.
//   shapes: s_k = diag(Dᵀ W_k D);
//          EVE: A_k = s_k / (Π_j s_kj)^(1/d);
//          VVE: λ_k = (Π_j s_kj / n_k)^(1/d), A_k = s_k / (n_k λ_k).
//   objective: Σ_k Σ_j s_kj / A_kj.
// The loop stops when the objective changes by less than the tolerance
// relative to 1 + |objective|. EVE's volume is then objective / (n d).
//
// mclust's MM steps weigh each component by A_k⁻¹ alone, also for VVE (its
// volumes λ_k do not enter the orientation update); this file does the same,
// since its purpose is mclust's numbers.
//
// Start: D = I and A_k = I, as mclust's `mstepEVE` / `mstepVVE`; with a
// previous estimate its orientation and shapes, as mclust's `meEVE` / `meVVE`
// carry them from one EM iteration to the next (they never restart them).

enum MclustCommonOrientationMStep {
    static func estimate(
        _ input: MclustScatter, variableVolume: Bool, control: MclustInnerControl, previous: MclustCovarianceEstimate?
    ) throws(CovarianceError) -> MclustCovarianceEstimate {
        let d = input.featureCount, K = input.componentCount, counts = input.softCounts
        let scatters = (0..<K).map { input.block($0) }
        var largest = [Double]()
        for k in 0..<K {
            let (values, _) = try MclustDecomposition.eigen(scatters[k], dimension: d, component: k)
            guard let top = values.first, let bottom = values.last, bottom > top * Double(d) * Double.ulpOfOne else {
                throw .notPositiveDefinite(component: k)
            }
            largest.append(top)
        }
        var orientation = previous.map { Array($0.orientations![0..<(d * d)]) } ?? MclustDecomposition.identity(d)
        var shapes = previous?.shapes ?? [Double](repeating: 1, count: K * d)
        var volumes = [Double](repeating: 1, count: K)
        var iterations = 0
        var change = Double.greatestFiniteMagnitude
        var objective = Double.greatestFiniteMagnitude / 2
        repeat {
            iterations += 1
            // MM 1.
            var f = [Double](repeating: 0, count: d * d)
            for k in 0..<K {
                var scaledTranspose = [Double](repeating: 0, count: d * d)  // A_k⁻¹ Dᵀ
                for j in 0..<d {
                    for c in 0..<d { scaledTranspose[j * d + c] = orientation[c * d + j] / shapes[k * d + j] }
                }
                let product = MclustDecomposition.multiply(scaledTranspose, scatters[k], dimension: d)
                for idx in 0..<(d * d) { f[idx] += product[idx] - largest[k] * scaledTranspose[idx] }
            }
            // With one feature D = (1) and F = 0: nothing to rotate.
            if d > 1 {
                let (p, _, r) = try svd(f, dimension: d)
                orientation = MclustDecomposition.multiply(r, p, dimension: d, transposeB: true)  // D = R Pᵀ
            }
            // MM 2.
            f = [Double](repeating: 0, count: d * d)
            for k in 0..<K {
                let wd = MclustDecomposition.multiply(scatters[k], orientation, dimension: d)
                var alpha = 0.0
                for j in 0..<d { alpha = max(alpha, 1 / shapes[k * d + j]) }
                for row in 0..<d {
                    for j in 0..<d { f[row * d + j] += wd[row * d + j] / shapes[k * d + j] - alpha * wd[row * d + j] }
                }
            }
            if d > 1 {
                let (p, _, r) = try svd(f, dimension: d)
                orientation = MclustDecomposition.multiply(p, r, dimension: d, transposeB: true)  // D = P Rᵀ
            }
            // Shapes, volumes and the objective.
            var next = 0.0
            for k in 0..<K {
                let s = MclustDecomposition.rotatedDiagonal(scatters[k], orientation: orientation, dimension: d)
                let row: [Double]
                if variableVolume {
                    let perCount = s.map { $0 / counts[k] }
                    volumes[k] = MclustDecomposition.geometricMean(perCount)
                    row = perCount.map { $0 / volumes[k] }
                } else {
                    let size = MclustDecomposition.geometricMean(s)
                    row = s.map { $0 / size }
                }
                guard row.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw .notPositiveDefinite(component: k) }
                for j in 0..<d {
                    shapes[k * d + j] = row[j]
                    next += s[j] / row[j]
                }
            }
            change = abs(next - objective) / (1 + abs(next))
            objective = next
        } while change > control.tolerance && iterations < control.maxIterations
        if !variableVolume {
            volumes = [Double](repeating: objective / (input.total * Double(d)), count: K)
        }
        MclustDecomposition.normaliseSigns(&orientation, dimension: d)
        var covariances = [Double]()
        for k in 0..<K {
            covariances += MclustDecomposition.compose(
                volume: volumes[k], shape: shapes[(k * d)..<((k + 1) * d)], orientation: orientation[...], dimension: d)
        }
        return MclustCovarianceEstimate(
            volumes: volumes, shapes: shapes,
            orientations: Array([[Double]](repeating: orientation, count: K).joined()),
            covariances: covariances, innerIterations: iterations, innerError: change)
    }

    private static func svd(_ f: [Double], dimension d: Int) throws(CovarianceError) -> (u: [Double], s: [Double], v: [Double]) {
        do {
            return try GSLLinearAlgebra.singularValueDecomposition(f, dimension: d)
        } catch {
            throw .nonFinite(component: nil)
        }
    }
}
