// Variational checkpoints: the posterior rebuilt from a checkpoint file has
// the same derived quantities to the bit (weights, expected log-weights, the
// E-step's statistics and entropy, the ELBO), and a fit resumed from any
// iteration ends with the uninterrupted fit's posterior and report.

import Foundation
import Testing
@testable import GaussianMixtures

@Suite("Variational checkpoints")
struct VariationalCheckpointTests {
    static var data: DataMatrix { FitCheckpointTests.data }

    static func options(_ kind: CovarianceKind) -> VariationalFitOptions {
        VariationalFitOptions(fit: FitOptions(componentCount: 3, covarianceKind: kind, initialization: .kMeansPlusPlus,
                                              initializationCount: 2, maxIterations: 60, tolerance: 1e-8,
                                              covarianceRegularization: 1e-6, seed: 7))
    }

    static func bytes(_ result: VariationalFitResult) -> [UInt8] {
        ModelFile.encode(result.posterior, summary: VariationalFitSummary(report: result.report))
    }

    @Test("a checkpoint read back is the same posterior, derived quantities included", arguments: CovarianceKind.scikitLearnKinds)
    func roundTrip(_ kind: CovarianceKind) throws {
        var states: [VariationalCheckpoint] = []
        _ = try VariationalInference.fit(Self.data, options: Self.options(kind), resumingFrom: nil,
                                         checkpoint: { states.append($0) })
        try #require(states.count > 3)
        for state in states {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("vcheckpoint-\(UUID().uuidString).json").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try OutputFile.write(state.encoded(settings: [("k", "3")]), to: path)
            let (back, settings) = try VariationalCheckpoint.read(path: path)
            #expect(settings == ["k": "3"])
            #expect(back.restart == state.restart && back.lowerBoundTrace == state.lowerBoundTrace)
            #expect(back.finishedRestarts.map { $0?.report } == state.finishedRestarts.map { $0?.report })
            let (p, q) = (state.posterior, back.posterior)
            #expect(q.weights.map(\.bitPattern) == p.weights.map(\.bitPattern))
            #expect(q.expectedLogWeights.map(\.bitPattern) == p.expectedLogWeights.map(\.bitPattern))
            let (a, b) = (p.expectationPass(Self.data, weights: nil), q.expectationPass(Self.data, weights: nil))
            #expect(a.entropy.bitPattern == b.entropy.bitPattern)
            #expect(a.stats.softCounts.map(\.bitPattern) == b.stats.softCounts.map(\.bitPattern))
            #expect(a.stats.sums.map(\.bitPattern) == b.stats.sums.map(\.bitPattern))
            #expect(a.stats.moments.map(\.bitPattern) == b.stats.moments.map(\.bitPattern))
            #expect(p.lowerBound(responsibilityEntropy: a.entropy).bitPattern
                    == q.lowerBound(responsibilityEntropy: b.entropy).bitPattern)
            #expect(ModelFile.encode(q, summary: nil) == ModelFile.encode(p, summary: nil))
        }
    }

    @Test("resuming from any iteration gives the uninterrupted result to the bit", arguments: CovarianceKind.scikitLearnKinds)
    func resume(_ kind: CovarianceKind) throws {
        var states: [VariationalCheckpoint] = []
        let whole = try VariationalInference.fit(Self.data, options: Self.options(kind), resumingFrom: nil,
                                                 checkpoint: { states.append($0) })
        #expect(Set(states.map(\.restart)) == [0, 1])
        for state in states {
            let resumed = try VariationalInference.fit(Self.data, options: Self.options(kind), resumingFrom: state, checkpoint: nil)
            #expect(Self.bytes(resumed) == Self.bytes(whole), "restart \(state.restart) iteration \(state.iteration)")
            #expect(resumed.report == whole.report)
        }
    }

    @Test("a stop request ends the fit after that iteration (no later restart), and its last state resumes to the uninterrupted result")
    func stop() throws {
        let options = Self.options(.diagonal)
        let whole = try VariationalInference.fit(Self.data, options: options)
        var asked = 0
        var last: VariationalCheckpoint?
        let stopped = try VariationalInference.fit(Self.data, options: options, resumingFrom: nil,
                                                   checkpoint: { last = $0 }, shouldStop: { asked += 1; return asked == 2 })
        #expect(stopped.report.wasInterrupted && !stopped.report.hasConverged)
        #expect(stopped.report.iterationCount == 2 && asked == 2)
        #expect(stopped.report.initializationLowerBounds.count == 1, "the second restart is not run")
        let state = try #require(last)
        #expect(state.restart == 0 && state.iteration == 2)
        let resumed = try VariationalInference.fit(Self.data, options: options, resumingFrom: state, checkpoint: nil)
        #expect(Self.bytes(resumed) == Self.bytes(whole))
        #expect(!resumed.report.wasInterrupted)
    }
}
