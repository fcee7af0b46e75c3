// What every end-to-end test of `gmm` needs: the built binary, a private
// folder to run it in, a way to run it and keep what it printed, and the
// checks the interface contract makes of every failure (exit status, exactly
// one line on standard error, no stack trace, no output file left behind).
//
// The binary is found next to the test bundle's own executable: SwiftPM builds
// the `gmm` product into the same folder because the test target depends on it.
// Standard output and standard error go to files, not pipes, so a large table
// can never fill a pipe buffer and stall the child.

import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Locations

/// The built `gmm`: the file `gmm` in the folder of this test process's executable.
let gmmExecutable: URL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    .deletingLastPathComponent().appendingPathComponent("gmm")

/// The package's `Data/` folder (old-faithful.csv, iris.csv).
let bundledData: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Data")

/// Whether the tests run as root, who can read a file whose mode is 000.
let isRoot = getuid() == 0

// MARK: - One run of the binary

/// How a run of `gmm` ended and what it printed.
struct Outcome {
    /// The exit status, or the signal number when `crashed`.
    var status: Int32
    var stdout: String
    var stderr: String
    /// The process was ended by a signal (a trap, an abort, a segfault).
    var crashed: Bool

    /// Standard error split into lines, without the empty string after a final newline.
    var stderrLines: [Substring] {
        var lines = stderr.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}

/// A fresh folder for one test, removed with its contents on `deinit`.
///
/// `work` is the child's current folder and holds the test's inputs and
/// outputs; the captured standard output and error live beside it in `root`,
/// so listing `work` shows exactly the files `gmm` left.
final class Sandbox {
    let root: URL
    let work: URL
    private var runCount = 0

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("gmm-cli-tests-\(UUID().uuidString)")
        work = root.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// The absolute path of `name` inside `work`.
    func path(_ name: String) -> String { work.appendingPathComponent(name).path }

    /// Writes `text` (UTF-8) to `name` inside `work`.
    func write(_ name: String, _ text: String) throws {
        try write(name, bytes: Array(text.utf8))
    }

    /// Writes `bytes` to `name` inside `work`.
    func write(_ name: String, bytes: [UInt8]) throws {
        try Data(bytes).write(to: work.appendingPathComponent(name))
    }

    /// Copies a file from `Data/` into `work`, under `name` (default: the same name).
    func copyBundled(_ file: String, as name: String? = nil) throws {
        try FileManager.default.copyItem(at: bundledData.appendingPathComponent(file),
                                         to: work.appendingPathComponent(name ?? file))
    }

    /// Makes a folder `name` inside `work`.
    func makeFolder(_ name: String) throws {
        try FileManager.default.createDirectory(at: work.appendingPathComponent(name), withIntermediateDirectories: true)
    }

    /// The bytes of `name` inside `work`, or `nil` when there is no such file.
    func bytes(_ name: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path(name)).map { Array($0) }
    }

    /// The text of `name` inside `work`, or `nil` when there is no such file.
    func text(_ name: String) -> String? {
        bytes(name).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The names in `work` (or a folder inside it), hidden ones included.
    func listing(_ folder: String = "") throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? work.path : path(folder)))
    }

    /// Runs `gmm args` in `work`, with `stdin` as its standard input (empty when `nil`)
    /// and `environment` added to this process's environment.
    func run(_ args: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Outcome {
        runCount += 1
        let outURL = root.appendingPathComponent("stdout-\(runCount)")
        let errURL = root.appendingPathComponent("stderr-\(runCount)")
        let inURL = root.appendingPathComponent("stdin-\(runCount)")
        for url in [outURL, errURL] { try Data().write(to: url) }
        try Data((stdin ?? "").utf8).write(to: inURL)

        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let input = try FileHandle(forReadingFrom: inURL)
        defer {
            try? out.close()
            try? err.close()
            try? input.close()
        }
        let process = Process()
        process.executableURL = gmmExecutable
        process.arguments = args
        process.currentDirectoryURL = work
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        try process.run()
        process.waitUntilExit()

        return Outcome(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self),
            crashed: process.terminationReason == .uncaughtSignal)
    }

    /// Runs `gmm args` and requires success; returns standard output.
    @discardableResult
    func succeed(_ args: [String], stdin: String? = nil, environment: [String: String] = [:],
                 sourceLocation: SourceLocation = #_sourceLocation) throws -> Outcome {
        let outcome = try run(args, stdin: stdin, environment: environment)
        try #require(outcome.status == 0 && !outcome.crashed,
                     "gmm \(args.joined(separator: " ")) failed with \(outcome.status): \(outcome.stderr)",
                     sourceLocation: sourceLocation)
        return outcome
    }

    /// Fits the two-component model of Old Faithful used by the happy-path tests into `name`.
    func fitFaithful(to name: String = "m.json", extra: [String] = []) throws {
        try copyBundledIfNeeded("old-faithful.csv")
        try succeed(["fit", "old-faithful.csv", "-k", "2", "-o", name, "--seed", "0"] + extra)
    }

    private func copyBundledIfNeeded(_ file: String) throws {
        if !FileManager.default.fileExists(atPath: path(file)) { try copyBundled(file) }
    }
}

// MARK: - The contract's checks of a failure

/// Texts that only appear when a failure was not turned into one clean line.
let crashMarkers = ["Stack dump", "Fatal error", "fatal error", "Backtrace", "backtrace", "Current stack trace",
                    "💣", "Thread 0"]

/// Checks a failed run against the contract: the exit status, nothing on
/// standard output, no crash, and exactly one line on standard error that
/// starts with `gmm: error:` (or ArgumentParser's `Error:` for status 64)
/// and contains every one of `facts`.
func expectCleanFailure(
    _ outcome: Outcome, status: Int32, facts: [String],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(!outcome.crashed, "ended by signal \(outcome.status); stderr: \(outcome.stderr)", sourceLocation: sourceLocation)
    #expect(outcome.status == status, "exit status; stderr: \(outcome.stderr)", sourceLocation: sourceLocation)
    #expect(outcome.stdout.isEmpty, "nothing on standard output; got: \(outcome.stdout.prefix(200))", sourceLocation: sourceLocation)
    let lines = outcome.stderrLines
    #expect(lines.count == 1, "exactly one line on standard error, got \(lines.count): \(outcome.stderr)",
            sourceLocation: sourceLocation)
    let first = lines.first.map(String.init) ?? ""
    let prefixes = status == 64 ? ["gmm: error: ", "Error: "] : ["gmm: error: "]
    #expect(prefixes.contains { first.hasPrefix($0) }, "error line starts with \(prefixes): \(first)",
            sourceLocation: sourceLocation)
    for fact in facts {
        #expect(first.contains(fact), "error line mentions \(fact): \(first)", sourceLocation: sourceLocation)
    }
    for marker in crashMarkers {
        #expect(!outcome.stderr.contains(marker), "no stack trace (found \(marker)): \(outcome.stderr)",
                sourceLocation: sourceLocation)
    }
}

// MARK: - Reading what gmm printed

/// A CSV table as printed by `gmm`: the header line and the cells of every row.
struct Table {
    var header: String
    var rows: [[Substring]]

    init(_ text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        header = lines.first.map(String.init) ?? ""
        rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    }

    /// Every cell read as a `Double` (`nan` where a cell is not a number).
    var numbers: [[Double]] { rows.map { $0.map { Double($0) ?? .nan } } }
}

/// Whether `text` is a number in Swift's shortest round-trip form: it reads
/// back as a `Double` whose `description` is the same text.
func isShortestRoundTrip(_ text: Substring) -> Bool {
    guard let value = Double(text) else { return false }
    return value.description == text
}

/// `a` and `b` agree within `tolerance` relative to `b`.
func isClose(_ a: Double, _ b: Double, relative tolerance: Double) -> Bool {
    abs(a - b) <= tolerance * abs(b)
}

/// The number after `label` in `text` (up to the next space or line end).
func number(after label: String, in text: String) -> Double? {
    guard let start = text.range(of: label)?.upperBound else { return nil }
    let rest = text[start...].drop { $0 == " " }
    return Double(rest.prefix { $0 != " " && $0 != "\n" })
}

// MARK: - The model file

/// A number or a nested list of numbers, for the shape-dependent `covariances`.
indirect enum NumberTree: Decodable, Equatable {
    case number(Double)
    case list([NumberTree])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let x = try? container.decode(Double.self) {
            self = .number(x)
        } else {
            self = .list(try container.decode([NumberTree].self))
        }
    }

    /// The lengths along each axis (`[]` for a number); requires a regular nesting.
    var shape: [Int] {
        switch self {
        case .number: []
        case let .list(items): [items.count] + (items.first?.shape ?? [])
        }
    }

    /// Whether every list at the same depth has the same length.
    var isRegular: Bool {
        switch self {
        case .number: true
        case let .list(items): items.allSatisfy { $0.shape == items.first?.shape && $0.isRegular }
        }
    }
}

/// The keys of the contract's model file.
struct ModelJSON: Decodable, Equatable {
    var format: String
    var version: Int
    var covarianceType: String
    var nComponents: Int
    var nFeatures: Int
    var featureNames: [String]
    var weights: [Double]
    var means: [[Double]]
    var covariances: NumberTree
    var converged: Bool
    var nIter: Int
    var nSamples: Int
    var meanLogLikelihood: Double
    var bic: Double
    var aic: Double

    /// Decodes the model file `name` in `box`.
    static func read(_ name: String, in box: Sandbox, sourceLocation: SourceLocation = #_sourceLocation) throws -> ModelJSON {
        let bytes = try #require(box.bytes(name), "\(name) exists", sourceLocation: sourceLocation)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ModelJSON.self, from: Data(bytes))
    }
}

/// A valid two-component, two-feature full-covariance model matching Old Faithful's
/// column names, written by hand (no fit needed).
let handModel = modelJSON()

/// A model file's text; each part is raw JSON, so tests can break one key at a time.
func modelJSON(
    format: String = #""gmm-model""#,
    version: String = "1",
    covarianceType: String = #""full""#,
    weights: String = "[0.25, 0.75]",
    means: String = "[[2, 55], [4.3, 80]]",
    covariances: String = "[[[0.07, 0.44], [0.44, 33.7]], [[0.17, 0.94], [0.94, 36.0]]]",
    featureNames: String = #"["eruptions", "waiting"]"#
) -> String {
    """
    {"format": \(format), "version": \(version), "covariance_type": \(covarianceType),
     "feature_names": \(featureNames), "weights": \(weights), "means": \(means), "covariances": \(covariances)}

    """
}

// MARK: - Data files

/// Old Faithful's rows as numbers (eruptions, waiting).
func faithfulRows() throws -> [[Double]] {
    let text = try String(contentsOf: bundledData.appendingPathComponent("old-faithful.csv"), encoding: .utf8)
    let table = Table(text.replacingOccurrences(of: "\r\n", with: "\n"))
    return table.numbers
}

/// The bytes of a version-1.0 `.npy` file: magic, header padded to 64 bytes, `payload`.
func npyFile(descr: String, shape: [Int], fortranOrder: Bool = false, payload: [UInt8]) -> [UInt8] {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    let length = UInt16(header.utf8.count)
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + payload
}

/// Doubles as little-endian (`<f8`) or big-endian (`>f8`) bytes.
func float64Bytes(_ values: [Double], bigEndian: Bool = false) -> [UInt8] {
    values.flatMap { value -> [UInt8] in
        let bits = bigEndian ? value.bitPattern.bigEndian : value.bitPattern.littleEndian
        return withUnsafeBytes(of: bits) { Array($0) }
    }
}
