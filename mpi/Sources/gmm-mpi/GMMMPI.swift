import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine
import GaussianMixturesMPI
#if canImport(Glibc)
import Glibc
#endif

struct GMMMPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gmm-mpi",
        abstract: "Gaussian mixtures with the rows spread over MPI ranks.",
        discussion: "Run under mpirun: mpirun -np R gmm-mpi fit DATA.npy -k K -o model.json. Each rank reads only its "
            + "own contiguous share of the rows of DATA.npy, or its own shard files with --shards 'part-*.npy'. Every EM "
            + "iteration sums the ranks' statistics with one MPI_Allreduce; rank 0 writes the model file. From the same "
            + "start the model equals `gmm fit`'s to rounding (1e-12 relative).",
        subcommands: [Fit.self, Predict.self, Score.self])
}

/// A subcommand that runs on every rank of the job.
protocol RankCommand {
    /// Runs on this rank; throws the failure every rank agreed on.
    func execute(on communicator: Communicator) throws(RankFailure)
}

/// Where the rows come from: a shared `.npy` file or shard files.
struct RowOptions: ParsableArguments {
    @Option(name: .customLong("shards"), help: ArgumentHelp(
        "Shard files instead of DATA: comma-separated paths or glob patterns (quoted); rank r reads whole shards, in order.",
        valueName: "LIST"))
    var shards: String?

    @Option(help: ArgumentHelp("Columns to use, by name or 0-based index (a,b or 0,2).", valueName: "LIST"))
    var columns: String?

    /// The source, given the positional DATA argument.
    func source(_ data: String?) throws -> RowSource {
        switch (data, shards) {
        case let (path?, nil):
            guard path.hasSuffix(".npy") else {
                throw ValidationError("gmm-mpi reads one shared data file only as .npy (each rank reads its own rows); "
                                      + "give text data as shards with --shards")
            }
            return .sharedFile(path)
        case let (nil, list?): return .shards(list)
        case (_?, _?): throw ValidationError("give DATA or --shards, not both")
        case (nil, nil): throw ValidationError("missing DATA (a .npy file) or --shards LIST")
        }
    }

    var selectors: [ColumnSelector]? { columns.map(ColumnSelector.parseList) }
}

/// `text` with line breaks and tabs escaped, so an error stays one line.
func oneLine(_ text: String) -> String {
    text.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        .replacingOccurrences(of: "\t", with: "\\t")
}

/// Fails (exit 73) when `path` could not be created: a missing or unwritable folder, or a folder in the way.
func checkOutputPath(_ path: String) throws(RankFailure) {
    func fail(_ reason: String) -> RankFailure {
        RankFailure(message: OutputFileError.cannotWrite(path: path, reason: reason).description, status: ExitStatus.cannotCreate)
    }
    var info = stat()
    if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { throw fail("Is a directory") }
    let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
    let dir = folder.isEmpty ? "/" : folder
    guard stat(dir, &info) == 0 else { throw fail("No such file or directory") }
    guard (info.st_mode & S_IFMT) == S_IFDIR else { throw fail("Not a directory") }
    guard access(dir, W_OK) == 0 else { throw fail("Permission denied") }
}

/// Number of E-step threads per rank by default: the cores shared among the ranks on this host.
func defaultThreadCount() -> Int {
    let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    let local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE").flatMap { Int(String(cString: $0)) } ?? 1
    return max(1, Int(cores) / max(local, 1))
}
