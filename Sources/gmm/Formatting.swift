import GaussianMixtures
import GaussianMixturesCommandLine

// Summaries round their numbers by the rule in
// GaussianMixturesCommandLine/ReadableNumbers.swift (`readable`, `readableTotal`,
// `readableSeconds`); files and tables keep shortest round-trip.

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
