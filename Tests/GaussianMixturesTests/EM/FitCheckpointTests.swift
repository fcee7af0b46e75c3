// Checkpoints: the state after an iteration, written and read back, gives the
// same model to the bit — parameters and everything derived from them (the
// densities use the Cholesky factors and log-determinants) — and a fit resumed
// from any iteration ends with the uninterrupted fit's result, report included.

import Foundation
import Testing
@testable import GaussianMixtures

@Suite("Fit checkpoints")
struct FitCheckpointTests {
    /// 300 rows in three blobs over 3 features, from a fixed linear congruential stream.
    static let data: DataMatrix = {
        var state: UInt64 = 12345
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let rows = (0..<300).map { i -> [Double] in
            let centre = Double(i % 3) * 3
            return [centre + uniform() * 2, -centre + uniform() * 3, centre / 2 + uniform() + uniform()]
        }
        return try! DataMatrix(rows: rows, featureNames: ["a", "b", "c"])
    }()

    static func options(_ kind: CovarianceKind, restarts: Int = 2) -> FitOptions {
        FitOptions(componentCount: 3, covarianceKind: kind, initialization: .kMeansPlusPlus, initializationCount: restarts,
                   maxIterations: 100, tolerance: 1e-8, covarianceRegularization: 1e-6, seed: 7)
    }

    @Test("a checkpoint read back is the same model, derived factors included", arguments: CovarianceKind.allCases)
    func roundTrip(_ kind: CovarianceKind) throws {
        var states: [FitCheckpoint] = []
        _ = try ExpectationMaximization.fit(Self.data, options: Self.options(kind), checkpoint: { state, _ in states.append(state) })
        try #require(states.count > 3)
        for state in states {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-\(UUID().uuidString).json").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try OutputFile.write(state.encoded(settings: [("k", "3")]), to: path)
            let (back, settings) = try FitCheckpoint.read(path: path)
            #expect(settings == ["k": "3"])
            #expect(back.model == state.model)
            #expect(back.restart == state.restart && back.logLikelihoodTrace == state.logLikelihoodTrace)
            #expect(back.finishedRestarts.map { $0?.model } == state.finishedRestarts.map { $0?.model })
            #expect(back.finishedRestarts.map { $0?.report } == state.finishedRestarts.map { $0?.report })
            let densities = try state.model.logDensities(of: Self.data).map(\.bitPattern)
            #expect(try back.model.logDensities(of: Self.data).map(\.bitPattern) == densities)
            for k in 0..<3 {
                #expect(back.model.family.logDeterminant(component: k).bitPattern
                        == state.model.family.logDeterminant(component: k).bitPattern)
            }
        }
    }

    @Test("resuming from any iteration gives the uninterrupted result to the bit", arguments: CovarianceKind.allCases)
    func resume(_ kind: CovarianceKind) throws {
        var states: [FitCheckpoint] = []
        let whole = try ExpectationMaximization.fit(Self.data, options: Self.options(kind), checkpoint: { state, _ in states.append(state) })
        #expect(!whole.report.wasInterrupted)
        #expect(Set(states.map(\.restart)) == [0, 1])
        for state in states {
            let resumed = try ExpectationMaximization.fit(Self.data, options: Self.options(kind), resumingFrom: state)
            #expect(resumed.model == whole.model)
            #expect(resumed.report == whole.report)
        }
    }

    @Test("a stop request ends the fit after that iteration, with the best so far and the state saved")
    func stop() throws {
        var states: [FitCheckpoint] = []
        let whole = try ExpectationMaximization.fit(Self.data, options: Self.options(.full, restarts: 3),
                                                    checkpoint: { state, _ in states.append(state) })
        let firstRestart = states.filter { $0.restart == 0 }.count
        // Stop in the second iteration of the second restart.
        var polls = 0
        var last: (FitCheckpoint, Bool)?
        let stopped = try ExpectationMaximization.fit(
            Self.data, options: Self.options(.full, restarts: 3), checkpoint: { last = ($0, $1) },
            shouldStop: { polls += 1; return polls == firstRestart + 2 })
        #expect(stopped.report.wasInterrupted && !stopped.report.hasConverged)
        #expect(stopped.report.initializationLogLikelihoods.count == 2)
        let (state, isStopping) = try #require(last)
        #expect(isStopping && state.iteration == 2 && state.restart == 1 && state.finishedRestarts.count == 1)
        let resumed = try ExpectationMaximization.fit(Self.data, options: Self.options(.full, restarts: 3), resumingFrom: state)
        #expect(resumed.model == whole.model && resumed.report == whole.report)
    }

    @Test("a checkpoint of another shape is refused as an invalid option")
    func refusal() throws {
        var states: [FitCheckpoint] = []
        _ = try ExpectationMaximization.fit(Self.data, options: Self.options(.diagonal), checkpoint: { s, _ in states.append(s) })
        #expect(throws: FitError.self) {
            try ExpectationMaximization.fit(Self.data, options: Self.options(.full), resumingFrom: states[0])
        }
    }
}
