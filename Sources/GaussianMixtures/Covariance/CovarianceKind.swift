/// The user's choice of covariance structure: scikit-learn's four, and mclust's
/// fourteen models of Σ_k = λ_k D_k A_k D_kᵀ (Celeux & Govaert 1995).
///
/// An mclust name's three letters say whether volume λ, shape A and orientation D
/// are Equal across components, Variable, or the Identity. scikit-learn's four are
/// four of them: `full` = VVV, `diag` = VVI, `spherical` = VII, `tied` = EEE; they
/// keep scikit-learn's names and parameter shapes (raw values are scikit-learn's
/// strings, `"diag"` not `"diagonal"`), and `init(name:)` accepts either name.
/// The other ten have their mclust names as raw values.
public enum CovarianceKind: String, CaseIterable, Codable, Sendable {
    /// Each component has its own unrestricted covariance matrix (mclust's VVV).
    case full
    /// Each component has its own diagonal covariance matrix (mclust's VVI).
    case diagonal = "diag"
    /// Each component has its own single variance (mclust's VII).
    case spherical
    /// All components share one unrestricted covariance matrix (mclust's EEE).
    case tied
    /// Spherical, equal volume: Σ_k = λ I.
    case EII
    /// Diagonal, equal volume and shape: Σ_k = λ A.
    case EEI
    /// Diagonal, variable volume, equal shape: Σ_k = λ_k A.
    case VEI
    /// Diagonal, equal volume, variable shape: Σ_k = λ A_k.
    case EVI
    /// Ellipsoidal, variable volume, equal shape and orientation: Σ_k = λ_k D A Dᵀ.
    case VEE
    /// Ellipsoidal, equal volume and orientation, variable shape: Σ_k = λ D A_k Dᵀ.
    case EVE
    /// Ellipsoidal, variable volume and shape, equal orientation: Σ_k = λ_k D A_k Dᵀ.
    case VVE
    /// Ellipsoidal, equal volume and shape, variable orientation: Σ_k = λ D_k A D_kᵀ.
    case EEV
    /// Ellipsoidal, variable volume and orientation, equal shape: Σ_k = λ_k D_k A D_kᵀ.
    case VEV
    /// Ellipsoidal, equal volume, variable shape and orientation: Σ_k = λ D_k A_k D_kᵀ.
    case EVV

    /// scikit-learn's four kinds, the ones a variational fit accepts.
    public static let scikitLearnKinds: [CovarianceKind] = [.full, .diagonal, .spherical, .tied]

    /// The fourteen models in mclust's order (`mclust.options("emModelNames")`).
    public static let mclustOrder: [CovarianceKind] = [
        .EII, .spherical, .EEI, .VEI, .EVI, .diagonal, .tied, .VEE, .EVE, .VVE, .EEV, .VEV, .EVV, .full,
    ]

    /// The kind named `name`: a raw value (`full`, `diag`, `spherical`, `tied`,
    /// `EII`, …) or the mclust name of one of scikit-learn's four (`VVV`, `VVI`,
    /// `VII`, `EEE`).
    public init?(name: String) {
        if let kind = CovarianceKind(rawValue: name) {
            self = kind
        } else if let kind = CovarianceKind.scikitLearnKinds.first(where: { $0.mclustName == name }) {
            self = kind
        } else {
            return nil
        }
    }

    /// mclust's name: `VVV`, `VVI`, `VII`, `EEE` for scikit-learn's four, the raw value otherwise.
    public var mclustName: String {
        switch self {
        case .full: "VVV"
        case .diagonal: "VVI"
        case .spherical: "VII"
        case .tied: "EEE"
        default: rawValue
        }
    }

    /// mclust's model of this kind.
    var mclustModel: MclustModelName { MclustModelName(rawValue: mclustName)! }

    /// The family type that implements this kind: the one `switch` on kinds in the library.
    var family: any CovarianceFamily.Type {
        switch self {
        case .full: FullCovariance.self
        case .diagonal: DiagonalCovariance.self
        case .spherical: SphericalCovariance.self
        case .tied: TiedCovariance.self
        case .EII: EIICovariance.self
        case .EEI: EEICovariance.self
        case .VEI: VEICovariance.self
        case .EVI: EVICovariance.self
        case .VEE: VEECovariance.self
        case .EVE: EVECovariance.self
        case .VVE: VVECovariance.self
        case .EEV: EEVCovariance.self
        case .VEV: VEVCovariance.self
        case .EVV: EVVCovariance.self
        }
    }

    /// Number of free parameters of a mixture with this covariance kind, as
    /// scikit-learn (`_n_parameters`) and mclust (`nMclustParams`) count them:
    /// covariance parameters plus `K·d` means plus `K − 1` weights.
    public func parameterCount(componentCount: Int, featureCount: Int) -> Int {
        family.covarianceParameterCount(componentCount: componentCount, featureCount: featureCount)
            + componentCount * featureCount + componentCount - 1
    }

    /// Whether components have correlations (off-diagonal covariances): the
    /// ellipsoidal models. The others are axis-aligned, their covariances diagonal.
    public var hasCorrelations: Bool { family.momentShape == .matrix }

    /// Whether each component's covariance is one variance times the identity.
    public var isSpherical: Bool { family.isSpherical }

    /// Whether every component has the same covariance matrix.
    public var sharesOneCovariance: Bool { family.sharesOneCovariance }

    /// The scikit-learn shape of a kind a variational fit accepts.
    ///
    /// - Precondition: the kind is one of scikit-learn's four (`family.scikitLearnShape` is not nil);
    ///   variational entry points refuse the others before they get here.
    var variationalShape: ScikitLearnShape {
        guard let shape = family.scikitLearnShape else {
            preconditionFailure("variational fits support full, diag, spherical and tied covariances only")
        }
        return shape
    }
}

/// The four covariance shapes scikit-learn defines (`covariance_type`), the only
/// ones its variational mixture (`BayesianGaussianMixture`) has priors for.
enum ScikitLearnShape: Sendable {
    case full, diagonal, spherical, tied
}
