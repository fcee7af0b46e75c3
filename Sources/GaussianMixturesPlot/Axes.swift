// A rectangle of the figure that shows a data range: the map from data to
// pixels (y grows upward in the data, downward in SVG), and the frame, grid,
// ticks and labels drawn around it.

/// A data range drawn in a pixel rectangle.
public struct PlotArea: Sendable {
    /// The rectangle in pixels: left, top, width, height.
    public var left: Double, top: Double, width: Double, height: Double
    /// The horizontal axis's range and ticks.
    public var xTicks: AxisTicks
    /// The vertical axis's range and ticks.
    public var yTicks: AxisTicks

    /// The area whose pixel rectangle is `left`, `top`, `width`, `height` and whose data ranges are
    /// those of `xTicks` and `yTicks`.
    public init(left: Double, top: Double, width: Double, height: Double, xTicks: AxisTicks, yTicks: AxisTicks) {
        self.left = left
        self.top = top
        self.width = width
        self.height = height
        self.xTicks = xTicks
        self.yTicks = yTicks
    }

    /// Pixels per data unit along x.
    public var xScale: Double { width / (xTicks.upper - xTicks.lower) }
    /// Pixels per data unit along y (positive; the flip is in `pixel`).
    public var yScale: Double { height / (yTicks.upper - yTicks.lower) }

    /// The pixel position of the data point (x, y).
    public func pixel(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        (left + (x - xTicks.lower) * xScale, top + height - (y - yTicks.lower) * yScale)
    }

    /// The frame, light grid lines, tick marks and tick labels, and the two axis labels.
    ///
    /// Tick labels never collide: when neighbouring labels would come closer
    /// than a few pixels, only every 2nd, 5th or 10th tick is labelled (the
    /// grid keeps every tick), and a label that would reach more than
    /// `overhang` pixels past the end of its axis (into a neighbouring panel)
    /// is left out.
    func axes(xLabel: String, yLabel: String, showsXTickLabels: Bool = true, showsYTickLabels: Bool = true,
              fontSize: Double = 12, overhang: Double = 40) -> [SVGElement] {
        var grid: [SVGElement] = []
        var marks: [SVGElement] = []
        for x in xTicks.values {
            let px = pixel(x, 0).x
            grid.append(line(px, top, px, top + height, stroke: "#e6e6e6"))
            marks.append(line(px, top + height, px, top + height + 5, stroke: "#333333"))
        }
        for y in yTicks.values {
            let py = pixel(0, y).y
            grid.append(line(left, py, left + width, py, stroke: "#e6e6e6"))
            marks.append(line(left - 5, py, left, py, stroke: "#333333"))
        }
        if showsXTickLabels {
            for x in xTickLabelValues(fontSize: fontSize, overhang: overhang) {
                let (px, baseline) = xTickLabelPosition(x, fontSize: fontSize)
                marks.append(SVGElement("text", [("class", "tick-label"), ("x", svgNumber(px)), ("y", svgNumber(baseline)),
                                                 ("text-anchor", "middle"), ("font-size", svgNumber(fontSize))], text: xTicks.label(x)))
            }
        }
        var widest = 0.0
        if showsYTickLabels {
            for y in yTickLabelValues(fontSize: fontSize, overhang: overhang) {
                widest = max(widest, TextBox.width(yTicks.label(y), fontSize: fontSize))
                let (px, baseline) = yTickLabelPosition(y, fontSize: fontSize)
                marks.append(SVGElement("text", [("class", "tick-label"), ("x", svgNumber(px)), ("y", svgNumber(baseline)),
                                                 ("text-anchor", "end"), ("font-size", svgNumber(fontSize))], text: yTicks.label(y)))
            }
        }
        let frame = SVGElement("rect", [("class", "frame"), ("x", svgNumber(left)), ("y", svgNumber(top)),
                                        ("width", svgNumber(width)), ("height", svgNumber(height)),
                                        ("fill", "none"), ("stroke", "#333333")])
        let xTitle: [SVGElement] = xLabel.isEmpty ? [] : [SVGElement("text", [("class", "axis-label"), ("x", svgNumber(left + width / 2)),
                                         ("y", svgNumber(top + height + 40)), ("text-anchor", "middle")], text: xLabel)]
        // The y title stands clear of the widest tick label (its glyphs reach 0.25 em right of its baseline).
        let cx = max(min(left - 58, left - 16 - widest), 12), cy = top + height / 2
        let yTitle: [SVGElement] = yLabel.isEmpty ? [] : [SVGElement("text", [("class", "axis-label"), ("x", svgNumber(cx)), ("y", svgNumber(cy)),
                                         ("text-anchor", "middle"),
                                         ("transform", "rotate(-90 \(svgNumber(cx)) \(svgNumber(cy)))")], text: yLabel)]
        return [SVGElement("g", [("class", "grid")], children: grid)] + [frame]
            + [SVGElement("g", [("class", "ticks")], children: marks)] + xTitle + yTitle
    }

    /// Where the label of x tick `x` goes: centred under the tick, baseline below the frame.
    func xTickLabelPosition(_ x: Double, fontSize: Double) -> (x: Double, baseline: Double) {
        (pixel(x, 0).x, top + height + 7 + fontSize)
    }

    /// Where the label of y tick `y` goes: right-aligned left of the tick, centred on it.
    func yTickLabelPosition(_ y: Double, fontSize: Double) -> (x: Double, baseline: Double) {
        (left - 8, pixel(0, y).y + fontSize / 3)
    }

    /// The x ticks that get a label (see `axes`).
    func xTickLabelValues(fontSize: Double, overhang: Double) -> [Double] {
        let box = { (x: Double) -> TextBox in
            let at = xTickLabelPosition(x, fontSize: fontSize)
            return TextBox(xTicks.label(x), x: at.x, baseline: at.baseline, fontSize: fontSize, anchor: "middle")
        }
        var inside = xTicks
        inside.values = xTicks.values.filter { x in
            let b = box(x)
            return b.left >= left - overhang && b.right <= left + width + overhang
        }
        return inside.labelled(gap: 0.5 * fontSize, box: box)
    }

    /// The y ticks that get a label (see `axes`).
    func yTickLabelValues(fontSize: Double, overhang: Double) -> [Double] {
        let box = { (y: Double) -> TextBox in
            let at = yTickLabelPosition(y, fontSize: fontSize)
            return TextBox(yTicks.label(y), x: at.x, baseline: at.baseline, fontSize: fontSize, anchor: "end")
        }
        var inside = yTicks
        inside.values = yTicks.values.filter { y in
            let b = box(y)
            return b.top >= top - overhang && b.bottom <= top + height + overhang
        }
        return inside.labelled(gap: 0.2 * fontSize, box: box)
    }

    /// The boxes of every tick label `axes` draws with these settings.
    func tickLabelBoxes(fontSize: Double = 12, overhang: Double = 40) -> [TextBox] {
        xTickLabelValues(fontSize: fontSize, overhang: overhang).map { x in
            let at = xTickLabelPosition(x, fontSize: fontSize)
            return TextBox(xTicks.label(x), x: at.x, baseline: at.baseline, fontSize: fontSize, anchor: "middle")
        } + yTickLabelValues(fontSize: fontSize, overhang: overhang).map { y in
            let at = yTickLabelPosition(y, fontSize: fontSize)
            return TextBox(yTicks.label(y), x: at.x, baseline: at.baseline, fontSize: fontSize, anchor: "end")
        }
    }

    /// A clip path named `id` that keeps drawing inside the rectangle.
    func clipPath(id: String) -> SVGElement {
        SVGElement("clipPath", [("id", id)], children: [
            SVGElement("rect", [("x", svgNumber(left)), ("y", svgNumber(top)),
                                ("width", svgNumber(width)), ("height", svgNumber(height))]),
        ])
    }
}

/// A straight line between two pixel positions.
func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1,
          dash: String? = nil, cssClass: String? = nil) -> SVGElement {
    var attributes: [(String, String)] = []
    if let cssClass { attributes.append(("class", cssClass)) }
    attributes += [("x1", svgNumber(x1)), ("y1", svgNumber(y1)), ("x2", svgNumber(x2)), ("y2", svgNumber(y2)),
                   ("stroke", stroke), ("stroke-width", svgNumber(width))]
    if let dash { attributes.append(("stroke-dasharray", dash)) }
    return SVGElement("line", attributes)
}

/// The figure's title and up to two smaller lines under it (longer lines are cut with "…").
func heading(_ title: String, subtitle: String?, width: Double) -> [SVGElement] {
    var out = [SVGElement("text", [("class", "title"), ("x", svgNumber(width / 2)), ("y", "24"),
                                   ("text-anchor", "middle"), ("font-size", "17"), ("font-weight", "bold")], text: title)]
    let lines = (subtitle ?? "").split(separator: "\n").prefix(2)
    for (i, line) in lines.enumerated() {
        let shown = line.count > 120 ? line.prefix(119) + "…" : line
        out.append(SVGElement("text", [("class", "subtitle"), ("x", svgNumber(width / 2)), ("y", svgNumber(43 + 15 * Double(i))),
                                       ("text-anchor", "middle"), ("font-size", "12"), ("fill", "#444444")], text: String(shown)))
    }
    return out
}
