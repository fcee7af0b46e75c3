// Loading Tests/Fixtures/mclust/msteps-*.json (written by msteps.R with R's
// mclust) and turning a data set and a responsibility matrix into the
// scatters `MclustMStep.estimate` takes.

import Foundation
@testable import GaussianMixtures

struct MclustMStepFixture: Decodable {
    struct Model: Decodable {
        let sigma: [Double]
        let scale: [Double]?
        let shape: [Double]?
        let orientation: [Double]?
        let inner_iterations: Int
        let inner_error: Double
        let loglik: Double
    }
    struct Case: Decodable {
        let z_kind: String
        let z: [[Double]]
        let models: [String: Model]
    }
    let dataset: String
    let data_file: String
    let n: Int
    let d: Int
    let G: Int
    let cases: [Case]

    static let names = ["iris", "old-faithful", "wdbc-mean"]

    static func load(_ name: String) throws -> MclustMStepFixture {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/mclust/msteps-\(name).json")
        return try JSONDecoder().decode(MclustMStepFixture.self, from: Data(contentsOf: url))
    }

    func data() throws -> DataMatrix {
        try DataFileReader.read(path: repositoryRoot.appendingPathComponent(data_file).path)
    }
}

struct MclustParameterCounts: Decodable {
    struct Entry: Decodable {
        let model: String
        let d: Int
        let G: Int
        let count: Int
    }
    let counts: [Entry]

    static func load() throws -> MclustParameterCounts {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/mclust/parameter-counts.json")
        return try JSONDecoder().decode(MclustParameterCounts.self, from: Data(contentsOf: url))
    }
}

/// Soft counts n_k, means m_k and scatters W_k = Σ_i z_ik (x_i − m_k)(x_i − m_k)ᵀ
/// (K×d×d row-major) of an n×d data set under responsibilities z.
struct WeightedScatter {
    let softCounts: [Double]
    let means: [Double]
    let full: [Double]

    init(values x: [Double], sampleCount n: Int, featureCount d: Int, z: [[Double]]) {
        let K = z[0].count
        var counts = [Double](repeating: 0, count: K)
        var means = [Double](repeating: 0, count: K * d)
        for i in 0..<n {
            for k in 0..<K {
                counts[k] += z[i][k]
                for j in 0..<d { means[k * d + j] += z[i][k] * x[i * d + j] }
            }
        }
        for k in 0..<K { for j in 0..<d { means[k * d + j] /= counts[k] } }
        var full = [Double](repeating: 0, count: K * d * d)
        var centred = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for k in 0..<K {
                for j in 0..<d { centred[j] = x[i * d + j] - means[k * d + j] }
                for r in 0..<d {
                    for c in 0..<d { full[k * d * d + r * d + c] += z[i][k] * centred[r] * centred[c] }
                }
            }
        }
        self.softCounts = counts
        self.means = means
        self.full = full
    }

    /// The K×d diagonals.
    func diagonal(featureCount d: Int) -> [Double] {
        (0..<softCounts.count).flatMap { k in (0..<d).map { j in full[k * d * d + j * d + j] } }
    }

    func scatter(for model: MclustModelName, featureCount d: Int) -> [Double] {
        model.isAxisAligned ? diagonal(featureCount: d) : full
    }
}

/// The E-step: responsibilities z_ik ∝ w_k N(x_i | m_k, Σ_k) and the
/// log-likelihood Σ_i log Σ_k w_k N(x_i | m_k, Σ_k), by a plain Cholesky
/// factorisation written here (independent of the library's factor code).
/// `covariances` holds K full d×d matrices.
func mixtureExpectation(values x: [Double], sampleCount n: Int, featureCount d: Int,
                        weights: [Double], means: [Double], covariances: [Double]) -> (z: [[Double]], logLikelihood: Double) {
    let K = weights.count
    var factors = [[Double]](), logDets = [Double]()
    for k in 0..<K {
        var l = [Double](repeating: 0, count: d * d)
        for r in 0..<d {
            for c in 0...r {
                var sum = covariances[k * d * d + r * d + c]
                for m in 0..<c { sum -= l[r * d + m] * l[c * d + m] }
                l[r * d + c] = r == c ? sum.squareRoot() : sum / l[c * d + c]
            }
        }
        factors.append(l)
        logDets.append(2 * (0..<d).reduce(0) { $0 + log(l[$1 * d + $1]) })
    }
    var total = 0.0
    var y = [Double](repeating: 0, count: d)
    var terms = [Double](repeating: 0, count: K)
    var z = [[Double]]()
    for i in 0..<n {
        for k in 0..<K {
            let l = factors[k]
            var q = 0.0
            for r in 0..<d {
                var sum = x[i * d + r] - means[k * d + r]
                for m in 0..<r { sum -= l[r * d + m] * y[m] }
                y[r] = sum / l[r * d + r]
                q += y[r] * y[r]
            }
            terms[k] = log(weights[k]) - 0.5 * (Double(d) * log(2 * Double.pi) + logDets[k] + q)
        }
        let top = terms.max()!
        let logSum = top + log(terms.reduce(0) { $0 + exp($1 - top) })
        total += logSum
        z.append(terms.map { exp($0 - logSum) })
    }
    return (z, total)
}

/// Σ_i log Σ_k w_k N(x_i | m_k, Σ_k).
func mixtureLogLikelihood(values x: [Double], sampleCount n: Int, featureCount d: Int,
                          weights: [Double], means: [Double], covariances: [Double]) -> Double {
    mixtureExpectation(values: x, sampleCount: n, featureCount: d, weights: weights, means: means,
                       covariances: covariances).logLikelihood
}

/// K full d×d matrices from an estimate (diagonal ones expanded).
func fullCovariances(_ e: MclustCovarianceEstimate, axisAligned: Bool, featureCount d: Int) -> [Double] {
    guard axisAligned else { return e.covariances }
    let K = e.volumes.count
    var full = [Double](repeating: 0, count: K * d * d)
    for k in 0..<K { for j in 0..<d { full[k * d * d + j * d + j] = e.covariances[k * d + j] } }
    return full
}

/// Tests/Fixtures/mclust/me3-*.json: three EM iterations of mclust's `me` from
/// the random z of the matching msteps file.
struct MclustEMFixture: Decodable {
    struct Fit: Decodable {
        let outer_iterations: Int
        let inner_iterations: Int
        let pro: [Double]
        let mean: [Double]
        let sigma: [Double]
        let loglik: Double
    }
    let dataset: String
    let em_iterations: Int
    let models: [String: Fit]

    static func load(_ name: String) throws -> MclustEMFixture {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/mclust/me3-\(name).json")
        return try JSONDecoder().decode(MclustEMFixture.self, from: Data(contentsOf: url))
    }
}
