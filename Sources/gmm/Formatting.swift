import GaussianMixtures

// Numbers for people and numbers for programs.
//
// Files and tables that programs read (model files; CSV, TSV and .npy tables on
// standard output or -o; select's --output-table) hold every Double in its
// shortest round-trip form, so reading one back gives the same bits. Summaries
// for people (fit's and score's lines on standard error, `gmm info`, select's
// table, classify's report, condition's table) round, by one rule:
//
// - parameters and per-row quantities (weights, means, covariances, volumes,
//   shapes, the mean log-likelihood, rates, shares): 6 significant digits,
//   `readable(x)`;
// - totals on the log-likelihood scale that are compared between fits (BIC, AIC,
//   ICL, the log-likelihood, the ELBO and evidence bound): one decimal,
//   `readableTotal(x)`. What matters in them is the difference in absolute units
//   (a BIC difference under 2 is no evidence), whatever their size, so a count of
//   significant digits would hide differences between large totals;
// - durations: 3 significant digits (2 in select's table) and the unit " s", last
//   on their line, so `scripts/examples` can recognise and ignore them.
//
// So a summary does not show the last bits of a Double, which differ between
// CPUs' kernels; the progress lines on a terminal show 10 digits, to watch EM move.

/// A number for people: up to `digits` significant digits.
func readable(_ x: Double, digits: Int = 6) -> String {
    if x == 0 { return "0" }
    if x.isNaN || x.isInfinite { return "\(x)" }
    let magnitude = abs(x)
    if magnitude >= 1e-4 && magnitude < 1e9 {
        var s = String(format: "%.\(digits)g", x)
        if s.contains("e") { s = String(format: "%.\(max(digits - 1, 0))e", x) }
        return s
    }
    return String(format: "%.\(max(digits - 1, 0))e", x)
}

/// A total on the log-likelihood scale (BIC, AIC, ICL, log-likelihood, ELBO) for
/// people: one decimal, whatever its size (`2322.2`, `-1234567.9`).
func readableTotal(_ x: Double) -> String {
    if x.isNaN || x.isInfinite { return "\(x)" }
    let s = String(format: "%.1f", x)
    return s == "-0.0" ? "0.0" : s
}

/// A duration for people: `0.0102 s` (3 significant digits and the unit).
func readableSeconds(_ seconds: Double, digits: Int = 3) -> String {
    readable(seconds, digits: digits) + " s"
}

/// Left-aligned text table with columns padded to their widest cell.
func textTable(_ rows: [[String]], indent: String = "  ") -> String {
    guard let width = rows.map(\.count).max() else { return "" }
    var widths = [Int](repeating: 0, count: width)
    for row in rows { for (c, cell) in row.enumerated() { widths[c] = max(widths[c], cell.count) } }
    return rows.map { row in
        indent + row.enumerated().map { c, cell in
            c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }.joined(separator: "\n")
}

/// The per-component table: weight, mean and covariance of each component.
///
/// Each model as it is parameterised: a full or tied covariance is shown as its
/// matrix up to 4 features (or with `allCovariances`) and as its variances above;
/// diagonal models as their variances, spherical ones as one variance; a
/// covariance every component shares (tied, EEE, EEI, EII) once, under the table.
/// Nothing d×d is built unless asked, and lists longer than `listLimit` are cut
/// (a model of 10⁵ features is summarised, not dumped) except the covariances
/// under `allCovariances`.
func componentTable(_ model: GaussianMixture, allCovariances: Bool = false) -> String {
    let d = model.featureCount
    let showsMatrix = (d <= 4 || allCovariances) && model.covarianceKind.hasCorrelations
    let shared = model.covarianceKind.sharesOneCovariance && model.componentCount > 1
    let list = { (values: [Double]) in
        allCovariances ? "[" + values.map { readable($0) }.joined(separator: ", ") + "]" : readableList(values)
    }
    let header = showsMatrix ? "covariance" : model.covarianceKind.isSpherical ? "variance" : "variances"
    func covarianceText(_ k: Int) -> [String] {
        let entry = { (i: Int, j: Int) in model.covariance(component: k, row: i, column: j) }
        return if showsMatrix {
            (0..<d).map { i in list((0..<d).map { entry(i, $0) }) }
        } else if model.covarianceKind.isSpherical {
            [readable(entry(0, 0))]
        } else {
            [list((0..<d).map { entry($0, $0) })]
        }
    }
    var rows = [["component", "weight", "mean"] + (shared ? [] : [header])]
    for k in 0..<model.componentCount {
        let covText = shared ? [] : covarianceText(k)
        rows.append([String(k), readable(model.weights[k]), readableList(model.means[k])] + (shared ? [] : [covText.first ?? ""]))
        for line in covText.dropFirst() { rows.append(["", "", "", line]) }
    }
    if let noise = model.noise {
        // mclust's uniform noise: its weight, and the volume V of its density 1/V.
        rows.append(["noise", readable(noise.weight), "uniform, volume \(readable(noise.volume))"] + (shared ? [] : [""]))
    }
    var text = textTable(rows)
    if shared {
        text += "\n\(header) shared by every component:\n" + covarianceText(0).map { "  " + $0 }.joined(separator: "\n")
    }
    if model.covarianceKind.hasCorrelations && !showsMatrix {
        text += "\n(\(d) features: the variances only; `gmm info MODEL --covariances` prints the matrices)"
    }
    guard let parts = model.decomposition else { return text }
    // mclust's models: volume λ_k and shape A_k of Σ_k = λ_k D_k A_k D_kᵀ (the orientation is in the model file).
    var decomposition = [["component", "volume", "shape"]]
    for k in 0..<model.componentCount {
        decomposition.append([String(k), readable(parts.volumes[k]), readableList(parts.shapes[k])])
    }
    return text + "\n" + textTable(decomposition)
}

/// How many entries of a list a summary shows before "…".
let listLimit = 8

/// `[a, b, …]` in readable numbers, cut after `listLimit` entries with the count of the rest.
func readableList(_ values: [Double]) -> String {
    let shown = values.prefix(listLimit).map { readable($0) }
    let rest = values.count - shown.count
    return "[" + shown.joined(separator: ", ") + (rest > 0 ? ", … (\(rest) more)]" : "]")
}

/// Names joined by commas, cut after `listLimit` with the count of the rest.
func nameList(_ names: [String]) -> String {
    let rest = names.count - min(names.count, listLimit)
    return names.prefix(listLimit).joined(separator: ", ") + (rest > 0 ? ", … (\(rest) more)" : "")
}

/// Lines describing a fitted model (for `fit` and `info`).
func summaryLines(_ model: GaussianMixture, summary: FitSummary?) -> [String] {
    var lines = [
        "components:          \(model.componentCount) (\(model.covarianceKind.rawValue) covariance)",
        "features:            \(model.featureCount) (\(nameList(model.featureNames)))",
        "free parameters:     \(model.parameterCount)",
    ]
    if let s = summary {
        lines += [
            "training rows:       \(s.sampleCount)",
            "iterations:          \(s.iterationCount)",
            "converged:           \(s.hasConverged ? "yes" : "no")",
            "mean log-likelihood: \(readable(s.meanLogLikelihood))",
            "BIC:                 \(readableTotal(s.bic))",
            "AIC:                 \(readableTotal(s.aic))",
        ]
    }
    return lines
}

import Foundation
