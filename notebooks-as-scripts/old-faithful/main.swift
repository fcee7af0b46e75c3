// Old Faithful: two kinds of eruption
// ====================================
//
// The question: Old Faithful's eruptions look like two kinds, short ones after
// short waits and long ones after long waits. How many rows does each kind
// explain, where do the two kinds sit, and which eruptions could be either?
//
// What you will see: the fitted two-component mixture (weights, means,
// covariances), the fit's BIC against one and three components, and the ten
// eruptions whose kind the model is least sure about, with P(c|x) for both.
// The posterior table is written as CSV to output/old-faithful/ (path printed).
//
// Run: swift run -c release old-faithful

import Foundation
import GaussianMixtures

// %% Load the data bundled with the project.
// Two columns: eruption time and waiting time to the next eruption, in minutes.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let data = try DataFileReader.read(path: root.appendingPathComponent("Data/old-faithful.csv").path)
print("rows: \(data.sampleCount), features: \(data.featureNames.joined(separator: ", "))")

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

// %% The ten least certain eruptions.
// P(c|x) near 0.5 for both components: the eruption sits between the two
// kinds, where the two weighted densities nearly tie.
let posterior = try model.responsibilities(for: data)
let density = try model.logDensities(of: data)
let uncertain = (0..<data.sampleCount).sorted { posterior.row($0).max()! < posterior.row($1).max()! }.prefix(10)
print("row, eruptions, waiting, P(c=0|x), P(c=1|x), log P(x)")
for i in uncertain {
    print("\(i + 1), \(data[i, 0]), \(data[i, 1]), \(posterior[i, 0]), \(posterior[i, 1]), \(density[i])")
}

// %% Save the posterior of every row for a closer look.
let folder = root.appendingPathComponent("output/old-faithful")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
var table = TableWriter(header: data.featureNames + ["p0", "p1", "log_density"])
for i in 0..<data.sampleCount { table.append(data.row(i) + Array(posterior.row(i)) + [density[i]]) }
try OutputFile.write(table.bytes, to: folder.appendingPathComponent("posterior.csv").path)
print("wrote \(folder.appendingPathComponent("posterior.csv").path)")
