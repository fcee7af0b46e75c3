import Foundation
import Testing
@testable import GaussianMixtures

@Suite("Start from responsibilities")
struct ResponsibilityStartTests {
    let faithful: DataMatrix = try! DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/old-faithful.csv").path)

    /// One-hot rows: row i has a 1 in column `labels[i]`.
    func oneHot(_ labels: [Int], components: Int) throws -> DataMatrix {
        var values = [Double](repeating: 0, count: labels.count * components)
        for (i, k) in labels.enumerated() { values[i * components + k] = 1 }
        return try DataMatrix(values: values, sampleCount: labels.count, featureCount: components)
    }

    func bits(_ model: GaussianMixture) -> [UInt64] {
        (model.weights + model.means.flatMap { $0 } + model.covariances.flattened).map(\.bitPattern)
    }

    @Test("one-hot k-means labels give the k-means fit to the bit", arguments: CovarianceKind.allCases)
    func oneHotEqualsKMeans(_ kind: CovarianceKind) throws {
        for weights in [nil, (0..<faithful.sampleCount).map { Double($0 % 3) }] {
            let options = FitOptions(componentCount: 3, covarianceKind: kind, maxIterations: 20, tolerance: 0, seed: 7)
            let kMeans = try ExpectationMaximization.fit(faithful, weights: weights, options: options)
            // The labels the k-means start computes for restart 0 (same seed, same generator).
            let random = GSLRandom(seed: ExpectationMaximization.restartSeed(7, 0))
            let labels = KMeans.labels(of: faithful, weights: weights, clusterCount: 3, random: random)
            var fromTable = options
            fromTable.initialization = .responsibilities(try oneHot(labels, components: 3))
            let started = try ExpectationMaximization.fit(faithful, weights: weights, options: fromTable)
            #expect(bits(started.model) == bits(kMeans.model))
            #expect(started.report.logLikelihoodTrace.map(\.bitPattern) == kMeans.report.logLikelihoodTrace.map(\.bitPattern))
        }
    }

    @Test("soft responsibilities of a model: the fit is that model's fit one iteration on", arguments: CovarianceKind.allCases)
    func softResponsibilitiesAreAnMStep(_ kind: CovarianceKind) throws {
        let model = try ExpectationMaximization.fit(
            faithful, options: FitOptions(componentCount: 3, covarianceKind: kind, maxIterations: 2, tolerance: 0)).model
        let posterior = try model.responsibilities(for: faithful)
        let table = try DataMatrix(values: posterior.values, sampleCount: posterior.sampleCount, featureCount: 3)
        let fromModel = try ExpectationMaximization.fit(
            faithful, options: FitOptions(componentCount: 3, covarianceKind: kind, initialization: .model(model),
                                          maxIterations: 6, tolerance: 0))
        let fromTable = try ExpectationMaximization.fit(
            faithful, options: FitOptions(componentCount: 3, covarianceKind: kind, initialization: .responsibilities(table),
                                          maxIterations: 5, tolerance: 0))
        let a = fromTable.model.weights + fromTable.model.means.flatMap { $0 } + fromTable.model.covariances.flattened
        let b = fromModel.model.weights + fromModel.model.means.flatMap { $0 } + fromModel.model.covariances.flattened
        let worst = worstRelativeError(a, b, floor: 1e-6)
        // mclust's iterative M-steps warm-start their inner loop from the previous estimate, which a start
        // from the model has and a start from the table has not: they agree to the inner tolerance (√ε).
        let iterative = kind.mclustModel.isIterative
        #expect(worst.error <= (iterative ? 1e-6 : 1e-10), "parameter \(worst.index): relative error \(worst.error)")
        #expect(abs(fromTable.report.meanLogLikelihood - fromModel.report.meanLogLikelihood)
                <= (iterative ? 1e-8 : 1e-12) * abs(fromModel.report.meanLogLikelihood))
    }

    @Test("rows with gaps start from the mean-filled data")
    func worksWithMissingValues() throws {
        var values = faithful.values
        values[3 * 2] = .nan
        let incomplete = try IncompleteDataMatrix(values: values, sampleCount: faithful.sampleCount, featureCount: 2)
        let table = try oneHot((0..<faithful.sampleCount).map { $0 % 2 }, components: 2)
        let fit = try ExpectationMaximization.fit(incomplete, options: FitOptions(
            componentCount: 2, initialization: .responsibilities(table), maxIterations: 3, tolerance: 0))
        #expect(fit.report.iterationCount == 3)
        #expect(fit.report.meanLogLikelihood.isFinite)
    }

    @Test("invalid responsibilities are refused with the row and column")
    func invalidTables() throws {
        let n = faithful.sampleCount
        func fit(_ table: DataMatrix, k: Int = 2, restarts: Int = 1) throws(FitError) {
            _ = try ExpectationMaximization.fit(faithful, options: FitOptions(
                componentCount: k, initialization: .responsibilities(table), initializationCount: restarts))
        }
        func reason(_ body: () throws(FitError) -> Void) -> String? {
            do throws(FitError) { try body() } catch { return error.description }
            return nil
        }
        let good = try oneHot((0..<n).map { $0 % 2 }, components: 2)
        #expect(reason { () throws(FitError) in try fit(good) } == nil)
        #expect(reason { () throws(FitError) in try fit(good, k: 3) }?.contains("2 components, not 3") == true)
        #expect(reason { () throws(FitError) in try fit(good, restarts: 2) }?.contains("must be 1") == true)
        #expect(reason { () throws(FitError) in try fit(good.rows(0..<(n - 1))) }?.contains("\(n - 1) rows") == true)
        var values = good.values
        values[5 * 2 + 1] = -0.5
        values[5 * 2] = 1.5
        let negative = try DataMatrix(values: values, sampleCount: n, featureCount: 2)
        #expect(reason { () throws(FitError) in try fit(negative) }?.contains("row 6, column 2") == true)
        values = good.values
        values[9 * 2] = 0.9
        values[9 * 2 + 1] = 0.099
        let offSum = try DataMatrix(values: values, sampleCount: n, featureCount: 2)
        let offReason = reason { () throws(FitError) in try fit(offSum) }
        #expect(offReason?.contains("row 10:") == true && offReason?.contains("sum to 1") == true)
        values[9 * 2 + 1] = 0.1 + 5e-7
        let nearSum = try DataMatrix(values: values, sampleCount: n, featureCount: 2)
        #expect(reason { () throws(FitError) in try fit(nearSum) } == nil)
        let online = reason { () throws(FitError) in
            _ = try OnlineExpectationMaximization.fit(faithful, options: FitOptions(
                componentCount: 2, initialization: .responsibilities(good)), online: OnlineFitOptions(batchSize: 64))
        }
        #expect(online?.contains("online") == true)
    }
}
