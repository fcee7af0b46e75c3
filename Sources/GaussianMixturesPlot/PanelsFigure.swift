// Scatter panels side by side on shared axes, for comparing point sets that
// live in the same coordinates (real rows against synthetic ones, data before
// and after a change). Dots are coloured by a category per point.

/// One panel: a heading and its points, each with a category (its colour).
public struct ScatterPanel: Sendable {
    /// The panel's heading.
    public var heading: String
    /// The points, in data coordinates shared by every panel.
    public var points: [(x: Double, y: Double)]
    /// Each point's category (its colour), one per point.
    public var categories: [Int]

    /// A panel of `points`, each coloured by its category.
    public init(heading: String, points: [(x: Double, y: Double)], categories: [Int]) {
        precondition(points.count == categories.count)
        self.heading = heading
        self.points = points
        self.categories = categories
    }
}

/// Two or more scatter panels in a row, all on the same axes.
public struct PanelsFigure {
    /// The panels, left to right; at least one.
    public var panels: [ScatterPanel]
    /// The figure's title.
    public var title: String
    /// A line under the title, if any.
    public var subtitle: String?
    /// The horizontal axis's label.
    public var xLabel: String
    /// The vertical axis's label.
    public var yLabel: String
    /// The legend's text for each category, in colour order.
    public var categoryNames: [String]

    /// A figure of `panels` on shared axes.
    public init(panels: [ScatterPanel], title: String, subtitle: String? = nil, xLabel: String, yLabel: String, categoryNames: [String]) {
        precondition(!panels.isEmpty)
        self.panels = panels
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.categoryNames = categoryNames
    }

    /// The figure as an SVG document.
    public func render() -> SVGDocument {
        var document = SVGDocument(title: title)
        document.append(contentsOf: heading(title, subtitle: subtitle, width: Layout.width))
        let all = panels.flatMap(\.points)
        let xs = all.map(\.x), ys = all.map(\.y)
        let xTicks = AxisTicks(covering: xs.min() ?? 0, xs.max() ?? 1, count: 4)
        let yTicks = AxisTicks(covering: ys.min() ?? 0, ys.max() ?? 1)
        let gap = 24.0
        let width = (Layout.plotWidth - gap * Double(panels.count - 1)) / Double(panels.count)
        for (index, panel) in panels.enumerated() {
            let area = PlotArea(left: Layout.plotLeft + Double(index) * (width + gap), top: Layout.plotTop + 18, width: width,
                                height: Layout.plotHeight - 18, xTicks: xTicks, yTicks: yTicks)
            // The panels share the y axis: its labels once, at the left; x labels stay inside their half of the gap.
            let axes = area.axes(xLabel: xLabel, yLabel: index == 0 ? yLabel : "", showsYTickLabels: index == 0, overhang: gap / 2 - 1)
            let dots = panel.points.indices.map { i -> SVGElement in
                let p = area.pixel(panel.points[i].x, panel.points[i].y)
                return SVGElement("circle", [("class", "point"), ("cx", svgNumber(p.x)), ("cy", svgNumber(p.y)), ("r", "2.6"),
                                             ("fill", Palette.color(panel.categories[i])), ("fill-opacity", "0.75")])
            }
            let label = SVGElement("text", [("class", "panel-heading"), ("x", svgNumber(area.left + width / 2)), ("y", svgNumber(area.top - 7)),
                                            ("text-anchor", "middle"), ("font-weight", "bold")], text: panel.heading)
            document.append(SVGElement("g", [("class", "panel")], children: axes + [label] + dots))
        }
        let entries = categoryNames.enumerated().map { LegendEntry(.dot(color: Palette.color($0.offset), opacity: 0.75), $0.element) }
        document.append(legend(entries, left: Layout.legendLeft, top: Layout.legendTop + 18))
        return document
    }
}
