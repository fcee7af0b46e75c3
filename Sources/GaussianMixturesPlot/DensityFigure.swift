// The picture of a one-feature mixture: a histogram of the data scaled to a
// density (bar area = share of rows, so the bars' total area is 1), each
// component's weighted density w_k N(x; μ_k, σ_k²) in its colour (its area is
// w_k), and the mixture density P(x) = Σ_k w_k N(x; μ_k, σ_k²) over them.
// A rug under the curves shows each row coloured by its most probable
// component. The view covers the data and μ_k ± 3σ_k of every component.
// Bins: the more of Sturges' rule (1 + log₂ n) and Freedman and Diaconis'
// (width 2 IQR n^(−1/3)), as numpy's "auto", kept to 5…60. The mixture is
// drawn dashed over the components, which it covers where they do not overlap.

import Foundation
import GaussianMixtures

/// A histogram of one-feature data with the weighted component densities and the mixture density.
public struct DensityFigure {
    /// The one-feature mixture drawn.
    public var model: GaussianMixture
    /// The rows under it: one column, the histogram and the rug.
    public var data: DataMatrix
    /// The figure's title.
    public var title: String
    /// The number of histogram bins; `nil` picks the more of Sturges' and Freedman–Diaconis' rules.
    public var binCount: Int?
    /// Rug marks drawn at most; larger data is thinned to every n-th row (the histogram always counts every row).
    public var maxPoints = 5_000
    /// Evenly spaced points on each curve (each component's mean and μ ± σ, 2σ are added).
    static let curveSamples = 400

    /// A figure of `data` (one column) under the one-feature `model`.
    public init(model: GaussianMixture, data: DataMatrix, title: String) {
        precondition(model.featureCount == 1 && data.featureCount == 1 && data.sampleCount >= 1)
        self.model = model
        self.data = data
        self.title = title
    }

    /// w_k N(x; μ_k, σ_k²): component `k`'s share of the mixture density at `x`, computed in log space.
    public func weightedComponentDensity(_ k: Int, at x: Double) -> Double {
        let variance = model.covarianceMatrix(component: k)[0][0]
        let z = (x - model.means[k][0]) / variance.squareRoot()
        return exp(log(model.weights[k]) - 0.5 * z * z - 0.5 * log(2 * Double.pi * variance))
    }

    /// P(x), the mixture density at each of `xs` (the library's log-sum-exp, exponentiated).
    ///
    /// - Throws: `DataError` if an x is not finite.
    public func mixtureDensity(at xs: [Double]) throws -> [Double] {
        try model.logDensities(of: DataMatrix(values: xs, sampleCount: xs.count, featureCount: 1)).map { exp($0) }
    }

    /// The histogram: bin edges (count + 1 of them) and each bin's density (count / (n · width)).
    public func histogram() -> (edges: [Double], densities: [Double]) {
        let values = (0..<data.sampleCount).map { data[$0, 0] }.sorted()
        let n = values.count
        let low = values.first!, high = values.last!
        guard high > low else {
            let width = max(abs(low) * 0.1, 1e-3)
            return ([low - width / 2, low + width / 2], [1 / width])
        }
        let bins: Int
        if let binCount {
            bins = max(binCount, 1)
        } else {
            let iqr = values[(3 * (n - 1)) / 4] - values[(n - 1) / 4]
            let width = 2 * iqr * pow(Double(n), -1.0 / 3)
            let sturges = Int(log2(Double(n)).rounded(.up)) + 1
            let freedmanDiaconis = width > 0 ? Int(((high - low) / width).rounded(.up)) : 0
            bins = min(max(sturges, freedmanDiaconis, 5), 60)
        }
        let width = (high - low) / Double(bins)
        var counts = [Int](repeating: 0, count: bins)
        for v in values { counts[min(Int((v - low) / width), bins - 1)] += 1 }
        let edges = (0...bins).map { $0 == bins ? high : low + Double($0) * width }
        return (edges, counts.map { Double($0) / (Double(n) * width) })
    }

    /// Draws the figure.
    ///
    /// - Throws: `ModelError` if the data do not match the model.
    public func render() throws -> SVGDocument {
        let kCount = model.componentCount
        let rows = try Classification(model: model, data: data, maxPoints: maxPoints)
        let (edges, densities) = histogram()
        let sigmas = (0..<kCount).map { model.covarianceMatrix(component: $0)[0][0].squareRoot() }
        let low = min(edges.first!, (0..<kCount).map { model.means[$0][0] - 3 * sigmas[$0] }.min()!)
        let high = max(edges.last!, (0..<kCount).map { model.means[$0][0] + 3 * sigmas[$0] }.max()!)
        // Even steps, plus each component's mean and μ ± σ, 2σ, so a narrow component's peak is drawn at its height.
        let marks = (0..<kCount).flatMap { k in [-2.0, -1, 0, 1, 2].map { model.means[k][0] + $0 * sigmas[k] } }
        let xs = Array(Set((0..<Self.curveSamples).map { low + (high - low) * Double($0) / Double(Self.curveSamples - 1) } + marks)).sorted()
        let components = (0..<kCount).map { k in xs.map { weightedComponentDensity(k, at: $0) } }
        let mixture = try mixtureDensity(at: xs)
        let top = max(densities.max()!, mixture.max()!)
        let xTicks = Framing.ticks(low, high)
        var yTicks = AxisTicks(covering: 0, top * 1.05, count: 5)
        yTicks.upper = top * 1.08
        yTicks.values = yTicks.values.filter { $0 <= yTicks.upper }
        let area = PlotArea(left: Layout.plotLeft, top: Layout.plotTop, width: Layout.plotWidth, height: Layout.plotHeight,
                            xTicks: xTicks, yTicks: yTicks)

        var document = SVGDocument(title: title)
        let s = kCount == 1 ? "" : "s"
        document.append(contentsOf: heading(title, subtitle: "\(data.sampleCount) rows, \(kCount) component\(s)"
            + " (\(model.covarianceKind.rawValue) covariance); bars: histogram as a density" + rows.thinningNote, width: Layout.width))
        document.append(SVGElement("defs", children: [area.clipPath(id: "plot-area")]))
        document.append(contentsOf: area.axes(xLabel: data.featureNames[0], yLabel: "density"))

        var layers: [SVGElement] = []
        layers.append(SVGElement("g", [("class", "histogram")], children: densities.indices.map { b in
            let a = area.pixel(edges[b], densities[b]), z = area.pixel(edges[b + 1], 0)
            return SVGElement("rect", [("class", "bar"), ("x", svgNumber(a.x)), ("y", svgNumber(a.y)),
                                       ("width", svgNumber(z.x - a.x)), ("height", svgNumber(z.y - a.y)),
                                       ("fill", "#d9d9d9"), ("stroke", "#ffffff"), ("stroke-width", "0.5")])
        }))
        let rugTop = area.top + area.height - 9
        layers.append(SVGElement("g", [("class", "rug")], children: (0..<rows.shown.sampleCount).map { i in
            let x = area.pixel(rows.shown[i, 0], 0).x
            return line(x, rugTop, x, area.top + area.height, stroke: Palette.color(rows.labels[i]), width: 1)
        }))
        for k in 0..<kCount {
            layers.append(curve(area, xs, components[k], cssClass: "component-density", color: Palette.color(k), width: 3,
                                extra: [("data-component", String(k))]))
        }
        layers.append(curve(area, xs, mixture, cssClass: "mixture-density", color: "#111111", width: 1.5,
                            extra: [("stroke-dasharray", "6 4")]))
        document.append(SVGElement("g", [("clip-path", "url(#plot-area)")], children: layers))

        var entries = [LegendEntry(.none, "component: w·P(x|c)")]
        for k in 0..<min(kCount, 12) {
            entries.append(LegendEntry(.line(color: Palette.color(k), width: 3, dash: nil), "\(k) (weight \(String(format: "%.3f", model.weights[k])))"))
        }
        if kCount > 12 { entries.append(LegendEntry(.none, "… \(kCount - 12) more")) }
        entries += [LegendEntry(.line(color: "#111111", width: 1.5, dash: "6 4"), "P(x), the mixture"),
                    LegendEntry(.none, "data"),
                    LegendEntry(.dot(color: "#bdbdbd", opacity: 1), "histogram, \(densities.count) bins"),
                    LegendEntry(.note, "rug: rows by likeliest c")]
        document.append(legend(entries, left: Layout.legendLeft, top: Layout.legendTop))
        return document
    }

    /// A polyline through (xs, ys) in data units.
    private func curve(_ area: PlotArea, _ xs: [Double], _ ys: [Double], cssClass: String, color: String, width: Double,
                       extra: [(String, String)]) -> SVGElement {
        let points = zip(xs, ys).map { area.pixel($0, $1) }.map { "\(svgNumber($0.x)),\(svgNumber($0.y))" }
        return SVGElement("polyline", [("class", cssClass)] + extra + [("points", points.joined(separator: " ")),
                          ("fill", "none"), ("stroke", color), ("stroke-width", svgNumber(width)), ("stroke-linejoin", "round")])
    }
}
