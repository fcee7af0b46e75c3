/// The user's choice of covariance structure, named as in scikit-learn.
///
/// Raw values are scikit-learn's strings (`"diag"`, not `"diagonal"`), so
/// model files and command-line flags stay familiar.
public enum CovarianceKind: String, CaseIterable, Codable, Sendable {
    /// Each component has its own unrestricted covariance matrix.
    case full
    /// Each component has its own diagonal covariance matrix.
    case diagonal = "diag"
    /// Each component has its own single variance.
    case spherical
    /// All components share one unrestricted covariance matrix.
    case tied

    /// The family type that implements this kind: the one `switch` on kinds in the library.
    var family: any CovarianceFamily.Type {
        switch self {
        case .full: FullCovariance.self
        case .diagonal: DiagonalCovariance.self
        case .spherical: SphericalCovariance.self
        case .tied: TiedCovariance.self
        }
    }

    /// Number of free parameters of a mixture with this covariance kind, as
    /// scikit-learn counts them (`_n_parameters`): covariance parameters plus
    /// `K·d` means plus `K − 1` weights.
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
    var sharesOneCovariance: Bool { family.sharesOneCovariance }

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
