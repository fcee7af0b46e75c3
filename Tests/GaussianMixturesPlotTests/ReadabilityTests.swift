// What makes a figure readable, checked on the SVG itself: no tick labels
// overlap (boxes estimated from the font size and the characters, as the
// renderer estimates them), every ellipse lies inside its panel's frame,
// principal views have one unit the same length on both axes, each criterion
// panel rings its own best, and component k has colour k in every figure of a
// model.

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GaussianMixtures
import Testing
@testable import GaussianMixturesPlot

/// The boxes of every tick label in a figure, from their attributes.
func tickLabelBoxes(_ svg: ParsedSVG) throws -> [(text: String, box: TextBox)] {
    try svg.document.nodes(forXPath: "//*[@class='tick-label']").compactMap { $0 as? XMLElement }.map { element in
        let value = { (name: String) in attributeValue(element, name) ?? "" }
        let text = element.stringValue ?? ""
        return (text, TextBox(text, x: Double(value("x")) ?? .nan, baseline: Double(value("y")) ?? .nan,
                              fontSize: Double(value("font-size")) ?? 13, anchor: value("text-anchor")))
    }
}

/// Expects no two tick labels of the figure to overlap.
func expectNoCollidingTickLabels(_ svg: ParsedSVG, _ name: String) throws {
    let boxes = try tickLabelBoxes(svg)
    #expect(!boxes.isEmpty, "\(name) has tick labels")
    for a in boxes.indices {
        for b in boxes.indices where b > a {
            #expect(!boxes[a].box.collides(with: boxes[b].box), "\(name): tick labels \"\(boxes[a].text)\" and \"\(boxes[b].text)\" overlap")
        }
    }
}

/// The frame and the ellipses of each panel (the whole figure when it has no panels).
func expectEllipsesInsideFrames(_ svg: ParsedSVG, _ name: String) throws {
    let groups = try svg.document.nodes(forXPath: "//*[@class='panel'][.//*[local-name()='ellipse']]")
    let scopes: [XMLNode] = groups.isEmpty ? [svg.document.rootElement()!] : groups
    var checked = 0
    for scope in scopes {
        let frame = try #require(try scope.nodes(forXPath: ".//*[@class='frame']").first as? XMLElement)
        let attribute = { (e: XMLElement, name: String) in Double(attributeValue(e, name) ?? "") ?? .nan }
        let left = attribute(frame, "x"), top = attribute(frame, "y")
        let right = left + attribute(frame, "width"), bottom = top + attribute(frame, "height")
        for case let ellipse as XMLElement in try scope.nodes(forXPath: ".//*[local-name()='ellipse']") {
            let cx = attribute(ellipse, "cx"), cy = attribute(ellipse, "cy"), rx = attribute(ellipse, "rx"), ry = attribute(ellipse, "ry")
            let transform = attributeValue(ellipse, "transform") ?? "rotate(0"
            let degrees = Double(transform.dropFirst("rotate(".count).split(separator: " ").first ?? "0") ?? .nan
            let t = degrees * Double.pi / 180
            // The half-extents of a rotated ellipse's bounding box.
            let hx = (rx * rx * cos(t) * cos(t) + ry * ry * sin(t) * sin(t)).squareRoot()
            let hy = (rx * rx * sin(t) * sin(t) + ry * ry * cos(t) * cos(t)).squareRoot()
            #expect(cx - hx >= left - 0.05 && cx + hx <= right + 0.05 && cy - hy >= top - 0.05 && cy + hy <= bottom + 0.05,
                    "\(name): an ellipse at (\(cx), \(cy)) ± (\(hx), \(hy)) reaches past its frame \(left) \(top) \(right) \(bottom)")
            checked += 1
        }
    }
    #expect(checked > 0, "\(name) has ellipses")
}

/// Pixels per unit along x and y, read from the labelled ticks of the (first) axes.
func pixelsPerUnit(_ svg: ParsedSVG) throws -> (x: Double, y: Double) {
    let boxes = try svg.document.nodes(forXPath: "//*[@class='tick-label']").compactMap { $0 as? XMLElement }
    let read = { (e: XMLElement, name: String) in Double(attributeValue(e, name) ?? "") ?? .nan }
    let xs = boxes.filter { attributeValue($0, "text-anchor") == "middle" }
    let ys = boxes.filter { attributeValue($0, "text-anchor") == "end" }
    try #require(xs.count >= 2 && ys.count >= 2)
    let value = { (e: XMLElement) in Double(e.stringValue ?? "") ?? .nan }
    let x = (read(xs.last!, "x") - read(xs[0], "x")) / (value(xs.last!) - value(xs[0]))
    let y = (read(ys[0], "y") - read(ys.last!, "y")) / (value(ys.last!) - value(ys[0]))
    return (x, y)
}

@Suite("Readable figures")
struct ReadabilityTests {
    // MARK: - Tick labels

    struct Range: Sendable, CustomTestStringConvertible {
        var low: Double, high: Double, pixels: Double
        var testDescription: String { "\(low)…\(high) in \(pixels) px" }
    }

    /// Ranges whose labels are long (large magnitudes, many decimals, negative
    /// signs, scientific notation) on axes from a pairs-panel width to a full figure.
    static let awkward = [Range(low: 0, high: 1_000_000, pixels: 510), Range(low: -123_456.789, high: 98_765.4321, pixels: 120),
                          Range(low: 1e-5, high: 3.3e-5, pixels: 90), Range(low: 2314.99, high: 2800.01, pixels: 72),
                          Range(low: -0.0041, high: 0.0093, pixels: 100), Range(low: 1.23e8, high: 9.87e8, pixels: 150),
                          Range(low: 43, high: 96, pixels: 60), Range(low: 0.1, high: 0.35, pixels: 72)]

    @Test(arguments: awkward)
    func tickLabelsOfAwkwardRangesNeverOverlap(_ r: Range) {
        for fontSize in [10.0, 12] {
            for ticks in [AxisTicks(covering: r.low, r.high), AxisTicks(padding: r.low, r.high, count: 8)] {
                // The same range across and up, in a square area and a flat one.
                for height in [r.pixels, 40] {
                    let area = PlotArea(left: 100, top: 100, width: r.pixels, height: height, xTicks: ticks, yTicks: ticks)
                    let boxes = area.tickLabelBoxes(fontSize: fontSize, overhang: 4)
                    #expect(boxes.count >= 2, "some labels survive")
                    for a in boxes.indices {
                        for b in boxes.indices where b > a {
                            #expect(!boxes[a].collides(with: boxes[b]), "\(boxes[a]) and \(boxes[b]) overlap")
                        }
                    }
                    // No label reaches more than the overhang past the end of its axis.
                    for x in area.xTickLabelValues(fontSize: fontSize, overhang: 4) {
                        let at = area.xTickLabelPosition(x, fontSize: fontSize)
                        let box = TextBox(ticks.label(x), x: at.x, baseline: at.baseline, fontSize: fontSize, anchor: "middle")
                        #expect(box.left >= area.left - 4 && box.right <= area.left + area.width + 4)
                    }
                    for y in area.yTickLabelValues(fontSize: fontSize, overhang: 4) {
                        let at = area.yTickLabelPosition(y, fontSize: fontSize)
                        let box = TextBox(ticks.label(y), x: at.x, baseline: at.baseline, fontSize: fontSize, anchor: "end")
                        #expect(box.top >= area.top - 4 && box.bottom <= area.top + area.height + 4)
                    }
                }
            }
        }
    }

    @Test func thinningKeepsRoundValuesAndOnlyWhenNeeded() {
        let ticks = AxisTicks(covering: 0, 1_000_000, count: 11)   // 0, 100000, …, 1000000
        let wide = PlotArea(left: 0, top: 0, width: 2000, height: 100, xTicks: ticks, yTicks: ticks)
        #expect(wide.xTickLabelValues(fontSize: 12, overhang: 40).count == ticks.values.count)
        let narrow = PlotArea(left: 0, top: 0, width: 200, height: 100, xTicks: ticks, yTicks: ticks)
        let kept = narrow.xTickLabelValues(fontSize: 12, overhang: 40)
        #expect(kept.count < ticks.values.count && kept.count >= 2)
        // Every 2nd, 5th or 10th tick, counted from zero: the labelled values stay round.
        #expect([2.0, 5, 10].contains { stride in kept.allSatisfy { ($0 / (stride * ticks.step)).rounded() == $0 / (stride * ticks.step) } })
        #expect(kept.contains(0))
    }

    // MARK: - Whole figures

    @Test func everyFigureHasSeparateTickLabelsAndUnclippedEllipses() throws {
        let faithful = try bundled("old-faithful.csv"), iris = try bundled("iris.csv")
        let faithfulModel = try fitted(faithful, k: 2).model, irisModel = try fitted(iris, k: 3).model
        let table = ModelSearch.run(iris, componentCounts: [1, 2, 3, 4], kinds: [.full, .diagonal], options: FitOptions(seed: 0), criterion: .bic)
        var density = MixtureFigure(model: faithfulModel, data: faithful, title: "t")
        density.showsDensity = true
        let figures: [(String, SVGDocument)] = [
            ("faithful", try MixtureFigure(model: faithfulModel, data: faithful, title: "t").render()),
            ("faithful density", try density.render()),
            ("iris principal", try MixtureFigure(model: irisModel, data: iris, title: "t").render()),
            ("iris features", try MixtureFigure(model: irisModel, data: iris, projection: .features(2, 3, names: irisModel.featureNames), title: "t").render()),
            ("iris pairs", try PairsFigure(model: irisModel, data: iris, title: "t").render()),
            ("selection", SelectionFigure(points: SelectionPoint.points(of: table)).render()),
            ("panels", PanelsFigure(panels: [ScatterPanel(heading: "a", points: [(1, 40), (6, 100)], categories: [0, 1]),
                                             ScatterPanel(heading: "b", points: [(1, 40), (6, 100)], categories: [1, 0])],
                                    title: "t", xLabel: "x", yLabel: "y", categoryNames: ["0", "1"]).render()),
        ]
        for (name, document) in figures {
            let svg = try ParsedSVG(document.text)
            try expectNoCollidingTickLabels(svg, name)
            if !["selection", "panels"].contains(name) { try expectEllipsesInsideFrames(svg, name) }
        }
    }

    @Test func ellipsesReachingFarPastTheDataStayInsideTheFrame() throws {
        // A broad component over few rows: its 2σ ellipse is far wider than the data.
        let data = try DataMatrix(rows: [[0, 0], [0.1, 0.2], [0.2, -0.1], [5, 5], [5.1, 5.2]], featureNames: ["a", "b"])
        let model = try GaussianMixture(weights: [0.6, 0.4], means: [[0.1, 0.03], [5, 5]],
                                        covariances: .full([[[9, 2], [2, 4]], [[0.01, 0], [0, 0.01]]]), featureNames: ["a", "b"])
        let svg = try ParsedSVG(MixtureFigure(model: model, data: data, title: "t").render().text)
        try expectEllipsesInsideFrames(svg, "broad component")
        try expectNoCollidingTickLabels(svg, "broad component")
    }

    // MARK: - Equal aspect

    @Test func principalViewsHaveEqualAspect() throws {
        let iris = try bundled("iris.csv")
        let model = try fitted(iris, k: 3).model
        let principal = try ParsedSVG(MixtureFigure(model: model, data: iris, title: "t").render().text)
        let scale = try pixelsPerUnit(principal)
        #expect(abs(scale.x / scale.y - 1) < 1e-3, "pixels per unit: \(scale)")
        // A view of two raw features keeps each axis to its own range.
        let features = try ParsedSVG(MixtureFigure(model: model, data: iris, projection: .features(0, 3, names: model.featureNames),
                                                   title: "t").render().text)
        let raw = try pixelsPerUnit(features)
        #expect(abs(raw.x / raw.y - 1) > 0.1)
    }

    // MARK: - Selection

    @Test func eachCriterionPanelRingsItsOwnBest() throws {
        let iris = try bundled("iris.csv")
        let table = ModelSearch.run(iris, componentCounts: Array(1...6), kinds: [.full, .diagonal, .spherical, .tied],
                                    options: FitOptions(seed: 0), criterion: .bic)
        let points = SelectionPoint.points(of: table)
        let svg = try ParsedSVG(SelectionFigure(points: points).render().text)
        let criteria: [(String, KeyPath<SelectionPoint, Double>)] = [("bic", \.bic), ("aic", \.aic), ("icl", \.icl)]
        var bests: [String] = []
        for (name, key) in criteria {
            let best = points.min { $0[keyPath: key] < $1[keyPath: key] }!
            let panel = "//*[@class='panel'][@data-criterion='\(name)']"
            let rings = try svg.document.nodes(forXPath: "\(panel)//*[@class='best']").compactMap { $0 as? XMLElement }
            try #require(rings.count == 1, "\(name): one ring")
            let ring = rings[0]
            #expect(attributeValue(ring, "data-components") == String(best.componentCount), "\(name)")
            #expect(attributeValue(ring, "data-covariance") == best.covariance, "\(name)")
            // The ring sits on a drawn candidate of its panel.
            let at = (attributeValue(ring, "cx")!, attributeValue(ring, "cy")!)
            let candidates = try svg.document.nodes(forXPath: "\(panel)//*[@class='candidate']").compactMap { $0 as? XMLElement }
            #expect(candidates.contains { (attributeValue($0, "cx")!, attributeValue($0, "cy")!) == at })
            #expect(try svg.values("\(panel)//*[@class='best-label']") == ["best: \(best.covariance), K = \(best.componentCount)"])
            bests.append("\(best.covariance) \(best.componentCount)")
        }
        // On Iris the criteria disagree (AIC prefers more components), which is why each panel has its own ring.
        #expect(Set(bests).count > 1, "\(bests)")
    }

    // MARK: - Colours

    @Test func componentsKeepTheirColourAcrossFigures() throws {
        let iris = try bundled("iris.csv")
        let model = try fitted(iris, k: 4).model
        let mixture = try ParsedSVG(MixtureFigure(model: model, data: iris, title: "t").render().text)
        let pairs = try ParsedSVG(PairsFigure(model: model, data: iris, title: "t").render().text)
        for k in 0..<model.componentCount {
            let colour = Palette.color(k)
            for (name, svg) in [("mixture", mixture), ("pairs", pairs)] {
                let strokes = try svg.values("//*[local-name()='ellipse'][@data-component='\(k)']/@stroke")
                #expect(!strokes.isEmpty && strokes.allSatisfy { $0 == colour }, "\(name): component \(k)")
                let fills = try svg.values("//*[@class='mean'][@data-component='\(k)']/@fill")
                #expect(!fills.isEmpty && fills.allSatisfy { $0 == colour }, "\(name): component \(k)")
            }
            let curves = try pairs.values("//*[@class='component-density'][@data-component='\(k)']/@stroke")
            #expect(curves.count == 4 && curves.allSatisfy { $0 == colour })
        }
        // Each row has the colour of its most probable component in both figures.
        let labels = try model.labels(for: iris).map(Palette.color)
        #expect(try mixture.values("//*[@class='point']/@fill") == labels)
        let firstPanel = try pairs.values("(//*[@class='panel'])[1]//*[@class='point']/@fill")
        #expect(firstPanel == labels)
        // Twenty components get twenty different colours.
        #expect(Set((0..<20).map(Palette.color)).count == 20)
    }
}
