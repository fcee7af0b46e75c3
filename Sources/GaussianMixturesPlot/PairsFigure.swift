// The pairs figure of a mixture with more than two features, after mclust's
// `plot(model, what = "classification")`: a grid with one row and one column
// per feature; the panel in row i, column j plots feature j across and
// feature i up, rows as dots coloured by their most probable component (under
// the whole model, not the pair) and each component's 2σ ellipse of its exact
// marginal on the pair (μ_(j,i), Σ restricted to j and i). The diagonal names
// the feature and draws each component's weighted marginal density on it.
// Every column shares its feature's range, which holds the data and every
// component's 2σ reach μ ± r √Σ_jj, so no ellipse is cut.

import Foundation
import GaussianMixtures

/// A grid of pairwise scatter panels of data under a mixture.
public struct PairsFigure {
    /// Features drawn at most; more make panels too small to read.
    public static let maxFeatures = 10

    /// The mixture whose marginals the panels show.
    public var model: GaussianMixture
    /// The rows drawn under it, one column per feature of the model.
    public var data: DataMatrix
    /// The features drawn, 0-based, in grid order.
    public var features: [Int]
    /// The figure's title.
    public var title: String
    /// Drawn rows at most; larger data is thinned to every n-th row (noted in
    /// the figure). Fewer still with many features: at most `pointBudget` dots
    /// in all panels together, so ten features stay a few megabytes.
    public var maxPoints = 3_000
    /// Dots in all off-diagonal panels together, at most.
    public static let pointBudget = 60_000

    /// A pairs figure of `features` (default: all of them) of `data` under `model`.
    public init(model: GaussianMixture, data: DataMatrix, features: [Int]? = nil, title: String) {
        let chosen = features ?? Array(0..<model.featureCount)
        precondition(data.featureCount == model.featureCount && (2...Self.maxFeatures).contains(chosen.count)
            && Set(chosen).count == chosen.count && chosen.allSatisfy { (0..<model.featureCount).contains($0) })
        self.model = model
        self.data = data
        self.features = chosen
        self.title = title
    }

    /// The side of one panel in pixels for `count` features.
    static func panelSide(_ count: Int) -> Double { min(max(640 / Double(count), 72), 170) }

    /// Each drawn feature's axis: its data and every component's 2σ reach, plus the margin.
    func featureTicks(_ shown: DataMatrix) -> [AxisTicks] {
        let reach = MixtureFigure.ellipseRadii[1]
        return features.map { j in
            var values = (0..<shown.sampleCount).map { shown[$0, j] }
            for k in 0..<model.componentCount {
                let s = model.covarianceMatrix(component: k)[j][j].squareRoot()
                values += [model.means[k][j] - reach * s, model.means[k][j] + reach * s]
            }
            return Framing.ticks(values.min()!, values.max()!, count: 4)
        }
    }

    /// Draws the figure.
    ///
    /// - Throws: `ModelError` if the data do not match the model.
    public func render() throws -> SVGDocument {
        let f = features.count, kCount = model.componentCount
        let rows = try Classification(model: model, data: data, maxPoints: max(1, min(maxPoints, Self.pointBudget / (f * (f - 1)))))
        let side = Self.panelSide(f), gap = 8.0, fontSize = f > 6 ? 10.0 : 11.0
        let left = 78.0, top = 72.0, legendWidth = 200.0
        let gridSide = Double(f) * side + Double(f - 1) * gap
        var document = SVGDocument(width: (left + gridSide + 24 + legendWidth).rounded(), height: (top + gridSide + 56).rounded(), title: title)
        let s = kCount == 1 ? "" : "s"
        document.append(contentsOf: heading(title, subtitle: "\(data.sampleCount) rows, \(kCount) component\(s) (\(model.covarianceKind.rawValue) covariance); "
            + "panel (row i, column j): feature j across, feature i up" + rows.thinningNote, width: document.width))
        let ticks = featureTicks(rows.shown)
        let radius = MixtureFigure.ellipseRadii[1]
        let floor = 1 / Double(kCount)
        var clips: [SVGElement] = []
        for (row, i) in features.enumerated() {
            for (column, j) in features.enumerated() {
                let area = PlotArea(left: left + Double(column) * (side + gap), top: top + Double(row) * (side + gap),
                                    width: side, height: side, xTicks: ticks[column], yTicks: ticks[row])
                let clip = "pair-\(row)-\(column)"
                clips.append(area.clipPath(id: clip))
                // Tick labels on the outer edges only: x under the bottom row, y left of the first column.
                var axes = area.axes(xLabel: "", yLabel: "", showsXTickLabels: row == f - 1, showsYTickLabels: column == 0,
                                     fontSize: fontSize, overhang: gap / 2 - 1)
                axes = axes.map { trimmingTickMarks($0, keepsX: row == f - 1, keepsY: column == 0) }
                var marks: [SVGElement] = []
                if i == j {
                    marks = diagonal(area, feature: j)
                } else {
                    for p in 0..<rows.shown.sampleCount {
                        let at = area.pixel(rows.shown[p, j], rows.shown[p, i])
                        marks.append(SVGElement("circle", [("class", "point"), ("cx", svgNumber(at.x)), ("cy", svgNumber(at.y)), ("r", "1.8"),
                                                           ("fill", Palette.color(rows.labels[p])),
                                                           ("fill-opacity", svgNumber(Classification.opacity(rows.certainty[p], floor: floor)))]))
                    }
                    for k in 0..<kCount {
                        let c = model.covarianceMatrix(component: k)
                        let sx = area.xScale, sy = -area.yScale
                        let pixel = [[sx * sx * c[j][j], sx * sy * c[j][i]], [sx * sy * c[i][j], sy * sy * c[i][i]]]
                        let centre = area.pixel(model.means[k][j], model.means[k][i])
                        let shape = EllipseShape(centerX: centre.x, centerY: centre.y, covariance: pixel, radius: radius)
                        marks.append(SVGElement("ellipse", [
                            ("class", "ellipse-2sigma"), ("data-component", String(k)),
                            ("cx", svgNumber(shape.centerX)), ("cy", svgNumber(shape.centerY)),
                            ("rx", svgNumber(shape.radiusX)), ("ry", svgNumber(shape.radiusY)),
                            ("transform", "rotate(\(svgNumber(shape.degrees)) \(svgNumber(shape.centerX)) \(svgNumber(shape.centerY)))"),
                            ("fill", "none"), ("stroke", Palette.color(k)), ("stroke-width", "1.5")]))
                        marks.append(SVGElement("circle", [("class", "mean"), ("data-component", String(k)),
                                                           ("cx", svgNumber(centre.x)), ("cy", svgNumber(centre.y)), ("r", "3"),
                                                           ("fill", Palette.color(k)), ("stroke", "#111111"), ("stroke-width", "1")]))
                    }
                }
                document.append(SVGElement("g", [("class", i == j ? "diagonal" : "panel"), ("data-x", model.featureNames[j]),
                                                 ("data-y", model.featureNames[i])],
                                           children: axes + [SVGElement("g", [("clip-path", "url(#\(clip))")], children: marks)]))
            }
        }
        document.elements.insert(SVGElement("defs", children: clips), at: 0)

        var entries = [LegendEntry(.none, "component (weight)")]
        for k in 0..<min(kCount, 12) {
            entries.append(LegendEntry(.marker(color: Palette.color(k)), "\(k) (\(String(format: "%.3f", model.weights[k])))"))
        }
        if kCount > 12 { entries.append(LegendEntry(.none, "… \(kCount - 12) more")) }
        entries += [LegendEntry(.line(color: "#333333", width: 1.5, dash: nil), "2σ (95.4% of P(x|c))"),
                    LegendEntry(.none, "rows: most probable c"),
                    LegendEntry(.note, "shade = max P(c|x)"),
                    LegendEntry(.none, "diagonal"),
                    LegendEntry(.note, "w·P(x|c) of each feature")]
        document.append(legend(entries, left: left + gridSide + 24, top: top + 12))
        return document
    }

    /// A diagonal panel: the feature's name and each component's weighted marginal density on it.
    private func diagonal(_ area: PlotArea, feature j: Int) -> [SVGElement] {
        let samples = 160
        let xs = (0..<samples).map { area.xTicks.lower + (area.xTicks.upper - area.xTicks.lower) * Double($0) / Double(samples - 1) }
        let curves = (0..<model.componentCount).map { k in
            let variance = model.covarianceMatrix(component: k)[j][j], mean = model.means[k][j]
            return xs.map { x in exp(log(model.weights[k]) - 0.5 * (x - mean) * (x - mean) / variance - 0.5 * log(2 * Double.pi * variance)) }
        }
        let top = curves.flatMap { $0 }.max() ?? 1
        // The curves fill the lower two thirds; the name sits above them.
        let scale = area.height * 0.62 / max(top, .leastNonzeroMagnitude)
        var out: [SVGElement] = [SVGElement("rect", [("x", svgNumber(area.left)), ("y", svgNumber(area.top)), ("width", svgNumber(area.width)),
                                                     ("height", svgNumber(area.height)), ("fill", "#f7f7f7")])]
        for (k, ys) in curves.enumerated() {
            let points = zip(xs, ys).map { x, y in "\(svgNumber(area.pixel(x, 0).x)),\(svgNumber(area.top + area.height - y * scale))" }
            out.append(SVGElement("polyline", [("class", "component-density"), ("data-component", String(k)),
                                               ("points", points.joined(separator: " ")), ("fill", "none"),
                                               ("stroke", Palette.color(k)), ("stroke-width", "1.5")]))
        }
        out.append(SVGElement("text", [("class", "feature-name"), ("x", svgNumber(area.left + area.width / 2)), ("y", svgNumber(area.top + 18)),
                                       ("text-anchor", "middle"), ("font-weight", "bold"), ("font-size", area.width < 100 ? "11" : "13"),
                                       ("stroke", "#f7f7f7"), ("stroke-width", "3"), ("paint-order", "stroke")],
                              text: fitted(model.featureNames[j], width: area.width - 6, fontSize: area.width < 100 ? 11 : 13)))
        return out
    }
}

/// `text`, cut with "…" to fit `width` pixels at `fontSize` (by `TextBox`'s estimate).
func fitted(_ text: String, width: Double, fontSize: Double) -> String {
    guard TextBox.width(text, fontSize: fontSize) > width else { return text }
    var cut = text
    while !cut.isEmpty && TextBox.width(cut + "…", fontSize: fontSize) > width { cut.removeLast() }
    return cut + "…"
}

/// The axes' elements without the tick marks that stick out of the frame
/// towards a neighbouring panel: x marks unless `keepsX` (the bottom row), y
/// marks unless `keepsY` (the first column).
private func trimmingTickMarks(_ element: SVGElement, keepsX: Bool, keepsY: Bool) -> SVGElement {
    guard element.name == "g", element.attributes.contains(where: { $0 == ("class", "ticks") }) else { return element }
    var copy = element
    copy.children = element.children.filter { mark in
        guard mark.name == "line" else { return true }
        let value = { (key: String) in mark.attributes.first { $0.0 == key }?.1 }
        let isXMark = value("x1") == value("x2")
        return isXMark ? keepsX : keepsY
    }
    return copy
}
