// Axis ticks at "nice" numbers: steps of 1, 2 or 5 times a power of ten, the
// axis extended outward to whole steps (Heckbert, "Nice numbers for graph
// labels", Graphics Gems, 1990), and labels with just enough decimals to
// tell neighbouring ticks apart.

import Foundation

/// The ticks of one axis: the extended range and the tick values in it.
public struct AxisTicks: Sendable, Equatable {
    /// The axis range, from the first tick to the last.
    public var lower: Double
    public var upper: Double
    /// The distance between neighbouring ticks.
    public var step: Double
    /// Tick values from `lower` to `upper`, every `step`.
    public var values: [Double]

    /// Ticks for data from `low` to `high`, about `count` of them.
    ///
    /// The range always contains [low, high]; an empty range (low == high) is
    /// widened around its value. Non-finite input gives ticks on [0, 1].
    public init(covering low: Double, _ high: Double, count: Int = 6) {
        var lo = min(low, high), hi = max(low, high)
        if !lo.isFinite || !hi.isFinite { lo = 0; hi = 1 }
        if hi - lo <= 1e-12 * max(abs(lo), abs(hi), 1e-300) {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        let step = AxisTicks.niceStep((hi - lo) / Double(max(count - 1, 1)))
        let first = (lo / step).rounded(.down)
        let last = (hi / step).rounded(.up)
        self.step = step
        self.lower = first * step
        self.upper = last * step
        self.values = stride(from: first, through: last, by: 1).map { i in
            let v = i * step
            return v == 0 ? 0 : v
        }
    }

    /// The nice number (1, 2 or 5 times a power of ten) nearest above `rough`'s neighbourhood.
    static func niceStep(_ rough: Double) -> Double {
        let exponent = floor(log10(rough))
        let power = pow(10, exponent)
        let fraction = rough / power
        let nice: Double = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        return nice * power
    }

    /// `value` as a tick label: as many decimals as the step needs, scientific
    /// notation for very large or very small steps.
    public func label(_ value: Double) -> String {
        let magnitude = max(abs(lower), abs(upper))
        if step < 1e-4 || magnitude >= 1e7 {
            let text = String(format: "%.3g", value)
            return text == "-0" ? "0" : text
        }
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
        let text = String(format: "%.\(decimals)f", value)
        return Double(text) == 0 ? String(format: "%.\(decimals)f", 0.0) : text
    }
}
