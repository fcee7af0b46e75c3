// The report draws component k in the colour every figure of the model gives
// it (`Palette.color(k)`, as `gmm plot`'s mixture, pairs and density figures
// do): its swatch in the component table, the colours the page's script
// draws with, and the ellipses of its pairs grid, which also lie whole inside
// their panels.

import Foundation
import GaussianMixtures
import GaussianMixturesPlot
import GaussianMixturesReport
import Testing

@Suite("Report colours")
struct ComponentColourTests {
    @Test func componentKHasPaletteColourKEverywhere() throws {
        let iris = try DataFileReader.read(path: packageRoot.appendingPathComponent("Data/iris.csv").path)
        let model = try ExpectationMaximization.fit(iris, options: FitOptions(componentCount: 4, initializationCount: 3, seed: 0)).model
        let report = try MixtureReport(model: model, facts: ReportModelFacts(lines: [], trace: nil, traceLabel: ""), data: iris,
                                       options: ReportOptions(title: "t"))
        let page = String(decoding: try report.html(), as: UTF8.self)
        for k in 0..<model.componentCount {
            let colour = Palette.color(k)
            #expect(page.contains("<span class=\"swatch\" style=\"background:\(colour)\"></span>\(k)</th>"), "swatch of \(k)")
        }
        // The script's colour list, in component order.
        let list = (0..<model.componentCount).map { "\"\(Palette.color($0))\"" }.joined(separator: ",")
        #expect(page.replacingOccurrences(of: " ", with: "").contains("\"colors\":[\(list)]"))
        // The pairs grid: 12 panels, each with the K ellipses in component order.
        let strokes = matches(of: #"<ellipse [^>]*stroke="(#[0-9a-f]{6})""#, in: page)
        #expect(strokes.count == 12 * model.componentCount)
        #expect(strokes == Array(repeating: (0..<model.componentCount).map(Palette.color), count: 12).flatMap { $0 })
    }

    /// The first capture group of every match of `pattern` in `text`.
    private func matches(of pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
