import Foundation

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
    /// The data cannot support the request, or the model cannot fit in memory (the reason says which).
    case infeasible(reason: String)

    public var description: String {
        switch self {
        case let .invalidOption(name, reason): "\(name) \(reason)"
        case let .infeasible(reason): reason
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

/// A soft count for a message: whole numbers as integers, others to three
/// decimals, and magnitudes an `Int` cannot hold (weights of 1e20 make such
/// counts) in exponent form.
func formatShort(_ x: Double) -> String {
    guard x.isFinite else { return "\(x)" }
    guard abs(x) < 1e15 else { return String(format: "%.4g", x) }
    let r = (x * 1000).rounded() / 1000
    return r == r.rounded() ? String(Int(r)) : String(r)
}
