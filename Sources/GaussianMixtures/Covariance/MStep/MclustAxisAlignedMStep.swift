// Closed-form M-steps of the five axis-aligned models with one (EII, VII,
// EEI, VVI) or no shared part that needs iterating (EVI), from the diagonal
// scatters w_kj = Σ_i r_ik (x_ij − m_kj)² (Celeux & Govaert 1995, §3–4):
//   EII  λ = Σ_k Σ_j w_kj / (n d),                 Σ_k = λ I
//   VII  λ_k = Σ_j w_kj / (n_k d),                 Σ_k = λ_k I
//   EEI  B = Σ_k diag(w_k) / n,                    Σ_k = B
//   EVI  λ = Σ_k (Π_j w_kj)^(1/d) / n,             Σ_k = λ diag(w_k) / (Π_j w_kj)^(1/d)
//   VVI  Σ_k = diag(w_k) / n_k
// Volumes are geometric means of the variances; shapes the variances over them.
// A zero variance (a feature without spread) is a singular covariance: it
// throws, naming the component for EVI and VVI, none for EEI.
// (VEI, the sixth, iterates: MclustVEIMStep.swift.)

enum MclustAxisAlignedMStep {
    static func eii(_ input: MclustScatter) -> MclustCovarianceEstimate {
        let d = input.featureCount, K = input.componentCount
        let variance = input.values.reduce(0, +) / (input.total * Double(d))
        return spherical(volumes: [Double](repeating: variance, count: K), featureCount: d)
    }

    static func vii(_ input: MclustScatter) -> MclustCovarianceEstimate {
        let d = input.featureCount
        let volumes = (0..<input.componentCount).map { k in
            input.block(k).reduce(0, +) / (input.softCounts[k] * Double(d))
        }
        return spherical(volumes: volumes, featureCount: d)
    }

    static func eei(_ input: MclustScatter) throws(CovarianceError) -> MclustCovarianceEstimate {
        let d = input.featureCount, K = input.componentCount, n = input.total
        var pooled = [Double](repeating: 0, count: d)
        for k in 0..<K {
            for j in 0..<d { pooled[j] += input.values[k * d + j] }
        }
        guard pooled.allSatisfy({ $0 > 0 }) else { throw .notPositiveDefinite(component: nil) }
        let variances = pooled.map { $0 / n }
        let volume = MclustDecomposition.geometricMean(variances)
        let shape = variances.map { $0 / volume }
        return MclustCovarianceEstimate(
            volumes: [Double](repeating: volume, count: K),
            shapes: Array([[Double]](repeating: shape, count: K).joined()),
            orientations: nil,
            covariances: Array([[Double]](repeating: variances, count: K).joined()),
            innerIterations: 0)
    }

    static func evi(_ input: MclustScatter) throws(CovarianceError) -> MclustCovarianceEstimate {
        let K = input.componentCount
        var shapes = [Double](), sizeSum = 0.0
        for k in 0..<K {
            let w = input.block(k)
            guard w.allSatisfy({ $0 > 0 }) else { throw .notPositiveDefinite(component: k) }
            let size = MclustDecomposition.geometricMean(w)
            sizeSum += size
            shapes += w.map { $0 / size }
        }
        let volume = sizeSum / input.total
        return MclustCovarianceEstimate(
            volumes: [Double](repeating: volume, count: K), shapes: shapes, orientations: nil,
            covariances: shapes.map { volume * $0 }, innerIterations: 0)
    }

    static func vvi(_ input: MclustScatter) throws(CovarianceError) -> MclustCovarianceEstimate {
        var volumes = [Double](), shapes = [Double](), variances = [Double]()
        for k in 0..<input.componentCount {
            let v = input.block(k).map { $0 / input.softCounts[k] }
            guard v.allSatisfy({ $0 > 0 }) else { throw .notPositiveDefinite(component: k) }
            let volume = MclustDecomposition.geometricMean(v)
            volumes.append(volume)
            shapes += v.map { $0 / volume }
            variances += v
        }
        return MclustCovarianceEstimate(
            volumes: volumes, shapes: shapes, orientations: nil, covariances: variances, innerIterations: 0)
    }

    /// Σ_k = λ_k I.
    private static func spherical(volumes: [Double], featureCount d: Int) -> MclustCovarianceEstimate {
        MclustCovarianceEstimate(
            volumes: volumes,
            shapes: [Double](repeating: 1, count: volumes.count * d),
            orientations: nil,
            covariances: volumes.flatMap { [Double](repeating: $0, count: d) },
            innerIterations: 0)
    }
}
