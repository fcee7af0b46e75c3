import Foundation
import Testing
@testable import GaussianMixtures

/// One file written by Tests/Fixtures/mclust/hc.R.
struct HierarchicalFixture: Decodable {
    struct Fit: Decodable {
        var model: String
        var G: Int
        var loglik: Double?
        var iterations: Int
        var bic_ours: Double?
    }
    var data: String
    var n: Int
    var d: Int
    var partitions: [String: [Int]]
    var fits: [Fit]

    static let names = ["iris", "old-faithful", "wdbc"]

    static func load(_ name: String) throws -> HierarchicalFixture {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/mclust/hc-\(name).json")
        return try JSONDecoder().decode(HierarchicalFixture.self, from: Data(contentsOf: url))
    }

    func dataMatrix() throws -> DataMatrix {
        try DataFileReader.read(path: repositoryRoot.appendingPathComponent(data).path)
    }
}

@Suite("Hierarchical start (mclust's hc)")
struct HierarchicalStartTests {
    @Test("the tree cut at K = 1…9 gives mclust's hclass partitions", arguments: HierarchicalFixture.names)
    func partitionsEqualMclust(_ name: String) throws {
        let fixture = try HierarchicalFixture.load(name)
        let data = try fixture.dataMatrix()
        #expect(data.sampleCount == fixture.n && data.featureCount == fixture.d)
        let tree = try AgglomerationTree(data: data, seed: 0)
        #expect(tree.rows == nil)
        for k in 1...9 {
            let expected = try #require(fixture.partitions[String(k)]).map { $0 - 1 }
            let partition = tree.partition(clusterCount: k)
            // Both number clusters by first appearance, so equal partitions have equal labels.
            let differing = zip(partition, expected).enumerated().filter { $1.0 != $1.1 }.map(\.offset)
            #expect(differing.isEmpty, "K = \(k): rows \(differing.prefix(10)) differ")
        }
    }
}
