import Foundation
import Testing
@testable import GaussianMixtures

/// The fixture of Tests/Fixtures/mclust/select-noise.R: Mclust() with a noise component.
struct MclustNoiseSelectionFixture: Decodable {
    struct Fit: Decodable {
        let model: String
        let G: Int
        let bic: Double?
        let loglik: Double?
        let parameters: Int
    }
    struct Best: Decodable {
        let model: String
        let G: Int
        let noise_weight: Double
    }
    let data: String
    let volume: Double
    let noise_rows: [Int]
    let iterations: Int
    let best: Best
    let fits: [Fit]

    static func load() throws -> MclustNoiseSelectionFixture {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/mclust/select-noise.json")
        return try JSONDecoder().decode(MclustNoiseSelectionFixture.self, from: Data(contentsOf: url))
    }
}

@Suite("gmm select with a noise component against mclust's Mclust()")
struct NoiseSelectionTests {
    /// Mclust's own start (hc on the rows outside the starting noise, cut at G, the
    /// noise rows wholly noise), 25 M-steps, no regulariser: the BIC of every cell
    /// equals mclust's to 1e-8 relative (1e-6 for the iterative VEE and VEV), and the
    /// choice is mclust's.
    @Test("the BIC table and the choice equal Mclust(initialization = list(noise = …))")
    func sameTableAsMclust() throws {
        let fixture = try MclustNoiseSelectionFixture.load()
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent(fixture.data).path)
        var isNoise = [Bool](repeating: false, count: data.sampleCount)
        for i in fixture.noise_rows { isNoise[i] = true }
        let options = FitOptions(initialization: .hierarchical, maxIterations: fixture.iterations - 1, tolerance: 0,
                                 covarianceRegularization: 0,
                                 noise: NoiseOptions(volume: fixture.volume, initialNoise: isNoise))
        let kinds = Array(Set(fixture.fits.map(\.model))).map { CovarianceKind(name: $0)! }
        let search = ModelSearch.run(data, componentCounts: Array(Set(fixture.fits.map(\.G))).sorted(), kinds: kinds,
                                     options: options, criterion: .bic)
        for expected in fixture.fits {
            let row = try #require(search.rows.first {
                $0.covarianceKind.mclustName == expected.model && $0.componentCount == expected.G
            })
            guard let bic = expected.bic else { continue }
            let tolerance = row.covarianceKind.mclustModel.isIterative ? 1e-6 : 1e-8
            #expect(row.parameterCount == expected.parameters)
            let ours = try #require(row.bic, "\(expected.model) G=\(expected.G): \(row.failure ?? "")")
            #expect(abs(-ours - bic) <= tolerance * abs(bic), "\(expected.model) G=\(expected.G): BIC \(-ours) vs mclust's \(bic)")
        }
        let best = try #require(search.best)
        #expect(best.covarianceKind.mclustName == fixture.best.model && best.componentCount == fixture.best.G)
        let noise = try #require(best.fit?.model.noise)
        #expect(abs(noise.weight - fixture.best.noise_weight) <= 1e-8 * fixture.best.noise_weight)
    }
}
