// Log-joints of a row too far from every component for |z|² to be a double.
//
// log P(x, c = k) = c_k − ½ |z_k|², with c_k the component's log-normaliser and
// z_k its whitened deviation. For a row near 1e155 |z_k|² overflows, every
// log-joint is −∞, and the textbook normalisation gives NaN. Yet P(c|x) is well
// defined, and so is the difference between two components,
//   c_k − c_j − ½ (s m_k − s m_j)(s m_k + s m_j),
// when the distances are kept scaled, |z_k| = s·m_k with s a power of two.

/// log P(x, c = k) relative to the largest of them, from scaled Mahalanobis distances.
///
/// - Parameters:
///   - normalizers: c_k.
///   - distances: m_k = |z_k| / `scale` (finite, or +∞ for a component the row is infinitely far from).
///   - scale: s, a power of two.
/// - Returns: the differences a_k − a_best (0 at `best`, −∞ where the gap
///   overflows), the index of the largest log-joint, and that log-joint itself
///   (−∞ when it underflows).
func logJointsFromScaledDistances(
    normalizers: [Double], distances: [Double], scale: Double
) -> (differences: [Double], best: Int, largest: Double) {
    func difference(_ k: Int, _ j: Int) -> Double {
        if distances[k] == distances[j] { return normalizers[k] - normalizers[j] }
        let value = normalizers[k] - normalizers[j]
            - 0.5 * (scale * (distances[k] - distances[j])) * (scale * (distances[k] + distances[j]))
        return value.isNaN ? -.infinity : value
    }
    var best = 0
    for k in 1..<max(normalizers.count, 1) where difference(k, best) > 0 { best = k }
    let scaledBest = scale * distances[best]
    let largest = normalizers[best] - 0.5 * scaledBest * scaledBest
    return (normalizers.indices.map { $0 == best ? 0 : difference($0, best) }, best, largest.isNaN ? -.infinity : largest)
}

/// A power of two at or below the largest magnitude among `values` (1 when it is at most 1):
/// dividing by it brings every value into [−2, 2] without rounding.
func powerOfTwoScale<S: Sequence<Double>>(_ values: S) -> Double {
    let largest = values.reduce(0) { max($0, abs($1)) }
    return largest > 1 ? Double(sign: .plus, exponent: largest.exponent, significand: 1) : 1
}

/// |v| without overflow or underflow in the squares.
func scaledNorm(_ v: [Double]) -> Double {
    let top = v.reduce(0) { max($0, abs($1)) }
    guard top > 0 && top.isFinite else { return top }
    return top * v.reduce(0) { $0 + ($1 / top) * ($1 / top) }.squareRoot()
}
