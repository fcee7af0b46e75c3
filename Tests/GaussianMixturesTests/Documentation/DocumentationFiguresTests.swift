// The documentation catalog keeps copies of some committed figures (DocC takes
// images from its catalog only); scripts/figures refreshes them with the
// originals in docs/figures/. This test keeps the two from drifting apart.

import Foundation
import Testing

@Suite("The documentation's figures")
struct DocumentationFiguresTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func catalogCopiesEqualTheCommittedFigures() throws {
        let resources = Self.root.appendingPathComponent("Sources/GaussianMixtures/GaussianMixtures.docc/Resources")
        let names = try FileManager.default.contentsOfDirectory(atPath: resources.path).sorted()
        #expect(!names.isEmpty)
        for name in names {
            let copy = try Data(contentsOf: resources.appendingPathComponent(name))
            let original = try Data(contentsOf: Self.root.appendingPathComponent("docs/figures").appendingPathComponent(name))
            #expect(copy == original, "\(name) differs from docs/figures/\(name): run scripts/figures, or copy it")
        }
    }
}
