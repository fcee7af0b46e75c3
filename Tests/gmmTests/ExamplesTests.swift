// The console examples of README.md and of the DocC articles are what the
// built `gmm` prints. The format and the runner live in one place,
// `scripts/examples` (its header describes both); this test runs its
// `--check` against the binary the other CLI tests run, so `swift test` fails
// when a committed example no longer matches, and the failure shows the
// script's unified diff. `scripts/examples --update` rewrites the examples.

import Foundation
import Testing

@Suite("console examples in the README and the documentation")
struct ExamplesTests {
    /// The package root: the folder above `Data/`.
    static let packageRoot = bundledData.deletingLastPathComponent()

    @Test("every ```console block prints what it shows (scripts/examples --check)")
    func examplesMatchTheBinary() throws {
        let box = try Sandbox()
        let transcript = box.root.appendingPathComponent("examples.txt")
        try Data().write(to: transcript)
        let output = try FileHandle(forWritingTo: transcript)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.packageRoot.appendingPathComponent("scripts/examples").path,
                             "--check", "--gmm", gmmExecutable.path]
        process.currentDirectoryURL = Self.packageRoot
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: try Data(contentsOf: transcript), as: UTF8.self)
        #expect(process.terminationReason == .exit && process.terminationStatus == 0,
                "scripts/examples --check exited \(process.terminationStatus):\n\(text)")
        // A runner that found nothing to run would pass vacuously: the README has examples.
        #expect(text.contains("console blocks") && !text.contains("all 0 console blocks"), "\(text)")
    }

    @Test("the README's Python snippet is the function Tests/Fixtures/sklearn/load_model.py checks")
    func pythonSnippetIsTheCheckedOne() throws {
        let script = try String(contentsOf: Self.packageRoot.appendingPathComponent("Tests/Fixtures/sklearn/load_model.py"),
                                encoding: .utf8)
        let readme = try String(contentsOf: Self.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(script.range(of: "the README snippet\n"), "load_model.py marks the snippet's start")
        let end = try #require(script.range(of: "# ----", range: start.upperBound..<script.endIndex),
                               "load_model.py marks the snippet's end")
        let snippet = script[start.upperBound..<end.lowerBound]
        #expect(snippet.contains("def load_gmm(path):"))
        let shown = readme.contains("```python\nimport json, numpy as np\nfrom sklearn.mixture import GaussianMixture\n\n"
                                    + snippet + "```\n")
        #expect(shown, "README.md shows load_model.py's load_gmm, byte for byte:\n\(snippet)")
    }
}
