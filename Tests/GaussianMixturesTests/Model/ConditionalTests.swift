import Foundation
import Testing
@testable import GaussianMixtures

/// gmr 2.0.3's conditionals, written by Tests/Fixtures/conditional/generate.py.
struct ConditionalFixture: Decodable {
    struct Case: Decodable {
        let given: [Int]
        let values: [Double]
        let weights: [Double]
        let means: [[Double]]
        let covariances: [[[Double]]]
    }
    struct Predict: Decodable {
        let given: [Int]
        let rows: [[Double]]
        let mean: [[Double]]
    }
    let weights: [Double]
    let means: [[Double]]
    let covariances: [[[Double]]]
    let cases: [Case]
    let predict: Predict

    static func load() throws -> ConditionalFixture {
        try JSONDecoder().decode(ConditionalFixture.self, from: Data(contentsOf: repositoryRoot.appendingPathComponent("Tests/Fixtures/conditional/conditional.json")))
    }
}

@Suite("Conditional distributions")
struct ConditionalTests {
    @Test("agrees with gmr's GMM.condition and GMM.predict")
    func gmr() throws {
        let f = try ConditionalFixture.load()
        let model = try GaussianMixture(weights: f.weights, means: f.means, covariances: .full(f.covariances))
        for c in f.cases {
            let conditional = try model.conditional(given: Dictionary(uniqueKeysWithValues: zip(c.given, c.values)))
            #expect(worstRelativeError(conditional.weights, c.weights, floor: 1e-300).error < 1e-9)
            #expect(worstRelativeError(conditional.means.flatMap { $0 }, c.means.flatMap { $0 }, floor: 1e-9).error < 1e-10)
            #expect(worstRelativeError(conditional.covariances.flattened, c.covariances.flatMap { $0.flatMap { $0 } }, floor: 1e-9).error < 1e-10)
        }
        let map = try ConditionalMap(model: model, given: f.predict.given)
        for (row, expected) in zip(f.predict.rows, f.predict.mean) {
            let (weights, means) = map.weightsAndMeans(at: row)
            let mean = (0..<expected.count).map { j in zip(weights, means).reduce(0.0) { $0 + $1.0 * $1.1[j] } }
            #expect(worstRelativeError(mean, expected, floor: 1e-9).error < 1e-10)
        }
    }

    @Test("a single Gaussian conditions by the closed form")
    func closedForm() throws {
        // x ~ N((1, 2), [[4, 1.2], [1.2, 1]]): x₂ | x₁ = a ~ N(2 + 0.3 (a − 1), 1 − 1.44 / 4).
        let model = try GaussianMixture(weights: [1], means: [[1, 2]], covariances: .full([[[4, 1.2], [1.2, 1]]]))
        let c = try model.conditional(given: [0: 3])
        #expect(abs(c.means[0][0] - 2.6) < 1e-15)
        #expect(abs(c.covarianceMatrix(component: 0)[0][0] - 0.64) < 1e-15)
        #expect(c.featureNames == ["x1"])
    }

    @Test("conditioning twice equals conditioning on both sets at once", arguments: CovarianceKind.allCases)
    func twice(_ kind: CovarianceKind) throws {
        let iris = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/iris.csv").path)
        let model = try ExpectationMaximization.fit(iris, options: FitOptions(componentCount: 3, covarianceKind: kind)).model
        let both = try model.conditional(given: [0: 5.5, 2: 4.0])
        let first = try model.conditional(given: [0: 5.5])     // features 1, 2, 3 remain; feature 2 is now index 1
        let second = try first.conditional(given: [1: 4.0])
        // Conditioning keeps scikit-learn's four families; mclust's other models become diag or full
        // (equal volumes or shapes do not survive conditioning in general).
        let expected: CovarianceKind = CovarianceKind.scikitLearnKinds.contains(kind) ? kind : kind.hasCorrelations ? .full : .diagonal
        #expect(second.covarianceKind == expected && both.covarianceKind == expected)
        #expect(worstRelativeError(second.weights, both.weights, floor: 1e-300).error < 1e-9)
        #expect(worstRelativeError(second.means.flatMap { $0 }, both.means.flatMap { $0 }, floor: 1e-9).error < 1e-10)
        #expect(worstRelativeError(second.covariances.flattened, both.covariances.flattened, floor: 1e-12).error < 1e-9)
        // The new weights are the responsibilities under the given features' marginal.
        #expect(try second.featureNames == ["sepal_width", "petal_width"] && second.logDensities(of: DataMatrix(rows: [[3, 1.3]])).allSatisfy(\.isFinite))
    }

    @Test("interval bounds hold the asked probability")
    func interval() throws {
        let model = try GaussianMixture(weights: [0.5, 0.5], means: [[0, -2], [0, 2]], covariances: .full([[[1, 0], [0, 1]], [[1, 0], [0, 1]]]))
        let map = try ConditionalMap(model: model, given: [0])
        let (lower, upper) = map.interval(ofTarget: 0, at: [0], probability: 0.9)
        // Symmetric bimodal: Φ(u − 2)/2 + Φ(u + 2)/2 = 0.95 at the upper bound.
        let p = 0.5 * (0.5 * erfc(-(upper - 2) / 2.0.squareRoot())) + 0.5 * (0.5 * erfc(-(upper + 2) / 2.0.squareRoot()))
        #expect(abs(p - 0.95) < 1e-9)
        #expect(abs(lower + upper) < 1e-9)
    }

    @Test("bad given sets are errors")
    func errors() throws {
        let model = try GaussianMixture(weights: [1], means: [[0, 0]], covariances: .full([[[1, 0], [0, 1]]]))
        #expect(throws: ModelError.self) { try model.conditional(given: [0: 1, 1: 2]) }
        #expect(throws: ModelError.self) { try model.conditional(given: [5: 1]) }
        #expect(throws: ModelError.self) { try model.conditional(givenNamed: ["nope": 1]) }
    }
}
