// The pass behind a report's numbers, checked against its definitions on the
// bundled data: counts add up to the rows, the log-likelihood and BIC agree
// with the library's, ICL is BIC plus a non-negative entropy term, and the
// drawn rows are at most `maxPoints`, always hold the outliers and the least
// certain rows, and depend on the seed alone.

import Foundation
import GaussianMixtures
import GaussianMixturesReport
import Testing

@Suite("AssignmentSummary")
struct AssignmentSummaryTests {
    static func iris() throws -> (GaussianMixture, DataMatrix) {
        let data = try DataFileReader.read(path: packageRoot.appendingPathComponent("Data/iris.csv").path)
        let fit = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 3, initializationCount: 3, seed: 0))
        return (fit.model, data)
    }

    @Test func countsAndCriteria() throws {
        let (model, data) = try Self.iris()
        let summary = AssignmentSummary.gather(model: model, data: data, maxPoints: 3000, outlierCount: 100)
        #expect(summary.rowCount == 150)
        #expect(abs(summary.softCounts.reduce(0, +) - 150) < 1e-9)
        #expect(summary.hardCounts.reduce(0, +) == 150)
        #expect(summary.drawnRows == Array(0..<150))
        let labels = try model.labels(for: data)
        #expect(summary.hardCounts == (0..<3).map { k in labels.filter { $0 == k }.count })
        let mean = try model.meanLogLikelihood(of: data)
        #expect(abs(summary.logLikelihood - 150 * mean) < 1e-9 * 150 * abs(mean))
        #expect(abs(summary.bic(parameterCount: model.parameterCount) - (try model.bic(on: data))) < 1e-8 * abs(try model.bic(on: data)))
        #expect(summary.icl(parameterCount: model.parameterCount) >= summary.bic(parameterCount: model.parameterCount))
        let densities = try model.logDensities(of: data)
        let lowest = (0..<150).sorted { (densities[$0], $0) < (densities[$1], $1) }
        #expect(summary.outlierRows == Array(lowest.prefix(summary.outlierRows.count)))
    }

    @Test func drawingKeepsOutliersAndUncertainRows() throws {
        let (model, data) = try Self.iris()
        let a = AssignmentSummary.gather(model: model, data: data, maxPoints: 30, outlierCount: 100, seed: 1)
        let b = AssignmentSummary.gather(model: model, data: data, maxPoints: 30, outlierCount: 100, seed: 1)
        let c = AssignmentSummary.gather(model: model, data: data, maxPoints: 30, outlierCount: 100, seed: 2)
        #expect(a.drawnRows.count == 30 && a.drawnRows == a.drawnRows.sorted())
        #expect(a.drawnRows == b.drawnRows)
        #expect(a.drawnRows != c.drawnRows)
        #expect(Set(a.outlierRows).isSubset(of: a.drawnRows))
        let posterior = try model.responsibilities(for: data)
        let certainty = (0..<150).map { posterior.row($0).max()! }
        let leastCertain = (0..<150).sorted { (certainty[$0], $0) < (certainty[$1], $1) }.prefix(30 / 5)
        #expect(Set(leastCertain).isSubset(of: a.drawnRows))
    }
}
