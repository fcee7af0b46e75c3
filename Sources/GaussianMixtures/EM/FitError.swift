/// Why a fit could not produce a model.
public enum FitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An option is out of range or contradicts another.
    case invalidOption(name: String, reason: String)
    /// Fewer rows than components.
    case tooFewSamples(samples: Int, components: Int)
    /// The data and the initial model disagree on the number of features.
    case featureCountMismatch(expected: Int, actual: Int)
    /// The frequency weights are unusable; `row` is 0-based where one row is at fault.
    case invalidWeights(row: Int?, reason: String)
    /// Component `component` (0-based) collapsed: its covariance could not be
    /// factored even with the regulariser. `softCount` is its N_k at that point.
    case componentCollapsed(component: Int?, softCount: Double?, iteration: Int)

    public var description: String {
        switch self {
        case let .invalidOption(name, reason): "\(name) \(reason)"
        case let .tooFewSamples(samples, components):
            "cannot fit \(components) components to \(samples) rows: need at least as many rows as components"
        case let .invalidWeights(row, reason):
            row.map { "weight of row \($0 + 1): \(reason)" } ?? "weights: \(reason)"
        case let .featureCountMismatch(expected, actual):
            "the initial model has \(expected) features but the data has \(actual) columns"
        case let .componentCollapsed(component, softCount, iteration):
            { () -> String in
                let which = component.map { "component \($0)" } ?? "the shared covariance"
                let count = softCount.map { " (soft count \(formatShort($0)))" } ?? ""
                return "\(which)\(count) collapsed in iteration \(iteration): its covariance is not positive definite "
                    + "even with the regulariser; try fewer components, a larger --reg-covar, or rescaled data"
            }()
        }
    }
}

func formatShort(_ x: Double) -> String {
    let r = (x * 1000).rounded() / 1000
    return r == r.rounded() ? String(Int(r)) : String(r)
}
