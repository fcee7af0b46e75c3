import ArgumentParser
import GaussianMixtures
import GaussianMixturesCommandLine
import GaussianMixturesMPI

// `gmm-mpi predict` and `gmm-mpi score`: each rank scores its own rows with
// the model every rank reads; the table goes to one file per rank, or to
// rank 0 in row order with --gather.

/// Options shared by predict and score.
struct ScoringOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Model file written by `gmm fit -o` or `gmm-mpi fit -o`.", valueName: "MODEL"))
    var model: String

    @Argument(help: ArgumentHelp("Data: a .npy file every rank can open (each reads its own rows).", valueName: "DATA"))
    var data: String?

    @OptionGroup var rows: RowOptions

    @Option(name: [.short, .long], help: ArgumentHelp(
        "Write the table here: with --gather one file (rank 0); without, FILE-RANK.ext per rank.", valueName: "FILE"))
    var output: String?

    @Flag(help: "Send every rank's rows to rank 0, which writes one table in row order (to -o or standard output).")
    var gather = false

    func validate() throws {
        _ = try rows.source(data)
        if !gather && output == nil {
            throw ValidationError("without --gather every rank writes its own file: give -o FILE (rank r writes FILE-r), or use --gather")
        }
    }

    var destination: TableDestination { TableDestination(output: output, gather: gather) }

    /// Every rank's model and rows; fails alike everywhere.
    func load(_ comm: Communicator) throws(RankFailure) -> (GaussianMixture, RankRows) {
        let source = try comm.together { () throws -> RowSource in try rows.source(data) }
        let mixture = try comm.together { () throws -> GaussianMixture in
            try destination.check(comm)
            do {
                switch try ModelFile.readModel(path: model) {
                case let .expectationMaximization(mixture, _): return mixture
                case .variational:
                    throw RankFailure(message: "\(model): a variational model; gmm-mpi scores EM models only (use gmm)",
                                      status: ExitStatus.dataError)
                }
            } catch { throw RankFailure(error, rank: comm.rank, of: 1) }  // the same file on every rank: no rank prefix
        }
        let local = try RankRows.read(source, columns: rows.selectors, preferredNames: rows.columns == nil ? mixture.featureNames : nil,
                                      communicator: comm)
        if local.data.featureCount != mixture.featureCount {
            throw RankFailure(
                message: "\(data ?? rows.shards ?? "data"): has \(local.data.featureCount) columns but the model has "
                    + "\(mixture.featureCount) features (\(mixture.featureNames.joined(separator: ", "))); pick them with --columns",
                status: ExitStatus.dataError)
        }
        return (mixture, local)
    }
}

struct Predict: ParsableCommand, RankCommand {
    static let configuration = CommandConfiguration(
        abstract: "Most probable component of each row, or P(c|x) with --probabilities.",
        discussion: "The columns of `gmm predict`: component, or p0,p1,… (log_p0,… with --log). --details is not accepted.")

    @OptionGroup var scoring: ScoringOptions

    @Flag(help: "Print P(c=k|x) for every component instead of the label.")
    var probabilities = false

    @Flag(help: "Give log P(c|x) instead of P(c|x) (with --probabilities).")
    var log = false

    func validate() throws {
        if log && !probabilities { throw ValidationError("--log goes with --probabilities") }
    }

    func execute(on comm: Communicator) throws(RankFailure) {
        let (mixture, local) = try scoring.load(comm)
        let kCount = mixture.componentCount
        let header = probabilities ? (0..<kCount).map { (log ? "log_p" : "p") + "\($0)" } : ["component"]
        try scoring.destination.write(comm, header: header) { table, flush in
            mixture.posterior(for: local.data, logarithmic: log) { block in
                for r in 0..<block.rows.count {
                    let row = UnsafeBufferPointer(rebasing: block.responsibilities[(r * kCount)..<((r + 1) * kCount)])
                    if probabilities {
                        table.append(row: row)
                    } else {
                        var best = 0
                        for k in 1..<max(kCount, 1) where row[k] > row[best] { best = k }
                        table.append(integers: [best])
                    }
                }
                flush(&table)
            }
        }
    }
}

struct Score: ParsableCommand, RankCommand {
    static let configuration = CommandConfiguration(
        abstract: "log P(x) of each row under the model (natural log).",
        discussion: "Column log_density, as `gmm score`; rank 0 prints the mean over all rows to standard error.")

    @OptionGroup var scoring: ScoringOptions

    func execute(on comm: Communicator) throws(RankFailure) {
        let (mixture, local) = try scoring.load(comm)
        var total = 0.0
        try scoring.destination.write(comm, header: ["log_density"]) { table, flush in
            mixture.posterior(for: local.data) { block in
                for r in 0..<block.rows.count {
                    table.append(row: UnsafeBufferPointer(rebasing: block.logDensities[r..<(r + 1)]))
                    total += block.logDensities[r]
                }
                flush(&table)
            }
        }
        var sums = [total]
        comm.sum(&sums)
        if comm.isRoot {
            printError("mean log-likelihood: \(readable(sums[0] / Double(local.totalRows))) over \(local.totalRows) rows")
        }
    }
}
