import Foundation
import Testing
@testable import GaussianMixtures

@Suite("Frequency weights")
struct SampleWeightTests {
    let faithful: DataMatrix = try! DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/old-faithful.csv").path)

    /// Weights 0, 1, 2, 3 cycling over the rows, and the data with each row repeated that often.
    func weightedAndExpanded() throws -> (weights: [Double], expanded: DataMatrix, kept: DataMatrix) {
        let weights = (0..<faithful.sampleCount).map { Double($0 % 4) }
        var rows: [[Double]] = []
        for i in 0..<faithful.sampleCount {
            for _ in 0..<Int(weights[i]) { rows.append(faithful.row(i)) }
        }
        let kept = (0..<faithful.sampleCount).filter { weights[$0] > 0 }.map { faithful.row($0) }
        return (weights, try DataMatrix(rows: rows, featureNames: faithful.featureNames),
                try DataMatrix(rows: kept, featureNames: faithful.featureNames))
    }

    func start(_ kind: CovarianceKind) throws -> GaussianMixture {
        try ExpectationMaximization.fit(faithful, options: FitOptions(componentCount: 3, covarianceKind: kind, maxIterations: 0)).model
    }

    func expectSame(_ a: FitResult, _ b: FitResult, tolerance: Double = 1e-10) {
        let pa = a.model.weights + a.model.means.flatMap { $0 } + a.model.covariances.flattened
        let pb = b.model.weights + b.model.means.flatMap { $0 } + b.model.covariances.flattened
        let worst = worstRelativeError(pa, pb, floor: 1e-6)
        #expect(worst.error <= tolerance, "parameter \(worst.index): relative error \(worst.error)")
        #expect(abs(a.report.meanLogLikelihood - b.report.meanLogLikelihood) <= tolerance * abs(b.report.meanLogLikelihood))
        #expect(a.report.iterationCount == b.report.iterationCount)
    }

    @Test("integer weights give the same model as repeated rows", arguments: CovarianceKind.allCases)
    func integerWeightsRepeatRows(_ kind: CovarianceKind) throws {
        let (weights, expanded, _) = try weightedAndExpanded()
        let options = FitOptions(componentCount: 3, covarianceKind: kind, initialization: .model(try start(kind)),
                                 maxIterations: 25, tolerance: 0)
        let weighted = try ExpectationMaximization.fit(faithful, weights: weights, options: options)
        let repeated = try ExpectationMaximization.fit(expanded, options: options)
        expectSame(weighted, repeated)
        // BIC and AIC count the total weight as the sample size.
        let a = FitSummary(report: weighted.report, model: weighted.model)
        let b = FitSummary(report: repeated.report, model: repeated.model)
        #expect(weighted.report.totalWeight == Double(expanded.sampleCount))
        #expect(abs(a.bic - b.bic) <= 1e-9 * abs(b.bic) && abs(a.aic - b.aic) <= 1e-9 * abs(b.aic))
    }

    @Test("zero weight is the same as a removed row", arguments: CovarianceKind.allCases)
    func zeroWeightRemovesRow(_ kind: CovarianceKind) throws {
        let (weights, _, kept) = try weightedAndExpanded()
        let binary = weights.map { $0 > 0 ? 1.0 : 0.0 }
        let options = FitOptions(componentCount: 3, covarianceKind: kind, initialization: .model(try start(kind)),
                                 maxIterations: 25, tolerance: 0)
        expectSame(try ExpectationMaximization.fit(faithful, weights: binary, options: options),
                   try ExpectationMaximization.fit(kept, options: options))
    }

    @Test("weights of one are the same as no weights, to the bit")
    func unitWeights() throws {
        let options = FitOptions(componentCount: 2, initialization: .randomSamples, seed: 3)
        let a = try ExpectationMaximization.fit(faithful, weights: [Double](repeating: 1, count: faithful.sampleCount), options: options)
        let b = try ExpectationMaximization.fit(faithful, options: options)
        #expect(a.model == b.model)
    }

    @Test("every initialisation accepts weights and never seeds on a zero-weight row",
          arguments: [InitializationMethod.kMeans, .kMeansPlusPlus, .randomSamples, .randomResponsibilities])
    func initialisations(_ method: InitializationMethod) throws {
        // Half the rows (every other) carry no weight: far outliers that must not matter.
        var rows = (0..<faithful.sampleCount).map { faithful.row($0) }
        var weights = [Double](repeating: 1, count: rows.count)
        for i in 0..<50 { rows.append([1000 + Double(i), -1000]); weights.append(0) }
        let data = try DataMatrix(rows: rows, featureNames: faithful.featureNames)
        let fit = try ExpectationMaximization.fit(data, weights: weights, options: FitOptions(componentCount: 2, initialization: method, seed: 8))
        #expect(fit.model.means.allSatisfy { $0[0] < 10 })
    }

    @Test("unusable weights are errors", arguments: [
        ([1.0, -1, 1], FitError.invalidWeights(row: 1, reason: "weights must be finite and non-negative, found -1.0")),
        ([1, .nan, 1], FitError.invalidWeights(row: 1, reason: "weights must be finite and non-negative, found nan")),
        ([0, 0, 0], FitError.invalidWeights(row: nil, reason: "every weight is zero")),
        ([1, 1], FitError.invalidWeights(row: nil, reason: "expected 3 weights, one per data row, found 2")),
    ])
    func invalid(_ weights: [Double], _ expected: FitError) throws {
        let data = try DataMatrix(rows: [[0, 1], [1, 0], [2, 2]])
        #expect(throws: expected) { try ExpectationMaximization.fit(data, weights: weights, options: FitOptions()) }
    }
}
