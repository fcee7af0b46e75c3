import Foundation
import Testing
@testable import GaussianMixtures

// Posterior passes (predict, score, details) give the same bits on any number of threads.

@Suite("Posterior passes on several threads")
struct PosteriorThreadTests {
    /// Everything a pass streams, concatenated in the order it arrives.
    func stream(_ model: GaussianMixture, _ data: DataMatrix, threads: Int, logarithmic: Bool) -> ([Double], [Double], [Range<Int>]) {
        var resp: [Double] = [], logDensity: [Double] = [], ranges: [Range<Int>] = []
        model.posterior(for: data, logarithmic: logarithmic, threads: threads) { block in
            resp.append(contentsOf: block.responsibilities)
            logDensity.append(contentsOf: block.logDensities)
            ranges.append(block.rows)
        }
        return (resp, logDensity, ranges)
    }

    @Test("P(c|x), log P(c|x), log P(x) and the details are identical on 1, 2 and 3 threads",
          arguments: [CovarianceKind.full, .diagonal])
    func identical(_ kind: CovarianceKind) throws {
        let (data, _) = try syntheticData(seed: 8, count: 18_000)  // 5 blocks of 4096: rounds of 4 (2 threads), 5 (3)
        let model = try ExpectationMaximization.fit(
            data, options: FitOptions(componentCount: 3, covarianceKind: kind, maxIterations: 2, tolerance: 0, threadCount: 1)).model
        for logarithmic in [false, true] {
            let one = stream(model, data, threads: 1, logarithmic: logarithmic)
            for threads in [2, 3] {
                let many = stream(model, data, threads: threads, logarithmic: logarithmic)
                #expect(one.0.map(\.bitPattern) == many.0.map(\.bitPattern))
                #expect(one.1.map(\.bitPattern) == many.1.map(\.bitPattern))
                #expect(one.2 == many.2)
            }
            #expect(one.2.first?.lowerBound == 0 && one.2.last?.upperBound == data.sampleCount)
            #expect(zip(one.2, one.2.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        }
        var details: [[AssignmentDetail]] = []
        for threads in [1, 2, 3] {
            var all: [AssignmentDetail] = []
            try model.assignmentDetails(for: data, threads: threads) { _, block in all += block }
            details.append(all)
        }
        #expect(details[0].count == data.sampleCount)
        #expect(details[0] == details[1] && details[1] == details[2])
        // The pass agrees with the final E-step of a fit: labels and log-likelihood.
        let labels = try model.labels(for: data)
        #expect(labels == details[0].map(\.component))
    }
}
