// The M-step of every mclust covariance model, from per-component scatter
// matrices around the new means. One entry point, `MclustMStep.estimate`,
// checks the input, hands it to the model's estimator (one file per model or
// group of models beside this one) and checks the result.
//
// Notation in this folder: K components, d features, n_k soft counts,
// n = Σ_k n_k, W_k the scatter Σ_i r_ik (x_i − m_k)(x_i − m_k)ᵀ (or its
// diagonal w_k for the axis-aligned models), λ volume, A shape, D orientation,
// as in Celeux & Govaert (1995). mclust divides its E-volumes by the row count;
// here by n = Σ_k n_k, the same number whenever each row's responsibilities
// sum to one (no noise component).

/// The input of one M-step, checked: K scatter blocks of `blockSize` values.
struct MclustScatter: Sendable {
    let values: [Double]
    let softCounts: [Double]
    let featureCount: Int
    let isDiagonal: Bool

    var componentCount: Int { softCounts.count }
    var blockSize: Int { isDiagonal ? featureCount : featureCount * featureCount }
    var total: Double { softCounts.reduce(0, +) }

    /// W_k (or w_k) as its own array.
    func block(_ k: Int) -> [Double] { Array(values[(k * blockSize)..<((k + 1) * blockSize)]) }
}

enum MclustMStep {
    /// Σ_k = λ_k D_k A_k D_kᵀ for `model`, from per-component scatters.
    ///
    /// Axis-aligned models take K×d diagonal scatters; full-type models take
    /// K×d×d scatters. scatter_k = Σ_i r_ik (x_i − m_k)(x_i − m_k)ᵀ around the
    /// new means (the caller has already added n_k·regularization to its
    /// diagonal); softCounts = n_k > 0. A full scatter is symmetrised,
    /// (W + Wᵀ)/2, before use.
    ///
    /// - Parameters:
    ///   - control: when the inner loop of VEI, VEE, EVE, VVE and VEV stops;
    ///     ignored by the closed-form models.
    ///   - previous: the last M-step's estimate of the same model, when the
    ///     caller has one. mclust's `me*` routines carry the inner state from
    ///     one EM iteration to the next for VEI (volumes and shape), VEV (the
    ///     same) and EVE, VVE (orientation and shapes), and restart it for VEE;
    ///     this function does the same, so `previous` is read by those four
    ///     models only. `nil` starts the inner loop as mclust's `mstep*` does.
    /// - Throws: `CovarianceError.wrongShape` for inputs of the wrong size;
    ///   `.nonFinite` for a non-finite scatter, count or result;
    ///   `.notPositiveDefinite` when a covariance comes out singular (a
    ///   non-positive or numerically zero volume or shape, or a scatter the
    ///   model needs to be positive definite that is not). The component is
    ///   named when the failing quantity belongs to one; `nil` when it is shared.
    static func estimate(
        model: MclustModelName, scatter: [Double], softCounts: [Double], featureCount d: Int,
        control: MclustInnerControl, previous: MclustCovarianceEstimate?
    ) throws(CovarianceError) -> MclustCovarianceEstimate {
        let K = softCounts.count
        guard K > 0, d > 0 else { throw .wrongShape(expected: "at least one component and one feature") }
        let blockSize = model.isAxisAligned ? d : d * d
        guard scatter.count == K * blockSize else {
            throw .wrongShape(expected: model.isAxisAligned
                ? "\(K)×\(d) diagonal scatters for \(model.rawValue)"
                : "\(K)×\(d)×\(d) scatter matrices for \(model.rawValue)")
        }
        for k in 0..<K {
            guard softCounts[k].isFinite else { throw .nonFinite(component: k) }
            guard softCounts[k] > 0 else { throw .notPositiveDefinite(component: k) }
            guard scatter[(k * blockSize)..<((k + 1) * blockSize)].allSatisfy(\.isFinite) else {
                throw .nonFinite(component: k)
            }
        }
        var values = scatter
        if !model.isAxisAligned {
            for k in 0..<K {
                let base = k * d * d
                for r in 0..<d {
                    for c in (r + 1)..<d {
                        let mean = 0.5 * (values[base + r * d + c] + values[base + c * d + r])
                        values[base + r * d + c] = mean
                        values[base + c * d + r] = mean
                    }
                }
            }
        }
        let input = MclustScatter(values: values, softCounts: softCounts, featureCount: d, isDiagonal: model.isAxisAligned)
        let warmStart = previous.flatMap { $0.fits(componentCount: K, featureCount: d, model: model) ? $0 : nil }
        if previous != nil, warmStart == nil {
            throw .wrongShape(expected: "a previous \(model.rawValue) estimate for \(K) components in \(d) dimensions")
        }

        let result: MclustCovarianceEstimate
        switch model {
        case .EII: result = MclustAxisAlignedMStep.eii(input)
        case .VII: result = MclustAxisAlignedMStep.vii(input)
        case .EEI: result = try MclustAxisAlignedMStep.eei(input)
        case .EVI: result = try MclustAxisAlignedMStep.evi(input)
        case .VVI: result = try MclustAxisAlignedMStep.vvi(input)
        case .VEI: result = try MclustVEIMStep.estimate(input, control: control, previous: warmStart)
        case .EEE: result = try MclustFullMStep.eee(input)
        case .VVV: result = try MclustFullMStep.vvv(input)
        case .EEV: result = try MclustFullMStep.eev(input)
        case .EVV: result = try MclustFullMStep.evv(input)
        case .VEE: result = try MclustVEEMStep.estimate(input, control: control)
        case .VEV: result = try MclustVEVMStep.estimate(input, control: control, previous: warmStart)
        case .EVE, .VVE:
            result = try MclustCommonOrientationMStep.estimate(
                input, variableVolume: model == .VVE, control: control, previous: warmStart)
        }
        try result.check(model: model, featureCount: d)
        return result
    }
}

extension MclustCovarianceEstimate {
    /// Whether this estimate has the sizes of a `model` fit with K components in d dimensions.
    func fits(componentCount K: Int, featureCount d: Int, model: MclustModelName) -> Bool {
        volumes.count == K && shapes.count == K * d
            && (orientations?.count ?? 0) == (model.isAxisAligned ? 0 : K * d * d)
            && covariances.count == K * (model.isAxisAligned ? d : d * d)
    }

    /// Throws unless every number is finite and every volume and shape
    /// positive; for full-type models also not numerically zero (a shape
    /// below d·ε times the component's largest, which no Cholesky factor of
    /// D A Dᵀ would survive; a diagonal covariance has no such limit).
    func check(model: MclustModelName, featureCount d: Int) throws(CovarianceError) {
        let K = volumes.count
        func owner(_ constraint: MclustModelName.Constraint, _ k: Int) -> Int? {
            constraint == .variable ? k : nil
        }
        for k in 0..<K {
            let volume = volumes[k]
            guard volume.isFinite else { throw .nonFinite(component: owner(model.volume, k)) }
            guard volume > 0 else { throw .notPositiveDefinite(component: owner(model.volume, k)) }
            let row = shapes[(k * d)..<((k + 1) * d)]
            guard row.allSatisfy(\.isFinite) else { throw .nonFinite(component: owner(model.shape, k)) }
            let largest = row.max() ?? 0
            let floor = model.isAxisAligned ? 0 : largest * Double(d) * Double.ulpOfOne
            guard let smallest = row.min(), smallest > floor, smallest > 0 else {
                throw .notPositiveDefinite(component: owner(model.shape, k))
            }
        }
        let blockSize = model.isAxisAligned ? d : d * d
        for k in 0..<K where !covariances[(k * blockSize)..<((k + 1) * blockSize)].allSatisfy(\.isFinite) {
            throw .nonFinite(component: k)
        }
        if let orientations, !orientations.allSatisfy(\.isFinite) { throw .nonFinite(component: nil) }
    }
}
