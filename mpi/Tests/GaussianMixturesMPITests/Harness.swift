// Running `gmm` and `gmm-mpi` (under mpirun) as the user would, in a private
// folder, and comparing what they write.
//
// gmm-mpi is found beside this test process's executable (the test target
// depends on it, so SwiftPM builds it into the same folder); the single-process
// `gmm` through GMM_BINARY or the main package's debug build. mpirun runs as
// root only when told so (OMPI_ALLOW_RUN_AS_ROOT…), and needs
// --oversubscribe when there are more ranks than cores; both are set here.

import Foundation
import GaussianMixtures
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built gmm-mpi.
let gmmMPIExecutable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    .deletingLastPathComponent().appendingPathComponent("gmm-mpi")

/// The single-process gmm: $GMM_BINARY, or the main package's debug build.
let gmmExecutable: URL = {
    if let path = ProcessInfo.processInfo.environment["GMM_BINARY"] { return URL(fileURLWithPath: path) }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/gmm")
}()

/// How a run ended and what it printed.
struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A fresh folder for one test, removed on `deinit`.
final class Sandbox: @unchecked Sendable {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gmm-mpi-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    func read(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }

    /// Runs `executable` with `arguments` in the folder; output goes through files, never pipes.
    func run(_ executable: String, _ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        // Containers often forbid the cross-memory attach Open MPI's shared-memory transport tries first.
        environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
        process.environment = environment
        let id = UUID().uuidString
        let out = folder.appendingPathComponent("../\(id).out").standardizedFileURL
        let err = folder.appendingPathComponent("../\(id).err").standardizedFileURL
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus,
                       stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                       stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// `gmm ARGUMENTS`.
    func gmm(_ arguments: [String]) throws -> Outcome { try run(gmmExecutable.path, arguments) }

    /// `mpirun -np RANKS gmm-mpi ARGUMENTS`.
    func mpi(_ ranks: Int, _ arguments: [String]) throws -> Outcome {
        try run(mpirun, ["--oversubscribe", "-np", "\(ranks)", gmmMPIExecutable.path] + arguments)
    }

    /// Every rank's exit status, in rank order: each rank runs gmm-mpi through a
    /// shell that records its status and exits 0, so mpirun never cuts a rank short.
    func statusesOfEveryRank(_ ranks: Int, _ arguments: [String]) throws -> (Outcome, [Int32]) {
        let quoted = ([gmmMPIExecutable.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let script = quoted.joined(separator: " ") + "; echo $? > status-$OMPI_COMM_WORLD_RANK; exit 0"
        let outcome = try run(mpirun, ["--oversubscribe", "-np", "\(ranks)", "/bin/sh", "-c", script])
        let statuses = try (0..<ranks).map { r in
            let text = try read("status-\(r)").trimmingCharacters(in: .whitespacesAndNewlines)
            try FileManager.default.removeItem(atPath: path("status-\(r)"))
            return Int32(text) ?? -1
        }
        return (outcome, statuses)
    }

    /// Writes `data` as a little-endian `<f8` C-order `.npy` file (format 1.0).
    func writeNumpy(_ data: DataMatrix, to name: String) throws {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(data.sampleCount), \(data.featureCount)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        data.withUnsafeBufferPointer { values in
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
    }
}

/// mpirun on the PATH.
let mpirun: String = {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
        let candidate = "\(dir)/mpirun"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return "/usr/bin/mpirun"
}()

// MARK: - Comparing model files

/// The first place two model files (JSON) differ by more than `tolerance`,
/// or `nil`. Numbers are compared relative to the scale of the list they are in
/// (|a − b| ≤ tolerance · max(|a|, |b|, the largest |value| of that list)), so a
/// mean near zero is held to the precision of its neighbours; every other value
/// (strings, booleans, keys, list lengths) must be equal.
func firstDifference(_ a: Any, _ b: Any, tolerance: Double, at path: String = "", scale: Double = 0) -> String? {
    switch (a, b) {
    case let (x as [String: Any], y as [String: Any]):
        guard Set(x.keys) == Set(y.keys) else { return "\(path): keys \(x.keys.sorted()) vs \(y.keys.sorted())" }
        for key in x.keys.sorted() {
            if let d = firstDifference(x[key]!, y[key]!, tolerance: tolerance, at: path + "." + key) { return d }
        }
        return nil
    case let (x as [Any], y as [Any]):
        guard x.count == y.count else { return "\(path): \(x.count) vs \(y.count) items" }
        let listScale = max(scale, largestMagnitude(x), largestMagnitude(y))
        for (i, (u, v)) in zip(x, y).enumerated() {
            if let d = firstDifference(u, v, tolerance: tolerance, at: "\(path)[\(i)]", scale: listScale) { return d }
        }
        return nil
    case let (x as NSNumber, y as NSNumber):
        // Booleans (converged) arrive as 0 and 1.
        let u = x.doubleValue, v = y.doubleValue
        let bound = tolerance * max(abs(u), abs(v), scale)
        return abs(u - v) <= bound ? nil : "\(path): \(u) vs \(v) (relative \(abs(u - v) / max(abs(u), abs(v))))"
    case let (x as String, y as String):
        return x == y ? nil : "\(path): \"\(x)\" vs \"\(y)\""
    case (is NSNull, is NSNull):
        return nil
    default:
        return "\(path): \(a) vs \(b)"
    }
}

private func largestMagnitude(_ items: [Any]) -> Double {
    items.reduce(0) { m, item in
        switch item {
        case let n as NSNumber: max(m, abs(n.doubleValue))
        case let list as [Any]: max(m, largestMagnitude(list))
        default: m
        }
    }
}

/// The JSON in file `name` of `sandbox`.
func json(_ sandbox: Sandbox, _ name: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sandbox.path(name))))
}
