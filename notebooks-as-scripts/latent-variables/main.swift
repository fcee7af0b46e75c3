// Latent variables: the hidden component c, made concrete
// ========================================================
//
// The question: a Gaussian mixture is a *latent-variable* model. What exactly
// is latent, what are P(x, c), P(x) and P(c|x) for an actual row, and what is
// the difference between the model's latent space and an embedding space?
//
// What you will see, on Old Faithful with two components:
//   1. for five rows, the joint P(x, c) = P(x|c) P(c) of each component, the
//      marginal P(x) as their sum over c, and the posterior P(c|x) by Bayes'
//      rule, computed by hand from one-component densities and checked
//      against the library's `logDensities` and `responsibilities`;
//   2. the responsibilities as a K-dimensional representation of each row
//      (a soft embedding) next to the hard assignment (a one-hot vector);
//   3. a short answer to "latent space or embedding space?".
// The embedding of every row is written as CSV to output/latent-variables/.
//
// Run: swift run -c release latent-variables

import Foundation
import GaussianMixtures

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let folder = ProcessInfo.processInfo.environment["NOTEBOOK_OUTPUT"].map { URL(fileURLWithPath: $0) }
    ?? root.appendingPathComponent("output/latent-variables")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

/// Four significant digits, for tables meant to be read.
func fmt(_ x: Double) -> String { String(format: "%.4g", x) }

/// Cells padded to 12 characters, for aligned tables.
func row(_ cells: [String], width: Int = 12) -> String {
    cells.map { $0.padding(toLength: width, withPad: " ", startingAt: 0) }.joined(separator: " ")
}

// %% The generative story.
// To make an eruption, nature first picks a hidden kind c ∈ {0, 1} with
// probability P(c) (the weights), then draws x = (eruptions, waiting) from the
// Gaussian P(x|c) of that kind. We observe x, never c: c is the latent variable.
let data = try DataFileReader.read(path: root.appendingPathComponent("Data/old-faithful.csv").path)
let fit = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 2, initializationCount: 5, seed: 0))
let model = fit.model.reordered(by: .mean)  // component 0 = short eruptions
print("P(c):        " + model.weights.map(fmt).joined(separator: ", "))
for k in 0..<2 { print("mean of P(x|c=\(k)): " + model.means[k].map(fmt).joined(separator: ", ")) }

// %% P(x|c) for each component on its own.
// A one-component mixture with the component's mean and covariance is exactly
// the Gaussian P(x|c); its log density is log P(x|c).
let components = try (0..<2).map { k in
    try GaussianMixture(weights: [1], means: [model.means[k]], covariances: .full([model.covarianceMatrix(component: k)]),
                        featureNames: model.featureNames)
}
let logLikelihoodGivenC = try components.map { try $0.logDensities(of: data) }   // [c][row]

// %% Joint, marginal and posterior for five rows.
// joint P(x, c) = P(x|c) P(c); marginal P(x) = Σ_c P(x, c); posterior
// P(c|x) = P(x, c) / P(x) (Bayes' rule). The rows are chosen to show a
// short eruption, a long one, and three in between.
let logDensity = try model.logDensities(of: data)
let posterior = try model.responsibilities(for: data)
let certainty = (0..<data.sampleCount).map { posterior.row($0).max()! }
let picked = [0, 1] + Array((0..<data.sampleCount).sorted { certainty[$0] < certainty[$1] }.prefix(3))
print(row(["row", "eruptions", "waiting", "P(x|c=0)", "P(x|c=1)", "P(x,c=0)", "P(x,c=1)", "P(x)", "P(c=0|x)", "P(c=1|x)"]))
var largestDifference = 0.0
for i in picked {
    let conditional = (0..<2).map { exp(logLikelihoodGivenC[$0][i]) }
    let joint = (0..<2).map { conditional[$0] * model.weights[$0] }
    let marginal = joint.reduce(0, +)
    let byBayes = joint.map { $0 / marginal }
    print(row([String(i + 1), fmt(data[i, 0]), fmt(data[i, 1])] + (conditional + joint + [marginal] + byBayes).map(fmt)))
    largestDifference = max(largestDifference, abs(log(marginal) - logDensity[i]),
                            abs(byBayes[0] - posterior[i, 0]), abs(byBayes[1] - posterior[i, 1]))
}
print("largest difference from the library's logDensities / responsibilities: \(largestDifference)")

// %% The responsibilities as a soft embedding.
// Each row x maps to the vector (P(c=0|x), P(c=1|x)): K numbers that sum to 1,
// a point of the probability simplex. The hard assignment keeps only the
// largest entry (a one-hot vector, a vertex of the simplex). Rows deep inside
// a cluster sit at a vertex either way; rows between clusters keep their
// in-between position only in the soft embedding.
print(row(["row", "hard", "one-hot", "soft", "entropy"], width: 16))
for i in picked {
    let hard = certainty[i] == posterior[i, 0] ? 0 : 1
    let oneHot = hard == 0 ? "(1, 0)" : "(0, 1)"
    let soft = "(\(String(format: "%.3f", posterior[i, 0])), \(String(format: "%.3f", posterior[i, 1])))"
    let entropy = -(0..<2).reduce(0.0) { $0 + (posterior[i, $1] > 0 ? posterior[i, $1] * log(posterior[i, $1]) : 0) }
    print(row([String(i + 1), String(hard), oneHot, soft, fmt(entropy)], width: 16))
}
var table = TableWriter(header: data.featureNames + ["p0", "p1", "hard", "log_density"])
for i in 0..<data.sampleCount {
    table.append(data.row(i) + Array(posterior.row(i)) + [certainty[i] == posterior[i, 0] ? 0 : 1, logDensity[i]])
}
let embeddingPath = folder.appendingPathComponent("embedding.csv").path
try OutputFile.write(table.bytes, to: embeddingPath)
print("wrote \(embeddingPath)")

// %% Latent space or embedding space?
// The *latent space* is where the hidden variable lives: here the K = 2
// labels {0, 1}. It is part of the model's story of how data is made, it comes
// with a prior P(c), and every point in it means something ("a long
// eruption"): you can sample from it and generate x.
// An *embedding space* is any space you map rows into to work with them
// (distances, plots, a classifier's input). It needs no generative story.
// This model links the two: the posterior P(c|x) is a distribution over the
// latent space, and writing it as a vector turns it into an embedding of x in
// the K-simplex. The hard assignment is the same embedding with the
// uncertainty thrown away. So: latent space = the values of c; the
// embedding = what the model believes about c for each row.
let soft = (0..<data.sampleCount).filter { certainty[$0] < 0.99 }.count
print("\(soft) of \(data.sampleCount) rows are not at a vertex of the simplex (max P(c|x) < 0.99): only the soft embedding tells them apart")
