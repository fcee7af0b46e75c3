import ArgumentParser

/// `--checkpoint FILE`, `--checkpoint-every N` and `--resume FILE`, as `gmm fit`
/// and `gmm-mpi fit` take them (one declaration, so the two commands cannot drift).
public struct CheckpointFlags: ParsableArguments {
    /// `--checkpoint FILE`: where the fit's state is saved while it runs.
    @Option(help: ArgumentHelp(
        "Save the fit's state here (atomically; under MPI rank 0 writes it) while it runs, to continue it with --resume.",
        valueName: "FILE"))
    public var checkpoint: String?

    /// `--checkpoint-every N`: save after every N iterations (`nil`: by time, see ``CheckpointSchedule``).
    @Option(name: .customLong("checkpoint-every"), parsing: .unconditional, help: ArgumentHelp(
        "Save after every N iterations (default: after an iteration when 5 s passed since the last save).", valueName: "N"))
    public var every: Int?

    /// `--resume FILE`: the checkpoint to continue.
    @Option(help: ArgumentHelp(
        "Continue the fit saved in this checkpoint, with the same data and options (under MPI, on any number of ranks); "
            + "the result is the uninterrupted fit's.", valueName: "FILE"))
    public var resume: String?

    public init() {}

    public func validate() throws {
        if let every, every < 1 { throw ValidationError("--checkpoint-every must be at least 1, got \(every)") }
        if every != nil && checkpoint == nil { throw ValidationError("--checkpoint-every needs --checkpoint FILE") }
        if checkpoint == "-" { throw ValidationError("--checkpoint needs a file, not standard output") }
    }
}
