// Axis ticks at "nice" numbers: steps of 1, 2 or 5 times a power of ten, the
// axis extended outward to whole steps (Heckbert, "Nice numbers for graph
// labels", Graphics Gems, 1990), and labels with just enough decimals to
// tell neighbouring ticks apart.

import Foundation

/// The ticks of one axis: the extended range and the tick values in it.
public struct AxisTicks: Sendable, Equatable {
    /// The axis range, from the first tick to the last.
    public var lower: Double
    /// The axis's upper end, the last tick.
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

extension AxisTicks {
    /// Ticks inside the exact range [`low`, `high`]: every multiple of `step` in
    /// it, with the range kept as given (so its ends need not be ticks).
    ///
    /// Views with equal aspect, and panels with a margin around their content,
    /// need a range that is not rounded out to whole steps.
    public init(range low: Double, _ high: Double, step: Double) {
        precondition(low < high && step > 0)
        self.lower = low
        self.upper = high
        self.step = step
        let first = (low / step - 1e-9).rounded(.up), last = (high / step + 1e-9).rounded(.down)
        self.values = first <= last ? stride(from: first, through: last, by: 1).map { i in
            let v = i * step
            return v == 0 ? 0 : v
        } : []
    }

    /// Ticks for [`low`, `high`] widened by `margin` (a fraction of the span) on
    /// each side, about `count` of them, the range not rounded out to whole steps.
    public init(padding low: Double, _ high: Double, margin: Double = 0.04, count: Int = 6) {
        let rounded = AxisTicks(covering: low, high, count: count)
        var lo = min(low, high), hi = max(low, high)
        if !lo.isFinite || !hi.isFinite || hi - lo <= 1e-12 * max(abs(lo), abs(hi), 1e-300) {
            lo = rounded.lower
            hi = rounded.upper
        }
        let pad = (hi - lo) * margin
        self.init(range: lo - pad, hi + pad, step: rounded.step)
    }
}

// MARK: - Tick labels that never collide

/// The box a line of text takes, estimated from its font size and characters.
///
/// SVG leaves the font to the viewer; the generic `sans-serif` is DejaVu Sans
/// or Liberation Sans on Linux, Helvetica or Arial elsewhere. Their digits are
/// 0.55–0.64 em wide and their ascent about 0.73 em, so the estimate takes
/// 0.64 em for digits and letters, 0.36 em for `.` and `,`, 0.84 em for `−`
/// and `+`, and counts the box from 0.75 em above the baseline to 0.25 em below.
/// Erring wide only thins labels a little more than needed.
struct TextBox: Equatable {
    var left: Double, right: Double, top: Double, bottom: Double

    /// The box of `text` drawn at (`x`, `baseline`) with the SVG `anchor` (start, middle, end).
    init(_ text: String, x: Double, baseline: Double, fontSize: Double, anchor: String) {
        let width = TextBox.width(text, fontSize: fontSize)
        switch anchor {
        case "middle": left = x - width / 2
        case "end": left = x - width
        default: left = x
        }
        right = left + width
        top = baseline - 0.75 * fontSize
        bottom = baseline + 0.25 * fontSize
    }

    /// The estimated width of `text` in pixels.
    static func width(_ text: String, fontSize: Double) -> Double {
        text.reduce(0.0) { sum, ch in
            switch ch {
            case ".", ",", " ": return sum + 0.36 * fontSize
            case "-", "+", "\u{2212}": return sum + 0.84 * fontSize
            default: return sum + 0.64 * fontSize
            }
        }
    }

    /// Whether the two boxes overlap or come closer than `gap` pixels.
    func collides(with other: TextBox, gap: Double = 0) -> Bool {
        left < other.right + gap && other.left < right + gap && top < other.bottom + gap && other.top < bottom + gap
    }
}

extension AxisTicks {
    /// The tick values that get a label: every tick when their labels fit, else
    /// every 2nd, 5th or 10th (counted in whole steps from zero, so the labelled
    /// values stay round), the first stride whose neighbouring labels keep
    /// `gap` pixels apart. `box` places a value's label.
    func labelled(gap: Double, box: (Double) -> TextBox) -> [Double] {
        for stride in [1, 2, 5, 10, 20, 50] {
            let kept = values.filter { v in
                let index = Int((v / step).rounded())
                return index % stride == 0
            }
            let boxes = kept.map(box)
            let fits = zip(boxes, boxes.dropFirst()).allSatisfy { !$0.collides(with: $1, gap: gap) }
            if fits && (!kept.isEmpty || values.isEmpty) { return kept }
        }
        return values.isEmpty ? [] : [values[values.count / 2]]
    }
}
