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
}
