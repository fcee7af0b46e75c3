// A rectangle of the figure that shows a data range: the map from data to
// pixels (y grows upward in the data, downward in SVG), and the frame, grid,
// ticks and labels drawn around it.

/// A data range drawn in a pixel rectangle.
public struct PlotArea: Sendable {
    /// The rectangle in pixels: left, top, width, height.
    public var left: Double, top: Double, width: Double, height: Double
    public var xTicks: AxisTicks
    public var yTicks: AxisTicks

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
    func axes(xLabel: String, yLabel: String, showsXTickLabels: Bool = true) -> [SVGElement] {
        var grid: [SVGElement] = []
        var marks: [SVGElement] = []
        for x in xTicks.values {
            let px = pixel(x, 0).x
            grid.append(line(px, top, px, top + height, stroke: "#e6e6e6"))
            marks.append(line(px, top + height, px, top + height + 5, stroke: "#333333"))
            if showsXTickLabels {
                marks.append(SVGElement("text", [("class", "tick-label"), ("x", svgNumber(px)), ("y", svgNumber(top + height + 19)),
                                                 ("text-anchor", "middle"), ("font-size", "12")], text: xTicks.label(x)))
            }
        }
        for y in yTicks.values {
            let py = pixel(0, y).y
            grid.append(line(left, py, left + width, py, stroke: "#e6e6e6"))
            marks.append(line(left - 5, py, left, py, stroke: "#333333"))
            marks.append(SVGElement("text", [("class", "tick-label"), ("x", svgNumber(left - 8)), ("y", svgNumber(py + 4)),
                                             ("text-anchor", "end"), ("font-size", "12")], text: yTicks.label(y)))
        }
        let frame = SVGElement("rect", [("class", "frame"), ("x", svgNumber(left)), ("y", svgNumber(top)),
                                        ("width", svgNumber(width)), ("height", svgNumber(height)),
                                        ("fill", "none"), ("stroke", "#333333")])
        let xTitle: [SVGElement] = xLabel.isEmpty ? [] : [SVGElement("text", [("class", "axis-label"), ("x", svgNumber(left + width / 2)),
                                         ("y", svgNumber(top + height + 40)), ("text-anchor", "middle")], text: xLabel)]
        let cx = left - 58, cy = top + height / 2
        let yTitle = SVGElement("text", [("class", "axis-label"), ("x", svgNumber(cx)), ("y", svgNumber(cy)),
                                         ("text-anchor", "middle"),
                                         ("transform", "rotate(-90 \(svgNumber(cx)) \(svgNumber(cy)))")], text: yLabel)
        return [SVGElement("g", [("class", "grid")], children: grid)] + [frame]
            + [SVGElement("g", [("class", "ticks")], children: marks)] + xTitle + [yTitle]
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
