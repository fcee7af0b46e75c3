// What a view shows: every drawn point and the whole of every component's 2σ
// ellipse, plus a margin of 4% of the span on each side (R's default), so no
// ellipse is ever cut by the frame. The ellipse {p : (p − μ)ᵀ Σ⁻¹ (p − μ) = r²}
// reaches μ_x ± r √Σ_xx along x and μ_y ± r √Σ_yy along y, so its bounding box
// is exact without tracing it. A view of principal directions has equal aspect:
// both axes are lengths in the same feature space, so one unit gets the same
// number of pixels on both and a round cluster looks round.

/// The axis ranges of a scatter view.
enum Framing {
    /// The margin on each side, as a fraction of the span.
    static let margin = 0.04
    /// Pixels between ticks that equal-aspect views aim for.
    static let pixelsPerTick = 90.0

    /// The smallest box holding `points` and the ellipses of radius `radius` of
    /// each (mean, 2×2 covariance).
    static func extent(points: [(x: Double, y: Double)], means: [(x: Double, y: Double)], covariances: [[[Double]]],
                       radius: Double) -> (xLow: Double, xHigh: Double, yLow: Double, yHigh: Double) {
        var xs = points.map(\.x), ys = points.map(\.y)
        for (mean, c) in zip(means, covariances) {
            let rx = radius * max(c[0][0], 0).squareRoot(), ry = radius * max(c[1][1], 0).squareRoot()
            xs += [mean.x - rx, mean.x + rx]
            ys += [mean.y - ry, mean.y + ry]
        }
        return (xs.min() ?? 0, xs.max() ?? 1, ys.min() ?? 0, ys.max() ?? 1)
    }

    /// One axis's ticks over [`low`, `high`] plus the margin.
    static func ticks(_ low: Double, _ high: Double, count: Int = 6) -> AxisTicks {
        AxisTicks(padding: low, high, margin: margin, count: count)
    }

    /// Ticks for both axes of a `width` × `height` pixel area showing the box,
    /// with the margin; with `equalAspect`, the shorter side (in units per
    /// pixel) is widened about its centre until one unit is the same number of
    /// pixels on both axes, and both axes tick at the same step.
    static func ticks(xLow: Double, xHigh: Double, yLow: Double, yHigh: Double, width: Double, height: Double,
                      equalAspect: Bool) -> (x: AxisTicks, y: AxisTicks) {
        let x = ticks(xLow, xHigh), y = ticks(yLow, yHigh)
        guard equalAspect else { return (x, y) }
        let unitsPerPixel = max((x.upper - x.lower) / width, (y.upper - y.lower) / height)
        let step = AxisTicks.niceStep(unitsPerPixel * pixelsPerTick)
        let xMid = (x.lower + x.upper) / 2, yMid = (y.lower + y.upper) / 2
        let halfWidth = unitsPerPixel * width / 2, halfHeight = unitsPerPixel * height / 2
        return (AxisTicks(range: xMid - halfWidth, xMid + halfWidth, step: step),
                AxisTicks(range: yMid - halfHeight, yMid + halfHeight, step: step))
    }
}

extension AxisTicks {
    /// Ticks for both axes of a `width` × `height` pixel area that shows the
    /// box [`xLow`, `xHigh`] × [`yLow`, `yHigh`] whole, with a margin of 4% of
    /// each span; with `equalAspect`, one unit is the same number of pixels on
    /// both axes (the shorter side is widened about its centre). The ranges'
    /// ends need not be ticks.
    public static func view(xLow: Double, xHigh: Double, yLow: Double, yHigh: Double, width: Double, height: Double,
                            equalAspect: Bool) -> (x: AxisTicks, y: AxisTicks) {
        Framing.ticks(xLow: xLow, xHigh: xHigh, yLow: yLow, yHigh: yHigh, width: width, height: height, equalAspect: equalAspect)
    }

    /// The values whose labels fit on an axis `length` pixels long: every
    /// tick, or every 2nd, 5th or 10th when neighbouring labels would collide
    /// (the rule `gmm plot` draws by). `vertical` is a y axis (labels stacked),
    /// otherwise an x axis (labels side by side).
    public func labelledValues(axisLength length: Double, fontSize: Double = 12, vertical: Bool) -> [Double] {
        let area = PlotArea(left: 0, top: 0, width: vertical ? 100 : length, height: vertical ? length : 100, xTicks: self, yTicks: self)
        return vertical ? area.yTickLabelValues(fontSize: fontSize, overhang: 40) : area.xTickLabelValues(fontSize: fontSize, overhang: 40)
    }
}
