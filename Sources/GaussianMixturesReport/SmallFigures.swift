// The report's static figures, drawn with GaussianMixturesPlot's SVG
// elements: the convergence trace as a small line, and the pairs grid of the
// first few features (each panel the drawn rows and each component's 1σ
// ellipse on that pair, whole, with the same geometry and colours as `gmm plot`).

import Foundation
import GaussianMixtures
import GaussianMixturesPlot

enum SmallFigures {
    /// Rows drawn in each panel of the pairs grid at most: each is an SVG element per panel, and 12 panels of 600 cost ~600 kB.
    static let pairPointLimit = 600

    /// An SVG document as inline markup for an HTML page (without its XML declaration).
    static func inline(_ document: SVGDocument, id: String) -> String {
        var text = document.text
        if text.hasPrefix("<?xml"), let end = text.firstIndex(of: "\n") { text = String(text[text.index(after: end)...]) }
        return text.replacingOccurrences(of: "<svg ", with: "<svg id=\"\(id)\" role=\"img\" ", options: [], range: text.range(of: "<svg "))
    }

    /// The trace of the fit's objective per iteration: a polyline with its first and last values written.
    static func trace(_ values: [Double], label: String) -> SVGDocument {
        let width = 320.0, height = 110.0
        var document = SVGDocument(width: width, height: height, title: "\(label) per iteration")
        let ticks = AxisTicks(covering: values.min() ?? 0, values.max() ?? 1, count: 3)
        let area = PlotArea(left: 60, top: 8, width: width - 70, height: height - 34,
                            xTicks: AxisTicks(covering: 1, Double(max(values.count, 2)), count: 4), yTicks: ticks)
        let points = values.enumerated().map { i, v in area.pixel(Double(i + 1), v) }
        let path = points.map { "\(number($0.x)),\(number($0.y))" }.joined(separator: " ")
        document.append(SVGElement("rect", [("x", number(area.left)), ("y", number(area.top)), ("width", number(area.width)),
                                            ("height", number(area.height)), ("fill", "none"), ("stroke", "#999")]))
        document.append(SVGElement("polyline", [("class", "trace"), ("points", path), ("fill", "none"),
                                                ("stroke", "#1f77b4"), ("stroke-width", "2")]))
        for y in [ticks.lower, ticks.upper] {
            document.append(SVGElement("text", [("x", number(area.left - 4)), ("y", number(area.pixel(0, y).y + 4)),
                                                ("text-anchor", "end"), ("font-size", "10")], text: ticks.label(y)))
        }
        document.append(SVGElement("text", [("x", number(area.left + area.width / 2)), ("y", number(height - 8)),
                                            ("text-anchor", "middle"), ("font-size", "10")],
                                   text: "iteration 1 … \(values.count)"))
        return document
    }

    /// The pairs grid of the first `featureLimit` features: panel (i, j) plots feature j against feature i.
    ///
    /// Points carry `data-p` (their index among the drawn rows) so the script can highlight them.
    static func pairs(model: GaussianMixture, rows: [[Double]], labels: [Int], featureLimit: Int = 4,
                      pointLimit: Int = pairPointLimit) -> SVGDocument {
        let f = min(model.featureCount, featureLimit)
        let panel = 100.0, gap = 6.0, margin = 4.0
        let side = margin * 2 + Double(f) * panel + Double(f - 1) * gap
        var document = SVGDocument(width: side, height: side, title: "Pairs of the first \(f) features")
        let radius = MixtureFigure.ellipseRadii[0]
        let shown = Array(rows.indices.prefix(pointLimit))
        for i in 0..<f {
            for j in 0..<f {
                let left = margin + Double(j) * (panel + gap), top = margin + Double(i) * (panel + gap)
                if i == j {
                    document.append(SVGElement("rect", [("x", number(left)), ("y", number(top)), ("width", number(panel)),
                                                        ("height", number(panel)), ("fill", "#f4f4f4")]))
                    document.append(SVGElement("text", [("x", number(left + panel / 2)), ("y", number(top + panel / 2 + 4)),
                                                        ("text-anchor", "middle"), ("font-size", "12")], text: model.featureNames[i]))
                    continue
                }
                // Feature j across, feature i up: the same orientation as a scatterplot matrix in R.
                // The ranges hold the drawn rows and every component's drawn (1σ) ellipse whole.
                var xs = shown.map { rows[$0][j] }, ys = shown.map { rows[$0][i] }
                for k in 0..<model.componentCount {
                    let c = model.covarianceMatrix(component: k)
                    xs += [model.means[k][j] - radius * c[j][j].squareRoot(), model.means[k][j] + radius * c[j][j].squareRoot()]
                    ys += [model.means[k][i] - radius * c[i][i].squareRoot(), model.means[k][i] + radius * c[i][i].squareRoot()]
                }
                let area = PlotArea(left: left, top: top, width: panel, height: panel,
                                    xTicks: AxisTicks(padding: xs.min() ?? 0, xs.max() ?? 1, count: 3),
                                    yTicks: AxisTicks(padding: ys.min() ?? 0, ys.max() ?? 1, count: 3))
                var children = [SVGElement("rect", [("x", number(left)), ("y", number(top)), ("width", number(panel)),
                                                    ("height", number(panel)), ("fill", "none"), ("stroke", "#bbb")])]
                for p in shown {
                    let at = area.pixel(rows[p][j], rows[p][i])
                    children.append(SVGElement("circle", [("class", "pp"), ("data-p", String(p)), ("cx", number(at.x)),
                                                          ("cy", number(at.y)), ("r", "1.6"), ("fill", Palette.color(labels[p]))]))
                }
                for k in 0..<model.componentCount {
                    let c = model.covarianceMatrix(component: k)
                    let sx = area.xScale, sy = -area.yScale
                    let pixel = [[sx * sx * c[j][j], sx * sy * c[j][i]], [sx * sy * c[i][j], sy * sy * c[i][i]]]
                    let centre = area.pixel(model.means[k][j], model.means[k][i])
                    let shape = EllipseShape(centerX: centre.x, centerY: centre.y, covariance: pixel, radius: radius)
                    children.append(SVGElement("ellipse", [
                        ("cx", number(shape.centerX)), ("cy", number(shape.centerY)), ("rx", number(shape.radiusX)),
                        ("ry", number(shape.radiusY)),
                        ("transform", "rotate(\(number(shape.degrees)) \(number(shape.centerX)) \(number(shape.centerY)))"),
                        ("fill", "none"), ("stroke", Palette.color(k)), ("stroke-width", "1.2")]))
                }
                let clip = "pair-\(i)-\(j)"
                document.append(SVGElement("clipPath", [("id", clip)], children: [
                    SVGElement("rect", [("x", number(left)), ("y", number(top)), ("width", number(panel)), ("height", number(panel))])]))
                document.append(SVGElement("g", [("clip-path", "url(#\(clip))")], children: children))
            }
        }
        return document
    }

    /// Pixels with two decimals at most (the plot module's own formatter is internal).
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let r = (x * 100).rounded() / 100
        if r == r.rounded() && abs(r) < 1e15 { return String(Int64(r)) }
        return String(format: "%.2f", r)
    }
}
