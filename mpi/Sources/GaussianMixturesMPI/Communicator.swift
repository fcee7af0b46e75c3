import CMPI
import GaussianMixtures

// The few MPI calls the distributed fit needs, over MPI_COMM_WORLD, with
// Swift arrays in and out. MPI's default error handler (MPI_ERRORS_ARE_FATAL)
// stays in place: a failed collective aborts the whole job through mpirun
// rather than leaving some ranks waiting, so these wrappers do not throw.
// Only the main thread calls MPI (MPI_THREAD_FUNNELED); the E-step's worker
// threads never do.

/// The processes of an MPI job (MPI_COMM_WORLD): who this is, how many there are, and collectives.
public final class Communicator: @unchecked Sendable {
    // @unchecked: only the main thread calls MPI, and the stored values never change.
    /// This process's rank, 0..<size.
    public let rank: Int
    /// The number of processes.
    public let size: Int

    /// Initialises MPI (once per process; `finalize()` ends it).
    public init() {
        var provided: Int32 = 0
        MPI_Init_thread(nil, nil, cmpi_thread_funneled(), &provided)
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(cmpi_comm_world(), &r)
        MPI_Comm_size(cmpi_comm_world(), &s)
        rank = Int(r)
        size = Int(s)
    }

    /// Ends MPI; every rank calls it before exiting, or mpirun reports the job as failed.
    public func finalize() { MPI_Finalize() }

    /// True on rank 0, which initialises, writes the model and prints.
    public var isRoot: Bool { rank == 0 }

    // MARK: - Reductions

    /// Replaces `values` by the element-wise sum over all ranks (MPI_Allreduce, MPI_SUM, in place).
    public func sum(_ values: inout [Double]) {
        let count = Int32(values.count)
        values.withUnsafeMutableBufferPointer { buffer in
            _ = MPI_Allreduce(cmpi_in_place(), buffer.baseAddress, count, cmpi_double(), cmpi_sum(), cmpi_comm_world())
        }
    }

    /// The element-wise sum, minimum or maximum of `values` over all ranks.
    public func reduce(_ values: [Int64], _ operation: Operation) -> [Int64] {
        var out = values
        let count = Int32(values.count)
        let op = switch operation {
        case .sum: cmpi_sum()
        case .min: cmpi_min()
        case .max: cmpi_max()
        }
        out.withUnsafeMutableBufferPointer { buffer in
            _ = MPI_Allreduce(cmpi_in_place(), buffer.baseAddress, count, cmpi_int64(), op, cmpi_comm_world())
        }
        return out
    }

    /// What `reduce` combines with.
    public enum Operation {
        /// The sum over the ranks (`MPI_SUM`).
        case sum
        /// The smallest value over the ranks (`MPI_MIN`).
        case min
        /// The largest value over the ranks (`MPI_MAX`).
        case max
    }

    /// Every rank's value, in rank order (MPI_Allgather).
    public func allGather(_ value: Int64) -> [Int64] {
        var mine = value
        var all = [Int64](repeating: 0, count: size)
        all.withUnsafeMutableBufferPointer { buffer in
            _ = MPI_Allgather(&mine, 1, cmpi_int64(), buffer.baseAddress, 1, cmpi_int64(), cmpi_comm_world())
        }
        return all
    }

    // MARK: - Moving bytes and numbers

    /// `bytes` of rank `root`, on every rank (its length first, then the bytes).
    public func broadcast(_ bytes: [UInt8], from root: Int) -> [UInt8] {
        var length = Int64(rank == root ? bytes.count : 0)
        _ = MPI_Bcast(&length, 1, cmpi_int64(), Int32(root), cmpi_comm_world())
        var out = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length))
        if length > 0 {
            out.withUnsafeMutableBufferPointer { buffer in
                _ = MPI_Bcast(buffer.baseAddress, Int32(length), cmpi_byte(), Int32(root), cmpi_comm_world())
            }
        }
        return out
    }

    /// Every rank's `values`, concatenated in rank order on rank 0 (MPI_Gatherv); empty elsewhere.
    public func gather(_ values: [Double]) -> [Double] {
        let counts = allGather(Int64(values.count)).map { Int32($0) }
        var displacements = [Int32](repeating: 0, count: size)
        for r in 1..<max(size, 1) { displacements[r] = displacements[r - 1] + counts[r - 1] }
        let total = Int(counts.reduce(0, +))
        var out = [Double](repeating: 0, count: isRoot ? max(total, 1) : 1)
        values.withUnsafeBufferPointer { send in
            out.withUnsafeMutableBufferPointer { receive in
                _ = MPI_Gatherv(send.baseAddress, Int32(values.count), cmpi_double(), receive.baseAddress, counts,
                                displacements, cmpi_double(), 0, cmpi_comm_world())
            }
        }
        return isRoot ? Array(out.prefix(total)) : []
    }

    /// Sends `bytes` to `destination` (blocking MPI_Send).
    public func send(_ bytes: [UInt8], to destination: Int, tag: Int32 = 0) {
        bytes.withUnsafeBufferPointer { buffer in
            _ = MPI_Send(buffer.baseAddress, Int32(buffer.count), cmpi_byte(), Int32(destination), tag, cmpi_comm_world())
        }
    }

    /// The next message from `source`, whatever its length (MPI_Probe, then MPI_Recv).
    public func receive(from source: Int, tag: Int32 = 0) -> [UInt8] {
        var status = MPI_Status()
        _ = MPI_Probe(Int32(source), tag, cmpi_comm_world(), &status)
        var count: Int32 = 0
        _ = MPI_Get_count(&status, cmpi_byte(), &count)
        var bytes = [UInt8](repeating: 0, count: Int(count))
        bytes.withUnsafeMutableBufferPointer { buffer in
            _ = MPI_Recv(buffer.baseAddress, count, cmpi_byte(), Int32(source), tag, cmpi_comm_world(), cmpi_status_ignore())
        }
        return bytes
    }

    /// Waits until every rank has arrived (MPI_Barrier).
    public func barrier() { _ = MPI_Barrier(cmpi_comm_world()) }

    /// Seconds on MPI's wall clock (MPI_Wtime).
    public static func wallTime() -> Double { MPI_Wtime() }
}

/// Sums EM statistics over the ranks with one `MPI_Allreduce` per call: the
/// `StatisticsReducer` of `ExpectationMaximization.fit(localRows:…)` under MPI.
///
/// Open MPI's Allreduce algorithms give every rank the same bits (each block
/// of the result is combined once, in one order, and then distributed), which
/// the fit relies on: every rank takes its decisions from the reduced numbers.
public final class AllreduceReducer: StatisticsReducer, @unchecked Sendable {
    // @unchecked: used from the main thread only; the counters are for the benchmark.
    /// The communicator whose ranks the sums run over.
    public let communicator: Communicator
    /// Number of reductions and the seconds spent in them (wall clock), for measurements.
    public private(set) var callCount = 0
    /// Wall-clock seconds spent in those reductions.
    public private(set) var seconds = 0.0
    /// Length of the last reduced vector.
    public private(set) var lastLength = 0

    /// A reducer over the ranks of `communicator`.
    public init(_ communicator: Communicator) { self.communicator = communicator }

    /// Replaces `values` by their element-wise sum over every rank (`MPI_Allreduce` with `MPI_SUM`),
    /// the same bits on every rank, and counts the call and its time.
    public func sum(_ values: inout [Double]) {
        let start = Communicator.wallTime()
        communicator.sum(&values)
        seconds += Communicator.wallTime() - start
        callCount += 1
        lastLength = values.count
    }
}
