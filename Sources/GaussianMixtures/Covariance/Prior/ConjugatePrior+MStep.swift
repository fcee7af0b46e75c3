import Foundation

// The MAP M-step under mclust's conjugate prior, as mclust 6's EM routines
// (`me*p` in its Fortran, which `me()`, `Mclust()` and `mclustBIC()` call)
// compute it. Notation as in Covariance/MStep/: n_k soft counts, x̄_k the
// weighted means, W_k the scatter around them; κ, μ_P, ν, Λ (or ς²) the prior.
//
//   weights   n_k / n, as without the prior;
//   means     μ_k = (n_k x̄_k + κ μ_P) / (n_k + κ)   (EEI: x̄_k, mclust does not shrink them);
//   scatter   Ω_k = W_k + c_k δ_k δ_kᵀ + S_k,   c_k = κ n_k / (n_k + κ), δ_k = μ_P − x̄_k,
//
// and then the model's own M-step (MclustMStep) on Ω_k with each n_k replaced
// by n_k + o. The prior scale S_k and the count offset o are, per model
// (each read off mclust's routine, and checked against it by the fixtures):
//
//   model  S_k                          o             i.e. the volume's divisor
//   EII    none                         (ν+Kd+2)/(Kd) n d + ν + K d + 2
//   VII    ς²/d · I, each k             (ν+d+2)/d     n_k d + ν + d + 2
//   EEI    ς² · I, once                 (ν+2)/K       n + ν + 2
//   VEI    ς² · I, each k               (ν+3)/d       n_k d + ν + 3
//   EVI    ς² · I, each k               (ν+2)/K       n + ν + 2
//   VVI    ς² · I, each k               ν+3           n_k + ν + 3
//   EEE    Λ, once                      (ν+d+1+K)/K   n + ν + d + 1 + K
//   EEV    Λ, each k                    (ν+d+2)/K     n + ν + d + 2
//   VEV    Λ, each k                    0             n_k d
//   VVV    Λ, each k                    ν+d+2         n_k + ν + d + 2
//
// ("once": added to the pooled scatter of the models with one shared covariance.)
// Each M-step maximises Σ_k [−(n_k + o)/2 · log|Σ_k| − ½ tr(Σ_k⁻¹ Ω_k)] over the
// model's covariances, so EM increases the log-likelihood plus
//
//   log p(θ) = Σ_k [ −(o/2) log|Σ_k| − ½ tr(Σ_k⁻¹ S_k) − (κ/2) (μ_k − μ_P)ᵀ Σ_k⁻¹ (μ_k − μ_P) ]
//
// (up to a constant): `logDensity(of:)`, the quantity MAP EM never lowers.
// With one component every model takes VII's, VVI's or VVV's step, as mclust's
// `mvn` does (`effectiveModel`).
// Two of mclust's routines depart from the textbook prior, and we follow them:
// EII leaves ς² out, VEV leaves ν out; and EEI's means are not shrunk, so its
// step is not an exact maximiser of the quantity above (it misses by O(κ)).

extension ConjugatePrior {
    /// Where a model's prior enters its M-step (the table above).
    struct Placement {
        /// o, added to every soft count.
        let countOffset: Double
        /// Whether S_k is added to every component (else to the first only: the pooled scatter).
        let scalePerComponent: Bool
        /// Whether there is an S_k at all (not for EII).
        let hasScale: Bool
        /// The multiple of ς² on each diagonal entry (axis-aligned models).
        let varianceFactor: Double
        /// Whether the means are shrunk toward μ_P (all but EEI).
        let shrinksMeans: Bool
    }

    func placement(for requested: MclustModelName, componentCount K: Int, featureCount d: Int) -> Placement {
        let model = Self.effectiveModel(requested, componentCount: K)
        let nu = degreesOfFreedom, dd = Double(d), kk = Double(K)
        func p(_ o: Double, each: Bool = true, scale: Bool = true, factor: Double = 1, shrink: Bool = true) -> Placement {
            Placement(countOffset: o, scalePerComponent: each, hasScale: scale, varianceFactor: factor, shrinksMeans: shrink)
        }
        switch model {
        case .EII: return p((nu + kk * dd + 2) / (kk * dd), scale: false)
        case .VII: return p((nu + dd + 2) / dd, factor: 1 / dd)
        case .EEI: return p((nu + 2) / kk, each: false, shrink: false)
        case .VEI: return p((nu + 3) / dd)
        case .EVI: return p((nu + 2) / kk)
        case .VVI: return p(nu + 3)
        case .EEE: return p((nu + dd + 1 + kk) / kk, each: false)
        case .EEV: return p((nu + dd + 2) / kk)
        case .VEV: return p(0)
        case .VVV: return p(nu + dd + 2)
        case .VEE, .EVE, .VVE, .EVV: preconditionFailure("mclust defines no prior for \(model.rawValue)")
        }
    }

    /// The model whose M-step a fit of `model` with K components takes: itself,
    /// except with one component, where mclust (`mvn`, as `mclustBIC` calls it
    /// for G = 1) uses its one-component models XII, XXI and XXX, whose prior
    /// steps are VII's, VVI's and VVV's; every model of a family is one of those when K = 1.
    static func effectiveModel(_ model: MclustModelName, componentCount K: Int) -> MclustModelName {
        guard K == 1 else { return model }
        if model.shape == .identity { return .VII }
        return model.isAxisAligned ? .VVI : .VVV
    }

    /// The kind a family type implements.
    static func kind(of family: any CovarianceFamily.Type) -> CovarianceKind {
        guard let kind = CovarianceKind.allCases.first(where: { ObjectIdentifier($0.family) == ObjectIdentifier(family) }) else {
            preconditionFailure("a family without a kind")
        }
        return kind
    }

    /// The MAP M-step: the mixture from floored soft counts, weights, the weighted
    /// means x̄_k and the moments centred on them (`MaximizationStep.centredMoments`).
    func parameters(
        weights: [Double], softCounts: [Double], means: [Double], centred: [Double], family: any CovarianceFamily.Type,
        regularization: Double, featureNames: [String], previous: (any CovarianceFamily)?
    ) throws(CovarianceError) -> GaussianMixture {
        let kind = Self.kind(of: family), model = kind.mclustModel
        let K = softCounts.count, d = featureNames.count
        let place = placement(for: model, componentCount: K, featureCount: d)
        let axisAligned = model.isAxisAligned
        let block = axisAligned ? d : d * d
        func diagonal(_ j: Int) -> Int { axisAligned ? j : j * d + j }
        var scatter = centred
        var shrunk = means
        for k in 0..<K {
            let nk = softCounts[k]
            let c = shrinkage * nk / (nk + shrinkage)
            let base = k * block
            for j in 0..<d { scatter[base + diagonal(j)] += nk * regularization }
            let delta = (0..<d).map { mean[$0] - means[k * d + $0] }
            if axisAligned {
                for j in 0..<d { scatter[base + j] += c * delta[j] * delta[j] }
            } else {
                for r in 0..<d {
                    for col in 0..<d { scatter[base + r * d + col] += c * delta[r] * delta[col] }
                }
            }
            if place.hasScale && (place.scalePerComponent || k == 0) {
                switch scale {
                case let .variance(v):
                    for j in 0..<d { scatter[base + diagonal(j)] += place.varianceFactor * v }
                case let .matrix(m):
                    for r in 0..<d {
                        for col in 0..<d { scatter[base + r * d + col] += m[r][col] }
                    }
                }
            }
            if place.shrinksMeans {
                for j in 0..<d { shrunk[k * d + j] = (nk * means[k * d + j] + shrinkage * mean[j]) / (nk + shrinkage) }
            }
        }
        let counts = softCounts.map { $0 + place.countOffset }
        var warm = (previous as? any MclustFamily)?.storage.decomposition
        if let w = warm, !w.fits(componentCount: K, featureCount: d, model: model) { warm = nil }
        let estimate = try MclustMStep.estimate(
            model: Self.effectiveModel(model, componentCount: K), scatter: scatter, softCounts: counts, featureCount: d,
            control: .mclustDefault, previous: K == 1 ? nil : warm)
        let covariances = try Self.family(family, kind: kind, estimate: estimate, componentCount: K, featureCount: d)
        return GaussianMixture(weights: weights, flatMeans: shrunk, family: covariances, featureNames: featureNames)
    }

    /// The family of `kind` holding an mclust M-step's estimate.
    private static func family(
        _ family: any CovarianceFamily.Type, kind: CovarianceKind, estimate e: MclustCovarianceEstimate,
        componentCount K: Int, featureCount d: Int
    ) throws(CovarianceError) -> any CovarianceFamily {
        if let mclust = family as? any MclustFamily.Type {
            return try mclust.init(estimate: e, componentCount: K, featureCount: d)
        }
        func rows(_ flat: ArraySlice<Double>) -> [[Double]] {
            (0..<d).map { r in Array(flat[(flat.startIndex + r * d)..<(flat.startIndex + (r + 1) * d)]) }
        }
        let parameters: CovarianceParameters
        switch kind {
        case .full: parameters = .full((0..<K).map { rows(e.covariances[($0 * d * d)..<(($0 + 1) * d * d)]) })
        case .diagonal: parameters = .diagonal((0..<K).map { Array(e.covariances[($0 * d)..<(($0 + 1) * d)]) })
        case .spherical: parameters = .spherical(e.volumes)
        case .tied: parameters = .tied(rows(e.covariances[0..<(d * d)]))
        default: preconditionFailure("\(kind) is an mclust family")
        }
        return try family.init(parameters: parameters, componentCount: K, featureCount: d)
    }

    /// log p(θ) up to a constant (the formula above): what MAP EM adds to the
    /// log-likelihood to get the quantity it never lowers.
    ///
    /// - Precondition: mclust defines a prior for the mixture's kind, of its dimension.
    public func logDensity(of mixture: GaussianMixture) -> Double {
        let kind = mixture.covarianceKind, model = kind.mclustModel
        let K = mixture.componentCount, d = mixture.featureCount
        precondition(mean.count == d, "a prior of another dimension")
        let place = placement(for: model, componentCount: K, featureCount: d)
        let family = mixture.family
        // Rows whose whitened squared norms add up to tr(Σ_k⁻¹ S_k): the columns of
        // S's Cholesky factor, or √(factor·ς²) times the unit vectors.
        var scaleRows = [Double](repeating: 0, count: d * d)
        switch scale {
        case let .variance(v):
            for j in 0..<d { scaleRows[j * d + j] = (place.varianceFactor * v).squareRoot() }
        case let .matrix(m):
            guard let factor = try? CholeskyFactor(factoring: m.flatMap { $0 }, dimension: d) else { return -.infinity }
            for r in 0..<d {
                for c in 0..<d { scaleRows[c * d + r] = factor.lower[r * d + c] }
            }
        }
        var total = 0.0
        var work = [Double](repeating: 0, count: d * d)
        for k in 0..<K {
            total -= 0.5 * place.countOffset * family.logDeterminant(component: k)
            for j in 0..<d { work[j] = mixture.flatMeans[k * d + j] - mean[j] }
            work.withUnsafeMutableBufferPointer { family.whiten($0.baseAddress!, rows: 1, component: k) }
            total -= 0.5 * shrinkage * work[0..<d].reduce(0) { $0 + $1 * $1 }
            if place.hasScale && (place.scalePerComponent || k == 0) {
                work = scaleRows
                work.withUnsafeMutableBufferPointer { family.whiten($0.baseAddress!, rows: d, component: k) }
                total -= 0.5 * work.reduce(0) { $0 + $1 * $1 }
            }
        }
        return total
    }
}
