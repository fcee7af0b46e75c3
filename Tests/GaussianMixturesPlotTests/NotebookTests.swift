// The notebooks are documentation that runs: each must still succeed and
// write well-formed SVG. The executables are the ones this build made (the
// test target depends on them), run with NOTEBOOK_OUTPUT pointing at a
// scratch folder so the tests never touch output/.

import Foundation
import Testing

@Suite("Notebooks run and write well-formed SVG")
struct NotebookTests {
    /// Each notebook and the figures it must write.
    static let notebooks: [(String, [String])] = [
        ("old-faithful", ["old-faithful-clusters.svg", "old-faithful-eruptions-density.svg"]),
        ("latent-variables", []),
        ("choosing-k", ["choosing-k-criteria.svg", "choosing-k-clusters.svg", "choosing-k-pairs.svg"]),
        ("synthetic-data", ["synthetic-data-side-by-side.svg"]),
        ("density-and-outliers", ["density-and-outliers-contours.svg", "density-and-outliers-added.svg"]),
    ]

    @Test(arguments: notebooks.map(\.0))
    func runs(_ name: String) throws {
        let figures = Self.notebooks.first { $0.0 == name }!.1
        let box = try Scratch()
        let process = Process()
        process.executableURL = gmmBinary.deletingLastPathComponent().appendingPathComponent(name)
        var environment = ProcessInfo.processInfo.environment
        environment["NOTEBOOK_OUTPUT"] = box.folder.path
        process.environment = environment
        let log = box.folder.appendingPathComponent("log.txt")
        try Data().write(to: log)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        let text = box.text("log.txt") ?? ""
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(name) failed: \(text.suffix(2000))")
        #expect(text.contains("wrote \(box.folder.path)"), "prints where it wrote")
        for figure in figures {
            let svg = try ParsedSVG(try #require(box.text(figure), "\(name) wrote \(figure)"))
            #expect(svg.root?.name == "svg")
            // 800 wide, or wider for a pairs grid.
            let width = try svg.values("/*/@width").first.flatMap(Double.init) ?? 0
            #expect(figure.hasSuffix("pairs.svg") ? width > 800 : width == 800)
        }
        // Every figure it writes parses, including ones not listed above.
        for file in try box.listing() where file.hasSuffix(".svg") {
            _ = try ParsedSVG(try #require(box.text(file)))
        }
    }
}
