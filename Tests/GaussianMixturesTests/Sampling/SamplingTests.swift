import Foundation
import Testing
@testable import GaussianMixtures

@Suite("Sampling")
struct SamplingTests {
    let model = try! GaussianMixture(
        weights: [0.2, 0.5, 0.3], means: [[0, 0, 0], [5, -3, 100], [-2, 4, 1]],
        covariances: .full([
            [[1, 0.3, 0], [0.3, 2, 0.5], [0, 0.5, 1]],
            [[0.5, 0, 0], [0, 0.5, 0], [0, 0, 4]],
            [[2, -1, 0.2], [-1, 1.5, 0], [0.2, 0, 0.3]],
        ]))

    @Test("a large sample's frequencies, means and covariances match the model")
    func moments() {
        let n = 200_000
        let drawn = model.sample(count: n, seed: 17)
        #expect(drawn.samples.sampleCount == n)
        for k in 0..<3 {
            let rows = drawn.components.indices.filter { drawn.components[$0] == k }
            let p = model.weights[k]
            let sd = (p * (1 - p) / Double(n)).squareRoot()
            #expect(abs(Double(rows.count) / Double(n) - p) < 5 * sd)
            let m = Double(rows.count)
            for j in 0..<3 {
                let mean = rows.map { drawn.samples[$0, j] }.reduce(0, +) / m
                let variance = model.covarianceMatrix(component: k)[j][j]
                #expect(abs(mean - model.means[k][j]) < 5 * (variance / m).squareRoot())
                for l in 0..<3 {
                    let cov = rows.map { (drawn.samples[$0, j] - model.means[k][j]) * (drawn.samples[$0, l] - model.means[k][l]) }
                        .reduce(0, +) / m
                    let expected = model.covarianceMatrix(component: k)[j][l]
                    let scale = (variance * model.covarianceMatrix(component: k)[l][l]).squareRoot()
                    #expect(abs(cov - expected) < 6 * scale * (2 / m).squareRoot(), "component \(k) cov[\(j)][\(l)]")
                }
            }
        }
    }

    @Test("rows come in drawn order, not grouped by component")
    func interleaved() {
        let drawn = model.sample(count: 1000, seed: 3)
        let switches = zip(drawn.components, drawn.components.dropFirst()).filter { $0 != $1 }.count
        #expect(switches > 300)
    }

    @Test("the same seed gives the same rows; zero rows is fine")
    func reproducible() {
        #expect(model.sample(count: 500, seed: 9).samples == model.sample(count: 500, seed: 9).samples)
        #expect(model.sample(count: 500, seed: 9).samples != model.sample(count: 500, seed: 10).samples)
        #expect(model.sample(count: 0, seed: 1).samples.sampleCount == 0)
    }
}
