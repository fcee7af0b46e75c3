import ArgumentParser
import GaussianMixtures
import GaussianMixturesCommandLine
#if canImport(Glibc)
import Glibc
#endif

// Every error a subcommand can meet becomes one line on standard error and
// the exit status of the interface contract; never a stack trace.

/// The contract's exit statuses (sysexits.h names).
enum ExitStatus {
    static let usage: Int32 = 64        // EX_USAGE
    static let dataError: Int32 = 65    // EX_DATAERR
    static let noInput: Int32 = 66      // EX_NOINPUT
    static let cannotCreate: Int32 = 73 // EX_CANTCREAT
}

/// Runs `body`, turning library errors into the contract's exit statuses.
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        let (message, status) = describe(error)
        printError("gmm: error: \(oneLine(message))")
        throw ExitCode(status)
    }
}

private func describe(_ error: Error) -> (String, Int32) {
    switch error {
    case let e as DataFileError:
        if case .cannotOpen = e { return (e.description, ExitStatus.noInput) }
        return (e.description, ExitStatus.dataError)
    case let e as ModelFileError:
        if case .cannotOpen = e { return (e.description, ExitStatus.noInput) }
        return (e.description, ExitStatus.dataError)
    case let e as OutputFileError:
        return (e.description, ExitStatus.cannotCreate)
    case let e as FitError:
        if case .invalidOption = e { return (e.description, ExitStatus.usage) }
        return (e.description, ExitStatus.dataError)
    case let e as ModelError:
        return (e.description, ExitStatus.dataError)
    case let e as DataError:
        return (e.description, ExitStatus.dataError)
    case let e as CommandFailure:
        return (e.message, e.status)
    default:
        return ("\(error)", 1)
    }
}

/// `text` with control characters escaped, so an error stays on one line even
/// when it quotes a file name or a cell that holds a line break.
func oneLine(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// Says once, on standard error, that `count` rows lie so far from every
/// component that log P(x) underflows (printed as -inf), so nobody takes the
/// -inf for a bug; their P(c|x) is still exact.
func warnUnderflowedDensities(_ count: Int) {
    guard count > 0 else { return }
    printError("gmm: warning: \(count) row\(count == 1 ? " lies" : "s lie") so far from every component that log P(x) "
        + "underflows to -inf (below the smallest double); P(c|x) of such a row is exact: the nearest component "
        + "in Mahalanobis terms")
}

/// A failure the command itself detects, with its exit status.
struct CommandFailure: Error {
    var message: String
    var status: Int32
}
