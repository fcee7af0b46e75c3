// The HTML of a report: the header, the model's facts and trace, the
// component table, the controls and the scatter's frame, the pairs grid, the
// outlier table's frame, then the data (JSON) and the script that draws and
// wires them. Everything is inline; the page fetches nothing.

import Foundation
import GaussianMixtures
import GaussianMixturesPlot

struct ReportPage {
    let report: MixtureReport
    let rows: [[Double]]
    let posterior: [[Double]]
    let details: [AssignmentDetail]
    let keptNames: [String]
    let keptValues: [[String]]

    var text: String {
        let model = report.model, summary = report.summary, options = report.options
        let kCount = model.componentCount
        let s = kCount == 1 ? "" : "s"
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(html(options.title))</title>
            <style>\(ReportStyle.css)</style>
            <script>\(ReportScript.errorHandler)</script>
            </head>
            <body>
            <header>
            <h1>\(html(options.title))</h1>
            <p class="sub">model <code>\(html(options.modelName))</code> · data <code>\(html(options.dataName))</code> ·
            \(summary.rowCount) rows · \(kCount) component\(s) (\(model.covarianceKind.rawValue) covariance) ·
            <span id="drawn-note">\(rows.count) of \(summary.rowCount) rows drawn</span>\(rows.count < summary.rowCount
                ? " (a seeded sample that keeps the \(summary.outlierRows.count) outliers and the least certain rows); every statistic is computed on all \(summary.rowCount) rows" : "")</p>
            </header>
            <div id="js-errors" role="alert"></div>
            <main>

            """
        out += modelSection()
        out += componentSection()
        out += scatterSection()
        out += outlierSection()
        out += "</main>\n<script type=\"application/json\" id=\"report-data\">"
        out += dataJSON().text
        out += "</script>\n<script>\n\(ReportScript.source)\n</script>\n<script>\n\(ReportSelfTest.source)\n</script>\n</body>\n</html>\n"
        return out
    }

    private func modelSection() -> String {
        let model = report.model, summary = report.summary
        let p = model.parameterCount
        var lines = [("components", "\(model.componentCount) (\(model.covarianceKind.rawValue) covariance)"),
                     ("features", "\(model.featureCount) (\(model.featureNames.joined(separator: ", ")))"),
                     ("free parameters", String(p))]
        lines += report.facts.lines
        lines += [("log-likelihood on these rows", number(summary.logLikelihood, 10)),
                  ("BIC on these rows", number(summary.bic(parameterCount: p), 10)),
                  ("ICL on these rows", number(summary.icl(parameterCount: p), 10) + " (BIC + 2 × entropy of the hard assignment)")]
        var out = "<section id=\"model\"><h2>Model</h2>\n<div class=\"cols\"><dl>\n"
        for (label, value) in lines { out += "<dt>\(html(label))</dt><dd>\(html(value))</dd>\n" }
        out += "</dl>\n"
        if let trace = report.facts.trace, !trace.isEmpty {
            let label = report.facts.traceLabel
            out += "<figure>" + SmallFigures.inline(SmallFigures.trace(trace, label: label), id: "trace")
                + "<figcaption>Convergence: \(html(label)) per iteration (\(trace.count) values)</figcaption></figure>\n"
        }
        return out + "</div></section>\n"
    }

    private func componentSection() -> String {
        let model = report.model, summary = report.summary
        let d = model.featureCount
        let drawnPerComponent = (0..<model.componentCount).map { k in details.filter { $0.component == k }.count }
        var out = """
            <section id="components"><h2>Components</h2>
            <p class="hint">Click a row, or reach it with Tab and press Enter, to highlight its members in every figure and table; again to clear.
            Soft count Σ P(c|x) and hard count over all \(summary.rowCount) rows; uncertain: max P(c|x) &lt; \(summary.uncertainBelow); drawn: its members among the rows the figures show.</p>
            <table id="component-table"><thead><tr><th scope="col">component</th><th scope="col">weight</th><th scope="col">mean</th>
            <th scope="col">\(model.covarianceKind.hasCorrelations ? "standard deviations; largest |correlation|" : "standard deviations")</th>
            <th scope="col">soft count</th><th scope="col">hard count</th><th scope="col">uncertain share</th><th scope="col">drawn</th></tr></thead><tbody>

            """
        for k in 0..<model.componentCount {
            let c = model.covarianceMatrix(component: k)
            let sd = (0..<d).map { c[$0][$0].squareRoot() }
            var spread = vector(sd)
            if model.covarianceKind.hasCorrelations, d > 1 {
                var largest = 0.0
                for i in 0..<d { for j in 0..<i { largest = max(largest, abs(c[i][j]) / (sd[i] * sd[j])) } }
                spread += "; " + number(largest, 3)
            }
            let hard = summary.hardCounts[k]
            let share = hard == 0 ? "—" : number(Double(summary.uncertainCounts[k]) / Double(hard), 4)
            out += "<tr class=\"comp\" tabindex=\"0\" aria-pressed=\"false\" data-k=\"\(k)\" data-drawn=\"\(drawnPerComponent[k])\">"
                + "<th scope=\"row\"><span class=\"swatch\" style=\"background:\(Palette.color(k))\"></span>\(k)</th>"
                + "<td>\(number(model.weights[k], 4))</td><td>\(html(vector(model.means[k])))</td><td>\(html(spread))</td>"
                + "<td>\(number(summary.softCounts[k], 6))</td><td>\(hard)</td><td>\(share)</td><td>\(drawnPerComponent[k])</td></tr>\n"
        }
        let uncertain = summary.uncertainCounts.reduce(0, +)
        out += "</tbody></table>\n<p>All rows: \(uncertain) of \(summary.rowCount) uncertain.</p></section>\n"
        return out
    }

    private func scatterSection() -> String {
        let model = report.model
        // The slider's values are min + n × step: a min on the 0.01 grid lets it reach 0.99 and 1 exactly.
        let floor = (100 / Double(model.componentCount)).rounded(.down) / 100
        var out = """
            <section id="rows"><h2>Rows under the model</h2>
            <div class="controls">
            <label for="view">View</label> <select id="view"></select>\(model.featureCount > 2 ? """
             <span id="pair-choice"><label for="x-feature">x</label> <select id="x-feature"></select>
             <label for="y-feature">y</label> <select id="y-feature"></select></span>
            """ : "")
            <label for="certainty">Show rows whose max P(c|x) is below <output id="certainty-value" for="certainty">1 (all rows)</output></label>
            <input type="range" id="certainty" min="\(number(floor, 4))" max="1" step="0.01" value="1">
            <button type="button" id="download">Download the selected rows (CSV)</button>
            <span id="selection-note" aria-live="polite"></span>
            </div>
            <a class="skip" href="#outliers">Skip the points (each is a Tab stop)</a>
            <div class="cols"><div class="scatter-col"><div class="scatter-wrap"><svg id="scatter" viewBox="0 0 750 535" role="group"
             aria-label="Drawn rows coloured by their most probable component; Tab moves through them"></svg>
            <div id="tip" role="status" aria-live="polite" hidden></div></div>
            <p class="hint">Points: colour = most probable component, shade = max P(c|x) (pale when components nearly tie).
            Ellipses hold 68.3% (1σ, solid) and 95.4% (2σ, dashed) of each component on the plane shown. Hover or focus a point for its details.</p>
            <p id="view-note" class="hint"></p></div>

            """
        if model.featureCount > 2 {
            let labels = details.map(\.component)
            out += "<figure>" + SmallFigures.inline(SmallFigures.pairs(model: model, rows: rows, labels: labels), id: "pairs")
                + "<figcaption>Pairs of the first \(min(model.featureCount, 4)) features (the first \(min(rows.count, SmallFigures.pairPointLimit)) drawn rows; 1σ ellipses)</figcaption></figure>\n"
        }
        return out + "</div></section>\n"
    }

    private func outlierSection() -> String {
        var headers = [("row", "row"), ("c", "component"), ("prob", "max P(c|x)"), ("lp", "log P(x)"),
                       ("m2", "Mahalanobis²"), ("tail", "tail probability")]
        headers += keptNames.enumerated().map { ("kept\($0.offset)", $0.element) }
        var out = """
            <section id="outliers"><h2>Outliers: the \(report.summary.outlierRows.count) rows with the lowest log P(x)</h2>
            <p class="hint">Click a column's header to sort by it (again to reverse). Rows are numbered from 0, as in the data file without its header.</p>
            <table id="outlier-table"><thead><tr>
            """
        for (key, label) in headers {
            out += "<th scope=\"col\" aria-sort=\"none\"><button type=\"button\" data-key=\"\(key)\">\(html(label))</button></th>"
        }
        out += """
            </tr></thead><tbody></tbody></table>
            <div class="pager"><button type="button" id="page-prev">Previous page</button> <span id="page-note"></span>
            <button type="button" id="page-next">Next page</button></div></section>

            """
        return out
    }

    private func dataJSON() -> JSON {
        let model = report.model, summary = report.summary
        let drawn = summary.drawnRows
        var position: [Int: Int] = [:]
        for (i, row) in drawn.enumerated() { position[row] = i }
        let views = ScatterView.all(model: model, data: report.data, drawn: rows)
        return .object([
            ("k", .number(Double(model.componentCount))), ("d", .number(Double(model.featureCount))),
            ("features", .array(model.featureNames.map { .string($0) })),
            ("colors", .array((0..<model.componentCount).map { .string(Palette.color($0)) })),
            ("kept", .array(keptNames.map { .string($0) })),
            ("n", .number(Double(summary.rowCount))), ("uncertain_below", .number(summary.uncertainBelow)),
            ("radii", .numbers(MixtureFigure.ellipseRadii)),
            ("points", .object([
                ("row", .numbers(drawn.map(Double.init))),
                ("c", .numbers(details.map { Double($0.component) })),
                ("p", .array(posterior.map { .rounded($0, digits: 4) })),
                ("x", .array(rows.map { .numbers($0) })),
                ("lp", .rounded(details.map(\.logDensity), digits: 6)),
                ("m2", .rounded(details.map(\.mahalanobisSquared), digits: 5)),
                ("tail", .rounded(details.map(\.tailProbability), digits: 4)),
                ("kept", .array(keptValues.map { .array($0.map { .string($0) }) })),
            ])),
            ("outliers", .numbers(summary.outlierRows.compactMap { position[$0] }.map(Double.init))),
            ("views", .array(views.map(\.json))),
            ("pairs", model.featureCount > 2 ? FeaturePairs(model: model, drawn: rows).json : .null),
        ])
    }

    private func vector(_ values: [Double]) -> String {
        let shown = values.prefix(6).map { number($0, 4) }
        return "[" + shown.joined(separator: ", ") + (values.count > 6 ? ", … (\(values.count))" : "") + "]"
    }

    private func number(_ x: Double, _ digits: Int) -> String {
        x.isFinite ? String(format: "%.\(digits)g", x) : (x < 0 ? "-inf" : "inf")
    }
}

/// `text` with HTML's special characters escaped.
func html(_ text: String) -> String {
    var out = ""
    for c in text.unicodeScalars {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}
