// gmm-bench: timings for GaussianMixtures, one JSON line per scenario on stdout.
//
// It measures and never asserts. Every scenario uses a fixed seed, writes its
// input into a fresh temporary folder (removed at the end), runs once to warm
// up (which also puts the file in the page cache) and then reports the median
// of repeated runs timed with `ContinuousClock`. Lines are tagged with the
// commit (GMM_BENCH_COMMIT, else .git/HEAD in the working folder) and machine.
//
//   gmm-bench [--quick] [SCENARIO ...]
//
// Scenarios:
//   csv-parse  1e6 x 8 numeric CSV (1e5 with --quick), once with `%.6f` numbers
//              and once with 17-significant-digit shortest round-trip numbers;
//              `DataFileReader.read` against the idiomatic Foundation way
//              (String(contentsOfFile:) + split + Double(Substring)).
//   npy-load   a 64 MB `<f8` .npy file (6.4 MB with --quick): memory-mapped load
//              plus a pass that touches every value.
//   model-file a full-covariance model, K = 32, d = 64 (about 2.7 MB of JSON; K = 8
//              with --quick): `ModelFile.encode` alone, encode + `OutputFile.write`,
//              `ModelFile.read` end to end (file -> validated `GaussianMixture` with
//              its Cholesky factors), that read's share spent building the mixture
//              from the parsed numbers, and the same for a checkpoint file (the model
//              plus one finished restart). Checks that what is read back is the
//              written model to the bit.
//   covariance-models  EM per iteration for each of mclust's 14 covariance models,
//              1 thread, on 200 000 rows (20 000 with --quick) drawn from a K = 4,
//              d = 8 full-covariance mixture and on 50 000 rows (5 000) from a K = 8,
//              d = 32 one, every model started from the same
//              responsibilities (the generating mixture's). Seconds per iteration are
//              (CPU time of 11 iterations − of 1) / 10, medians of 5; each model's
//              ratio is to the scikit-learn family with the same factor shape (VVV =
//              full for the ellipsoidal models, VVI = diag for the axis-aligned and
//              spherical ones). VEI, VEE, EVE, VVE and VEV iterate inside each M-step.

import Foundation
import GaussianMixtures

// MARK: - Options

let arguments = Array(CommandLine.arguments.dropFirst())
let isQuick = arguments.contains("--quick")
let requested = arguments.filter { !$0.hasPrefix("--") }
let allScenarios = ["csv-parse", "npy-load", "model-file", "covariance-models"]
for name in requested where !allScenarios.contains(name) {
    FileHandle.standardError.write(Data("gmm-bench: unknown scenario \(name) (known: \(allScenarios.joined(separator: ", ")))\n".utf8))
    exit(64)
}
let scenarios = requested.isEmpty ? allScenarios : requested
let rowCount = isQuick ? 100_000 : 1_000_000
let columnCount = 8
let runs = 5
let foundationRuns = isQuick ? 5 : 3

// MARK: - Helpers

/// SplitMix64: a tiny seeded generator, so every run writes the same files.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Median wall time of `count` runs of `body`, in seconds.
func medianSeconds(runs count: Int, _ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    var times: [Double] = []
    for _ in 0..<count {
        let elapsed = try clock.measure(body)
        times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    times.sort()
    return times[times.count / 2]
}

/// Median wall time and median CPU time (this process, all threads) of `count` runs
/// of `body`, in seconds. On a shared machine the CPU time is the steadier figure:
/// other work stretches the wall time, not the cycles this process spends.
func medianTimes(runs count: Int, _ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    func cpuNow() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
    let clock = ContinuousClock()
    var walls: [Double] = []
    var cpus: [Double] = []
    for _ in 0..<count {
        let cpuStart = cpuNow()
        let elapsed = try clock.measure(body)
        cpus.append(cpuNow() - cpuStart)
        walls.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    return (walls.sorted()[count / 2], cpus.sorted()[count / 2])
}

func machineDescription() -> String {
    var info = utsname()
    uname(&info)
    let host = withUnsafeBytes(of: &info.nodename) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
        .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown cpu"
    return "\(host), \(model), \(ProcessInfo.processInfo.activeProcessorCount) cores"
}

func commitDescription() -> String {
    if let commit = ProcessInfo.processInfo.environment["GMM_BENCH_COMMIT"] { return commit }
    guard let head = try? String(contentsOfFile: ".git/HEAD", encoding: .utf8)
        .trimmingCharacters(in: .whitespacesAndNewlines) else { return "unknown" }
    guard head.hasPrefix("ref: ") else { return head }
    let reference = String(head.dropFirst(5))
    return (try? String(contentsOfFile: ".git/\(reference)", encoding: .utf8)
        .trimmingCharacters(in: .whitespacesAndNewlines)) ?? "unknown (\(reference) has no commit)"
}

func emit(_ fields: [String: Any]) {
    let tags: [String: Any] = ["commit": commitDescription(), "machine": machineDescription(), "quick": isQuick]
    let object = fields.merging(tags) { current, _ in current }
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func rounded(_ x: Double, _ digits: Int = 4) -> Double {
    let scale = pow(10.0, Double(digits))
    return (x * scale).rounded() / scale
}

let folder = FileManager.default.temporaryDirectory
    .appendingPathComponent("gmm-bench-\(ProcessInfo.processInfo.processIdentifier)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }

// MARK: - csv-parse

/// Writes the `%.6f` file: a header, then `rowCount` rows of uniform values in [-100, 100).
func writeFixedPointCSV(to path: String) throws {
    var generator = SplitMix64(state: 20_240_601)
    var bytes = Array((0..<columnCount).map { "x\($0)" }.joined(separator: ",").utf8) + [UInt8(ascii: "\n")]
    bytes.reserveCapacity(rowCount * columnCount * 11)
    var cell = [CChar](repeating: 0, count: 64)
    for _ in 0..<rowCount {
        for j in 0..<columnCount {
            let x = Double.random(in: -100..<100, using: &generator)
            let n = cell.withUnsafeMutableBufferPointer { buffer in
                withVaList([x]) { list in vsnprintf(buffer.baseAddress, 64, "%.6f", list) }
            }
            if j > 0 { bytes.append(UInt8(ascii: ",")) }
            cell.withUnsafeBytes { bytes.append(contentsOf: $0.prefix(Int(n))) }
        }
        bytes.append(UInt8(ascii: "\n"))
    }
    try OutputFile.write(bytes, to: path)
}

/// Writes the 17-digit file: uniform values in [-100, 100) whose shortest
/// round-trip form needs all 17 significant digits, written by `TableWriter`.
func writeFullPrecisionCSV(to path: String) throws {
    var generator = SplitMix64(state: 20_240_602)
    var table = TableWriter(header: (0..<columnCount).map { "x\($0)" }, reservingRows: rowCount)
    var row = [Double](repeating: 0, count: columnCount)
    for _ in 0..<rowCount {
        for j in 0..<columnCount {
            var x: Double
            repeat {
                x = Double.random(in: -100..<100, using: &generator)
            } while x.description.utf8.filter({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }).count < 17
            row[j] = x
        }
        table.append(row)
    }
    try OutputFile.write(table.bytes, to: path)
}

/// The idiomatic Foundation reading: the whole file as a String, split into
/// lines and cells, one `Double(Substring)` per cell.
func foundationParse(_ path: String) -> [Double] {
    let text = try! String(contentsOfFile: path, encoding: .utf8)
    var values: [Double] = []
    for line in text.split(separator: "\n").dropFirst() {
        for cell in line.split(separator: ",") {
            values.append(Double(cell)!)
        }
    }
    return values
}

func benchmarkCSV(kind: String, path: String) throws {
    let size = Double((try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0)
    let warm = try DataFileReader.read(path: path)
    precondition(warm.sampleCount == rowCount && warm.featureCount == columnCount)
    let seconds = try medianSeconds(runs: runs) { _ = try DataFileReader.read(path: path) }

    let reference = foundationParse(path)     // warm-up, and a check that both read the same numbers
    let identical = warm.values == reference
    let foundationSeconds = medianSeconds(runs: foundationRuns) { _ = foundationParse(path) }
    emit([
        "scenario": "csv-parse", "numbers": kind, "rows": rowCount, "columns": columnCount,
        "file_bytes": Int(size), "runs": runs, "median_s": rounded(seconds, 5),
        "mb_per_s": rounded(size / seconds / 1e6, 1),
        "foundation_runs": foundationRuns, "foundation_median_s": rounded(foundationSeconds, 4),
        "foundation_mb_per_s": rounded(size / foundationSeconds / 1e6, 1),
        "speedup_vs_foundation": rounded(foundationSeconds / seconds, 1),
        "same_values_as_foundation": identical,
    ])
}

if scenarios.contains("csv-parse") {
    let fixed = folder.appendingPathComponent("fixed6.csv").path
    try writeFixedPointCSV(to: fixed)
    try benchmarkCSV(kind: "%.6f", path: fixed)
    try? FileManager.default.removeItem(atPath: fixed)

    let full = folder.appendingPathComponent("digits17.csv").path
    try writeFullPrecisionCSV(to: full)
    try benchmarkCSV(kind: "17 significant digits, shortest round-trip", path: full)
    try? FileManager.default.removeItem(atPath: full)
}

// MARK: - npy-load

/// Writes a version-1 `<f8` C-order .npy file of `rows` x `columns` uniform values.
func writeNumpy(to path: String, rows: Int, columns: Int) throws {
    var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
    bytes += Array(header.utf8)
    var generator = SplitMix64(state: 20_240_603)
    let values = (0..<rows * columns).map { _ in Double.random(in: -1..<1, using: &generator) }
    values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    try OutputFile.write(bytes, to: path)
}

if scenarios.contains("npy-load") {
    let path = folder.appendingPathComponent("values.npy").path
    try writeNumpy(to: path, rows: rowCount, columns: columnCount)
    let size = Double(rowCount * columnCount * 8 + 128)
    var checksum = 0.0
    func loadAndTouch() throws {
        let matrix = try DataFileReader.read(path: path)
        checksum += matrix.withUnsafeBufferPointer { $0.reduce(0, +) }
    }
    try loadAndTouch()
    let seconds = try medianSeconds(runs: runs, loadAndTouch)
    emit([
        "scenario": "npy-load", "dtype": "<f8", "rows": rowCount, "columns": columnCount,
        "file_bytes": Int(size), "runs": runs, "median_s": rounded(seconds, 6),
        "mb_per_s": rounded(size / seconds / 1e6, 1), "checksum_is_finite": checksum.isFinite,
    ])
    try? FileManager.default.removeItem(atPath: path)
}

// MARK: - model-file

/// A full-covariance mixture with K components in d dimensions from a fixed seed:
/// Dirichlet-like weights, normal means, covariances A Aᵀ / d + 0.3 I.
func syntheticModel(componentCount kCount: Int, featureCount d: Int) throws -> GaussianMixture {
    var generator = SplitMix64(state: 20_261_203)
    func normal() -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &generator)
        let v = Double.random(in: 0..<1, using: &generator)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
    let raw = (0..<kCount).map { _ in Double.random(in: 0.5..<1.5, using: &generator) }
    let total = raw.reduce(0, +)
    let weights = raw.map { $0 / total }
    let means = (0..<kCount).map { _ in (0..<d).map { _ in 4 * normal() } }
    let covariances = (0..<kCount).map { _ -> [[Double]] in
        let a = (0..<d).map { _ in (0..<d).map { _ in normal() } }
        return (0..<d).map { r in
            (0..<d).map { c in
                var s = 0.0
                for j in 0..<d { s += a[r][j] * a[c][j] }
                return s / Double(d) + (r == c ? 0.3 : 0)
            }
        }
    }
    return try GaussianMixture(weights: weights, means: means, covariances: .full(covariances))
}

if scenarios.contains("model-file") {
    let (kCount, d) = isQuick ? (8, 64) : (32, 64)
    let model = try syntheticModel(componentCount: kCount, featureCount: d)
    var generator = SplitMix64(state: 20_261_204)
    let trace = (0..<100).map { _ in Double.random(in: -90 ..< -80, using: &generator) }
    let summary = FitSummary(hasConverged: true, iterationCount: trace.count, sampleCount: 100_000,
                             meanLogLikelihood: trace.last!, bic: 1.2345e7, aic: 1.2344e7, logLikelihoodTrace: trace)
    let path = folder.appendingPathComponent("model.json").path
    let modelRuns = 11

    let bytes = ModelFile.encode(model, summary: summary)
    try OutputFile.write(bytes, to: path)
    let size = Double(bytes.count)
    let encodeSeconds = medianTimes(runs: modelRuns) { _ = ModelFile.encode(model, summary: summary) }
    let writeSeconds = try medianTimes(runs: modelRuns) {
        try OutputFile.write(ModelFile.encode(model, summary: summary), to: path)
    }
    let back = try ModelFile.read(path: path)
    let readSeconds = try medianTimes(runs: modelRuns) { _ = try ModelFile.read(path: path) }
    guard case let .full(matrices) = model.covariances else { fatalError("a full model") }
    let buildSeconds = try medianTimes(runs: modelRuns) {
        _ = try GaussianMixture(weights: model.weights, means: model.means, covariances: .full(matrices))
    }
    func bits(_ m: GaussianMixture) -> [UInt64] {
        guard case let .full(c) = m.covariances else { return [] }
        return (m.weights + m.means.flatMap { $0 } + c.flatMap { $0.flatMap { $0 } }).map(\.bitPattern)
    }
    let identical = bits(back.model) == bits(model) && back.summary == summary
        && ModelFile.encode(back.model, summary: back.summary) == bytes

    // A checkpoint: the current model plus one finished restart (twice the numbers);
    // the restart is a one-iteration fit from the model on rows drawn from it.
    let rows = model.sample(count: 4 * kCount * d, seed: 7).samples
    let finished = try ExpectationMaximization.fit(rows, options: FitOptions(
        componentCount: kCount, initialization: .model(model), maxIterations: 1, seed: 1))
    let checkpoint = FitCheckpoint(restart: 1, model: model, logLikelihoodTrace: Array(trace.prefix(10)),
                                   finishedRestarts: [finished])
    let settings = [("options", "k=\(kCount)"), ("data", "fingerprint")]
    let checkpointPath = folder.appendingPathComponent("checkpoint.json").path
    let checkpointBytes = checkpoint.encoded(settings: settings)
    try OutputFile.write(checkpointBytes, to: checkpointPath)
    let checkpointSize = Double(checkpointBytes.count)
    let checkpointWriteSeconds = try medianTimes(runs: modelRuns) {
        try OutputFile.write(checkpoint.encoded(settings: settings), to: checkpointPath)
    }
    let checkpointReadSeconds = try medianTimes(runs: modelRuns) { _ = try FitCheckpoint.read(path: checkpointPath) }
    func rates(_ name: String, _ t: (wall: Double, cpu: Double), bytes: Double) -> [String: Any] {
        ["\(name)_s": rounded(t.wall, 5), "\(name)_mb_per_s": rounded(bytes / t.wall / 1e6, 1),
         "\(name)_cpu_s": rounded(t.cpu, 5), "\(name)_mb_per_cpu_s": rounded(bytes / t.cpu / 1e6, 1)]
    }
    var fields: [String: Any] = [
        "scenario": "model-file", "covariance": "full", "components": kCount, "features": d,
        "file_bytes": bytes.count, "runs": modelRuns, "read_back_identical": identical,
        "checkpoint_bytes": checkpointBytes.count,
    ]
    for (name, t, n) in [("encode", encodeSeconds, size), ("write", writeSeconds, size), ("read", readSeconds, size),
                         ("read_building_mixture", buildSeconds, size),
                         ("checkpoint_write", checkpointWriteSeconds, checkpointSize),
                         ("checkpoint_read", checkpointReadSeconds, checkpointSize)] {
        fields.merge(rates(name, t, bytes: n)) { a, _ in a }
    }
    fields["read_building_mixture_mb_per_s"] = nil
    fields["read_building_mixture_mb_per_cpu_s"] = nil
    emit(fields)
}

if scenarios.contains("covariance-models") {
    for (kCount, d, n) in [(4, 8, isQuick ? 20_000 : 200_000), (8, 32, isQuick ? 5_000 : 50_000)] {
        let truth = try syntheticModel(componentCount: kCount, featureCount: d)
        let rows = truth.sample(count: n, seed: 11).samples
        let z = try truth.responsibilities(for: rows)
        let start = try DataMatrix(values: z.values, sampleCount: n, featureCount: kCount)
        func secondsPerIteration(_ kind: CovarianceKind) throws -> (seconds: Double, meanLogLikelihood: Double) {
            func fit(_ iterations: Int) throws -> FitResult {
                try ExpectationMaximization.fit(rows, options: FitOptions(
                    componentCount: kCount, covarianceKind: kind, initialization: .responsibilities(start),
                    maxIterations: iterations, tolerance: 0, threadCount: 1))
            }
            var last = 0.0
            // CPU seconds: one thread, so they are the work, steadier than wall time on a shared machine.
            var failure: (any Error)?
            let many = medianTimes(runs: runs) {
                do { last = try fit(11).report.meanLogLikelihood } catch { failure = error }
            }.cpu
            let one = medianTimes(runs: runs) {
                do { _ = try fit(1) } catch { failure = error }
            }.cpu
            if let failure { throw failure }
            return ((many - one) / 10, last)
        }
        let full = try secondsPerIteration(.full), diag = try secondsPerIteration(.diagonal)
        for kind in CovarianceKind.allCases {
            let t = kind == .full ? full : kind == .diagonal ? diag : try secondsPerIteration(kind)
            let axisAligned = kind.mclustName.hasSuffix("I")
            let reference = axisAligned ? diag : full
            emit(["scenario": "covariance-models", "model": kind.mclustName, "rows": n, "features": d, "components": kCount,
                  "threads": 1, "cpu_seconds_per_iteration": rounded(t.seconds, 5),
                  "compared_with": axisAligned ? "VVI" : "VVV", "ratio": rounded(t.seconds / reference.seconds, 3),
                  "mean_log_likelihood": rounded(t.meanLogLikelihood, 6)])
        }
    }
}
