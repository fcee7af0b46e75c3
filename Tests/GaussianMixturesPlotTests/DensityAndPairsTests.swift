// The one-feature density figure and the pairs grid: their parts, their
// numbers (each weighted component density integrates to its weight, the
// histogram to one, on the page as well as in the maths) and `gmm plot`
// drawing them.

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GaussianMixtures
import Testing
@testable import GaussianMixturesPlot

/// The eruptions column of Old Faithful and a three-component model of it.
func eruptions() throws -> (data: DataMatrix, model: GaussianMixture) {
    let full = try bundled("old-faithful.csv")
    let data = try DataMatrix(rows: (0..<full.sampleCount).map { [full[$0, 0]] }, featureNames: ["eruptions"])
    return (data, try fitted(data, k: 3).model)
}

/// The area under a polyline down to the pixel row `base` (trapezoids).
func areaUnder(_ points: String, base: Double) -> Double {
    let xy = points.split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
    return zip(xy, xy.dropFirst()).reduce(0) { sum, pair in
        sum + (pair.1[0] - pair.0[0]) * ((base - pair.0[1]) + (base - pair.1[1])) / 2
    }
}

@Suite("Density figure of a one-feature model")
struct DensityFigureTests {
    @Test func weightedComponentDensitiesIntegrateToTheWeights() throws {
        let (data, model) = try eruptions()
        let figure = DensityFigure(model: model, data: data, title: "t")
        // Trapezoids over μ ± 12σ of the widest component, step 1/2000 of it.
        let sigmas = (0..<3).map { model.covarianceMatrix(component: $0)[0][0].squareRoot() }
        let low = (0..<3).map { model.means[$0][0] - 12 * sigmas[$0] }.min()!
        let high = (0..<3).map { model.means[$0][0] + 12 * sigmas[$0] }.max()!
        let steps = 200_000, h = (high - low) / Double(steps)
        let xs = (0...steps).map { low + Double($0) * h }
        var total = 0.0
        for k in 0..<3 {
            let ys = xs.map { figure.weightedComponentDensity(k, at: $0) }
            let integral = h * (ys.reduce(0, +) - (ys.first! + ys.last!) / 2)
            #expect(abs(integral - model.weights[k]) < 1e-8, "component \(k): \(integral) vs \(model.weights[k])")
            total += integral
        }
        #expect(abs(total - 1) < 1e-8)
        // The mixture curve is the sum of the component curves (the library's log-sum-exp against the direct sum).
        let some = stride(from: low, through: high, by: (high - low) / 50).map { $0 }
        let mixture = try figure.mixtureDensity(at: some)
        for (x, p) in zip(some, mixture) {
            let sum = (0..<3).reduce(0.0) { $0 + figure.weightedComponentDensity($1, at: x) }
            #expect(abs(p - sum) <= 1e-12 * max(sum, 1e-300) + 1e-300)
        }
        // The histogram's bars have total area 1.
        let (edges, densities) = figure.histogram()
        #expect(abs(zip(densities, zip(edges, edges.dropFirst())).reduce(0) { $0 + $1.0 * ($1.1.1 - $1.1.0) } - 1) < 1e-12)
    }

    @Test func theDrawnCurvesAndBarsHaveTheRightAreas() throws {
        let (data, model) = try eruptions()
        let svg = try ParsedSVG(DensityFigure(model: model, data: data, title: "Eruptions").render().text)
        #expect(try svg.count(class: "component-density") == 3)
        #expect(try svg.count(class: "mixture-density") == 1)
        #expect(try svg.texts(class: "axis-label") == ["eruptions", "density"])
        let frameTop = Double(try svg.values("//*[@class='frame']/@y")[0])!
        let base = frameTop + Double(try svg.values("//*[@class='frame']/@height")[0])!
        // Bars: pixel area = 1 (all rows) in pixel units of probability.
        let widths = try svg.values("//*[@class='bar']/@width").map { Double($0)! }
        let heights = try svg.values("//*[@class='bar']/@height").map { Double($0)! }
        let histogramArea = zip(widths, heights).reduce(0) { $0 + $1.0 * $1.1 }
        // Curves: the view holds μ ± 3σ of every component, 99.7% of each, so
        // each curve's area is its weight times the histogram's, within rounding.
        for k in 0..<3 {
            let points = try svg.values("//*[@class='component-density'][@data-component='\(k)']/@points")[0]
            let ratio = areaUnder(points, base: base) / histogramArea
            #expect(abs(ratio - model.weights[k]) < 0.01 * model.weights[k] + 0.003, "component \(k): \(ratio) vs \(model.weights[k])")
            #expect(try svg.values("//*[@class='component-density'][@data-component='\(k)']/@stroke") == [Palette.color(k)])
        }
        let mixture = try svg.values("//*[@class='mixture-density']/@points")[0]
        #expect(abs(areaUnder(mixture, base: base) / histogramArea - 1) < 0.01)
        // One rug mark per row, coloured by its most probable component.
        #expect(try svg.values("//*[@class='rug']/*/@stroke") == (try model.labels(for: data)).map(Palette.color))
        try expectNoCollidingTickLabels(svg, "density")
    }
}

@Suite("Pairs figure")
struct PairsFigureTests {
    @Test func gridOfIris() throws {
        let iris = try bundled("iris.csv")
        let model = try fitted(iris, k: 3).model
        let svg = try ParsedSVG(PairsFigure(model: model, data: iris, title: "Iris").render().text)
        #expect(try svg.count(class: "panel") == 12)
        #expect(try svg.count(class: "diagonal") == 4)
        #expect(try svg.count(class: "point") == 12 * 150)
        #expect(try svg.count(class: "ellipse-2sigma") == 12 * 3)
        #expect(try svg.count(class: "mean") == 12 * 3)
        #expect(try svg.texts(class: "feature-name") == model.featureNames)
        #expect(try svg.count(class: "component-density") == 4 * 3)
        // Panel (row i, column j) draws feature j across and feature i up.
        #expect(try svg.values("(//*[@class='panel'])[1]/@data-x") == ["sepal_width"])
        #expect(try svg.values("(//*[@class='panel'])[1]/@data-y") == ["sepal_length"])
        // The viewBox grows with the grid; everything is inside it.
        let viewBox = try svg.values("/*/@viewBox").first?.split(separator: " ").map { Double($0) ?? .nan } ?? []
        try #require(viewBox.count == 4, "viewBox \(viewBox)")
        let frames = try svg.document.nodes(forXPath: "//*[@class='frame']").compactMap { $0 as? XMLElement }
        #expect(frames.count == 16)
        for frame in frames {
            let value = { (name: String) in Double(attributeValue(frame, name) ?? "") ?? .nan }
            #expect(value("x") >= 0 && value("x") + value("width") <= viewBox[2] && value("y") + value("height") <= viewBox[3])
        }
        try expectEllipsesInsideFrames(svg, "iris pairs")
        try expectNoCollidingTickLabels(svg, "iris pairs")
    }

    @Test func chosenFeaturesAndTheirMarginals() throws {
        let iris = try bundled("iris.csv")
        let model = try fitted(iris, k: 2).model
        let svg = try ParsedSVG(PairsFigure(model: model, data: iris, features: [3, 0, 2], title: "t").render().text)
        #expect(try svg.texts(class: "feature-name") == ["petal_width", "sepal_length", "petal_length"])
        #expect(try svg.count(class: "panel") == 6)
        // The ellipse of a panel is the marginal's: its pixel covariance follows from Σ restricted to the pair.
        let ellipse = try #require(try svg.document.nodes(forXPath: "(//*[@class='panel'])[1]//*[@data-component='0'][local-name()='ellipse']").first as? XMLElement)
        let rx = Double(attributeValue(ellipse, "rx")!)!, ry = Double(attributeValue(ellipse, "ry")!)!
        #expect(rx > 0 && ry > 0)
        try expectEllipsesInsideFrames(svg, "three features")
    }

    @Test func tenFeaturesFitAndStayReadable() throws {
        // Ten features, three components, drawn from a known mixture.
        let model = try GaussianMixture(weights: [0.5, 0.3, 0.2], means: (0..<3).map { k in (0..<10).map { Double(k * 3 + $0 % 4) } },
                                        covariances: .diagonal((0..<3).map { k in (0..<10).map { 0.5 + Double(($0 + k) % 3) } }),
                                        featureNames: (0..<10).map { "feature_number_\($0)" })
        let data = model.sample(count: 300, seed: 3).samples
        let svg = try ParsedSVG(PairsFigure(model: model, data: data, title: "ten").render().text)
        #expect(try svg.count(class: "panel") == 90)
        try expectNoCollidingTickLabels(svg, "ten features")
        try expectEllipsesInsideFrames(svg, "ten features")
        // Long names are cut to fit their panel.
        #expect(try svg.texts(class: "feature-name").allSatisfy { $0.hasSuffix("…") })
    }
}

@Suite("gmm plot draws densities and pairs")
struct DensityAndPairsCommandTests {
    @Test func oneFeatureModelGetsADensityFigure() throws {
        let box = try PlotCommandTests.prepared()
        let fit = try box.gmm(["fit", "old-faithful.csv", "--columns", "eruptions", "-k", "2", "-o", "one.json"])
        try #require(fit.status == 0, "\(fit.stderr)")
        let outcome = try box.gmm(["plot", "one.json", "old-faithful.csv", "--columns", "eruptions", "-o", "one.svg"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let svg = try ParsedSVG(try #require(box.text("one.svg")))
        #expect(try svg.count(class: "component-density") == 2)
        #expect(try svg.count(class: "mixture-density") == 1)
        #expect(try svg.count(class: "bar") >= 5)
    }

    @Test func pairsOfIris() throws {
        let box = try PlotCommandTests.prepared()
        #expect(try box.gmm(["fit", "iris.csv", "-k", "3", "-o", "iris.json"]).status == 0)
        let all = try box.gmm(["plot", "iris.json", "iris.csv", "--pairs", "-o", "pairs.svg"])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(try ParsedSVG(try #require(box.text("pairs.svg"))).count(class: "panel") == 12)
        let some = try box.gmm(["plot", "iris.json", "iris.csv", "--pairs", "--dims", "petal_width,0,2", "-o", "some.svg"])
        #expect(some.status == 0, "\(some.stderr)")
        let svg = try ParsedSVG(try #require(box.text("some.svg")))
        #expect(try svg.texts(class: "feature-name") == ["petal_width", "sepal_length", "petal_length"])
    }
}
