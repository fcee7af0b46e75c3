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
        var loglik_converged: Double?
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

extension HierarchicalStartTests {
    static let families: [String: CovarianceKind] = ["VVV": .full, "VVI": .diagonal, "VII": .spherical, "EEE": .tied]

    /// Our fit of one (model, G) cell from the hierarchical start, no regulariser.
    func fit(_ data: DataMatrix, _ cell: HierarchicalFixture.Fit, tree: AgglomerationTree?, maxIterations: Int,
             tolerance: Double) throws -> (bic: Double, meanLogLikelihood: Double) {
        let kind = try #require(Self.families[cell.model])
        let options = FitOptions(componentCount: cell.G, covarianceKind: kind,
                                 initialization: tree.map(InitializationMethod.hierarchicalTree) ?? .hierarchical,
                                 maxIterations: maxIterations, tolerance: tolerance, covarianceRegularization: 0)
        let result = try ExpectationMaximization.fit(data, options: options)
        let p = kind.parameterCount(componentCount: cell.G, featureCount: data.featureCount)
        return (GaussianMixture.bic(meanLogLikelihood: result.report.meanLogLikelihood,
                                    sampleSize: Double(data.sampleCount), parameterCount: p),
                result.report.meanLogLikelihood)
    }

    @Test("the same number of EM steps from the hc start gives Mclust()'s BIC table", arguments: HierarchicalFixture.names)
    func bicEqualsMclustStepForStep(_ name: String) throws {
        let fixture = try HierarchicalFixture.load(name)
        let data = try fixture.dataMatrix()
        let tree = try AgglomerationTree(data: data, seed: 0)
        var compared = 0
        // wdbc (30 features) up to G = 6 only, to keep the test fast.
        for cell in fixture.fits where fixture.d < 10 || cell.G <= 6 {
            guard let expected = cell.bic_ours else { continue }
            // mclust's `iterations` counts M-steps; our start is the first of them.
            let ours = try fit(data, cell, tree: tree, maxIterations: max(cell.iterations - 1, 0), tolerance: 0)
            #expect(abs(ours.bic - expected) <= 1e-8 * abs(expected),
                    "\(cell.model) G=\(cell.G): BIC \(ours.bic) vs mclust \(expected)")
            compared += 1
        }
        #expect(compared >= 24)
    }

    @Test("run to convergence from the hc start, the BIC equals mclust's converged one", arguments: ["iris", "old-faithful"])
    func bicEqualsMclustConverged(_ name: String) throws {
        let fixture = try HierarchicalFixture.load(name)
        let data = try fixture.dataMatrix()
        let tree = try AgglomerationTree(data: data, seed: 0)
        let n = Double(data.sampleCount)
        for cell in fixture.fits {
            guard cell.bic_ours != nil, let loglik = cell.loglik_converged, let kind = Self.families[cell.model] else { continue }
            let p = kind.parameterCount(componentCount: cell.G, featureCount: data.featureCount)
            let expected = -2 * loglik + Double(p) * log(n)
            // mclust ran to a relative change of 1e-11 in logL; ours stops on the change of logL / n.
            let ours = try fit(data, cell, tree: tree, maxIterations: 100_000, tolerance: 1e-11 * (1 + abs(loglik)) / n)
            #expect(abs(ours.bic - expected) <= 1e-6 * abs(expected),
                    "\(cell.model) G=\(cell.G): BIC \(ours.bic) vs mclust \(expected)")
        }
    }
}

/// hc-quantiles.json: mclust's qclass partitions of single columns.
struct QuantileFixture: Decodable {
    struct Set: Decodable {
        var data: String
        var column: String
        var partitions: [String: [Int]]
    }
    var sets: [Set]
}

extension HierarchicalStartTests {
    @Test("one feature: the partitions are mclust's quantile classes (qclass)")
    func quantileClassesEqualMclust() throws {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/mclust/hc-quantiles.json")
        let fixture = try JSONDecoder().decode(QuantileFixture.self, from: Data(contentsOf: url))
        #expect(fixture.sets.count == 6)
        for set in fixture.sets {
            let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent(set.data).path,
                                               columns: [.name(set.column)])
            let tree = try AgglomerationTree(data: data, seed: 0)
            for k in 1...9 {
                // qclass numbers classes by value; ours by first appearance: compare as partitions.
                let expected = try #require(set.partitions[String(k)])
                let ours = tree.partition(clusterCount: k)
                var map: [Int: Int] = [:]
                let consistent = zip(ours, expected).allSatisfy { a, b in
                    if let m = map[a] { return m == b }
                    map[a] = b
                    return true
                }
                #expect(consistent && Set(map.values).count == map.count && map.count == Set(expected).count,
                        "\(set.column) K = \(k)")
            }
        }
    }

    @Test("above the subset size the tree is built on a seeded subset, and the start is the subset's M-step")
    func subsetStart() throws {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/old-faithful.csv").path)
        let tree = try AgglomerationTree(data: data, seed: 3, subsetSize: 100)
        let rows = try #require(tree.rows)
        #expect(rows.count == 100 && tree.leafCount == 100 && tree.dataRowCount == data.sampleCount)
        #expect(rows == rows.sorted() && Set(rows).count == 100 && rows.allSatisfy { (0..<data.sampleCount).contains($0) })
        #expect(try AgglomerationTree(data: data, seed: 3, subsetSize: 100) == tree)
        #expect(try AgglomerationTree(data: data, seed: 4, subsetSize: 100).rows != rows)
        // The subset's own tree is the same tree.
        let subset = try DataMatrix(rows: rows.map { data.row($0) }, featureNames: data.featureNames)
        let own = try AgglomerationTree(data: subset, seed: 0)
        for k in 1...9 { #expect(own.partition(clusterCount: k) == tree.partition(clusterCount: k)) }
        // The start: the M-step from the subset's one-hot partition, then EM on every row.
        for kind in CovarianceKind.allCases {
            let start = try ExpectationMaximization.fit(data, options: FitOptions(
                componentCount: 3, covarianceKind: kind, initialization: .hierarchicalTree(tree), maxIterations: 0)).model
            let labels = tree.partition(clusterCount: 3)
            var oneHot = [Double](repeating: 0, count: 100 * 3)
            for (i, k) in labels.enumerated() { oneHot[i * 3 + k] = 1 }
            let table = try DataMatrix(values: oneHot, sampleCount: 100, featureCount: 3)
            let expected = try ExpectationMaximization.fit(subset, options: FitOptions(
                componentCount: 3, covarianceKind: kind, initialization: .responsibilities(table), maxIterations: 0)).model
            #expect(start.means == expected.means && start.weights == expected.weights
                    && start.covariances.flattened == expected.covariances.flattened)
        }
    }

    @Test("weights, trees of other data and too many components are refused")
    func refusals() throws {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/old-faithful.csv").path)
        func reason(_ body: () throws(FitError) -> Void) -> String? {
            do throws(FitError) { try body() } catch { return error.description }
            return nil
        }
        let weighted = reason { () throws(FitError) in
            _ = try ExpectationMaximization.fit(data, weights: Array(repeating: 1, count: data.sampleCount),
                                                options: FitOptions(componentCount: 2, initialization: .hierarchical))
        }
        #expect(weighted?.contains("weights") == true)
        let small = try AgglomerationTree(data: data.rows(0..<50), seed: 0)
        let other = reason { () throws(FitError) in
            _ = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 2, initialization: .hierarchicalTree(small)))
        }
        #expect(other?.contains("50 rows") == true)
        let tree = try AgglomerationTree(data: data, seed: 0, subsetSize: 20)
        let many = reason { () throws(FitError) in
            _ = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 21, initialization: .hierarchicalTree(tree)))
        }
        #expect(many?.contains("21 components") == true)
    }
}
