// The state of an EM fit between two iterations, so a fit can be saved and
// continued to the same bits.
//
// Why this is enough: an iteration reads only the current parameters, and the
// stopping rule reads only the last two entries of the trace. So the state
// after iteration t of restart r is (parameters, trace) — the iteration count
// is the trace's length — plus the results of the restarts already finished
// (restarts are independent streams, `restartSeed`, so the later ones need
// nothing from the earlier ones but their results for the final choice).
//
// The parameters are enough because every covariance family derives its
// factors and log-determinants from its parameters alone, by the same code
// whether the parameters came from an M-step or from a file
// (`CovarianceFamily.init(parameters:)` and `estimate` end in the same
// private initialiser), and model files print shortest round-trip doubles.

/// The state of an EM fit after an iteration: enough to continue it and end
/// with the same result, bit for bit, as a fit that was never stopped.
public struct FitCheckpoint: Sendable {
    /// The restart in progress (0-based).
    public var restart: Int
    /// The parameters after the last iteration's M-step.
    public var model: GaussianMixture
    /// The mean log-likelihood of each iteration's E-step in the restart in progress.
    public var logLikelihoodTrace: [Double]
    /// The results of restarts `0..<restart`; `nil` where a restart failed (it is run again on resume, failing alike).
    public var finishedRestarts: [FitResult?]

    /// Iterations done in the restart in progress.
    public var iteration: Int { logLikelihoodTrace.count }

    /// A checkpoint with the given state, as a fit hands it to its `checkpoint` closure
    /// or `read(path:)` returns it.
    public init(restart: Int, model: GaussianMixture, logLikelihoodTrace: [Double], finishedRestarts: [FitResult?]) {
        self.restart = restart
        self.model = model
        self.logLikelihoodTrace = logLikelihoodTrace
        self.finishedRestarts = finishedRestarts
    }
}

/// Called after every EM iteration with the state reached; `isStopping` is
/// true when the fit stops there because `shouldStop` asked it to (the
/// moment to save the state whatever the saving policy).
public typealias FitCheckpointHandler = (_ state: FitCheckpoint, _ isStopping: Bool) -> Void

/// What one fit resumes from, reports to and is stopped by; shared by its restarts.
final class FitSession {
    let resume: FitCheckpoint?
    let checkpoint: FitCheckpointHandler?
    let shouldStop: (() -> Bool)?
    /// Results of the restarts finished so far, in order.
    private(set) var finished: [FitResult?]
    /// Set when `shouldStop` answered yes after an iteration: the fit ends after that iteration.
    private(set) var isStopped = false

    init(resume: FitCheckpoint?, checkpoint: FitCheckpointHandler?, shouldStop: (() -> Bool)?) {
        self.resume = resume
        self.checkpoint = checkpoint
        self.shouldStop = shouldStop
        finished = resume?.finishedRestarts ?? []
    }

    /// The state restart `restart` continues from, when the checkpoint was taken in it.
    func resumedState(restart: Int) -> FitCheckpoint? {
        resume?.restart == restart ? resume : nil
    }

    /// The kept result of restart `restart`, when it finished before the checkpoint.
    func finishedResult(restart: Int) -> FitResult? {
        restart < finished.count ? finished[restart] : nil
    }

    /// Records the outcome of restart `restart` (`nil`: it failed).
    func record(restart: Int, _ result: FitResult?) {
        if restart < finished.count { finished[restart] = result } else { finished.append(result) }
    }

    /// Asks whether to stop, then hands the state to the checkpoint handler; returns whether to stop.
    func afterIteration(restart: Int, model: GaussianMixture, trace: [Double]) -> Bool {
        // Polled once, before the handler, so the handler knows it sees the last state.
        if !isStopped, shouldStop?() == true { isStopped = true }
        checkpoint?(FitCheckpoint(restart: restart, model: model, logLikelihoodTrace: trace,
                                  finishedRestarts: Array(finished.prefix(restart))), isStopped)
        return isStopped
    }
}
