import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GaussianMixtures
import Testing
@testable import GaussianMixturesPlot

@Suite("Figures are well-formed SVG with the expected parts")
struct FigureTests {
    @Test(arguments: [1, 2, 3])
    func mixtureFigureOnOldFaithful(k: Int) throws {
        let data = try bundled("old-faithful.csv")
        let model = try fitted(data, k: k).model
        let svg = try ParsedSVG(MixtureFigure(model: model, data: data, title: "Old Faithful").render().text)
        #expect(svg.root?.name == "svg")
        #expect(try svg.values("/*/@width") == ["800"])
        #expect(try svg.values("/*/@height") == ["600"])
        #expect(try svg.count(element: "ellipse") == 2 * k)
        #expect(try svg.count(class: "ellipse-1sigma") == k)
        #expect(try svg.count(class: "ellipse-2sigma") == k)
        #expect(try svg.count(class: "point") == data.sampleCount)
        #expect(try svg.count(class: "mean") == k)
        #expect(try svg.texts(class: "title") == ["Old Faithful"])
        #expect(try svg.count(class: "legend") == 1)
        #expect(try svg.texts(class: "axis-label") == ["eruptions", "waiting"])
        #expect(try svg.count(class: "tick-label") >= 6)
        #expect(try svg.count(class: "contour") == 0)
        #expect(try svg.count(element: "script") == 0)
    }

    @Test func ellipsesAreCentredOnTheMeansInPixels() throws {
        let data = try bundled("old-faithful.csv")
        let model = try fitted(data, k: 2).model
        let svg = try ParsedSVG(MixtureFigure(model: model, data: data, title: "t").render().text)
        let meanX = try svg.values("//*[@class='mean']/@cx"), meanY = try svg.values("//*[@class='mean']/@cy")
        let ellipseX = try svg.values("//*[local-name()='ellipse']/@cx"), ellipseY = try svg.values("//*[local-name()='ellipse']/@cy")
        let radii = try svg.values("//*[local-name()='ellipse']/@rx").map { Double($0) ?? .nan }
        try #require(meanX.count == 2 && ellipseX.count == 4 && radii.count == 4)
        for k in 0..<2 {
            #expect(ellipseX[2 * k] == meanX[k] && ellipseX[2 * k + 1] == meanX[k])
            #expect(ellipseY[2 * k] == meanY[k] && ellipseY[2 * k + 1] == meanY[k])
            // The 2σ ellipse is the 1σ one scaled by √(q₂/q₁).
            let levels: [Double] = MixtureFigure.ellipseRadii
            let expected: Double = levels[1] / levels[0]
            let ratio: Double = radii[2 * k + 1] / radii[2 * k]
            #expect(abs(ratio - expected) < 0.01)
        }
    }

    @Test func densityContoursAndPrincipalView() throws {
        let data = try bundled("iris.csv")
        let model = try fitted(data, k: 3).model
        var figure = MixtureFigure(model: model, data: data, title: "Iris")
        figure.showsDensity = true
        let svg = try ParsedSVG(figure.render().text)
        #expect(try svg.count(class: "contour") >= 3)
        #expect(try svg.count(element: "ellipse") == 6)
        let labels = try svg.texts(class: "axis-label")
        #expect(labels.count == 2 && labels.allSatisfy { $0.hasPrefix("principal direction") })
        #expect(try svg.texts(class: "subtitle").contains { $0.contains("PD1") })
    }

    @Test func chosenFeaturesView() throws {
        let data = try bundled("iris.csv")
        let model = try fitted(data, k: 2).model
        let figure = MixtureFigure(model: model, data: data, projection: .features(3, 1, names: model.featureNames), title: "Iris")
        let svg = try ParsedSVG(figure.render().text)
        #expect(try svg.texts(class: "axis-label") == ["petal_width", "sepal_width"])
    }

    @Test func thinsLargeData() throws {
        let data = try bundled("old-faithful.csv")
        let model = try fitted(data, k: 2).model
        var figure = MixtureFigure(model: model, data: data, title: "t")
        figure.maxPoints = 100
        let svg = try ParsedSVG(figure.render().text)
        #expect(try svg.count(class: "point") <= 100)
        #expect(try svg.texts(class: "subtitle").first?.contains("drawn") == true)
    }

    @Test func selectionFigureFromTheLibrarySearch() throws {
        let data = try bundled("old-faithful.csv")
        let table = ModelSearch.run(data, componentCounts: [1, 2, 3], kinds: [.full, .tied], options: FitOptions(seed: 0), criterion: .bic)
        let points = SelectionPoint.points(of: table)
        #expect(points.count == 6 && points.filter(\.isBest).count == 1)
        let svg = try ParsedSVG(SelectionFigure(points: points).render().text)
        #expect(try svg.count(class: "panel") == 3)
        #expect(try svg.count(class: "family-line") == 6)       // 2 families × 3 criteria
        #expect(try svg.count(class: "candidate") == 18)
        #expect(try svg.count(class: "best") == 3)
        #expect(try svg.texts(class: "axis-label") == ["BIC", "AIC", "number of components K", "ICL"])
    }

    @Test func selectionTableParsing() throws {
        let text = """
            components,covariance,log_likelihood,n_parameters,bic,aic,icl,converged,seconds,best,failure
            3,tied,-1126.6,11,2314.9,2275.3,2352.1,true,0.0035,1,
            2,full,-1130.2,11,2322.1,2282.5,2322.6,true,0.011,0,
            8,full,,71,,,,,0.2,0,"component 3 collapsed, ""try"" fewer"

            """
        let points = try SelectionTableFile.parse(text, path: "t.csv")
        #expect(points == [SelectionPoint(componentCount: 3, covariance: "tied", bic: 2314.9, aic: 2275.3, icl: 2352.1, isBest: true),
                           SelectionPoint(componentCount: 2, covariance: "full", bic: 2322.1, aic: 2282.5, icl: 2322.6, isBest: false)])
        #expect(SelectionTableFile.splitCSV("a,\"b,c\",\"d\"\"e\"") == ["a", "b,c", "d\"e"])
        #expect(throws: DataFileError.malformed(path: "t.csv", line: 2, column: 4, message: "expected a number, found \"x\"")) {
            try SelectionTableFile.parse("components,covariance,bic,aic,icl,best\n2,full,1,x,3,1\n", path: "t.csv")
        }
        #expect(throws: DataFileError.self) { try SelectionTableFile.parse("a,b\n1,2\n", path: "t.csv") }
        #expect(throws: DataFileError.self) { try SelectionTableFile.parse("", path: "t.csv") }
    }

    @Test func traceFigure() throws {
        let svg = try ParsedSVG(TraceFigure(trace: [-4.2, -4.16, -4.1555, -4.15539], subtitle: "m.json").render().text)
        #expect(try svg.count(class: "trace") == 1)
        #expect(try svg.count(class: "iteration") == 4)
        #expect(try svg.texts(class: "axis-label") == ["iteration", "mean log-likelihood"])
        let one = try ParsedSVG(TraceFigure(trace: [-1]).render().text)
        #expect(try one.count(class: "iteration") == 1)
    }

    @Test func textIsEscaped() throws {
        var document = SVGDocument(title: "a < b & \"c\"")
        document.append(SVGElement("text", [("class", "t")], text: "x<y>&'z'\u{1}"))
        let svg = try ParsedSVG(document.text)
        #expect(try svg.texts(class: "t") == ["x<y>&'z'"])
        #expect(svgNumber(-0.001) == "0" && svgNumber(12.5) == "12.5" && svgNumber(3) == "3" && svgNumber(.nan) == "0")
    }
}

@Suite("Side-by-side panels")
struct PanelsFigureTests {
    @Test func twoPanelsShareTheAxes() throws {
        let a = ScatterPanel(heading: "real", points: [(0, 0), (1, 2), (2, 1)], categories: [0, 1, 1])
        let b = ScatterPanel(heading: "synthetic", points: [(0.5, 0.5), (3, 3)], categories: [0, 0])
        let figure = PanelsFigure(panels: [a, b], title: "compare", xLabel: "x", yLabel: "y", categoryNames: ["c0", "c1"])
        let svg = try ParsedSVG(figure.render().text)
        #expect(try svg.count(class: "panel") == 2)
        #expect(try svg.count(class: "point") == 5)
        #expect(try svg.texts(class: "panel-heading") == ["real", "synthetic"])
        // Both panels have the same x tick labels; the shared y axis is labelled once, at the left.
        let first = try svg.values("//*[@class='panel'][1]//*[@class='tick-label'][@text-anchor='middle']")
        let second = try svg.values("//*[@class='panel'][2]//*[@class='tick-label'][@text-anchor='middle']")
        #expect(!first.isEmpty && first == second)
        #expect(try svg.values("//*[@class='panel'][1]//*[@class='tick-label'][@text-anchor='end']").count >= 3)
        #expect(try svg.values("//*[@class='panel'][2]//*[@class='tick-label'][@text-anchor='end']").isEmpty)
    }
}
