// mclust's ten models beyond scikit-learn's four, behind the family protocol.
//
// Each model is one small type (EIICovariance.swift, …) that names its model;
// everything else is written once here. Σ_k = λ_k D_k A_k D_kᵀ; the M-step is
// `MclustMStep.estimate` (Covariance/MStep/), fed the scatters around the new
// means W_k = Σ_i r_ik (x_i − m_k)(x_i − m_k)ᵀ (their diagonals for the
// axis-aligned models, whose orientation is I) with N_k·reg added to each
// diagonal, so a regulariser adds `reg` to every variance as it does for the
// other families.
//
// Storage and the E-step reuse the existing families: an axis-aligned model
// (EII, EEI, VEI, EVI) is a `DiagonalCovariance` of its variances λ_k A_k, an
// ellipsoidal one (VEE, EVE, VVE, EEV, VEV, EVV) a `FullCovariance` of its
// matrices; the decomposition rides along for the model file and for the next
// M-step (mclust carries the inner iterations' state of VEI, VEV, EVE and VVE
// from one EM iteration to the next, and so do we through `previous`).
//
// Parameters (`CovarianceParameters.decomposed`) hold K full d×d matrices and
// the decomposition. Building from parameters checks the model's constraints
// within `constraintTolerance` relative and names the key that breaks them.

/// How closely parameters read from elsewhere must meet a model's constraints (relative).
let constraintTolerance = 1e-8

/// What every mclust model type holds: the decomposition and the family that stores the covariances.
struct MclustStorage: Sendable {
    let decomposition: MclustCovarianceEstimate
    /// A `DiagonalCovariance` (axis-aligned models) or a `FullCovariance` of the covariances.
    let base: any CovarianceFamily
    let componentCount: Int
    let featureCount: Int
}

/// One of mclust's models, implemented by its decomposition and a stored family.
protocol MclustFamily: CovarianceFamily {
    /// The model this type implements.
    static var model: MclustModelName { get }
    var storage: MclustStorage { get }
    init(storage: MclustStorage)
}

extension MclustFamily {
    static var kind: CovarianceKind { CovarianceKind(name: model.rawValue)! }

    static var momentShape: MomentShape { model.isAxisAligned ? .diagonal : .matrix }

    static var isSpherical: Bool { model.shape == .identity }

    /// Equal volume, and shape and orientation each equal or the identity (EII, EEI).
    static var sharesOneCovariance: Bool {
        model.volume == .equal && model.shape != .variable && model.orientation != .variable
    }

    static func covarianceParameterCount(componentCount: Int, featureCount: Int) -> Int {
        model.covarianceParameterCount(componentCount: componentCount, featureCount: featureCount)
    }

    /// Axis-aligned: variances, deviations and shapes (3·K·d); ellipsoidal: matrices,
    /// Cholesky factors and orientations (3·K·d²), whatever the free parameters.
    static func storedValueCount(componentCount kCount: Int, featureCount d: Int) -> Double {
        model.isAxisAligned ? 3 * Double(kCount) * Double(d) : 3 * Double(kCount) * Double(d) * Double(d)
    }

    var componentCount: Int { storage.componentCount }
    var featureCount: Int { storage.featureCount }

    /// Builds the family from an estimate whose numbers the M-step has checked.
    init(estimate: MclustCovarianceEstimate, componentCount kCount: Int, featureCount d: Int) throws(CovarianceError) {
        let base: any CovarianceFamily = if Self.model.isAxisAligned {
            try DiagonalCovariance(variances: estimate.covariances, componentCount: kCount, featureCount: d)
        } else {
            try FullCovariance(matrices: estimate.covariances, componentCount: kCount, featureCount: d)
        }
        self.init(storage: MclustStorage(decomposition: estimate, base: base, componentCount: kCount, featureCount: d))
    }

    init(parameters: CovarianceParameters, componentCount kCount: Int, featureCount d: Int) throws(CovarianceError) {
        guard case let .decomposed(kind, covariances, parts) = parameters, kind == Self.kind else {
            throw .wrongShape(expected: "\(Self.model.rawValue) covariances with their volumes, shapes and orientations")
        }
        let estimate = try MclustConstraints.check(
            model: Self.model, covariances: covariances, decomposition: parts, componentCount: kCount, featureCount: d)
        try self.init(estimate: estimate, componentCount: kCount, featureCount: d)
    }

    static func estimate(
        centredMoments: [Double], softCounts: [Double], featureCount d: Int, regularization: Double
    ) throws(CovarianceError) -> Self {
        try estimate(centredMoments: centredMoments, softCounts: softCounts, featureCount: d,
                     regularization: regularization, previous: nil)
    }

    static func estimate(
        centredMoments: [Double], softCounts: [Double], featureCount d: Int, regularization: Double,
        previous: (any CovarianceFamily)?
    ) throws(CovarianceError) -> Self {
        let kCount = softCounts.count
        var scatter = centredMoments
        for k in 0..<kCount {
            let add = softCounts[k] * regularization
            if model.isAxisAligned {
                for j in 0..<d { scatter[k * d + j] += add }
            } else {
                for j in 0..<d { scatter[k * d * d + j * d + j] += add }
            }
        }
        let warm = (previous as? Self).map(\.storage.decomposition)
            .flatMap { $0.fits(componentCount: kCount, featureCount: d, model: model) ? $0 : nil }
        let estimate = try MclustMStep.estimate(
            model: model, scatter: scatter, softCounts: softCounts, featureCount: d,
            control: .mclustDefault, previous: warm)
        return try Self(estimate: estimate, componentCount: kCount, featureCount: d)
    }

    var parameters: CovarianceParameters {
        let d = featureCount
        let e = storage.decomposition
        let covariances = (0..<componentCount).map { k in
            let m = storage.base.covarianceMatrix(component: k)
            return (0..<d).map { r in Array(m[(r * d)..<((r + 1) * d)]) }
        }
        let shapes = (0..<componentCount).map { k in Array(e.shapes[(k * d)..<((k + 1) * d)]) }
        let orientations = e.orientations.map { o in
            (0..<componentCount).map { k in (0..<d).map { r in Array(o[(k * d * d + r * d)..<(k * d * d + (r + 1) * d)]) } }
        }
        return .decomposed(Self.kind, covariances: covariances,
                           decomposition: CovarianceDecomposition(volumes: e.volumes, shapes: shapes, orientations: orientations))
    }

    func logDeterminant(component k: Int) -> Double { storage.base.logDeterminant(component: k) }

    func whiten(_ block: UnsafeMutablePointer<Double>, rows: Int, component k: Int) {
        storage.base.whiten(block, rows: rows, component: k)
    }

    func colour(_ block: UnsafeMutablePointer<Double>, rows: Int, component k: Int) {
        storage.base.colour(block, rows: rows, component: k)
    }

    func covarianceMatrix(component k: Int) -> [Double] { storage.base.covarianceMatrix(component: k) }

    func covariance(component k: Int, row i: Int, column j: Int) -> Double {
        storage.base.covariance(component: k, row: i, column: j)
    }

    func logJointKernel(means: [Double], normalizers: [Double], blockRows: Int) -> any LogJointKernel {
        storage.base.logJointKernel(means: means, normalizers: normalizers, blockRows: blockRows)
    }

    /// Conditioning keeps neither equal volumes nor equal shapes in general: the
    /// result is diagonal (axis-aligned models) or full (ellipsoidal ones).
    static func conditionalParameters(_ covariances: [[Double]], targetCount nb: Int) -> CovarianceParameters {
        model.isAxisAligned ? DiagonalCovariance.conditionalParameters(covariances, targetCount: nb)
            : FullCovariance.conditionalParameters(covariances, targetCount: nb)
    }

    /// `covariances` (K full d×d matrices, so any reader can use them), `volume`,
    /// `shape` and, for the ellipsoidal models, `orientation`.
    func modelFileMembers() -> [(String, String)] {
        guard case let .decomposed(_, covariances, parts) = parameters else { preconditionFailure("mclust parameters") }
        func matrices(_ m: [[[Double]]]) -> String { JSONWriter.matrices(m, indent: "  ") }
        var members = [("covariances", matrices(covariances)), ("volume", JSONWriter.list(parts.volumes)),
                       ("shape", JSONWriter.matrix(parts.shapes, indent: "  "))]
        if let o = parts.orientations { members.append(("orientation", matrices(o))) }
        return members
    }

    static func parameters(
        reading file: ModelFile.Reader, componentCount: Int, featureCount: Int
    ) throws(ModelFileError) -> CovarianceParameters {
        func matrices(_ key: String) throws(ModelFileError) -> [[[Double]]] {
            try file.list(file.object[key], key: key).enumerated().map { (idx, v) throws(ModelFileError) in
                try file.rows(v, key: "\(key)[\(idx)]")
            }
        }
        let covariances = try matrices("covariances")
        let volumes = try file.numbers(file.object["volume"], key: "volume")
        let shapes = try file.rows(file.object["shape"], key: "shape")
        let orientations = file.object["orientation"] == nil ? nil : try matrices("orientation")
        return .decomposed(kind, covariances: covariances,
                           decomposition: CovarianceDecomposition(volumes: volumes, shapes: shapes, orientations: orientations))
    }
}
