// Old Faithful: two kinds of eruption
// ====================================
//
// The question: Old Faithful's eruptions look like two kinds, short ones after
// short waits and long ones after long waits. How many rows does each kind
// explain, where do the two kinds sit, and which eruptions could be either?
//
// What you will see: the fitted two-component mixture (weights, means,
// covariances), the fit's BIC against one and three components, the figure of
// the two kinds with their 1σ and 2σ ellipses, and the ten eruptions whose
// kind the model is least sure about, with P(c|x) for both and the two
// weighted densities P(x, c) that nearly tie, and the eruption times alone as
// a one-feature mixture over their histogram. The posterior table (CSV) and
// the figures (SVG) are written to output/old-faithful/ (paths printed; set
// NOTEBOOK_OUTPUT to write them elsewhere).
//
// Run: swift run -c release old-faithful

import Foundation
import GaussianMixtures
import GaussianMixturesPlot

// %% Load the data bundled with the project.
// Two columns: eruption time and waiting time to the next eruption, in minutes.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let data = try DataFileReader.read(path: root.appendingPathComponent("Data/old-faithful.csv").path)
print("rows: \(data.sampleCount), features: \(data.featureNames.joined(separator: ", "))")
let folder = ProcessInfo.processInfo.environment["NOTEBOOK_OUTPUT"].map { URL(fileURLWithPath: $0) }
    ?? root.appendingPathComponent("output/old-faithful")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

// %% Fit one, two and three components and compare BIC (lower is better).
// Five k-means restarts each, seed fixed so the run repeats to the bit.
var fits: [Int: FitResult] = [:]
for k in 1...3 {
    let fit = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: k, initializationCount: 5, seed: 0))
    fits[k] = fit
    let bic = GaussianMixture.bic(meanLogLikelihood: fit.report.meanLogLikelihood, sampleCount: data.sampleCount,
                                  parameterCount: fit.model.parameterCount)
    print("K=\(k): mean log-likelihood \(fit.report.meanLogLikelihood), BIC \(bic), iterations \(fit.report.iterationCount)")
}

// %% The two-component model.
// Each component is one kind of eruption: its weight is the share of eruptions
// of that kind, its mean the typical (eruption, waiting) pair.
let model = fits[2]!.model
for k in 0..<model.componentCount {
    print("component \(k): weight \(model.weights[k]), mean \(model.means[k]), covariance \(model.covarianceMatrix(component: k))")
}

// %% The figure: each eruption coloured by its more probable kind, pale where
// the model hesitates; the solid ellipse holds 68% of a kind's eruptions, the
// dashed one 95% (radii from the chi-square quantile with 2 degrees of freedom).
let figure = MixtureFigure(model: model, data: data, title: "Old Faithful: two kinds of eruption")
let figurePath = folder.appendingPathComponent("old-faithful-clusters.svg").path
try OutputFile.write(figure.render().bytes, to: figurePath)
print("wrote \(figurePath)")

// %% The ten least certain eruptions, and why.
// P(c|x) = P(x, c) / P(x) with P(x, c) = P(c) P(x|c). A row is uncertain when
// the two weighted densities P(x, c=0) and P(x, c=1) are nearly equal: the
// eruption sits between the two kinds. log P(x, c) = log P(c|x) + log P(x).
let posterior = try model.responsibilities(for: data)
let density = try model.logDensities(of: data)
let uncertain = (0..<data.sampleCount).sorted { posterior.row($0).max()! < posterior.row($1).max()! }.prefix(10)
// The gap |log P(x, c=0) − log P(x, c=1)| decides: P(c|x) of the larger is
// 1 / (1 + e^−gap), so a gap of 0 is a tie (0.5 each), 1.4 gives 0.8 and 4.6
// gives 0.99. Only rows near the straight line between the two clusters have
// a small gap.
print("row, eruptions, waiting, P(c=0|x), P(c=1|x), log P(x, c=0), log P(x, c=1), gap, log P(x)")
for i in uncertain {
    let joint = (0..<2).map { log(posterior[i, $0]) + density[i] }
    print("\(i + 1), \(data[i, 0]), \(data[i, 1]), \(fmt(posterior[i, 0])), \(fmt(posterior[i, 1])), "
          + "\(fmt(joint[0])), \(fmt(joint[1])), \(fmt(abs(joint[0] - joint[1]))), \(fmt(density[i]))")
}

// %% One feature alone: the eruption times.
// Without the waiting times the two kinds still show as two bumps. A
// one-feature mixture is drawn as a histogram (scaled to a density) with each
// component's weighted density w·P(x|c), whose area is its weight, and the
// mixture density P(x) over them; this is what `gmm plot` draws for a
// one-feature model.
let eruptions = try DataMatrix(rows: (0..<data.sampleCount).map { [data[$0, 0]] }, featureNames: ["eruptions"])
let eruptionModel = try ExpectationMaximization.fit(eruptions, options: FitOptions(componentCount: 2, initializationCount: 5, seed: 0)).model
print("eruptions alone: weights \(eruptionModel.weights.map(fmt)), means \(eruptionModel.means.map { fmt($0[0]) })")
let densityPath = folder.appendingPathComponent("old-faithful-eruptions-density.svg").path
try OutputFile.write(try DensityFigure(model: eruptionModel, data: eruptions, title: "Old Faithful: eruption times alone, two components")
                        .render().bytes, to: densityPath)
print("wrote \(densityPath)")

// %% Save the posterior of every row for a closer look.
var table = TableWriter(header: data.featureNames + ["p0", "p1", "log_density"])
for i in 0..<data.sampleCount { table.append(data.row(i) + Array(posterior.row(i)) + [density[i]]) }
try OutputFile.write(table.bytes, to: folder.appendingPathComponent("posterior.csv").path)
print("wrote \(folder.appendingPathComponent("posterior.csv").path)")

/// Four significant digits, for tables meant to be read.
func fmt(_ x: Double) -> String { String(format: "%.4g", x) }
