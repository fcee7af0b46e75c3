// The distributed EM loop without MPI: several parties in threads of one
// process, summing through a reducer that adds their vectors in party order.
// Whatever the split of the rows, the fit equals the single-process fit to
// rounding; the flat statistics vector has the documented length and its
// element-wise sums are the statistics of the union of the rows.

import Foundation
import Testing
@testable import GaussianMixtures

/// What every party of an in-process "job" shares: a barrier that adds the
/// parties' vectors in party order and hands every party the same sum.
private final class Rendezvous: @unchecked Sendable {
    // @unchecked: every field is guarded by `condition`.
    let parties: Int
    private let condition = NSCondition()
    private var contributions: [[Double]?]
    private var result: [Double] = []
    private var generation = 0

    init(parties: Int) {
        self.parties = parties
        contributions = Array(repeating: nil, count: parties)
    }

    func sum(_ values: inout [Double], party: Int) {
        condition.lock()
        defer { condition.unlock() }
        let mine = generation
        contributions[party] = values
        if contributions.allSatisfy({ $0 != nil }) {
            var total = contributions[0]!
            for other in contributions.dropFirst() {
                for idx in total.indices { total[idx] += other![idx] }
            }
            result = total
            contributions = Array(repeating: nil, count: parties)
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        values = result
    }
}

private struct PartyReducer: StatisticsReducer {
    let rendezvous: Rendezvous
    let party: Int
    func sum(_ values: inout [Double]) { rendezvous.sum(&values, party: party) }
}

/// Fits with the rows cut at `cuts` into parties that run in threads; every
/// party's start is the single-process start (as if sent by rank 0).
/// With `known`, a semi-supervised fit: each party gets its rows' entries, and the start is
/// the single-process semi-supervised start.
private func partyFits(_ data: DataMatrix, cuts: [Int], options: FitOptions, known: KnownComponents? = nil) throws
    -> [FitResult] {
    let bounds = [0] + cuts + [data.sampleCount]
    let parts = (0..<(bounds.count - 1)).map { data.rows(bounds[$0]..<bounds[$0 + 1]) }
    let rendezvous = Rendezvous(parties: parts.count)
    let results = Results(count: parts.count)
    let done = DispatchGroup()
    for (party, rows) in parts.enumerated() {
        done.enter()
        Thread {
            let outcome = Result { () throws(FitError) -> FitResult in
                try ExpectationMaximization.fit(
                    localRows: rows, options: options, reducer: PartyReducer(rendezvous: rendezvous, party: party),
                    knownComponents: known?.rows(bounds[party]..<bounds[party + 1]),
                    startingModel: { restart throws(FitError) in
                        if let known {
                            return try ExpectationMaximization.semiSupervisedStart(
                                for: data, knownComponents: known, options: options, restart: restart)
                        }
                        return try ExpectationMaximization.startingModel(for: data, options: options, restart: restart)
                    })
            }
            results.set(party, outcome)
            done.leave()
        }.start()
    }
    done.wait()
    return try results.values.map { try $0.get() }
}

private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<FitResult, FitError>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<FitResult, FitError>) { lock.withLock { slots[i] = r } }
    var values: [Result<FitResult, FitError>] { lock.withLock { slots.map { $0! } } }
}

/// Largest |a − b| / max(|a|, |b|, scale of the list) over two models' parameters.
private func relativeDifference(_ a: GaussianMixture, _ b: GaussianMixture) -> Double {
    func worst(_ x: [Double], _ y: [Double]) -> Double {
        let scale = max(x.map(abs).max() ?? 0, y.map(abs).max() ?? 0, .leastNormalMagnitude)
        return zip(x, y).map { abs($0 - $1) / scale }.max() ?? 0
    }
    let covariances = (0..<a.componentCount).flatMap { a.covarianceMatrix(component: $0).flatMap { $0 } }
    let others = (0..<b.componentCount).flatMap { b.covarianceMatrix(component: $0).flatMap { $0 } }
    return max(worst(a.weights, b.weights), worst(a.means.flatMap { $0 }, b.means.flatMap { $0 }), worst(covariances, others))
}

private func blobs() throws -> DataMatrix {
    let truth = try GaussianMixture(
        weights: [0.5, 0.3, 0.2], means: [[0, 0], [4, 1], [1, 5]],
        covariances: .full([[[1, 0.4], [0.4, 1]], [[0.5, 0], [0, 2]], [[1, -0.3], [-0.3, 0.6]]]))
    return truth.sample(count: 901, seed: 3).samples
}

@Suite("EM over several parties")
struct DistributedFitTests {
    @Test("any split of the rows, including an empty party, gives the single-process fit to 1e-12",
          arguments: CovarianceKind.allCases)
    func splitsAgree(kind: CovarianceKind) throws {
        let data = try blobs()
        let options = FitOptions(componentCount: 3, covarianceKind: kind, tolerance: 1e-6,
                                 seed: 5, threadCount: 1)
        let single = try ExpectationMaximization.fit(data, options: options)
        for cuts in [[450], [100, 100, 777], [1, 600]] {
            let fits = try partyFits(data, cuts: cuts, options: options)
            for fit in fits {
                #expect(fit.model == fits[0].model, "every party holds the same bits")
                #expect(fit.report.iterationCount == single.report.iterationCount)
                #expect(fit.report.selectedInitialization == single.report.selectedInitialization)
                #expect(fit.report.sampleCount == data.sampleCount)
                #expect(relativeDifference(fit.model, single.model) < 1e-12, "\(kind), cuts \(cuts)")
                #expect(abs(fit.report.meanLogLikelihood - single.report.meanLogLikelihood)
                        <= 1e-12 * abs(single.report.meanLogLikelihood))
            }
        }
    }

    @Test("semi-supervised: any split of the rows and their labels gives the single-process fit to 1e-12",
          arguments: CovarianceKind.allCases)
    func semiSupervisedSplitsAgree(kind: CovarianceKind) throws {
        let data = try blobs()
        // Every 25th row labelled with its index's residue; a fourth component without labels.
        let known = KnownComponents((0..<data.sampleCount).map { $0 % 25 == 0 ? ($0 / 25) % 3 : nil })
        let options = FitOptions(componentCount: 4, covarianceKind: kind, tolerance: 1e-6, seed: 5, threadCount: 1)
        let single = try ExpectationMaximization.fit(data, knownComponents: known, options: options)
        for cuts in [[450], [100, 100, 777]] {
            for fit in try partyFits(data, cuts: cuts, options: options, known: known) {
                #expect(fit.report.iterationCount == single.report.iterationCount)
                #expect(relativeDifference(fit.model, single.model) < 1e-12, "\(kind), cuts \(cuts)")
            }
        }
    }

    @Test("the flat vector: documented length, sums of parts are the whole, exact round trip",
          arguments: CovarianceKind.allCases)
    func flattened(kind: CovarianceKind) throws {
        let data = try blobs()
        let model = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 3, covarianceKind: kind,
                                                                               maxIterations: 2, threadCount: 1)).model
        let whole = model.statistics(of: data)
        let m = kind.hasCorrelations ? 3 : 2           // d(d+1)/2 or d, with d = 2
        #expect(whole.flattened.count == 3 * (1 + 2 + m) + 3)
        #expect(EMStatistics.flattenedCount(componentCount: 3, featureCount: 2, kind: kind) == whole.flattened.count)
        #expect(whole.replacingValues(withFlattened: whole.flattened) == whole)
        let a = model.statistics(of: data.rows(0..<300)), b = model.statistics(of: data.rows(300..<901))
        let summed = zip(a.flattened, b.flattened).map { $0 + $1 }
        let scale = whole.flattened.map(abs).max()!
        #expect(zip(summed, whole.flattened).allSatisfy { abs($0 - $1) <= 1e-12 * scale })
        #expect((a + b).sampleCount == 901 && a.replacingValues(withFlattened: summed).sampleCount == 901)
        let next = try model.maximized(from: whole, regularization: 1e-6)
        let viaSum = try model.maximized(from: a.replacingValues(withFlattened: summed), regularization: 1e-6)
        #expect(relativeDifference(next, viaSum) < 1e-12)
    }

    @Test("errors are the same on every party: too few rows over all, an invalid weight on one party")
    func errors() throws {
        let data = try blobs().rows(0..<4)
        let options = FitOptions(componentCount: 5, threadCount: 1)
        #expect(throws: FitError.tooFewSamples(samples: 4, components: 5)) {
            try ExpectationMaximization.fit(localRows: data, options: options, reducer: LocalReducer(),
                                            startingModel: { _ throws(FitError) in fatalError("never reached") })
        }
        #expect(throws: FitError.invalidWeights(row: nil, reason: "every weight is zero")) {
            try ExpectationMaximization.fit(data, weights: [0, 0, 0, 0], options: FitOptions(componentCount: 1))
        }
    }
}
