// mclust's 14 M-steps against R's mclust (Tests/Fixtures/mclust/msteps.R):
// from the same data and responsibilities, the covariances, volumes, shapes,
// orientations and log-likelihood agree to 1e-8 relative for the closed-form
// models and 1e-6 for the iterative ones; and the invariants every estimate
// must satisfy hold exactly or to rounding.

import Foundation
import Testing
@testable import GaussianMixtures

/// |a − b| measured against `scale` (relative when scale = |b|).
private func agrees(_ a: Double, _ b: Double, scale: Double, tolerance: Double) -> Bool {
    abs(a - b) <= tolerance * scale
}

@Suite("mclust M-steps")
struct MclustMStepTests {
    @Test("covariances, volumes, shapes, orientations and log-likelihood equal mclust's mstep",
          arguments: MclustMStepFixture.names, MclustModelName.allCases)
    func agreesWithMclust(dataset: String, model: MclustModelName) throws {
        let fixture = try MclustMStepFixture.load(dataset)
        let data = try fixture.data()
        let d = fixture.d, n = fixture.n, K = fixture.G
        #expect(data.sampleCount == n && data.featureCount == d)
        let x = data.values
        let tolerance = model.isIterative ? 1e-6 : 1e-8
        for fixtureCase in fixture.cases {
            let label = "\(dataset) \(fixtureCase.z_kind) \(model.rawValue)"
            let reference = try #require(fixtureCase.models[model.rawValue])
            let scatter = WeightedScatter(values: x, sampleCount: n, featureCount: d, z: fixtureCase.z)
            let estimate = try MclustMStep.estimate(
                model: model, scatter: scatter.scatter(for: model, featureCount: d),
                softCounts: scatter.softCounts, featureCount: d, control: .mclustDefault, previous: nil)

            // Covariances, each entry against sqrt(Σ_rr Σ_cc) (relative on the diagonal).
            var sigmas = [Double]()
            for k in 0..<K {
                for r in 0..<d {
                    for c in 0..<d {
                        let expected = reference.sigma[k * d * d + r * d + c]
                        let scale = (reference.sigma[k * d * d + r * d + r] * reference.sigma[k * d * d + c * d + c]).squareRoot()
                        let actual: Double
                        if model.isAxisAligned {
                            actual = r == c ? estimate.covariances[k * d + r] : 0
                        } else {
                            actual = estimate.covariances[k * d * d + r * d + c]
                        }
                        #expect(agrees(actual, expected, scale: scale, tolerance: tolerance),
                                "\(label): Σ_\(k)[\(r),\(c)] = \(actual), mclust \(expected)")
                        sigmas.append(actual)
                    }
                }
            }
            // Volumes and shapes, relative.
            if let scales = reference.scale {
                for k in 0..<K {
                    #expect(agrees(estimate.volumes[k], scales[k], scale: abs(scales[k]), tolerance: tolerance),
                            "\(label): λ_\(k) = \(estimate.volumes[k]), mclust \(scales[k])")
                }
            }
            if let shapes = reference.shape {
                for idx in 0..<(K * d) {
                    #expect(agrees(estimate.shapes[idx], shapes[idx], scale: abs(shapes[idx]), tolerance: tolerance),
                            "\(label): A[\(idx)] = \(estimate.shapes[idx]), mclust \(shapes[idx])")
                }
            }
            // Orientations up to the sign of each column (absolute: the columns are unit vectors).
            if let orientations = reference.orientation {
                let ours = try #require(estimate.orientations)
                for k in 0..<K {
                    for c in 0..<d {
                        var dot = 0.0
                        for r in 0..<d { dot += ours[k * d * d + r * d + c] * orientations[k * d * d + r * d + c] }
                        let sign: Double = dot < 0 ? -1 : 1
                        for r in 0..<d {
                            let actual = sign * ours[k * d * d + r * d + c]
                            let expected = orientations[k * d * d + r * d + c]
                            #expect(agrees(actual, expected, scale: 1, tolerance: 10 * tolerance),
                                    "\(label): D_\(k)[\(r),\(c)] = \(actual), mclust \(expected)")
                        }
                    }
                }
            }
            // The log-likelihood of the M-step's parameters (mclust's estep).
            let fullSigmas = sigmas
            let weights = scatter.softCounts.map { $0 / Double(n) }
            let logLikelihood = mixtureLogLikelihood(values: x, sampleCount: n, featureCount: d, weights: weights,
                                                     means: scatter.means, covariances: fullSigmas)
            #expect(agrees(logLikelihood, reference.loglik, scale: abs(reference.loglik), tolerance: tolerance),
                    "\(label): log-likelihood \(logLikelihood), mclust \(reference.loglik)")
            // Inner iterations: mclust's count, give or take one (the stop test compares to
            // the tolerance quantities that differ in their last bits).
            if model.isIterative {
                #expect(abs(estimate.innerIterations - reference.inner_iterations) <= 1,
                        "\(label): \(estimate.innerIterations) inner iterations, mclust \(reference.inner_iterations)")
            } else {
                #expect(estimate.innerIterations == 0)
            }
        }
    }

    @Test("invariants: shapes have product 1, orientations are orthonormal, E-constraints hold exactly",
          arguments: MclustModelName.allCases)
    func invariants(model: MclustModelName) throws {
        let fixture = try MclustMStepFixture.load("iris")
        let data = try fixture.data()
        let d = fixture.d, K = fixture.G
        for fixtureCase in fixture.cases {
            let scatter = WeightedScatter(values: data.values, sampleCount: fixture.n, featureCount: d, z: fixtureCase.z)
            let e = try MclustMStep.estimate(
                model: model, scatter: scatter.scatter(for: model, featureCount: d),
                softCounts: scatter.softCounts, featureCount: d, control: .mclustDefault, previous: nil)
            #expect(e.volumes.count == K && e.shapes.count == K * d)
            #expect(e.covariances.count == K * (model.isAxisAligned ? d : d * d))
            #expect((e.orientations == nil) == model.isAxisAligned)
            for k in 0..<K {
                let logProduct = e.shapes[(k * d)..<((k + 1) * d)].reduce(0) { $0 + log($1) }
                #expect(abs(logProduct) < 1e-12, "\(model.rawValue): Σ log A_\(k) = \(logProduct)")
                #expect(e.volumes[k] > 0)
            }
            switch model.volume {
            case .equal: #expect(Set(e.volumes).count == 1, "\(model.rawValue): volumes \(e.volumes)")
            default: #expect(Set(e.volumes).count == K)
            }
            switch model.shape {
            case .identity: #expect(e.shapes.allSatisfy { $0 == 1 })
            case .equal: for k in 1..<K { #expect(e.shapes[(k * d)..<((k + 1) * d)].elementsEqual(e.shapes[0..<d])) }
            case .variable: #expect(!e.shapes[d..<(2 * d)].elementsEqual(e.shapes[0..<d]))
            }
            if let o = e.orientations {
                for k in 0..<K {
                    let block = Array(o[(k * d * d)..<((k + 1) * d * d)])
                    // DᵀD = I.
                    for a in 0..<d {
                        for b in 0..<d {
                            let dot = (0..<d).reduce(0) { $0 + block[$1 * d + a] * block[$1 * d + b] }
                            #expect(abs(dot - (a == b ? 1 : 0)) < 1e-12, "\(model.rawValue): (DᵀD)[\(a),\(b)] = \(dot)")
                        }
                        // The sign convention: each column's largest entry is positive.
                        let column = (0..<d).map { block[$0 * d + a] }
                        let largest = column.max { abs($0) < abs($1) }!
                        #expect(largest > 0)
                    }
                    if model.orientation == .equal {
                        #expect(block.elementsEqual(o[0..<(d * d)]), "\(model.rawValue): D_\(k) differs from D_0")
                    }
                    // Σ_k = λ_k D_k A_k D_kᵀ.
                    let sigma = Array(e.covariances[(k * d * d)..<((k + 1) * d * d)])
                    for r in 0..<d {
                        for c in 0..<d {
                            var sum = 0.0
                            for j in 0..<d { sum += block[r * d + j] * e.shapes[k * d + j] * block[c * d + j] }
                            let rebuilt = e.volumes[k] * sum
                            let scale = (sigma[r * d + r] * sigma[c * d + c]).squareRoot()
                            #expect(abs(rebuilt - sigma[r * d + c]) < 1e-11 * scale,
                                    "\(model.rawValue): λDADᵀ[\(r),\(c)] = \(rebuilt), Σ = \(sigma[r * d + c])")
                            #expect(sigma[r * d + c] == sigma[c * d + r])
                        }
                    }
                }
            }
            // log det Σ_k = d log λ_k, against the Cholesky factor of the full matrix.
            for k in 0..<K {
                let sigma = e.covarianceMatrix(component: k, featureCount: d)
                var l = sigma, logDet = 0.0
                for c in 0..<d {
                    for m in 0..<c { for r in c..<d { l[r * d + c] -= l[r * d + m] * l[c * d + m] } }
                    let pivot = l[c * d + c].squareRoot()
                    for r in c..<d { l[r * d + c] /= pivot }
                    logDet += 2 * log(pivot)
                }
                #expect(abs(e.logDeterminant(component: k, featureCount: d) - logDet) < 1e-12 * max(1, abs(logDet)),
                        "\(model.rawValue): log det Σ_\(k)")
            }
            if e.orientations == nil {
                for k in 0..<K {
                    for j in 0..<d {
                        let rebuilt = e.volumes[k] * e.shapes[k * d + j]
                        #expect(abs(rebuilt - e.covariances[k * d + j]) < 1e-13 * e.covariances[k * d + j])
                    }
                }
            }
        }
    }

    @Test("free-parameter counts equal mclust's nMclustParams less means and weights")
    func parameterCounts() throws {
        let table = try MclustParameterCounts.load()
        #expect(table.counts.count == 14 * 4 * 4)
        for entry in table.counts {
            let model = try #require(MclustModelName(rawValue: entry.model))
            let covariance = entry.count - entry.G * entry.d - (entry.G - 1)
            #expect(model.covarianceParameterCount(componentCount: entry.G, featureCount: entry.d) == covariance,
                    "\(entry.model) d = \(entry.d) G = \(entry.G)")
        }
    }

    @Test("the four scikit-learn families: VVV = full, VVI = diag, VII = spherical, EEE = tied")
    func scikitLearnFamilies() {
        for (d, K) in [(2, 3), (5, 1), (10, 4)] {
            #expect(MclustModelName.VVV.covarianceParameterCount(componentCount: K, featureCount: d)
                    == FullCovariance.covarianceParameterCount(componentCount: K, featureCount: d))
            #expect(MclustModelName.VVI.covarianceParameterCount(componentCount: K, featureCount: d)
                    == DiagonalCovariance.covarianceParameterCount(componentCount: K, featureCount: d))
            #expect(MclustModelName.VII.covarianceParameterCount(componentCount: K, featureCount: d)
                    == SphericalCovariance.covarianceParameterCount(componentCount: K, featureCount: d))
            #expect(MclustModelName.EEE.covarianceParameterCount(componentCount: K, featureCount: d)
                    == TiedCovariance.covarianceParameterCount(componentCount: K, featureCount: d))
        }
        #expect(MclustModelName.allCases.filter(\.isAxisAligned).map(\.rawValue) == ["EII", "VII", "EEI", "VEI", "EVI", "VVI"])
        #expect(MclustModelName.allCases.filter(\.isIterative).map(\.rawValue) == ["VEI", "VEE", "EVE", "VVE", "VEV"])
    }
}

@Suite("mclust M-steps inside EM")
struct MclustMStepEMTests {
    /// (data set, model) pairs the me3 fixtures hold.
    static let cases: [(String, MclustModelName)] =
        ["iris", "old-faithful"].flatMap { name in MclustModelName.allCases.map { (name, $0) } }
        + MclustModelName.allCases.filter(\.isIterative).map { ("wdbc-mean", $0) }

    @Test("M-steps warm-started from the previous one reproduce mclust's me() after its EM iterations",
          arguments: cases)
    func warmStartsAsMclustDoes(dataset: String, model: MclustModelName) throws {
        let fixture = try MclustMStepFixture.load(dataset)
        let reference = try #require(try MclustEMFixture.load(dataset).models[model.rawValue])
        let data = try fixture.data()
        let d = fixture.d, n = fixture.n, K = fixture.G, x = data.values
        var z = try #require(fixture.cases.first { $0.z_kind == "random" }).z
        var previous: MclustCovarianceEstimate?
        var means = [Double](), weights = [Double](), covariances = [Double](), logLikelihood = 0.0
        for _ in 0..<reference.outer_iterations {
            let scatter = WeightedScatter(values: x, sampleCount: n, featureCount: d, z: z)
            let estimate = try MclustMStep.estimate(
                model: model, scatter: scatter.scatter(for: model, featureCount: d), softCounts: scatter.softCounts,
                featureCount: d, control: .mclustDefault, previous: previous)
            previous = estimate
            means = scatter.means
            weights = scatter.softCounts.map { $0 / Double(n) }
            covariances = fullCovariances(estimate, axisAligned: model.isAxisAligned, featureCount: d)
            (z, logLikelihood) = mixtureExpectation(values: x, sampleCount: n, featureCount: d, weights: weights,
                                                    means: means, covariances: covariances)
        }
        let tolerance = model.isIterative ? 1e-6 : 1e-8
        let label = "\(dataset) \(model.rawValue)"
        for k in 0..<K {
            #expect(abs(weights[k] - reference.pro[k]) <= tolerance * reference.pro[k], "\(label): w_\(k)")
            for r in 0..<d {
                let sd = reference.sigma[k * d * d + r * d + r].squareRoot()
                #expect(abs(means[k * d + r] - reference.mean[k * d + r]) <= tolerance * sd, "\(label): μ_\(k)[\(r)]")
                for c in 0..<d {
                    let expected = reference.sigma[k * d * d + r * d + c]
                    let scale = sd * reference.sigma[k * d * d + c * d + c].squareRoot()
                    #expect(abs(covariances[k * d * d + r * d + c] - expected) <= tolerance * scale,
                            "\(label): Σ_\(k)[\(r),\(c)] = \(covariances[k * d * d + r * d + c]), mclust \(expected)")
                }
            }
        }
        #expect(abs(logLikelihood - reference.loglik) <= tolerance * abs(reference.loglik),
                "\(label): log-likelihood \(logLikelihood), mclust \(reference.loglik)")
        if model.isIterative {
            let inner = try #require(previous).innerIterations
            #expect(abs(inner - reference.inner_iterations) <= 1,
                    "\(label): \(inner) inner iterations in the last M-step, mclust \(reference.inner_iterations)")
        }
    }
}
