// `gmm report` pages loaded in headless Chromium: the DOM after the script
// ran holds K component rows and one point element per drawn row, no script
// error was caught, and the page's own self-test (#selftest: hover and focus
// a point, click a component, move the slider, sort, download, change the
// view) passed — for both bundled data sets, every covariance family, a
// weighted fit, a variational model, a sampled drawing and kept text columns.

import Foundation
import Testing

@Suite("gmm report in Chromium")
struct ReportBrowserTests {
    /// Writes the report of `model` on `data` and loads it with #selftest; checks what every page must satisfy.
    @discardableResult
    static func checkPage(_ box: Scratch, model: String, data: String, extra: [String] = [], components: Int, points: Int)
        throws -> LoadedPage {
        let page = "\(model).html"
        try box.gmmSucceeds(["report", model, data, "-o", page] + extra)
        let loaded = try load(box.path(page), fragment: "selftest", in: box.folder)
        #expect(loaded.scriptErrors.isEmpty, "\(model): \(loaded.scriptErrors)")
        #expect(!loaded.log.contains("Uncaught"), "\(model): the console shows an uncaught error")
        #expect(loaded.attribute("data-result", ofElementWithID: "selftest") == "pass",
                "\(model): self-test \(loaded.attribute("data-result", ofElementWithID: "selftest") ?? "did not run")")
        #expect(loaded.count("class=\"comp") == components, "\(model): component rows")
        #expect(loaded.count("<circle class=\"pt") == points, "\(model): point elements")
        return loaded
    }

    @Test func oldFaithfulTwoFullComponents() throws {
        let box = try Scratch()
        try box.gmmSucceeds(["fit", "old-faithful.csv", "-k", "2", "--n-init", "5", "-q", "-o", "faithful.json"])
        let page = try Self.checkPage(box, model: "faithful.json", data: "old-faithful.csv", components: 2, points: 272)
        #expect(page.dom.contains("272 of 272 rows drawn"))
        #expect(page.count("class=\"trace\"") == 1)
    }

    @Test func irisThreeComponentsInFourDimensions() throws {
        let box = try Scratch()
        try box.gmmSucceeds(["fit", "iris.csv", "-k", "3", "--n-init", "5", "-q", "-o", "iris.json"])
        let page = try Self.checkPage(box, model: "iris.json", data: "iris.csv", components: 3, points: 150)
        #expect(page.dom.contains("principal direction 1"))
        #expect(page.count("<option") == 2 + 2 * 4)   // principal directions, two features; x and y of four features
        #expect(page.count("class=\"pp\"") == 12 * 150)   // the pairs grid: 12 panels
    }

    @Test(arguments: ["diag", "spherical", "tied"])
    func everyCovarianceFamily(_ kind: String) throws {
        let box = try Scratch()
        try box.gmmSucceeds(["fit", "iris.csv", "-k", "3", "--covariance", kind, "-q", "-o", "\(kind).json"])
        try Self.checkPage(box, model: "\(kind).json", data: "iris.csv", components: 3, points: 150)
    }

    @Test func weightedAndVariationalModels() throws {
        let box = try Scratch()
        try box.write("weights.csv", (0..<272).map { String($0 % 3) }.joined(separator: "\n") + "\n")
        try box.gmmSucceeds(["fit", "old-faithful.csv", "-k", "2", "--sample-weights", "weights.csv", "-q", "-o", "weighted.json"])
        try Self.checkPage(box, model: "weighted.json", data: "old-faithful.csv", components: 2, points: 272)
        try box.gmmSucceeds(["fit", "old-faithful.csv", "-k", "4", "--method", "variational", "-q", "-o", "vb.json"])
        let page = try Self.checkPage(box, model: "vb.json", data: "old-faithful.csv", components: 4, points: 272)
        #expect(page.dom.contains("ELBO"))
    }

    /// One component: every row is certain, so the slider is disabled and hides nothing.
    @Test func oneComponent() throws {
        let box = try Scratch()
        try box.gmmSucceeds(["fit", "old-faithful.csv", "-k", "1", "-q", "-o", "one.json"])
        try Self.checkPage(box, model: "one.json", data: "old-faithful.csv", components: 1, points: 272)
    }

    /// A drawing smaller than the data: the page says so, and the outliers are among the drawn rows.
    @Test func sampledDrawingKeepsTheOutliers() throws {
        let box = try Scratch()
        try box.gmmSucceeds(["fit", "iris.csv", "-k", "3", "-q", "-o", "iris.json"])
        let page = try Self.checkPage(box, model: "iris.json", data: "iris.csv", extra: ["--max-points", "40"], components: 3, points: 40)
        #expect(page.dom.contains("40 of 150 rows drawn"))
    }

    /// 10⁶ rows: 3000 drawn, the statistics over all of them, a page of a few MB at most that still passes its self-test.
    @Test func aMillionRows() throws {
        let box = try Scratch()
        try box.gmmSucceeds(["fit", "iris.csv", "-k", "3", "-q", "-o", "iris.json"])
        try box.gmmSucceeds(["sample", "iris.json", "-n", "1000000", "--seed", "1", "-o", "big.npy"])
        let page = try Self.checkPage(box, model: "iris.json", data: "big.npy", components: 3, points: 3000)
        #expect(page.dom.contains("3000 of 1000000 rows drawn"))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: box.path("iris.json.html"))[.size] as? Int)
        #expect(size < 10_000_000, "the page has \(size) bytes")
        // Soft counts are over every row: they add up to 10⁶, not to the 3000 drawn.
        let softCounts = page.dom.components(separatedBy: "<tr class=\"comp\"").dropFirst().compactMap { row in
            Double(row.components(separatedBy: "<td>")[4].prefix { $0 != "<" })
        }
        #expect(softCounts.count == 3 && abs(softCounts.reduce(0, +) - 1_000_000) < 10)
    }

    /// Kept columns may hold text, commas in quotes included; they show in the outlier table and the CSV.
    @Test func keptTextColumns() throws {
        let box = try Scratch()
        let lines = try #require(box.text("old-faithful.csv")).split(separator: "\n")
        var labelled = ["id,eruptions,waiting,note"]
        for (i, line) in lines.dropFirst().enumerated() { labelled.append("r\(i),\(line),\"eruption \(i), <b>\"") }
        try box.write("labelled.csv", labelled.joined(separator: "\n") + "\n")
        try box.gmmSucceeds(["fit", "labelled.csv", "--columns", "eruptions,waiting", "-k", "2", "-q", "-o", "m.json"])
        let page = try Self.checkPage(box, model: "m.json", data: "labelled.csv",
                                      extra: ["--keep-columns", "id,note", "--title", "Faithful <labelled>"], components: 2, points: 272)
        #expect(page.dom.contains("data-key=\"kept0\">id</button>"))
        #expect(page.dom.contains(", &lt;b&gt;</td>"))   // the text cell, escaped, in the outlier table
        #expect(page.dom.contains("<title>Faithful &lt;labelled&gt;</title>"))
    }
}
