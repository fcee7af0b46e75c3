// Closed-form M-steps of the four full-type models that have one, from the
// scatter matrices W_k = Σ_i r_ik (x_i − m_k)(x_i − m_k)ᵀ (Celeux & Govaert
// 1995, §3–4; mclust's mseee, msvvv, mseev, msevv):
//   EEE  Σ = Σ_k W_k / n
//   VVV  Σ_k = W_k / n_k
//   EEV  W_k = D_k Ω_k D_kᵀ (eigenvalues decreasing); B = Σ_k Ω_k;
//        λ = det(B)^(1/d) / n, A = B / det(B)^(1/d), Σ_k = λ D_k A D_kᵀ
//   EVV  λ = Σ_k det(W_k)^(1/d) / n, Σ_k = λ W_k / det(W_k)^(1/d)
// EEV pairs the j-th largest eigenvalue of every W_k with the j-th entry of
// the common shape, as mclust does; D_k's columns follow that order. For EEE
// and VVV the decomposition is the eigendecomposition of Σ_k.

enum MclustFullMStep {
    static func eee(_ input: MclustScatter) throws(CovarianceError) -> MclustCovarianceEstimate {
        let d = input.featureCount, K = input.componentCount, n = input.total
        var sigma = [Double](repeating: 0, count: d * d)
        for k in 0..<K {
            for idx in 0..<(d * d) { sigma[idx] += input.values[k * d * d + idx] }
        }
        sigma = sigma.map { $0 / n }
        let (volume, shape, orientation) = try MclustDecomposition.decompose(sigma, dimension: d, component: nil)
        return MclustCovarianceEstimate(
            volumes: [Double](repeating: volume, count: K),
            shapes: Array([[Double]](repeating: shape, count: K).joined()),
            orientations: Array([[Double]](repeating: orientation, count: K).joined()),
            covariances: Array([[Double]](repeating: sigma, count: K).joined()),
            innerIterations: 0)
    }

    static func vvv(_ input: MclustScatter) throws(CovarianceError) -> MclustCovarianceEstimate {
        let d = input.featureCount
        var estimate = MclustCovarianceEstimate(volumes: [], shapes: [], orientations: [], covariances: [], innerIterations: 0)
        for k in 0..<input.componentCount {
            let sigma = input.block(k).map { $0 / input.softCounts[k] }
            let (volume, shape, orientation) = try MclustDecomposition.decompose(sigma, dimension: d, component: k)
            estimate.volumes.append(volume)
            estimate.shapes += shape
            estimate.orientations! += orientation
            estimate.covariances += sigma
        }
        return estimate
    }

    static func eev(_ input: MclustScatter) throws(CovarianceError) -> MclustCovarianceEstimate {
        let d = input.featureCount, K = input.componentCount
        var orientations = [Double](), summed = [Double](repeating: 0, count: d)
        for k in 0..<K {
            let (values, vectors) = try MclustDecomposition.eigen(input.block(k), dimension: d, component: k)
            orientations += vectors
            for j in 0..<d { summed[j] += max(values[j], 0) }
        }
        guard let smallest = summed.last, smallest > 0 else { throw .notPositiveDefinite(component: nil) }
        let size = MclustDecomposition.geometricMean(summed)
        let shape = summed.map { $0 / size }
        let volume = size / input.total
        var covariances = [Double]()
        for k in 0..<K {
            covariances += MclustDecomposition.compose(
                volume: volume, shape: shape[...], orientation: orientations[(k * d * d)..<((k + 1) * d * d)], dimension: d)
        }
        return MclustCovarianceEstimate(
            volumes: [Double](repeating: volume, count: K),
            shapes: Array([[Double]](repeating: shape, count: K).joined()),
            orientations: orientations, covariances: covariances, innerIterations: 0)
    }

    static func evv(_ input: MclustScatter) throws(CovarianceError) -> MclustCovarianceEstimate {
        let d = input.featureCount, K = input.componentCount
        var sizes = [Double](), shapes = [Double](), orientations = [Double]()
        for k in 0..<K {
            let (values, vectors) = try MclustDecomposition.eigen(input.block(k), dimension: d, component: k)
            guard let smallest = values.last, smallest > 0 else { throw .notPositiveDefinite(component: k) }
            let size = MclustDecomposition.geometricMean(values)
            sizes.append(size)
            shapes += values.map { $0 / size }
            orientations += vectors
        }
        let volume = sizes.reduce(0, +) / input.total
        var covariances = [Double]()
        for k in 0..<K {
            covariances += input.block(k).map { volume * $0 / sizes[k] }
        }
        return MclustCovarianceEstimate(
            volumes: [Double](repeating: volume, count: K), shapes: shapes,
            orientations: orientations, covariances: covariances, innerIterations: 0)
    }
}
