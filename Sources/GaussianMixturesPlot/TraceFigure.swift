// The mean log-likelihood per EM iteration of the kept fit, as the model file
// records it (`log_likelihood_trace`): EM never lowers it when the
// regulariser is zero, and the flat end is where the tolerance stopped it.

import Foundation

/// A line of the mean log-likelihood against the iteration.
public struct TraceFigure {
    /// The mean log-likelihood of each iteration, as `log_likelihood_trace`.
    public var trace: [Double]
    /// The figure's title.
    public var title: String
    /// A line under the title, if any.
    public var subtitle: String?

    /// A figure of `trace`; at least one value.
    public init(trace: [Double], title: String = "EM: mean log-likelihood per iteration", subtitle: String? = nil) {
        precondition(!trace.isEmpty)
        self.trace = trace
        self.title = title
        self.subtitle = subtitle
    }

    /// The figure as an SVG document.
    public func render() -> SVGDocument {
        var document = SVGDocument(title: title)
        document.append(contentsOf: heading(title, subtitle: subtitle, width: Layout.width))
        let n = trace.count
        var xTicks = AxisTicks(covering: 1, Double(n), count: min(n, 10))
        if xTicks.step < 1 { xTicks = AxisTicks(integersFrom: 1, to: n) }
        let finite = trace.filter(\.isFinite)
        let yTicks = AxisTicks(covering: finite.min() ?? 0, finite.max() ?? 1)
        var area = PlotArea(left: Layout.plotLeft, top: Layout.plotTop, width: Layout.plotWidth, height: Layout.plotHeight,
                            xTicks: xTicks, yTicks: yTicks)
        // Half an iteration of margin either side, so the end points are not on the frame.
        area.xTicks.lower -= 0.5
        area.xTicks.upper += 0.5
        document.append(contentsOf: area.axes(xLabel: "iteration", yLabel: "mean log-likelihood"))
        let pixels = trace.enumerated().map { area.pixel(Double($0.offset + 1), $0.element) }
        var marks: [SVGElement] = []
        if n > 1 {
            marks.append(SVGElement("polyline", [("class", "trace"), ("points", pixels.map { "\(svgNumber($0.x)),\(svgNumber($0.y))" }.joined(separator: " ")),
                                                 ("fill", "none"), ("stroke", Palette.color(0)), ("stroke-width", "2")]))
        }
        for p in pixels {
            marks.append(SVGElement("circle", [("class", "iteration"), ("cx", svgNumber(p.x)), ("cy", svgNumber(p.y)), ("r", "3.5"),
                                               ("fill", Palette.color(0))]))
        }
        document.append(SVGElement("g", [("class", "marks")], children: marks))
        let entries = [LegendEntry(.line(color: Palette.color(0), width: 2, dash: nil), "mean log-likelihood"),
                       LegendEntry(.note, "\(n) iteration\(n == 1 ? "" : "s")"),
                       LegendEntry(.note, "last: " + String(format: "%.6g", trace.last!))]
        document.append(legend(entries, left: Layout.legendLeft, top: Layout.legendTop))
        return document
    }
}
