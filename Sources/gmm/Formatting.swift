import GaussianMixtures

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
func componentTable(_ model: GaussianMixture) -> String {
    var rows = [["component", "weight", "mean", "covariance"]]
    for k in 0..<model.componentCount {
        let mean = "[" + model.means[k].map { readable($0) }.joined(separator: ", ") + "]"
        let cov = model.covarianceMatrix(component: k)
        let covText = cov.map { "[" + $0.map { readable($0) }.joined(separator: ", ") + "]" }
        rows.append([String(k), readable(model.weights[k]), mean, covText.first ?? ""])
        for line in covText.dropFirst() { rows.append(["", "", "", line]) }
    }
    return textTable(rows)
}

/// Lines describing a fitted model (for `fit` and `info`).
func summaryLines(_ model: GaussianMixture, summary: FitSummary?) -> [String] {
    var lines = [
        "components:          \(model.componentCount) (\(model.covarianceKind.rawValue) covariance)",
        "features:            \(model.featureCount) (\(model.featureNames.joined(separator: ", ")))",
        "free parameters:     \(model.parameterCount)",
    ]
    if let s = summary {
        lines += [
            "training rows:       \(s.sampleCount)",
            "iterations:          \(s.iterationCount)",
            "converged:           \(s.hasConverged ? "yes" : "no")",
            "mean log-likelihood: \(s.meanLogLikelihood)",
            "BIC:                 \(s.bic)",
            "AIC:                 \(s.aic)",
        ]
    }
    return lines
}

import Foundation
