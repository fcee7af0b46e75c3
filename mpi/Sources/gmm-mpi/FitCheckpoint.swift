import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine
import GaussianMixturesMPI

// `gmm-mpi fit --checkpoint/--resume`: rank 0 saves the state (the library
// hands the same state to every rank; only rank 0 writes), every rank reads
// the checkpoint to resume (the data file is already shared). The number of
// ranks is not a setting: a job may resume on any number of ranks (after losing
// one, say). The Allreduce sums, and so the last bits of the fit, depend on how
// the rows are split, so a resumed job with another rank count gives the
// uninterrupted job's model to rounding (1e-12 relative), with the same rank
// count the same bytes. A save that fails is
// reported when the fit ends (stopping early would need every rank to agree).
// There is no graceful Ctrl-C here: mpirun ends the ranks itself.

/// The settings a checkpoint of this job stores and a resumed job must match. Collective.
func checkpointSettings(
    _ fit: Fit, options: FitOptions, local: RankRows, weights: [Double]?, comm: Communicator
) -> [(String, String)] {
    // Fingerprint, the same whatever the number of ranks and the split: each
    // row whose global index is a multiple of ⌈n/1000⌉ gets its own FNV-1a (over
    // its index, values and weight), and the rows' hashes are added (wrapping), so
    // the order in which ranks hold them does not matter; the weights' bit patterns
    // are added likewise (a floating-point total would depend on the Allreduce order).
    var rowSum: UInt64 = 0
    var weightSum: UInt64 = 0
    let d = local.data.featureCount
    let step = max(1, local.totalRows / 1000)
    local.data.withUnsafeBufferPointer { x in
        var i = (step - local.firstRow % step) % step
        while i < local.data.sampleCount {
            var hash = FNV1a()
            hash.add(UInt64(local.firstRow + i))
            for j in 0..<d { hash.add(x[i * d + j].bitPattern) }
            if let weights { hash.add(weights[i].bitPattern) }
            rowSum &+= hash.value
            i += step
        }
    }
    if let weights { for w in weights { weightSum &+= w.bitPattern } }
    var combined = FNV1a()
    combined.add(comm.allGather(Int64(bitPattern: rowSum)).reduce(0) { $0 &+ UInt64(bitPattern: $1) })
    combined.add(comm.allGather(Int64(bitPattern: weightSum)).reduce(0) { $0 &+ UInt64(bitPattern: $1) })
    return [
        ("k", String(options.componentCount)),
        ("covariance", options.covarianceKind.rawValue),
        ("init", fit.initModel == nil ? fit.initialization.rawValue : "model"),
        ("n_init", String(fit.em.initializationCount)),
        ("max_iter", String(fit.em.maxIterations)),
        ("tol", String(fit.em.tol)),
        ("reg_covar", String(fit.em.regularization)),
        ("seed", String(fit.em.seed)),
        ("order", fit.order.rawValue),
        ("weights", fit.sampleWeights.map { "file " + $0 } ?? fit.weightColumn.map { "column " + $0 } ?? "none"),
        ("init_sample", String(fit.initSample)),
        ("data_rows", String(local.totalRows)),
        ("data_features", local.data.featureNames.joined(separator: ",")),
        ("data_checksum", String(combined.value, radix: 16)),
    ]
}

/// The checkpoint `path` holds, on every rank, after checking it against `settings`. Collective.
func readCheckpoint(_ path: String, settings: [(String, String)], comm: Communicator) throws(RankFailure) -> FitCheckpoint {
    try comm.together { () throws -> FitCheckpoint in
        let (state, saved): (FitCheckpoint, [String: String])
        do { (state, saved) = try FitCheckpoint.read(path: path) } catch { throw RankFailure(error, rank: comm.rank, of: 1) }
        if let why = CheckpointSettings.mismatch(saved: saved, current: settings, state: state) {
            throw RankFailure(message: "--resume \(path): \(why); resume with the same data and options",
                              status: ExitStatus.usage)
        }
        return state
    }
}

/// Rank 0's saving of the states the fit hands over.
final class CheckpointWriter {
    let path: String
    let settings: [(String, String)]
    private var schedule: CheckpointSchedule
    private(set) var saveError: Error?

    init(path: String, every: Int?, settings: [(String, String)]) {
        self.path = path
        self.settings = settings
        schedule = CheckpointSchedule(every: every)
    }

    func save(_ state: FitCheckpoint) {
        guard saveError == nil, schedule.isDue(iteration: state.iteration) else { return }
        do {
            try OutputFile.write(state.encoded(settings: settings), to: path)
            schedule.didSave()
        } catch {
            saveError = error
        }
    }
}
