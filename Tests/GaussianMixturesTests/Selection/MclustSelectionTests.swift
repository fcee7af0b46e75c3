import Foundation
import Testing
@testable import GaussianMixtures

/// A file written by Tests/Fixtures/mclust/bic14.R: Mclust()'s table over the fourteen models.
struct MclustTableFixture: Decodable {
    struct Choice: Decodable {
        var model: String
        var G: Int
    }
    struct Fit: Decodable {
        var model: String
        var G: Int
        var iterations: Int
        var bic_ours: Double?
    }
    var data: String
    var best_bic: Choice
    var best_icl: Choice
    var fits: [Fit]

    static let names = ["iris", "old-faithful"]

    static func load(_ name: String) throws -> MclustTableFixture {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/mclust/bic14-\(name).json")
        return try JSONDecoder().decode(MclustTableFixture.self, from: Data(contentsOf: url))
    }
}

@Suite("Selection over mclust's fourteen models")
struct MclustSelectionTests {
    /// Every cell of mclustBIC's table (K = 1…9, the fourteen models), from the same hc
    /// start with as many M-steps as mclust made, no regulariser: BIC to 1e-8 relative
    /// for the closed-form models, 1e-6 for the iterative ones.
    @Test("the same number of EM steps from the hc start gives mclustBIC's table, all fourteen models",
          arguments: MclustTableFixture.names)
    func tableEqualsMclust(_ name: String) throws {
        let fixture = try MclustTableFixture.load(name)
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent(fixture.data).path)
        let tree = try AgglomerationTree(data: data, seed: 0)
        var compared = 0
        for cell in fixture.fits {
            guard let expected = cell.bic_ours else { continue }
            let kind = try #require(CovarianceKind(name: cell.model))
            let options = FitOptions(componentCount: cell.G, covarianceKind: kind, initialization: .hierarchicalTree(tree),
                                     maxIterations: max(cell.iterations - 1, 0), tolerance: 0, covarianceRegularization: 0)
            let fit = try ExpectationMaximization.fit(data, options: options)
            let bic = GaussianMixture.bic(meanLogLikelihood: fit.report.meanLogLikelihood, sampleCount: data.sampleCount,
                                          parameterCount: fit.model.parameterCount)
            let tolerance = kind.mclustModel.isIterative ? 1e-6 : 1e-8
            #expect(abs(bic - expected) <= tolerance * abs(expected), "\(cell.model) G=\(cell.G): BIC \(bic) vs mclust \(expected)")
            compared += 1
        }
        #expect(compared >= 120)
    }

    /// `gmm select`'s defaults (hc start, the fourteen models, K = 1…9, --tol 1e-3,
    /// --reg-covar 1e-6) choose what Mclust() and mclustICL() choose.
    @Test("gmm select's default search chooses Mclust()'s model by BIC and mclustICL()'s by ICL",
          arguments: MclustTableFixture.names)
    func sameChoiceAsMclust(_ name: String) throws {
        let fixture = try MclustTableFixture.load(name)
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent(fixture.data).path)
        let search = ModelSearch.run(data, componentCounts: Array(1...9), kinds: CovarianceKind.mclustOrder,
                                     options: FitOptions(initialization: .hierarchical), criterion: .bic)
        #expect(search.rows.count == 14 * 9)
        for (criterion, choice) in [(SelectionCriterion.bic, fixture.best_bic), (.icl, fixture.best_icl)] {
            let best = try #require(search.ranked(by: criterion).best)
            #expect(best.covarianceKind.mclustName == choice.model && best.componentCount == choice.G,
                    "\(criterion): ours \(best.covarianceKind.mclustName) K=\(best.componentCount), mclust \(choice.model) K=\(choice.G)")
        }
    }
}
