import ArgumentParser

/// The `gmm` command: Gaussian mixture models from the shell.
@main
struct GMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gmm",
        abstract: "Fit Gaussian mixture models and ask them questions.",
        discussion: """
            A mixture draws a hidden component c with probability P(c), then x from the
            Gaussian P(x|c). `fit` estimates both by expectation-maximisation; `predict`
            gives P(c|x) (which component explains a row, and how sure the model is);
            `score` gives log P(x) (how typical a row is); `sample` draws new rows.

            Exit status: 0 success, 64 bad usage, 65 bad data or model file,
            66 input file cannot be opened, 73 output file cannot be written.
            """,
        version: "0.1.0",
        subcommands: [Fit.self, Predict.self, Score.self, Sample.self, Info.self, Select.self]
    )
}
