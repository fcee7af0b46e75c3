// How ranks fail together. A rank that meets an error (its file is missing,
// its slice is truncated, the output cannot be written) must not simply exit:
// the others would wait forever in their next collective. Instead every rank
// reaches the same checkpoints, and at each one `agree` tells all of them
// whether any rank failed and, if so, the error of the lowest-ranked failing
// rank: its message and exit status. Then every rank exits with that status.

/// An error that ends a command, with the exit status of the interface contract.
public struct RankFailure: Error, Sendable, Equatable {
    /// The one-line error, as rank 0 prints it.
    public var message: String
    /// The exit status every rank exits with (see ``ExitStatus``).
    public var status: Int32

    /// A failure with `message` and exit status `status`.
    public init(message: String, status: Int32) {
        self.message = message
        self.status = status
    }
}

/// The contract's exit statuses (sysexits.h names).
public enum ExitStatus {
    /// 64 (`EX_USAGE`): bad usage, such as an unknown flag or a value out of range.
    public static let usage: Int32 = 64        // EX_USAGE
    /// 65 (`EX_DATAERR`): bad data or model file, or data that cannot support the request.
    public static let dataError: Int32 = 65    // EX_DATAERR
    /// 66 (`EX_NOINPUT`): an input file cannot be opened.
    public static let noInput: Int32 = 66      // EX_NOINPUT
    /// 73 (`EX_CANTCREAT`): an output file cannot be written.
    public static let cannotCreate: Int32 = 73 // EX_CANTCREAT
}

extension Communicator {
    /// A checkpoint every rank reaches: `nil` when no rank failed, otherwise the
    /// failure of the lowest-ranked failing rank, the same on every rank.
    ///
    /// Two collectives: the minimum failing rank (MPI_Allreduce, MPI_MIN), then
    /// that rank's status and message (MPI_Bcast).
    public func agree(_ failure: RankFailure?) -> RankFailure? {
        let first = reduce([Int64(failure == nil ? size : rank)], .min)[0]
        guard first < Int64(size) else { return nil }
        let root = Int(first)
        var payload: [UInt8] = []
        if rank == root, let failure {
            withUnsafeBytes(of: failure.status.littleEndian) { payload += $0 }
            payload += Array(failure.message.utf8)
        }
        let received = broadcast(payload, from: root)
        let status = received.prefix(4).enumerated().reduce(Int32(0)) { $0 | Int32($1.element) << (8 * $1.offset) }
        return RankFailure(message: String(decoding: received.dropFirst(4), as: UTF8.self), status: status)
    }

    /// Runs `body` (local work that may fail), then agrees on the outcome.
    ///
    /// - Returns: `body`'s value on every rank when no rank failed.
    /// - Throws: the agreed `RankFailure` on every rank when some rank failed.
    public func together<T>(_ body: () throws -> T) throws(RankFailure) -> T {
        var value: T?
        var failure: RankFailure?
        do {
            value = try body()
        } catch let error as RankFailure {
            failure = error
        } catch {
            failure = RankFailure(message: "\(error)", status: 1)
        }
        if let agreed = agree(failure) { throw agreed }
        return value!
    }
}
