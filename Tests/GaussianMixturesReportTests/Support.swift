// What the report tests share: a private folder holding the bundled data,
// the built `gmm` run in it, and headless Chromium loading a page and dumping
// its DOM after the page's script ran (so the tests see what a reader sees).
// Chromium must be installed (scripts/setup installs Debian's `chromium`); a
// missing browser fails the browser tests with that hint, never skips them.

import Foundation
import Testing

/// The package's root folder.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built `gmm`, next to this test process's executable.
let gmmBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("gmm")

/// What a run of a program printed, and how it ended.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `executable` with `arguments` in `folder`; output goes through files, so a large page cannot fill a pipe.
func run(_ executable: URL, _ arguments: [String], in folder: URL) throws -> Run {
    let out = folder.appendingPathComponent(".stdout-\(UUID().uuidString)"), err = folder.appendingPathComponent(".stderr-\(UUID().uuidString)")
    try Data().write(to: out)
    try Data().write(to: err)
    defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
    let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
    defer { try? outHandle.close(); try? errHandle.close() }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = folder
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return Run(status: process.terminationStatus, stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
               stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
}

/// A private folder with Data/old-faithful.csv and Data/iris.csv, removed afterwards.
final class Scratch {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gmm-report-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["old-faithful.csv", "iris.csv"] {
            try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("Data/\(name)").path, toPath: path(name))
        }
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func text(_ name: String) -> String? {
        FileManager.default.contents(atPath: path(name)).map { String(decoding: $0, as: UTF8.self) }
    }

    func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }

    func listing() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") })
    }

    func gmm(_ arguments: [String]) throws -> Run { try run(gmmBinary, arguments, in: folder) }

    /// Runs `gmm` and requires success.
    @discardableResult
    func gmmSucceeds(_ arguments: [String]) throws -> Run {
        let outcome = try gmm(arguments)
        try #require(outcome.status == 0, "gmm \(arguments.joined(separator: " ")): \(outcome.stderr)")
        return outcome
    }
}

// MARK: - Chromium

/// Debian's `chromium` (or a `chromium-browser`) on the PATH, if any.
let chromium: URL? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    let folders = path.split(separator: ":").map(String.init) + ["/usr/bin", "/snap/bin"]
    for folder in folders {
        for name in ["chromium", "chromium-browser"] {
            let candidate = URL(fileURLWithPath: folder).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
    }
    return nil
}()

/// A page as headless Chromium left it: the DOM after its script ran, and the browser's log.
struct LoadedPage {
    var dom: String
    var log: String

    /// How many times `needle` occurs in the DOM.
    func count(_ needle: String) -> Int { dom.components(separatedBy: needle).count - 1 }

    /// The value of `attribute` on the element with id `id`, if there is one.
    func attribute(_ attribute: String, ofElementWithID id: String) -> String? {
        guard let start = dom.range(of: "id=\"\(id)\"") else { return nil }
        let tagStart = dom[..<start.lowerBound].lastIndex(of: "<") ?? start.lowerBound
        guard let tagEnd = dom[start.upperBound...].firstIndex(of: ">") else { return nil }
        let tag = dom[tagStart..<tagEnd]
        guard let value = tag.range(of: "\(attribute)=\"") else { return nil }
        return String(tag[value.upperBound...].prefix { $0 != "\"" })
    }

    /// The script errors the page caught (window.onerror writes each into #js-errors).
    var scriptErrors: [String] {
        dom.components(separatedBy: "class=\"js-error\">").dropFirst().map { String($0.prefix { $0 != "<" }) }
    }
}

/// Loads `file` (with `fragment`, e.g. "selftest") in headless Chromium and dumps its DOM.
///
/// Fails the calling test, with what to install, when Chromium is missing or cannot start.
func load(_ file: String, fragment: String? = nil, in folder: URL) throws -> LoadedPage {
    let browser = try #require(chromium, "Chromium is not installed: run scripts/setup (it installs Debian's chromium), then the tests again")
    var url = URL(fileURLWithPath: file).absoluteString
    if let fragment { url += "#" + fragment }
    // --no-sandbox: Chromium's sandbox refuses to run as root, which CI does.
    // Under coreutils' timeout, so a browser that hangs fails this test (status 124) instead of hanging the suite.
    let outcome = try run(URL(fileURLWithPath: "/usr/bin/timeout"), ["120", browser.path,
                                    "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                                    "--virtual-time-budget=5000", "--user-data-dir=" + folder.appendingPathComponent(".chromium").path,
                                    "--dump-dom", url], in: folder)
    let hung = outcome.status == 124 ? ", no answer in 120 s" : ""
    try #require(outcome.status == 0 && outcome.stdout.contains("</html>"),
                 "Chromium could not load \(url) (status \(outcome.status)\(hung)): \(outcome.stderr.suffix(2000))")
    return LoadedPage(dom: outcome.stdout, log: outcome.stderr)
}
