import ArgumentParser
import GaussianMixturesCommandLine
import GaussianMixturesMPI
#if canImport(Glibc)
import Glibc
#endif

// gmm-mpi: every rank parses the same arguments and runs the same command on
// its own rows. Every way out goes through MPI_Finalize on every rank with one
// exit status: a rank that simply exited would make mpirun abort the others.

let communicator = Communicator()
let status: Int32
do {
    var command = try GMMMPI.parseAsRoot()
    if let command = command as? RankCommand {
        do {
            try command.execute(on: communicator)
            status = 0
        } catch {
            if communicator.isRoot { printError("gmm-mpi: error: \(oneLine(error.message))") }
            status = error.status
        }
    } else {
        // The root command alone: show the help.
        try command.run()
        status = 0
    }
} catch {
    // Usage errors (exit 64) and --help (exit 0): the same on every rank, so no talking; rank 0 prints.
    let code = GMMMPI.exitCode(for: error).rawValue
    if communicator.isRoot {
        let message = GMMMPI.fullMessage(for: error)
        if code == 0 { print(message) } else { printError(message) }
    }
    status = code
}
communicator.finalize()
exit(status)
