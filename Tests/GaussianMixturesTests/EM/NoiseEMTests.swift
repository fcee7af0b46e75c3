import Foundation
import Testing
@testable import GaussianMixtures

/// A fixture written by Tests/Fixtures/mclust/me-noise.R: mclust's `me()` with a noise component.
struct MclustNoiseFixture: Decodable {
    struct Fit: Decodable {
        let weights: [Double]
        let noise_weight: Double
        let means: [[Double]]
        let covariances: [[[Double]]]
        let loglik: Double
        let parameters: Int
        let bic: Double
    }
    let data: String
    let components: Int
    let iterations: Int
    let volume: Double
    let hypvol: Double
    let start: [[Double]]
    let models: [String: Fit]

    static let names = ["iris", "old-faithful", "faithful-noise"]

    static func load(_ name: String) throws -> MclustNoiseFixture {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/mclust/me-noise-\(name).json")
        return try JSONDecoder().decode(MclustNoiseFixture.self, from: Data(contentsOf: url))
    }
}

@Suite("mclust's uniform noise component")
struct NoiseEMTests {
    static let cases: [(String, CovarianceKind)] = MclustNoiseFixture.names.flatMap { name in
        CovarianceKind.mclustOrder.map { (name, $0) }
    }

    static func read(_ path: String) throws -> DataMatrix {
        try DataFileReader.read(path: repositoryRoot.appendingPathComponent(path).path)
    }

    /// From mclust's start (K Gaussian columns and the noise last), V the box's
    /// volume, no regulariser, 25 M-steps: weights (the noise's too), means,
    /// covariances, log-likelihood and BIC equal mclust's to 1e-8 relative for
    /// the closed-form models, 1e-6 for the iterative ones.
    @Test("25 EM steps with noise from the same responsibilities equal mclust's me(Vinv = 1/V)", arguments: cases)
    func sameAsMe(_ name: String, _ kind: CovarianceKind) throws {
        let fixture = try MclustNoiseFixture.load(name)
        guard let expected = fixture.models[kind.mclustName] else { return }  // mclust could not fit it (iris VVE)
        let data = try Self.read(fixture.data)
        let start = try DataMatrix(rows: fixture.start)
        let options = FitOptions(componentCount: fixture.components, covarianceKind: kind,
                                 initialization: .responsibilities(start), maxIterations: fixture.iterations - 1,
                                 tolerance: 0, covarianceRegularization: 0, noise: NoiseOptions())
        let fit = try ExpectationMaximization.fit(data, options: options)
        let model = fit.model
        let noise = try #require(model.noise)
        #expect(abs(noise.volume - fixture.volume) <= 1e-12 * fixture.volume)
        let tolerance = kind.mclustModel.isIterative ? 1e-6 : 1e-8
        let logLikelihood = fit.report.meanLogLikelihood * Double(data.sampleCount)
        #expect(abs(logLikelihood - expected.loglik) <= tolerance * abs(expected.loglik),
                "log-likelihood \(logLikelihood) vs mclust's \(expected.loglik)")
        #expect(model.parameterCount == expected.parameters)
        let bic = GaussianMixture.bic(meanLogLikelihood: fit.report.meanLogLikelihood, sampleCount: data.sampleCount,
                                      parameterCount: model.parameterCount)
        #expect(abs(-bic - expected.bic) <= tolerance * abs(expected.bic), "BIC \(bic) vs mclust's \(expected.bic)")
        // A noise weight of 1e-19 is 1e-19 to both (our M-step's 10ε floor on counts aside).
        #expect(abs(noise.weight - expected.noise_weight) <= tolerance * max(expected.noise_weight, 1e-8),
                "noise weight \(noise.weight) vs mclust's \(expected.noise_weight)")
        let weights = worstRelativeError(model.weights, expected.weights, floor: 1e-300)
        #expect(weights.error <= tolerance, "weights: relative error \(weights.error) at \(weights.index)")
        let means = worstRelativeError(model.means.flatMap { $0 }, expected.means.flatMap { $0 }, floor: 1e-300)
        #expect(means.error <= tolerance, "means: relative error \(means.error) at \(means.index)")
        for k in 0..<fixture.components {
            let sigma = expected.covariances[k]
            let actual = model.covarianceMatrix(component: k)
            var worst = 0.0
            for r in sigma.indices {
                for c in sigma.indices {
                    worst = max(worst, abs(actual[r][c] - sigma[r][c]) / (sigma[r][r] * sigma[c][c]).squareRoot())
                }
            }
            #expect(worst <= tolerance, "covariances[\(k)]: relative error \(worst)")
        }
    }

    @Test("V: the bounding box's volume, or mclust's hypvol (the smaller of it and the principal-component box's)",
          arguments: MclustNoiseFixture.names)
    func volumes(_ name: String) throws {
        let fixture = try MclustNoiseFixture.load(name)
        let data = try Self.read(fixture.data)
        let box = try NoiseInitialization.component(for: data, weights: nil, options: NoiseOptions())
        #expect(abs(box.volume - fixture.volume) <= 1e-12 * fixture.volume)
        let mclust = try NoiseInitialization.component(for: data, weights: nil, options: NoiseOptions(volumeRule: .hypervolume))
        #expect(abs(mclust.volume - fixture.hypvol) <= 1e-10 * fixture.hypvol, "\(mclust.volume) vs hypvol \(fixture.hypvol)")
        let given = try NoiseInitialization.component(for: data, weights: nil, options: NoiseOptions(volume: 7))
        #expect(given.volume == 7 && given.lower == box.lower && given.upper == box.upper)
    }

    @Test("responsibilities and the noise column sum to 1; log P(x) adds π₀/V to the Gaussians' density")
    func posterior() throws {
        let data = try Self.read("Tests/Fixtures/mclust/faithful-noise.csv")
        let fit = try ExpectationMaximization.fit(data, options: FitOptions(
            componentCount: 2, covarianceKind: .full, seed: 3, noise: NoiseOptions()))
        let model = fit.model
        let noise = try #require(model.noise)
        #expect(abs(model.weights.reduce(0, +) + noise.weight - 1) <= 1e-12)
        let resp = try model.responsibilities(for: data)
        let z0 = try model.noiseResponsibilities(for: data)
        let density = try model.logDensities(of: data)
        let labels = try model.labels(for: data)
        for i in 0..<data.sampleCount {
            let row = Array(resp.row(i))
            #expect(row.allSatisfy { $0 >= 0 && $0 <= 1 } && z0[i] >= 0 && z0[i] <= 1)
            #expect(abs(row.reduce(0, +) + z0[i] - 1) <= 1e-12)
            let joint = (0..<model.componentCount).map { k in
                log(model.weights[k]) + naiveLogNormal(data.row(i), mean: model.means[k],
                                                       covariance: model.covarianceMatrix(component: k))
            } + [log(noise.weight) - log(noise.volume)]
            let top = joint.max()!
            let lse = top + log(joint.map { exp($0 - top) }.reduce(0, +))
            #expect(abs(density[i] - lse) <= 1e-10 * abs(lse))
            #expect(abs(z0[i] - exp(joint[2] - lse)) <= 1e-10)
            #expect(labels[i] == (0...2).max { joint[$0] < joint[$1] }!)
        }
    }

    /// VVE is left out: mclust's MM step for it (ours too) is not an ascent step.
    @Test("with no regulariser EM with noise never lowers the log-likelihood",
          arguments: CovarianceKind.mclustOrder.filter { $0.mclustName != "VVE" })
    func monotone(_ kind: CovarianceKind) throws {
        let data = try Self.read("Tests/Fixtures/mclust/faithful-noise.csv")
        let options = FitOptions(componentCount: 2, covarianceKind: kind, maxIterations: 40, tolerance: 0,
                                 covarianceRegularization: 0, seed: 5, noise: NoiseOptions())
        let fit = try ExpectationMaximization.fit(data, options: options)
        let trace = fit.report.logLikelihoodTrace + [fit.report.meanLogLikelihood]
        // The iterative M-steps stop at mclust's inner tolerance: allow them that.
        let slack = kind.mclustModel.isIterative ? 1e-7 : 1e-12
        for t in 1..<trace.count {
            #expect(trace[t] >= trace[t - 1] - slack * abs(trace[t - 1]), "iteration \(t): \(trace[t - 1]) → \(trace[t])")
        }
    }

    @Test("same seed, same bits; weighted rows act as repeated rows")
    func determinismAndWeights() throws {
        let data = try Self.read("Tests/Fixtures/mclust/faithful-noise.csv")
        let options = FitOptions(componentCount: 2, covarianceKind: .full, maxIterations: 30, seed: 11,
                                 noise: NoiseOptions())
        let a = try ExpectationMaximization.fit(data, options: options)
        let b = try ExpectationMaximization.fit(data, options: options)
        #expect(ModelFile.encode(a.model, summary: nil) == ModelFile.encode(b.model, summary: nil))
        // Any thread count, the same bits (the noise's soft count is added in chunk order too):
        // 9000 rows drawn from the fit, noise included, make three chunks of 4096 rows or fewer.
        let draw = a.model.sample(count: 9000, seed: 1)
        let large = draw.samples
        var threaded = options
        threaded.noise = NoiseOptions(initialNoise: draw.components.map { $0 == 2 })
        threaded.threadCount = 1
        let one = try ExpectationMaximization.fit(large, options: threaded).model
        for threads in [2, 3] {
            threaded.threadCount = threads
            #expect(try ExpectationMaximization.fit(large, options: threaded).model == one)
        }
        // Weight 2 on every row of the first half equals those rows twice, from the same start.
        let half = data.sampleCount / 2
        let start = a.model
        let weighted = FitOptions(componentCount: 2, covarianceKind: .full, initialization: .model(start),
                                  maxIterations: 5, tolerance: 0, seed: 11, noise: NoiseOptions())
        let w = (0..<data.sampleCount).map { $0 < half ? 2.0 : 1.0 }
        let doubled = try DataMatrix(rows: (0..<half).map { data.row($0) } + (0..<data.sampleCount).map { data.row($0) })
        let viaWeights = try ExpectationMaximization.fit(data, weights: w, options: weighted).model
        let viaRows = try ExpectationMaximization.fit(doubled, options: weighted).model
        #expect(abs(viaWeights.noise!.weight - viaRows.noise!.weight) <= 1e-12)
        let means = worstRelativeError(viaWeights.means.flatMap { $0 }, viaRows.means.flatMap { $0 }, floor: 1e-300)
        #expect(means.error <= 1e-12)
    }

    @Test("a model with noise round-trips through the model file exactly; bad noise keys are named")
    func modelFile() throws {
        let data = try Self.read("Tests/Fixtures/mclust/faithful-noise.csv")
        for kind in [CovarianceKind.full, .diagonal, .spherical, .tied] + CovarianceKind.mclustOrder.prefix(3) {
            let fit = try ExpectationMaximization.fit(data, options: FitOptions(
                componentCount: 2, covarianceKind: kind, seed: 2, noise: NoiseOptions()))
            let bytes = ModelFile.encode(fit.model, summary: FitSummary(report: fit.report, model: fit.model))
            let back = try ModelFile.decode(bytes, path: "m.json")
            #expect(back.model == fit.model)
            #expect(back.model.noise == fit.model.noise)
            #expect(ModelFile.encode(back.model, summary: back.summary) == bytes)
        }
        let fit = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 2, seed: 2, noise: NoiseOptions()))
        let text = String(decoding: ModelFile.encode(fit.model, summary: nil), as: UTF8.self)
        let volume = JSONWriter.number(fit.model.noise!.volume)
        let weight = JSONWriter.number(fit.model.noise!.weight)
        let broken = [
            (text.replacingOccurrences(of: "\"volume\": " + volume, with: "\"volume\": -1.0"), "noise.volume"),
            (text.replacingOccurrences(of: "\"weight\": " + weight, with: "\"weight\": 0.5"), "weights"),
            (text.replacingOccurrences(of: "\"lower\"", with: "\"lowr\""), "noise.lower"),
            (text.replacingOccurrences(of: "\"weight\": " + weight, with: "\"weight\": 1.5"), "noise.weight"),
        ]
        for (file, key) in broken {
            #expect(file != text)
            do {
                _ = try ModelFile.decode(Array(file.utf8), path: "m.json")
                Issue.record("a broken \(key) was read")
            } catch {
                #expect(error.description.contains("key \"\(key)\""), "\(error)")
            }
        }
    }

    @Test("a known answer: two separated Gaussians plus 10 % uniform background; the noise finds ≥ 90 % of it")
    func knownAnswer() throws {
        let truth = try GaussianMixture(weights: [0.5, 0.5], means: [[-4, 0], [4, 0]],
                                        covariances: .full([[[0.25, 0.1], [0.1, 0.25]], [[0.25, -0.05], [-0.05, 0.125]]]))
        let clusters = truth.sample(count: 900, seed: 21).samples
        let random = GSLRandom(seed: 22)
        let background = (0..<100).map { _ in [-15 + 30 * random.uniform(), -10 + 20 * random.uniform()] }
        let data = try DataMatrix(rows: (0..<900).map { clusters.row($0) } + background)
        let fit = try ExpectationMaximization.fit(data, options: FitOptions(
            componentCount: 2, covarianceKind: .full, seed: 1, noise: NoiseOptions()))
        let labels = try fit.model.labels(for: data)
        let found = (900..<1000).filter { labels[$0] == 2 }.count
        let wrong = (0..<900).filter { labels[$0] == 2 }.count
        #expect(found >= 90, "the noise holds \(found) of the 100 background rows")
        #expect(wrong <= 30, "and \(wrong) of the 900 cluster rows")
        #expect(abs(fit.model.noise!.weight - 0.1) <= 0.03)
        // The nearest-neighbour start alone already finds most of the background.
        let guess = try NoiseInitialization.nearestNeighbourGuess(of: data, weights: nil, neighbourCount: 5,
                                                                  random: GSLRandom(seed: 1))
        #expect((900..<1000).filter { guess[$0] }.count >= 70)
    }

    @Test("sampling draws the noise uniformly from its box, in proportion π₀")
    func sampling() throws {
        let data = try Self.read("Tests/Fixtures/mclust/faithful-noise.csv")
        let model = try ExpectationMaximization.fit(data, options: FitOptions(
            componentCount: 2, seed: 3, noise: NoiseOptions())).model
        let noise = try #require(model.noise)
        let draw = model.sample(count: 20000, seed: 4)
        let noiseRows = draw.components.indices.filter { draw.components[$0] == 2 }
        let share = Double(noiseRows.count) / 20000
        #expect(abs(share - noise.weight) <= 4 * (noise.weight * (1 - noise.weight) / 20000).squareRoot())
        for i in noiseRows {
            let row = draw.samples.row(i)
            #expect((0..<2).allSatisfy { row[$0] >= noise.lower[$0] && row[$0] <= noise.upper[$0] })
        }
        #expect(model.sample(count: 500, seed: 4).samples == model.sample(count: 500, seed: 4).samples)
    }

    @Test("features without noise support refuse it by name")
    func refusals() throws {
        let data = try Self.read("Data/old-faithful.csv")
        let options = FitOptions(componentCount: 2, seed: 1, noise: NoiseOptions())
        let model = try ExpectationMaximization.fit(data, options: options).model
        #expect(throws: ModelError.self) { try ConditionalMap(model: model, given: [0]) }
        #expect(throws: FitError.self) {
            try OnlineExpectationMaximization.fit(data, options: options, online: OnlineFitOptions(batchSize: 50))
        }
        var bad = options
        bad.noise = NoiseOptions(volume: -1)
        #expect(throws: FitError.self) { try ExpectationMaximization.fit(data, options: bad) }
    }
}
