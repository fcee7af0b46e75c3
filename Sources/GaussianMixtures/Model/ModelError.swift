/// A mixture's parameters that cannot be used, naming the parameter.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The parameter `key` (a model-file key such as `covariances[2]`) is wrong.
    case invalid(key: String, reason: String)
    /// The model has `expected` features but the data has `actual`.
    case featureCountMismatch(expected: Int, actual: Int)

    public var description: String {
        switch self {
        case let .invalid(key, reason): "\(key): \(reason)"
        case let .featureCountMismatch(expected, actual):
            "the model has \(expected) features but the data has \(actual) columns"
        }
    }

    /// The JSON key that is wrong, if any.
    public var key: String? {
        if case let .invalid(key, _) = self { return key }
        return nil
    }

    init(covariance error: CovarianceError) {
        func key(_ component: Int?) -> String { component.map { "covariances[\($0)]" } ?? "covariances" }
        switch error {
        case let .notPositiveDefinite(c): self = .invalid(key: key(c), reason: "covariance is not positive definite")
        case let .notSymmetric(c): self = .invalid(key: key(c), reason: "covariance is not symmetric (1e-8 relative)")
        case let .nonFinite(c): self = .invalid(key: key(c), reason: "every covariance entry must be a finite number")
        case let .wrongShape(expected): self = .invalid(key: "covariances", reason: "expected \(expected)")
        case let .brokenConstraint(key, reason): self = .invalid(key: key, reason: reason)
        }
    }
}
