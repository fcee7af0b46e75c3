// gmm-mpi-bench: per-iteration time of the distributed EM loop and the share
// spent in MPI_Allreduce, for bench/MPI.md. Run under mpirun:
//
//   mpirun -np R gmm-mpi-bench ROWS_PER_RANK [D K ITERATIONS REPEATS]
//
// Each rank draws its own rows (seeded by its rank) from a fixed K-component
// mixture in D dimensions, so no file is read; all ranks start from the same
// model (a fixed 2-iteration fit of rank 0's first rows, broadcast) and run
// exactly ITERATIONS EM iterations (tol 0) with one E-step thread each. The
// best of REPEATS fits is reported, as one line of JSON from rank 0: the
// wall time per iteration (max over ranks), the Allreduce time per call
// (max over ranks) and its share, the CPU time per iteration outside the
// Allreduce (max over ranks: the work, whatever else runs on the machine), plus a separate Allreduce microbenchmark of
// the same vector length (1000 calls after 100 warm-up calls).
import Foundation
import GaussianMixtures
import GaussianMixturesMPI

let comm = Communicator()
let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let rowsPerRank = arguments.count > 0 ? arguments[0] : 100_000
let d = arguments.count > 1 ? arguments[1] : 8
let kCount = arguments.count > 2 ? arguments[2] : 8
let iterations = arguments.count > 3 ? arguments[3] : 10
let repeats = arguments.count > 4 ? arguments[4] : 3

// A fixed mixture: means on a scaled simplex-like grid, unit-ish covariances.
let truth: GaussianMixture = {
    let means: [[Double]] = (0..<kCount).map { k in (0..<d).map { j -> Double in Double((k * 7 + j * 3) % 11) - 5 } }
    let covariances: [[[Double]]] = (0..<kCount).map { k in
        (0..<d).map { r -> [Double] in
            (0..<d).map { c -> Double in
                if r == c { return 1 + 0.1 * Double(k) }
                return abs(r - c) == 1 ? 0.2 : 0
            }
        }
    }
    return try! GaussianMixture(weights: Array(repeating: 1 / Double(kCount), count: kCount), means: means,
                                covariances: .full(covariances))
}()
let local = truth.sample(count: rowsPerRank, seed: UInt64(1000 + comm.rank)).samples

// The common start: rank 0 fits its first rows briefly, every rank decodes the same bytes.
var startBytes: [UInt8] = []
if comm.isRoot {
    let first = local.rows(0..<min(local.sampleCount, 20_000))
    let brief = try! ExpectationMaximization.fit(first, options: FitOptions(componentCount: kCount, maxIterations: 2,
                                                                            tolerance: 0, seed: 1, threadCount: 1))
    startBytes = ModelFile.encode(brief.model, summary: nil)
}
let start = try! ModelFile.decode(comm.broadcast(startBytes, from: 0), path: "<start>").model
let options = FitOptions(componentCount: kCount, covarianceKind: .full, initialization: .model(start),
                         maxIterations: iterations, tolerance: 0, threadCount: 1)

/// The largest of every rank's `seconds` (reduced as whole nanoseconds).
func maximum(_ seconds: Double) -> Double { Double(comm.reduce([Int64(seconds * 1e9)], .max)[0]) / 1e9 }

/// CPU seconds this process has used (all its threads; the E-step runs on one here).
func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// The Allreduce reducer, also counting the CPU time spent inside it (Open MPI
/// busy-waits in a blocking collective, so a rank waiting for others burns CPU).
final class TimedReducer: StatisticsReducer {
    let inner: AllreduceReducer
    var cpu = 0.0
    init(_ comm: Communicator) { inner = AllreduceReducer(comm) }
    func sum(_ values: inout [Double]) {
        let c = cpuSeconds()
        inner.sum(&values)
        cpu += cpuSeconds() - c
    }
}

var best: (perIteration: Double, allreducePerCall: Double, share: Double, cpuPerIteration: Double)?
for _ in 0..<repeats {
    let timed = TimedReducer(comm)
    let reducer = timed.inner
    comm.barrier()
    let t0 = Communicator.wallTime()
    let c0 = cpuSeconds()
    let result = try! ExpectationMaximization.fit(localRows: local, options: options, reducer: timed,
                                                  startingModel: { _ throws(FitError) in start })
    let elapsed = maximum(Communicator.wallTime() - t0)
    let cpu = maximum(cpuSeconds() - c0 - timed.cpu)
    precondition(result.report.iterationCount == iterations)
    // One E-step pass per iteration plus the final one, and the reduction of the counts before.
    let passes = Double(iterations + 1)
    let perIteration = elapsed / passes
    let reduceTime = maximum(reducer.seconds)
    let candidate = (perIteration, reduceTime / Double(reducer.callCount), reduceTime / elapsed, cpu / passes)
    if best == nil || candidate.0 < best!.perIteration { best = candidate }
}

// Allreduce alone, for the vector length of these statistics.
let length = EMStatistics.flattenedCount(componentCount: kCount, featureCount: d, kind: .full)
var vector = [Double](repeating: 1, count: length)
for _ in 0..<100 { comm.sum(&vector) }
comm.barrier()
let t1 = Communicator.wallTime()
for _ in 0..<1000 { comm.sum(&vector) }
let microsecondsPerAllreduce = maximum(Communicator.wallTime() - t1) / 1000 * 1e6

if comm.isRoot, let best {
    let line = String(
        format: "{\"ranks\": %d, \"rows_per_rank\": %d, \"rows\": %d, \"d\": %d, \"k\": %d, \"iterations\": %d, "
            + "\"seconds_per_iteration\": %.6f, \"cpu_seconds_per_iteration\": %.6f, \"allreduce_seconds_per_call\": %.3e, \"allreduce_share\": %.5f, "
            + "\"vector_length\": %d, \"microbench_allreduce_us\": %.2f}",
        comm.size, rowsPerRank, rowsPerRank * comm.size, d, kCount, iterations, best.perIteration, best.cpuPerIteration, best.allreducePerCall,
        best.share, length, microsecondsPerAllreduce)
    print(line)
}
comm.finalize()
