// Synthetic data: does a sample from the model look like the real thing?
// ======================================================================
//
// The question: a fitted mixture is a generator. Draw as many rows from it as
// the real data has; do they have the same means, spreads and correlations,
// and could a test tell the two sets apart feature by feature?
//
// What you will see, on Old Faithful with two full-covariance components:
// per-feature means and standard deviations of both sets, their correlation
// matrices, a two-sample Kolmogorov–Smirnov test per feature, a figure of the
// real and the synthetic rows side by side, and a check that the same seed
// gives the same sample to the bit. The synthetic rows (CSV) and the figure
// (SVG) go to output/synthetic-data/ (paths printed).
//
// Run: swift run -c release synthetic-data

import Foundation
import GaussianMixtures
import GaussianMixturesPlot

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let folder = ProcessInfo.processInfo.environment["NOTEBOOK_OUTPUT"].map { URL(fileURLWithPath: $0) }
    ?? root.appendingPathComponent("output/synthetic-data")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
let seed: UInt64 = 7

/// Four significant digits, for tables meant to be read.
func fmt(_ x: Double) -> String { String(format: "%.4g", x) }

// %% Fit on the real data, then sample the same number of rows.
// The sample draws a component c from P(c), then x from P(x|c), row by row.
let real = try DataFileReader.read(path: root.appendingPathComponent("Data/old-faithful.csv").path)
let model = try ExpectationMaximization.fit(real, options: FitOptions(componentCount: 2, initializationCount: 5, seed: 0)).model
    .reordered(by: .mean)
let draw = model.sample(count: real.sampleCount, seed: seed)
let synthetic = draw.samples
print("real rows: \(real.sampleCount), synthetic rows: \(synthetic.sampleCount) (seed \(seed))")

// %% Means and standard deviations per feature.
func column(_ data: DataMatrix, _ j: Int) -> [Double] { (0..<data.sampleCount).map { data[$0, j] } }
func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }
func standardDeviation(_ x: [Double]) -> Double {
    let m = mean(x)
    return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
}
print("feature     real mean   synth mean  real sd     synth sd")
for j in 0..<real.featureCount {
    let a = column(real, j), b = column(synthetic, j)
    print([real.featureNames[j], fmt(mean(a)), fmt(mean(b)), fmt(standardDeviation(a)), fmt(standardDeviation(b))]
        .map { $0.padding(toLength: 11, withPad: " ", startingAt: 0) }.joined(separator: " "))
}

// %% Correlation matrices.
func correlations(_ data: DataMatrix) -> [[Double]] {
    let columns = (0..<data.featureCount).map { column(data, $0) }
    return columns.map { a in
        columns.map { b in
            let ma = mean(a), mb = mean(b)
            let cov = zip(a, b).reduce(0) { $0 + ($1.0 - ma) * ($1.1 - mb) }
            return cov / (a.reduce(0) { $0 + ($1 - ma) * ($1 - ma) } * b.reduce(0) { $0 + ($1 - mb) * ($1 - mb) }).squareRoot()
        }
    }
}
for (name, data) in [("real", real), ("synthetic", synthetic)] {
    print("\(name) correlations:")
    for r in correlations(data) { print("  " + r.map { String(format: "%7.4f", $0) }.joined(separator: " ")) }
}

// %% A two-sample Kolmogorov–Smirnov test per feature.
// D is the largest gap between the two empirical distribution functions; the
// p-value is the asymptotic Kolmogorov distribution with Stephens'
// small-sample correction (Numerical Recipes §14.3). A large p-value means
// the test cannot tell the sets apart. Old Faithful's waiting times are whole
// minutes (ties), which makes the test conservative.
func kolmogorovSmirnov(_ a: [Double], _ b: [Double]) -> (d: Double, p: Double) {
    let x = a.sorted(), y = b.sorted()
    var i = 0, j = 0, d = 0.0
    while i < x.count && j < y.count {
        let t = min(x[i], y[j])
        while i < x.count && x[i] <= t { i += 1 }
        while j < y.count && y[j] <= t { j += 1 }
        d = max(d, abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
    }
    let n = (Double(x.count) * Double(y.count) / Double(x.count + y.count)).squareRoot()
    let lambda = (n + 0.12 + 0.11 / n) * d
    var p = 0.0, sign = 1.0
    for k in 1...100 {
        let term = sign * exp(-2 * Double(k * k) * lambda * lambda)
        p += term
        if abs(term) < 1e-12 { break }
        sign = -sign
    }
    return (d, min(max(2 * p, 0), 1))
}
print("feature     KS D        p-value")
for j in 0..<real.featureCount {
    let (d, p) = kolmogorovSmirnov(column(real, j), column(synthetic, j))
    print([real.featureNames[j], fmt(d), fmt(p)].map { $0.padding(toLength: 11, withPad: " ", startingAt: 0) }.joined(separator: " "))
}

// %% Real and synthetic side by side.
// Real rows are coloured by their most probable component, synthetic rows by
// the component that drew them.
let labels = try model.labels(for: real)
let points = { (data: DataMatrix) in (0..<data.sampleCount).map { (x: data[$0, 0], y: data[$0, 1]) } }
let figure = PanelsFigure(
    panels: [ScatterPanel(heading: "real (\(real.sampleCount) rows)", points: points(real), categories: labels),
             ScatterPanel(heading: "synthetic (seed \(seed))", points: points(synthetic), categories: draw.components)],
    title: "Old Faithful: real rows and a sample from the fitted mixture",
    subtitle: "colour: most probable component (real), drawing component (synthetic)",
    xLabel: real.featureNames[0], yLabel: real.featureNames[1], categoryNames: ["component 0", "component 1"])
let figurePath = folder.appendingPathComponent("synthetic-data-side-by-side.svg").path
try OutputFile.write(figure.render().bytes, to: figurePath)
print("wrote \(figurePath)")
var table = TableWriter(header: ["component"] + real.featureNames)
for i in 0..<synthetic.sampleCount { table.append(label: draw.components[i], values: synthetic.row(i)) }
let samplePath = folder.appendingPathComponent("synthetic.csv").path
try OutputFile.write(table.bytes, to: samplePath)
print("wrote \(samplePath)")

// %% The same seed gives the same sample.
// Every random choice comes from GSL's Mersenne Twister seeded with `seed`.
let again = model.sample(count: real.sampleCount, seed: seed)
let other = model.sample(count: real.sampleCount, seed: seed + 1)
print("same seed, same rows to the bit: \(again.samples == synthetic && again.components == draw.components)")
print("seed \(seed + 1) differs: \(!(other.samples == synthetic))")
