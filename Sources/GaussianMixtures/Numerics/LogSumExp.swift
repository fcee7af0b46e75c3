import Foundation

/// log Σ exp(vᵢ), shifted by the maximum so no term overflows.
///
/// The largest term contributes exactly 1 to the sum, so the rest is added
/// with `log1p`, which keeps full precision when the other terms are tiny.
/// Returns −∞ for an empty input or when every value is −∞.
func logSumExp(_ values: UnsafeBufferPointer<Double>) -> Double {
    guard var m = values.first else { return -.infinity }
    var argmax = 0
    for idx in values.indices where values[idx] > m {
        m = values[idx]
        argmax = idx
    }
    guard m.isFinite else { return m }
    var rest = 0.0
    for idx in values.indices where idx != argmax { rest += exp(values[idx] - m) }
    return m + log1p(rest)
}

/// log Σ exp(vᵢ) of an array.
func logSumExp(_ values: [Double]) -> Double {
    values.withUnsafeBufferPointer { logSumExp($0) }
}
