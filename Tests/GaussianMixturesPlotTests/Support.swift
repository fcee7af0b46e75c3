// What the figure tests share: parsing SVG as XML (libxml2 through
// FoundationXML, so "well-formed" means what a browser's parser means),
// counting elements by class, the bundled data, and running the built `gmm`.

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GaussianMixtures
import Testing

/// The package's root folder.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A bundled data set, read with the library's reader.
func bundled(_ name: String) throws -> DataMatrix {
    try DataFileReader.read(path: packageRoot.appendingPathComponent("Data/\(name)").path)
}

/// Parsed SVG: the document, and counts of elements by name or class.
struct ParsedSVG {
    let document: XMLDocument

    /// Parses `text`; throws when it is not well-formed XML.
    init(_ text: String) throws {
        document = try XMLDocument(data: Data(text.utf8), options: [])
    }

    var root: XMLElement? { document.rootElement() }

    /// Elements whose `class` attribute is `name`.
    func count(class name: String) throws -> Int {
        try document.nodes(forXPath: "//*[@class='\(name)']").count
    }

    /// Elements named `name` (any namespace).
    func count(element name: String) throws -> Int {
        try document.nodes(forXPath: "//*[local-name()='\(name)']").count
    }

    /// The values of the nodes an XPath expression selects (attributes or elements).
    func values(_ xpath: String) throws -> [String] {
        try document.nodes(forXPath: xpath).map { $0.stringValue ?? "" }
    }

    /// The text of every element with class `name`.
    func texts(class name: String) throws -> [String] {
        try document.nodes(forXPath: "//*[@class='\(name)']").map { $0.stringValue ?? "" }
    }
}

/// Fits `k` full-covariance components to `data`, seed 0, five restarts.
func fitted(_ data: DataMatrix, k: Int, kind: CovarianceKind = .full) throws -> FitResult {
    try ExpectationMaximization.fit(data, options: FitOptions(componentCount: k, covarianceKind: kind, initializationCount: 5, seed: 0))
}

// MARK: - Running gmm

/// The built `gmm`, next to this test process's executable.
let gmmBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("gmm")

/// A private folder for one test, removed afterwards.
final class Scratch {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gmm-plot-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func text(_ name: String) -> String? { FileManager.default.contents(atPath: path(name)).map { String(decoding: $0, as: UTF8.self) } }

    func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }

    func listing() throws -> Set<String> { Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) }

    /// Runs `gmm args` in the folder; returns the status and both outputs.
    func gmm(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let out = folder.appendingPathComponent(".stdout"), err = folder.appendingPathComponent(".stderr")
        try Data().write(to: out)
        try Data().write(to: err)
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        defer { try? outHandle.close(); try? errHandle.close() }
        let process = Process()
        process.executableURL = gmmBinary
        process.arguments = args
        process.currentDirectoryURL = folder
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let stdout = String(decoding: try Data(contentsOf: out), as: UTF8.self)
        let stderr = String(decoding: try Data(contentsOf: err), as: UTF8.self)
        try FileManager.default.removeItem(at: out)
        try FileManager.default.removeItem(at: err)
        return (process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus, stdout, stderr)
    }
}

/// The value of attribute `name` of `element`, read by XPath (FoundationXML's
/// `attribute(forName:)` misses attributes of elements in the SVG namespace).
func attributeValue(_ element: XMLNode, _ name: String) -> String? {
    (try? element.nodes(forXPath: "@\(name)"))?.first?.stringValue
}
