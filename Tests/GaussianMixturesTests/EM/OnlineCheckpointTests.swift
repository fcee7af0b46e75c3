// Online checkpoints: the state after an update, written and read back, is the
// same state (model, running statistics, schedule position), and an online fit
// resumed from any update — in the first epoch or a later one, weighted or
// not — ends with the uninterrupted fit's model and report, to the bit; a stop
// request ends the fit after the update it was asked in.

import Foundation
import Testing
@testable import GaussianMixtures

@Suite("Online checkpoints")
struct OnlineCheckpointTests {
    static var data: DataMatrix { FitCheckpointTests.data }
    /// One weight per row, 0 to 3 in steps of 0.5 (some batches hold zero-weight rows).
    static let weights = (0..<300).map { Double(($0 * 5) % 7) / 2 }
    /// 300 rows in batches of 40: 8 batches per epoch (the last one 20 rows), 3 epochs.
    static let online = OnlineFitOptions(batchSize: 40, stepDecay: 0.7, epochCount: 3)

    static func options(_ kind: CovarianceKind, threads: Int? = nil) -> FitOptions {
        FitOptions(componentCount: 3, covarianceKind: kind, initialization: .kMeansPlusPlus, initializationCount: 2,
                   maxIterations: 100, tolerance: 1e-8, covarianceRegularization: 1e-6, seed: 7, threadCount: threads)
    }

    static func bytes(_ result: FitResult) -> [UInt8] {
        ModelFile.encode(result.model, summary: FitSummary(report: result.report, model: result.model))
    }

    /// The checkpoint written to a file and read back.
    static func roundTripped(_ state: OnlineCheckpoint) throws -> OnlineCheckpoint {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("online-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try OutputFile.write(state.encoded(settings: [("k", "3")]), to: path)
        let (back, settings) = try OnlineCheckpoint.read(path: path)
        #expect(settings == ["k": "3"])
        return back
    }

    @Test("a checkpoint read back is the same state", arguments: CovarianceKind.allCases)
    func roundTrip(_ kind: CovarianceKind) throws {
        var states: [OnlineCheckpoint] = []
        _ = try OnlineExpectationMaximization.fit(Self.data, weights: Self.weights, options: Self.options(kind),
                                                  online: Self.online, checkpoint: { state, _ in states.append(state) })
        #expect(states.count == 24)
        for state in states {
            let back = try Self.roundTripped(state)
            #expect(back.model == state.model)
            #expect((back.epoch, back.batchesDone, back.batchTrace) == (state.epoch, state.batchesDone, state.batchTrace))
            #expect(back.selectedInitialization == state.selectedInitialization)
            #expect(back.initializationLogLikelihoods == state.initializationLogLikelihoods)
            let (a, b) = (state.state, back.state)
            #expect(a.flattenedRunningStatistics!.map(\.bitPattern) == b.flattenedRunningStatistics!.map(\.bitPattern))
            #expect(a.running?.shifts == b.running?.shifts)
            #expect((a.absorbedBatches, a.absorbedWeight, a.updateCount, a.rowCount)
                    == (b.absorbedBatches, b.absorbedWeight, b.updateCount, b.rowCount))
            #expect(a.latestStep == b.latestStep && a.schedule == b.schedule)
            #expect(a.nextStep(batchWeight: 40) == b.nextStep(batchWeight: 40))
        }
    }

    @Test("a state with the cumulative step, or before any update, round-trips too")
    func otherStates() throws {
        let model = try ExpectationMaximization.fit(Self.data, options: Self.options(.tied)).model
        var cumulative = try OnlineExpectationMaximization(model: model, priorWeight: 120, schedule: .cumulative)
        let fresh = try OnlineExpectationMaximization(model: model, schedule: .decaying(exponent: 0.8))
        try cumulative.update(with: Self.data, weights: Self.weights)
        for state in [cumulative, fresh] {
            let back = try Self.roundTripped(OnlineCheckpoint(state: state, epoch: 1, batchesDone: 1,
                                                              batchTrace: state.latestBatchMeanLogLikelihood.map { [$0] } ?? [],
                                                              selectedInitialization: 0, initializationLogLikelihoods: [nil]))
            #expect(back.state.schedule == state.schedule && back.state.latestStep == state.latestStep)
            #expect(back.state.flattenedRunningStatistics?.map(\.bitPattern) == state.flattenedRunningStatistics?.map(\.bitPattern))
            #expect(back.initializationLogLikelihoods == [nil])
            var (a, b) = (state, back.state)
            try a.update(with: Self.data)
            try b.update(with: Self.data)
            #expect(a.model == b.model)
        }
    }

    @Test("resuming from any update gives the uninterrupted result to the bit",
          arguments: CovarianceKind.allCases, [false, true])
    func resume(_ kind: CovarianceKind, weighted: Bool) throws {
        let w = weighted ? Self.weights : nil
        var states: [OnlineCheckpoint] = []
        let whole = try OnlineExpectationMaximization.fit(Self.data, weights: w, options: Self.options(kind, threads: 2),
                                                          online: Self.online, checkpoint: { state, _ in states.append(state) })
        #expect(!whole.report.wasInterrupted)
        #expect(Set(states.map(\.epoch)) == [1, 2, 3])
        for state in states {
            // Through the file, on one thread.
            let resumed = try OnlineExpectationMaximization.fit(
                Self.data, weights: w, options: Self.options(kind, threads: 1), online: Self.online,
                resumingFrom: try Self.roundTripped(state))
            #expect(Self.bytes(resumed) == Self.bytes(whole), "epoch \(state.epoch) batch \(state.batchesDone)")
            #expect(resumed.report == whole.report)
        }
    }

    @Test("a stop request ends the fit after that update, and resuming its checkpoint ends as the uninterrupted fit")
    func stop() throws {
        let options = Self.options(.diagonal)
        let whole = try OnlineExpectationMaximization.fit(Self.data, options: options, online: Self.online)
        var asked = 0
        var last: (OnlineCheckpoint, Bool)?
        let stopped = try OnlineExpectationMaximization.fit(
            Self.data, options: options, online: Self.online, checkpoint: { last = ($0, $1) },
            shouldStop: { asked += 1; return asked == 9 })
        #expect(stopped.report.wasInterrupted && !stopped.report.hasConverged)
        #expect(stopped.report.iterationCount == 9 && asked == 9)
        let (state, isStopping) = try #require(last)
        #expect(isStopping && state.updateCount == 9 && state.epoch == 2 && state.batchesDone == 1)
        #expect(state.model == stopped.model)
        let resumed = try OnlineExpectationMaximization.fit(Self.data, options: options, online: Self.online,
                                                            resumingFrom: state)
        #expect(Self.bytes(resumed) == Self.bytes(whole))
    }

    @Test("checkpoints that cannot belong to the fit are refused")
    func refusals() throws {
        var states: [OnlineCheckpoint] = []
        let options = Self.options(.full)
        _ = try OnlineExpectationMaximization.fit(Self.data, options: options, online: Self.online,
                                                  checkpoint: { state, _ in states.append(state) })
        let state = try #require(states.last)
        func refused(_ options: FitOptions, _ online: OnlineFitOptions, _ data: DataMatrix = Self.data) -> Bool {
            do {
                _ = try OnlineExpectationMaximization.fit(data, options: options, online: online, resumingFrom: state)
                return false
            } catch {
                if case .invalidOption(name: "resumingFrom", _) = error { return true }
                return false
            }
        }
        var other = options
        other.componentCount = 4
        #expect(refused(other, Self.online))
        other = options
        other.covarianceKind = .tied
        #expect(refused(other, Self.online))
        #expect(refused(options, OnlineFitOptions(batchSize: 40, stepDecay: 0.7, epochCount: 2)))
        #expect(refused(options, OnlineFitOptions(batchSize: 40, stepDecay: 0.8, epochCount: 3)))
        #expect(refused(options, OnlineFitOptions(batchSize: 100, stepDecay: 0.7, epochCount: 3)))
    }

    @Test("a batch EM checkpoint is not read as an online one, nor an online one as a batch EM one")
    func kinds() throws {
        var online: [OnlineCheckpoint] = []
        _ = try OnlineExpectationMaximization.fit(Self.data, options: Self.options(.full), online: Self.online,
                                                  checkpoint: { state, _ in online.append(state) })
        var batch: [FitCheckpoint] = []
        _ = try ExpectationMaximization.fit(Self.data, options: Self.options(.full), checkpoint: { state, _ in batch.append(state) })
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kinds-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try OutputFile.write(try #require(online.first).encoded(settings: []), to: path)
        #expect(throws: ModelFileError.self) { try FitCheckpoint.read(path: path) }
        try OutputFile.write(try #require(batch.first).encoded(settings: []), to: path)
        #expect(throws: ModelFileError.self) { try OnlineCheckpoint.read(path: path) }
    }
}
