import GaussianMixtures
import GaussianMixturesMPI
#if canImport(Glibc)
import Glibc
#endif

// A table with one row per data row, when the rows are spread over ranks.
//
// --gather: rank 0 writes the header, its own rows, then every other rank's
// rows in rank order — so the table is in data-row order, byte for byte what
// `gmm` writes for the whole data. Ranks send their CSV bytes to rank 0 in
// pieces of about 1 MiB as they go (an empty message ends a rank's rows), so
// no rank holds the whole table. Rank 0 keeps receiving even after its own
// output failed, so no rank is left blocked in a send.
//
// Without --gather each rank writes its own file, FILE with "-RANK" before
// the extension (labels.csv → labels-0.csv, labels-1.csv, …), each with the
// header. Files are committed only when every rank has written its rows;
// if a commit fails, the files already published are removed again.

/// Where a per-row table goes.
struct TableDestination {
    var output: String?
    var gather: Bool

    /// The file rank `rank` writes without --gather.
    static func rankPath(_ path: String, rank: Int) -> String {
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        if let dot = path[slash...].lastIndex(of: "."), dot != slash {
            return String(path[..<dot]) + "-\(rank)" + String(path[dot...])
        }
        return path + "-\(rank)"
    }

    /// This rank's output path, or `nil` for standard output (rank 0 gathering without -o).
    func path(rank: Int) -> String? {
        gather ? output : output.map { Self.rankPath($0, rank: rank) }
    }

    /// Fails early (exit 73) when this rank's output could not be created.
    func check(_ comm: Communicator) throws(RankFailure) {
        if gather && !comm.isRoot { return }
        if let path = path(rank: comm.rank) { try checkOutputPath(path) }
    }

    /// Streams the table: `fill` appends this rank's rows to the table and
    /// calls `flush` now and then.
    func write(_ comm: Communicator, header: [String],
               fill: (inout TableWriter, _ flush: (inout TableWriter) -> Void) throws -> Void) throws(RankFailure) {
        var table = TableWriter(header: header)
        var failure: RankFailure?
        var sink: OutputSink?
        let sending = gather && !comm.isRoot
        if sending {
            _ = table.drain()  // the header is rank 0's to write
        } else {
            do { sink = try OutputSink(path: path(rank: comm.rank)) } catch { failure = RankFailure(error, rank: comm.rank, of: comm.size) }
        }
        /// Hands the bytes so far on: to rank 0, or to this rank's sink.
        func pass(_ bytes: [UInt8]) {
            if sending {
                if !bytes.isEmpty { comm.send(bytes, to: 0) }
            } else if failure == nil, let sink {
                do { try sink.write(bytes) } catch { failure = RankFailure(error, rank: comm.rank, of: comm.size) }
            }
        }
        if failure == nil || sending {
            do {
                try fill(&table) { table in
                    if table.pendingByteCount >= 1 << 20 { pass(table.drain()) }
                }
            } catch {
                failure = RankFailure(error, rank: comm.rank, of: comm.size)
            }
        }
        pass(table.drain())
        if sending {
            comm.send([], to: 0)
        } else if gather {
            for source in 1..<comm.size {
                while true {
                    let bytes = comm.receive(from: source)
                    if bytes.isEmpty { break }
                    pass(bytes)
                }
            }
        }
        if let agreed = comm.agree(failure) { throw agreed }  // the sink is dropped: no file appears
        var committed = false
        var commitFailure: RankFailure?
        if let sink {
            do { try sink.commit(); committed = true } catch { commitFailure = RankFailure(error, rank: comm.rank, of: comm.size) }
        }
        if let agreed = comm.agree(commitFailure) {
            if committed, let path = path(rank: comm.rank) { unlink(path) }
            throw agreed
        }
    }
}
