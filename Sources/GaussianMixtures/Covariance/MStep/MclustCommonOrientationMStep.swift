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
// D's columns stay in the order the iterations leave them (shapes are not
// sorted), as mclust reports them; column j pairs with A_k[j].
//
// Near the optimum the objective moves by about the square of a step, so an
// objective settled to the default tolerance (1.5e-8) leaves D and A_k settled
// only to roughly 1e-4: where the inner loop starts changes the result at that
// level, which is why a previous estimate is carried over exactly as mclust does.
//
// Start: D = I and A_k = I, as mclust's `mstepEVE` / `mstepVVE`; with a
// previous estimate its orientation and shapes, as mclust's `meEVE` / `meVVE`
// carry them from one EM iteration to the next (they never restart them).

enum MclustCommonOrientationMStep {
    static func estimate(
        _ input: MclustScatter, variableVolume: Bool, control: MclustInnerControl, previous: MclustCovarianceEstimate?
    ) throws(CovarianceError) -> MclustCovarianceEstimate {
        let d = input.featureCount, K = input.componentCount, counts = input.softCounts
        // The K scatters stacked into one Kd×d matrix, and the same with ω_k I taken
        // off each block: the products with D below are then one dgemm each.
        let stacked = input.values
        var shifted = stacked
        for k in 0..<K {
            let (values, _) = try MclustDecomposition.eigen(input.block(k), dimension: d, component: k)
            guard let top = values.first, let bottom = values.last, bottom > top * Double(d) * Double.ulpOfOne else {
                throw .notPositiveDefinite(component: k)
            }
            for j in 0..<d { shifted[k * d * d + j * d + j] -= top }
        }
        var orientation = previous.map { Array($0.orientations![0..<(d * d)]) } ?? MclustDecomposition.identity(d)
        var shapes = previous?.shapes ?? [Double](repeating: 1, count: K * d)
        var volumes = [Double](repeating: 1, count: K)
        var product = [Double](repeating: 0, count: K * d * d)
        var f = [Double](repeating: 0, count: d * d)
        var iterations = 0
        var change = Double.greatestFiniteMagnitude
        var objective = Double.greatestFiniteMagnitude / 2
        repeat {
            iterations += 1
            // MM 1: F = Σ_k A_k⁻¹ Dᵀ (W_k − ω_k I); (W_k − ω_k I) D is block k of `product`.
            multiplyStacked(shifted, by: orientation, into: &product, blocks: K, dimension: d)
            for idx in 0..<(d * d) { f[idx] = 0 }
            for k in 0..<K {
                for j in 0..<d {
                    let inverse = 1 / shapes[k * d + j]
                    for c in 0..<d { f[j * d + c] += product[k * d * d + c * d + j] * inverse }
                }
            }
            // With one feature D = (1) and F = 0: nothing to rotate.
            if d > 1 {
                let (p, _, r) = try svd(f, dimension: d)
                orientation = MclustDecomposition.multiply(r, p, dimension: d, transposeB: true)  // D = R Pᵀ
            }
            // MM 2: F = Σ_k W_k D (A_k⁻¹ − α_k I).
            multiplyStacked(stacked, by: orientation, into: &product, blocks: K, dimension: d)
            for idx in 0..<(d * d) { f[idx] = 0 }
            for k in 0..<K {
                var alpha = 0.0
                for j in 0..<d { alpha = max(alpha, 1 / shapes[k * d + j]) }
                for j in 0..<d {
                    let weight = 1 / shapes[k * d + j] - alpha
                    for row in 0..<d { f[row * d + j] += product[k * d * d + row * d + j] * weight }
                }
            }
            if d > 1 {
                let (p, _, r) = try svd(f, dimension: d)
                orientation = MclustDecomposition.multiply(p, r, dimension: d, transposeB: true)  // D = P Rᵀ
            }
            // Shapes, volumes and the objective, from s_k = diag(Dᵀ W_k D).
            multiplyStacked(stacked, by: orientation, into: &product, blocks: K, dimension: d)
            var next = 0.0
            var s = [Double](repeating: 0, count: d)
            for k in 0..<K {
                for j in 0..<d {
                    var sum = 0.0
                    for r in 0..<d { sum += orientation[r * d + j] * product[k * d * d + r * d + j] }
                    s[j] = sum
                }
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

    /// `product ← stacked · d` for K stacked d×d blocks (a Kd×d matrix) and a d×d `d`.
    private static func multiplyStacked(_ stacked: [Double], by o: [Double], into product: inout [Double], blocks K: Int, dimension d: Int) {
        GSLLinearAlgebra.multiply(stacked, lda: d, o, ldb: d, into: &product, ldc: d, m: K * d, n: d, p: d)
    }

    private static func svd(_ f: [Double], dimension d: Int) throws(CovarianceError) -> (u: [Double], s: [Double], v: [Double]) {
        do {
            return try GSLLinearAlgebra.singularValueDecomposition(f, dimension: d)
        } catch {
            throw .nonFinite(component: nil)
        }
    }
}
