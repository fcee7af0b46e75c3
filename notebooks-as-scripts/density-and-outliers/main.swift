// Density and outliers: which eruptions are unusual?
// ==================================================
//
// The question: log P(x) says how typical a row is under the model. Where is
// the density high and low, which eruptions are the least typical, and what
// happens to the model when one clearly odd eruption is added?
//
// What you will see, on Old Faithful with two full-covariance components: the
// figure of log P(x) contours over the data, the eight rows with the smallest
// tail probability (the chance that a row of their component lies farther
// out, by the chi-square distribution of the squared Mahalanobis distance),
// then the same after adding one made-up eruption (1.5 minutes after a
// 95-minute wait): its log P(x) and tail probability, and how little the
// fitted parameters move. Figures go to output/density-and-outliers/.
//
// Run: swift run -c release density-and-outliers

import Foundation
import GaussianMixtures
import GaussianMixturesPlot

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let folder = ProcessInfo.processInfo.environment["NOTEBOOK_OUTPUT"].map { URL(fileURLWithPath: $0) }
    ?? root.appendingPathComponent("output/density-and-outliers")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

/// Four significant digits, for tables meant to be read.
func fmt(_ x: Double) -> String { String(format: "%.4g", x) }
func padded(_ cells: [String]) -> String { cells.map { $0.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined(separator: " ") }

let data = try DataFileReader.read(path: root.appendingPathComponent("Data/old-faithful.csv").path)
let options = FitOptions(componentCount: 2, initializationCount: 5, seed: 0)
let model = try ExpectationMaximization.fit(data, options: options).model.reordered(by: .mean)

// %% The density over the data.
// Contour lines of log P(x) every half unit; the two peaks are the two kinds
// of eruption, and the density falls fastest across the short axis of each
// ellipse.
var figure = MixtureFigure(model: model, data: data, title: "Old Faithful: log P(x) and the two components")
figure.showsDensity = true
let densityPath = folder.appendingPathComponent("density-and-outliers-contours.svg").path
try OutputFile.write(try figure.render().bytes, to: densityPath)
print("wrote \(densityPath)")

// %% The least typical rows.
// For each row: its most probable component, the squared Mahalanobis distance
// to that component's mean, and the upper tail probability of a chi-square
// with 2 degrees of freedom at that distance. A tail probability of 0.01
// means only 1% of that component's eruptions lie farther out.
let details = try model.assignmentDetails(for: data)
print(padded(["row", "eruptions", "waiting", "component", "log P(x)", "mahalanobis²", "tail P"]))
for i in (0..<data.sampleCount).sorted(by: { details[$0].tailProbability < details[$1].tailProbability }).prefix(8) {
    let d = details[i]
    print(padded([String(i + 1), fmt(data[i, 0]), fmt(data[i, 1]), String(d.component), fmt(d.logDensity),
                  fmt(d.mahalanobisSquared), fmt(d.tailProbability)]))
}
let expected = Double(data.sampleCount) * 0.01
let below = details.filter { $0.tailProbability < 0.01 }.count
print("rows with tail probability below 0.01: \(below) (about \(fmt(expected)) expected if the model were exactly right)")

// %% Add one odd eruption and refit.
// A short eruption after a long wait matches neither kind. Its log P(x) is
// far below every real row's and its tail probability is tiny; because EM
// gives it a soft share of both components, its pull on their means and
// covariances is small with 273 rows.
let outlier = [1.5, 95.0]
let augmented = try DataMatrix(rows: (0..<data.sampleCount).map { data.row($0) } + [outlier], featureNames: data.featureNames)
let refit = try ExpectationMaximization.fit(augmented, options: options).model.reordered(by: .mean)
let outlierDetail = try refit.assignmentDetails(for: DataMatrix(rows: [outlier], featureNames: data.featureNames))[0]
let realDensities = try refit.logDensities(of: data)
print("the added row (1.5, 95): log P(x) \(fmt(outlierDetail.logDensity)) (lowest real row: \(fmt(realDensities.min()!))), "
      + "tail P \(fmt(outlierDetail.tailProbability)), P(c|x) = \(fmt(outlierDetail.probability)) for component \(outlierDetail.component)")
print(padded(["component", "weight", "mean", "", "→ weight", "→ mean", ""]))
for k in 0..<2 {
    print(padded([String(k), fmt(model.weights[k]), fmt(model.means[k][0]), fmt(model.means[k][1]),
                  fmt(refit.weights[k]), fmt(refit.means[k][0]), fmt(refit.means[k][1])]))
}
for k in 0..<2 {
    let before = model.covarianceMatrix(component: k), after = refit.covarianceMatrix(component: k)
    print("component \(k) waiting variance: \(fmt(before[1][1])) → \(fmt(after[1][1])); covariance: \(fmt(before[0][1])) → \(fmt(after[0][1]))")
}
var withOutlier = MixtureFigure(model: refit, data: augmented, title: "Old Faithful plus one odd eruption (1.5 min after 95 min)")
withOutlier.showsDensity = true
let outlierPath = folder.appendingPathComponent("density-and-outliers-added.svg").path
try OutputFile.write(try withOutlier.render().bytes, to: outlierPath)
print("wrote \(outlierPath)")
