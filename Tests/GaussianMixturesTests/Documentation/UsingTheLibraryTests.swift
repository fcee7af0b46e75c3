// The Swift code of the article UsingTheLibrary.md, compiled and run.
//
// Every ```swift block of the article but the one that starts `// Package.swift`
// must appear in this file verbatim (the first test checks it), so the article's code compiles with every build of the
// tests, uses only the public API (a plain `import`, not `@testable`), and its
// numbers are the ones the article states.

import Foundation
import Testing

// MARK: - The article's code, block by block

import GaussianMixtures

/// Fits two components to a CSV file and asks the fitted model its questions.
func describeEruptions(csv path: String) throws -> (fit: FitResult, answers: Answers) {
    let data = try DataFileReader.read(path: path)
    let fit = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 2, initializationCount: 5))
    let model = fit.model                                   // weights, means, covariances
    let answers = Answers(
        bic: try model.bic(on: data),                       // as fit.report, on any data
        posterior: try model.responsibilities(for: data),   // P(c|x): predict_proba
        logDensity: try model.logDensities(of: data),       // log P(x): score_samples
        labels: try model.labels(for: data),                // argmax_c P(c|x): predict
        details: try model.assignmentDetails(for: data),    // certainty, entropy, Mahalanobis, tail
        draws: model.sample(count: 1000, seed: 1))          // rows from P(x, c), with their components
    return (fit, answers)
}

/// What `describeEruptions` asks of the model.
struct Answers {
    var bic: Double
    var posterior: ResponsibilityMatrix
    var logDensity: [Double]
    var labels: [Int]
    var details: [AssignmentDetail]
    var draws: MixtureSample
}

/// Saves a fit as a model file and reads it back.
func saveAndReload(_ fit: FitResult, to path: String) throws -> GaussianMixture {
    let bytes = ModelFile.encode(fit.model, summary: FitSummary(report: fit.report, model: fit.model))
    try OutputFile.write(bytes, to: path)                   // whole or not at all
    let (model, summary) = try ModelFile.read(path: path)   // summary: BIC, AIC, trace, …
    precondition(summary?.bic == FitSummary(report: fit.report, model: fit.model).bic)
    return model
}

/// Chooses K and the covariance model by BIC and by ICL, as `gmm select` does.
func chooseModel(_ data: DataMatrix) -> (byBIC: SelectionRow?, byICL: SelectionRow?) {
    let search = ModelSearch.run(data, componentCounts: Array(1...4), kinds: [.full, .diagonal, .spherical, .tied],
                                 options: FitOptions(initialization: .hierarchical), criterion: .bic)
    // search.rows: every candidate, best first (K, kind, log-likelihood, BIC, AIC, ICL, or why it failed)
    return (search.best, search.ranked(by: .icl).best)     // the same fits, ranked by ICL
}

/// Frequency weights and mclust's conjugate prior.
func weightedAndMAP(_ data: DataMatrix) throws -> (FitResult, FitResult) {
    let counts = (0..<data.sampleCount).map { Double($0 % 2 + 1) }   // row i counts as 1 or 2 rows
    let weighted = try ExpectationMaximization.fit(data, weights: counts, options: FitOptions(componentCount: 2))
    let prior = try ConjugatePrior.mclustDefault(for: data, componentCount: 3, kind: .VEV)
    let map = try ExpectationMaximization.fit(
        data, options: FitOptions(componentCount: 3, covarianceKind: .VEV, prior: prior))
    return (weighted, map)
}

/// Conditionals: the mixture of the other features given some.
func eruptionGivenWaiting(_ model: GaussianMixture) throws -> GaussianMixture {
    try model.conditional(givenNamed: ["waiting": 80])     // P(eruptions | waiting = 80)
}

/// Rows with gaps: fit on the observed values, then fill the gaps.
func fitWithGaps(csv path: String) throws -> DataMatrix {
    let gappy = try DataFileReader.read(path: path, missing: .allow)     // NaN marks a gap
    let fit = try ExpectationMaximization.fit(gappy, options: FitOptions(componentCount: 2))  // Ghahramani–Jordan EM
    let (posterior, logObserved) = try fit.model.marginalPosterior(of: gappy)   // P(c|x_o), log P(x_o)
    precondition(posterior.sampleCount == logObserved.count)
    return try fit.model.imputed(gappy)                     // conditional means; or imputationDraws(of:count:seed:)
}

/// A variational fit: the data choose how many of the K components to use.
func variational(_ data: DataMatrix) throws -> VariationalFitResult {
    let options = VariationalFitOptions(fit: FitOptions(componentCount: 6), weightPrior: .dirichletProcess)
    return try VariationalInference.fit(data, options: options)   // .posterior, .report.lowerBound
}

/// A fit that can be stopped, saved and continued to the same bits.
func stopAndResume(_ data: DataMatrix, stopAfter iterations: Int) throws -> (FitResult, FitResult) {
    let options = FitOptions(componentCount: 2, tolerance: 0, seed: 3)
    var saved: FitCheckpoint?
    var seen = 0
    let stopped = try ExpectationMaximization.fit(
        data, options: options, checkpoint: { state, _ in saved = state; seen += 1 },
        shouldStop: { seen >= iterations })                   // stopped.report.wasInterrupted
    let resumed = try ExpectationMaximization.fit(data, options: options, resumingFrom: saved)
    return (stopped, resumed)                               // resumed: the uninterrupted fit, to the bit
}

/// Online EM over mini-batches.
func online(_ data: DataMatrix) throws -> FitResult {
    try OnlineExpectationMaximization.fit(data, options: FitOptions(componentCount: 2),
                                          online: OnlineFitOptions(batchSize: 32, epochCount: 3))
}

// MARK: - Tests

@Suite("The article UsingTheLibrary.md")
struct UsingTheLibraryTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let faithful = root.appendingPathComponent("Data/old-faithful.csv").path

    @Test func everySwiftBlockOfTheArticleIsCompiledHere() throws {
        let article = try String(contentsOf: Self.root.appendingPathComponent(
            "Sources/GaussianMixtures/GaussianMixtures.docc/UsingTheLibrary.md"), encoding: .utf8)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let blocks = article.components(separatedBy: "```swift\n").dropFirst()
            .map { $0.components(separatedBy: "\n```")[0] }
        #expect(blocks.count >= 8)
        for block in blocks where !block.hasPrefix("// Package.swift") {
            #expect(source.contains(block + "\n"), "not in UsingTheLibraryTests.swift:\n\(block)")
        }
    }

    @Test func fitsAsTheCommandDoes() throws {
        let (fit, answers) = try describeEruptions(csv: Self.faithful)
        // `gmm fit Data/old-faithful.csv -k 2 --n-init 5` (GettingStarted.md).
        #expect(abs(fit.report.meanLogLikelihood - -4.155382594740063) < 1e-12)
        #expect(abs(answers.bic - 2322.19195426785) < 1e-9)
        #expect(abs(answers.posterior.row(1).reduce(0, +) - 1) < 1e-12)
        #expect(answers.labels.count == 272 && answers.logDensity.count == 272 && answers.details.count == 272)
        #expect(answers.draws.samples.sampleCount == 1000 && answers.draws.components.count == 1000)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("using-the-library-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try saveAndReload(fit, to: folder.appendingPathComponent("faithful.json").path)
        #expect(model.weights == fit.model.weights && model.means == fit.model.means)
        let given = try eruptionGivenWaiting(model)
        #expect(given.featureNames == ["eruptions"])
        #expect(abs(given.weights.reduce(0, +) - 1) < 1e-12)
    }

    @Test func selectsWeighsAndPriors() throws {
        let data = try DataFileReader.read(path: Self.faithful)
        let (byBIC, byICL) = chooseModel(data)
        // As mclust restricted to these four families: EEE with 3 by BIC, VVV with 2 by ICL.
        #expect(byBIC?.componentCount == 3 && byBIC?.covarianceKind == .tied)
        #expect(byICL?.componentCount == 2 && byICL?.covarianceKind == .full)
        let (weighted, map) = try weightedAndMAP(data)
        #expect(weighted.report.totalWeight == 408)
        #expect(map.model.covarianceKind == .VEV)
    }

    @Test func gapsVariationalCheckpointsAndOnline() throws {
        let text = try String(contentsOfFile: Self.faithful, encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        for i in stride(from: 5, to: lines.count, by: 5) { lines[i] = lines[i].split(separator: ",")[0] + "," }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("using-the-library-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let gappy = folder.appendingPathComponent("gappy.csv")
        try (lines.joined(separator: "\n") + "\n").write(to: gappy, atomically: true, encoding: .utf8)
        let filled = try fitWithGaps(csv: gappy.path)
        #expect(filled.sampleCount == 272 && filled.featureCount == 2)

        let data = try DataFileReader.read(path: Self.faithful)
        let vb = try variational(data)
        #expect(vb.posterior.weights.filter { $0 >= 0.01 }.count == 2)
        let (stopped, resumed) = try stopAndResume(data, stopAfter: 3)
        #expect(stopped.report.wasInterrupted)
        let whole = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 2, tolerance: 0, seed: 3))
        #expect(resumed.model.means == whole.model.means && resumed.report == whole.report)
        let onlineFit = try online(data)
        #expect(onlineFit.report.iterationCount == 27)
    }
}
