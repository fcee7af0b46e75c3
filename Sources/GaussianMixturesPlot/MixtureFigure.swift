// The picture of a fitted mixture over its data: rows as dots coloured by
// their most probable component and shaded by how sure the model is
// (max P(c|x): pale when components nearly tie, solid when one explains the
// row), each component's mean, and its ellipses holding 1σ and 2σ of its
// probability mass on the shown plane (68.27% and 95.45%: squared radii are
// chi-square quantiles with 2 degrees of freedom). Optionally, contour lines
// of log P(x) of the mixture's exact marginal on the plane.

import Foundation
import GaussianMixtures

/// A scatter figure of data under a mixture, projected on a plane.
public struct MixtureFigure {
    /// The mixture drawn: its means, ellipses and (with `showsDensity`) contours.
    public var model: GaussianMixture
    /// The rows drawn as dots, with the model's features.
    public var data: DataMatrix
    /// The plane the rows and the components are projected on.
    public var projection: PlaneProjection
    /// The figure's title.
    public var title: String
    /// Whether contour lines of log P(x) of the mixture's marginal on the plane are drawn.
    public var showsDensity = false
    /// Drawn rows at most; larger data is thinned to every n-th row (noted in the figure).
    public var maxPoints = 20_000
    /// Whether one unit is the same length on both axes (the default for
    /// principal directions, whose axes are lengths in the same space).
    public var hasEqualAspect: Bool

    /// The probability mass inside the 1σ and 2σ ellipses: P(|Z| ≤ 1) and P(|Z| ≤ 2) for a standard normal Z.
    public static let sigmaLevels: [Double] = [erf(1 / 2.0.squareRoot()), erf(2 / 2.0.squareRoot())]

    /// A figure of `data` under `model` on `projection` (the model's first two
    /// features, or the data's principal directions when there are more, if `nil`).
    public init(model: GaussianMixture, data: DataMatrix, projection: PlaneProjection? = nil, title: String) {
        precondition(data.featureCount == model.featureCount && model.featureCount >= 2)
        self.model = model
        self.data = data
        self.projection = projection ?? (model.featureCount == 2
            ? .features(0, 1, names: model.featureNames) : .principal(of: data))
        self.hasEqualAspect = self.projection.isPrincipal
        self.title = title
    }

    /// The squared-radius multipliers of the 1σ and 2σ ellipses (√ of the chi-square quantiles).
    public static var ellipseRadii: [Double] {
        sigmaLevels.map { ChiSquare.quantile(probability: $0, degrees: 2).squareRoot() }
    }

    /// Draws the figure.
    ///
    /// - Throws: `ModelError` if the data do not match the model.
    public func render() throws -> SVGDocument {
        let rows = try Classification(model: model, data: data, maxPoints: maxPoints)
        let shown = rows.shown, labels = rows.labels, certainty = rows.certainty
        let kCount = model.componentCount
        let points = (0..<shown.sampleCount).map { projection.project(shown.row($0)) }
        let means = model.means.map { projection.project($0) }
        let covariances = (0..<kCount).map { projection.project(covariance: model.covarianceMatrix(component: $0)) }
        let radii = Self.ellipseRadii

        // The view holds every point and the whole of every 2σ ellipse; principal directions keep equal aspect.
        let box = Framing.extent(points: points, means: means, covariances: covariances, radius: radii[1])
        let (xTicks, yTicks) = Framing.ticks(xLow: box.xLow, xHigh: box.xHigh, yLow: box.yLow, yHigh: box.yHigh,
                                             width: Layout.plotWidth, height: Layout.plotHeight, equalAspect: hasEqualAspect)
        let area = PlotArea(left: Layout.plotLeft, top: Layout.plotTop, width: Layout.plotWidth, height: Layout.plotHeight,
                            xTicks: xTicks, yTicks: yTicks)

        var document = SVGDocument(title: title)
        var subtitle = "\(data.sampleCount) rows, \(kCount) component\(kCount == 1 ? "" : "s") (\(model.covarianceKind.rawValue) covariance)"
        subtitle += rows.thinningNote
        var countNote: [LegendEntry] = []
        if let note = projection.note {
            countNote = [LegendEntry(.none, "data"), LegendEntry(.note, "\(data.sampleCount) rows"),
                         LegendEntry(.note, "\(kCount) \(model.covarianceKind.rawValue) component\(kCount == 1 ? "" : "s")")]
            if rows.stride > 1 { countNote.append(LegendEntry(.note, "every \(ordinal(rows.stride)) row drawn")) }
            subtitle = note
        }
        document.append(contentsOf: heading(title, subtitle: subtitle, width: Layout.width))
        document.append(SVGElement("defs", children: [area.clipPath(id: "plot-area")]))
        document.append(contentsOf: area.axes(xLabel: projection.xLabel, yLabel: projection.yLabel))

        var layers: [SVGElement] = []
        var densityLegend: [LegendEntry] = []
        if showsDensity {
            let (paths, entries) = try densityContours(area: area, points: points)
            layers.append(SVGElement("g", [("class", "density")], children: paths))
            densityLegend = entries
        }
        let floor = 1 / Double(kCount)
        layers.append(SVGElement("g", [("class", "points")], children: points.indices.map { i in
            let p = area.pixel(points[i].x, points[i].y)
            return SVGElement("circle", [("class", "point"), ("cx", svgNumber(p.x)), ("cy", svgNumber(p.y)), ("r", "2.6"),
                                         ("fill", Palette.color(labels[i])),
                                         ("fill-opacity", svgNumber(Self.opacity(certainty[i], floor: floor)))])
        }))
        var ellipses: [SVGElement] = []
        for k in 0..<kCount {
            let centre = area.pixel(means[k].x, means[k].y)
            let sx = area.xScale, sy = -area.yScale
            let c = covariances[k]
            let pixelCovariance = [[sx * sx * c[0][0], sx * sy * c[0][1]], [sx * sy * c[1][0], sy * sy * c[1][1]]]
            for (level, radius) in radii.enumerated() {
                let shape = EllipseShape(centerX: centre.x, centerY: centre.y, covariance: pixelCovariance, radius: radius)
                var attributes = [("class", "ellipse-\(level + 1)sigma"), ("data-component", String(k)), ("cx", svgNumber(shape.centerX)), ("cy", svgNumber(shape.centerY)),
                                  ("rx", svgNumber(shape.radiusX)), ("ry", svgNumber(shape.radiusY)),
                                  ("transform", "rotate(\(svgNumber(shape.degrees)) \(svgNumber(shape.centerX)) \(svgNumber(shape.centerY)))"),
                                  ("fill", "none"), ("stroke", Palette.color(k)), ("stroke-width", level == 0 ? "2" : "1.5")]
                if level == 1 { attributes.append(("stroke-dasharray", "6 4")) }
                ellipses.append(SVGElement("ellipse", attributes))
            }
        }
        layers.append(SVGElement("g", [("class", "ellipses")], children: ellipses))
        layers.append(SVGElement("g", [("class", "means")], children: means.indices.map { k in
            let p = area.pixel(means[k].x, means[k].y)
            return SVGElement("circle", [("class", "mean"), ("data-component", String(k)), ("cx", svgNumber(p.x)), ("cy", svgNumber(p.y)), ("r", "5.5"),
                                         ("fill", Palette.color(k)), ("stroke", "#111111"), ("stroke-width", "1.5")])
        }))
        document.append(SVGElement("g", [("clip-path", "url(#plot-area)")], children: layers))

        var entries = [LegendEntry(.none, "component (weight)")]
        for k in 0..<min(kCount, 12) {
            entries.append(LegendEntry(.marker(color: Palette.color(k)), "\(k) (\(String(format: "%.3f", model.weights[k])))"))
        }
        if kCount > 12 { entries.append(LegendEntry(.none, "… \(kCount - 12) more")) }
        if let component = model.noise {
            entries.append(LegendEntry(.marker(color: Palette.noiseColor), "noise (\(String(format: "%.3f", component.weight)))"))
        }
        entries += [
            LegendEntry(.none, "ellipses"),
            LegendEntry(.line(color: "#333333", width: 2, dash: nil), "1σ (68.3% of P(x|c))"),
            LegendEntry(.line(color: "#333333", width: 1.5, dash: "6 4"), "2σ (95.4% of P(x|c))"),
        ]
        if kCount > 1 { entries += [
            LegendEntry(.none, "rows: shade = max P(c|x)"),
            LegendEntry(.dot(color: "#333333", opacity: Self.opacity(1, floor: floor)), "1 (certain)"),
            LegendEntry(.dot(color: "#333333", opacity: Self.opacity((1 + floor) / 2, floor: floor)), String(format: "%.2f", (1 + floor) / 2)),
            LegendEntry(.dot(color: "#333333", opacity: Self.opacity(floor, floor: floor)), String(format: "%.2f (a tie)", floor)),
        ] }
        document.append(legend(entries + densityLegend + countNote, left: Layout.legendLeft, top: Layout.legendTop))
        return document
    }

    /// Dot opacity for a certainty in [1/K, 1]: 0.12 at a tie, 0.9 when sure.
    static func opacity(_ certainty: Double, floor: Double) -> Double {
        Classification.opacity(certainty, floor: floor)
    }

    /// Contour paths of log P(x) of the marginal on the plane, and their legend lines.
    private func densityContours(area: PlotArea, points: [(x: Double, y: Double)]) throws -> ([SVGElement], [LegendEntry]) {
        let marginal = try projection.marginal(of: model)
        let columns = 161, rows = 121
        var cells: [Double] = []
        cells.reserveCapacity(columns * rows * 2)
        for r in 0..<rows {
            for c in 0..<columns {
                cells.append(area.xTicks.lower + (area.xTicks.upper - area.xTicks.lower) * Double(c) / Double(columns - 1))
                cells.append(area.yTicks.lower + (area.yTicks.upper - area.yTicks.lower) * Double(r) / Double(rows - 1))
            }
        }
        let grid = GridValues(columns: columns, rows: rows,
                              values: try marginal.logDensities(of: DataMatrix(values: cells, sampleCount: columns * rows, featureCount: 2)))
        let atPoints = try marginal.logDensities(of: DataMatrix(rows: points.map { [$0.x, $0.y] })).sorted()
        let top = grid.values.max()!
        let low = atPoints.isEmpty ? grid.values.min()! : atPoints[atPoints.count / 100]
        let levels = AxisTicks(covering: low, top, count: 8)
        let chosen = levels.values.filter { $0 > low - levels.step && $0 < top }
        var paths: [SVGElement] = []
        for (i, level) in chosen.enumerated() {
            let segments = contourSegments(grid, level: level)
            guard !segments.isEmpty else { continue }
            var d = ""
            for s in segments {
                let a = area.pixel(area.xTicks.lower + s.x1 / Double(columns - 1) * (area.xTicks.upper - area.xTicks.lower),
                                   area.yTicks.lower + s.y1 / Double(rows - 1) * (area.yTicks.upper - area.yTicks.lower))
                let b = area.pixel(area.xTicks.lower + s.x2 / Double(columns - 1) * (area.xTicks.upper - area.xTicks.lower),
                                   area.yTicks.lower + s.y2 / Double(rows - 1) * (area.yTicks.upper - area.yTicks.lower))
                d += "M\(svgNumber(a.x)) \(svgNumber(a.y))L\(svgNumber(b.x)) \(svgNumber(b.y))"
            }
            let shade = Self.contourShade(Double(i) / Double(max(chosen.count - 1, 1)))
            paths.append(SVGElement("path", [("class", "contour"), ("data-level", levels.label(level)), ("d", d),
                                             ("fill", "none"), ("stroke", shade), ("stroke-width", "1")]))
        }
        guard let first = chosen.first, let last = chosen.last else { return (paths, []) }
        return (paths, [LegendEntry(.none, "log P(x) contours"),
                        LegendEntry(.line(color: Self.contourShade(0), width: 1, dash: nil), levels.label(first)),
                        LegendEntry(.line(color: Self.contourShade(1), width: 1, dash: nil),
                                    "\(levels.label(last)) (every \(levels.label(levels.step)))")])
    }

    /// Grey-blue from light (low density) to dark (high density), t in [0, 1].
    static func contourShade(_ t: Double) -> String {
        let from = (170.0, 185.0, 205.0), to = (25.0, 45.0, 90.0)
        let mix = { (a: Double, b: Double) in Int((a + (b - a) * t).rounded()) }
        return String(format: "#%02x%02x%02x", mix(from.0, to.0), mix(from.1, to.1), mix(from.2, to.2))
    }
}
