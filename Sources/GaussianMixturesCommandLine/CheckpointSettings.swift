import GaussianMixtures

// What `gmm fit` and `gmm-mpi fit` share about checkpoints: when a save is
// due, how a resumed run's settings are compared with the saved ones, and the
// checksum behind the data fingerprint.

/// When to save the state: after every N iterations, or (by default) after the
/// first iteration that ends `interval` or more after the last save — often
/// enough that a lost fit costs little, rarely enough that writing a large
/// model costs nothing noticeable.
public struct CheckpointSchedule {
    /// The time after which an iteration's end triggers a save when `every` is `nil`: 5 s.
    public static let interval = Duration.seconds(5)
    /// Save after every this many iterations; `nil`: by time.
    public let every: Int?
    private let clock = ContinuousClock()
    private var lastSave: ContinuousClock.Instant

    /// A schedule whose clock starts now.
    public init(every: Int?) {
        self.every = every
        lastSave = clock.now
    }

    /// Whether the state after `iteration` (of its restart) is to be saved.
    public func isDue(iteration: Int) -> Bool {
        every.map { iteration % $0 == 0 } ?? (clock.now - lastSave >= Self.interval)
    }

    /// Notes that a save happened now.
    public mutating func didSave() { lastSave = clock.now }
}

/// How a resumed run's settings are compared with those a checkpoint saved.
public enum CheckpointSettings {
    /// How the command line spells each saved option, for messages.
    static let flagNames = [
        "k": "-k", "covariance": "--covariance", "init": "--init", "n_init": "--n-init", "max_iter": "--max-iter",
        "tol": "--tol", "reg_covar": "--reg-covar", "seed": "--seed", "order": "--order",
        "weights": "the weights (--sample-weights/--weight-column)", "missing": "--missing",
        "exact": "--exact (or GMM_EXACT=1)",
        "init_sample": "--init-sample", "method": "--method", "weight_prior": "--weight-prior",
        "weight_concentration": "--weight-concentration", "mean_precision_prior": "--mean-precision-prior",
        "mean_prior": "--mean-prior", "degrees_of_freedom_prior": "--degrees-of-freedom-prior",
        "covariance_prior": "--covariance-prior",
        "batch_size": "--batch-size", "step_decay": "--step-decay", "epochs": "--epochs",
    ]

    /// What a setting that checkpoints of earlier versions did not save was then.
    static let absentValues = ["exact": "no"]

    /// Why the checkpoint `state` with saved settings `saved` cannot continue a run with
    /// settings `current` (`nil`: it can). Names starting with `data_` are the data's fingerprint.
    public static func mismatch(saved: [String: String], current: [(String, String)], state: FitCheckpoint) -> String? {
        mismatch(saved: saved, current: current, iteration: state.iteration, finishedRestarts: state.finishedRestarts.count)
    }

    /// Why a checkpoint after `iteration` of its restart, with `finishedRestarts` restarts done before it,
    /// and saved settings `saved`, cannot continue a run with settings `current` (`nil`: it can).
    public static func mismatch(saved: [String: String], current: [(String, String)], iteration: Int,
                                finishedRestarts: Int) -> String? {
        for (name, value) in current {
            let old = saved[name] ?? absentValues[name] ?? "(absent)"
            if old == value { continue }
            // Raising --max-iter continues a restart that stopped at the old limit; that is only
            // the uninterrupted fit's result when no restart finished under the old limit.
            if name == "max_iter", finishedRestarts == 0, let limit = Int(value), iteration <= limit {
                continue
            }
            return name.hasPrefix("data_")
                ? "it was written for other data (fingerprint: \(name.dropFirst(5)) \(old), now \(value))"
                : "it was written with \(flagNames[name] ?? name) \(old), now \(value)"
        }
        return nil
    }
}

/// 64-bit FNV-1a over 8-byte words.
public struct FNV1a {
    /// The hash of the words added so far (the FNV offset basis before any).
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    /// A hash of nothing yet.
    public init() {}
    /// Hashes the eight bytes of `word`, least significant first.
    public mutating func add(_ word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) {
            value = (value ^ ((word >> UInt64(shift)) & 0xFF)) &* 0x100_0000_01b3
        }
    }
}
