import Foundation
@testable import GaussianMixtures

/// The repository root, found from this file's path (tests need no resources bundle).
let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
    }
    fatalError("Package.swift not found above \(#filePath)")
}()

/// A golden file written by Tests/Fixtures/golden/generate.py (scikit-learn).
struct GoldenFile: Decodable {
    struct Parameters: Decodable {
        let weights: [Double]
        let means: [[Double]]
        let covariances: JSONValue
    }
    struct Expected: Decodable {
        let weights: [Double]
        let means: [[Double]]
        let covariances: JSONValue
        let n_iter: Int
        let converged: Bool
        let lower_bound: Double
        let lower_bounds: [Double]
        let mean_log_likelihood: Double
        let bic: Double
        let aic: Double
        let n_parameters: Int
    }
    struct OneIteration: Decodable {
        let weights: [Double]
        let means: [[Double]]
        let covariances: JSONValue
        let lower_bound: Double
    }
    struct Scores: Decodable {
        let rows: [Int]
        let values: [Double]
    }
    struct Query: Decodable {
        let rows: [[Double]]
        let predict_proba: [[Double]]
        let score_samples: [Double]
        let predict: [Int]
    }
    struct Case: Decodable {
        let covariance_type: String
        let n_components: Int
        let max_iter: Int
        let tol: Double
        let `init`: Parameters
        let init_score_samples: Scores
        let expected: Expected
        let expected_one_iteration: OneIteration
        let query: Query
    }
    struct DefaultFit: Decodable {
        let n_components: Int
        let n_init: Int
        let mean_log_likelihood: Double
        let converged: Bool
    }
    let sklearn_version: String
    let data: String
    let feature_names: [String]
    let reg_covar: Double
    let cases: [Case]
    let default_fits: [DefaultFit]

    static let names = ["old-faithful", "iris", "synthetic-3d", "synthetic-5d"]

    static func load(_ name: String) throws -> GoldenFile {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/golden/\(name).json")
        return try JSONDecoder().decode(GoldenFile.self, from: Data(contentsOf: url))
    }

    func dataMatrix() throws -> DataMatrix {
        try DataFileReader.read(path: repositoryRoot.appendingPathComponent(data).path)
    }
}

extension JSONValue {
    var numbers: [Double] {
        switch self {
        case let .number(x): [x]
        case let .array(items): items.flatMap(\.numbers)
        default: []
        }
    }
}

/// Covariance parameters from a fixture's JSON in scikit-learn's shape.
func covarianceParameters(_ kind: CovarianceKind, _ value: JSONValue, components: Int, features d: Int) -> CovarianceParameters {
    let flat = value.numbers
    func matrices(_ count: Int) -> [[[Double]]] {
        (0..<count).map { k in (0..<d).map { r in Array(flat[(k * d * d + r * d)..<(k * d * d + (r + 1) * d)]) } }
    }
    switch kind {
    case .full: return .full(matrices(components))
    case .tied: return .tied(matrices(1)[0])
    case .diagonal: return .diagonal((0..<components).map { k in Array(flat[(k * d)..<((k + 1) * d)]) })
    case .spherical: return .spherical(flat)
    default: preconditionFailure("scikit-learn fixtures hold only its four kinds, not \(kind.rawValue)")
    }
}

/// The largest elementwise error of `actual` against `expected`, relative to
/// max(|expected|, floor); `floor` keeps entries near zero from dominating.
func worstRelativeError(_ actual: [Double], _ expected: [Double], floor: Double) -> (error: Double, index: Int) {
    precondition(actual.count == expected.count, "length \(actual.count) vs \(expected.count)")
    var worst = (error: 0.0, index: -1)
    for idx in actual.indices {
        let e = abs(actual[idx] - expected[idx]) / max(abs(expected[idx]), floor)
        if !(e <= worst.error) { worst = (e, idx) }
    }
    return worst
}

/// A seeded sample from a known mixture, for tests that need data without a file.
func syntheticData(seed: UInt64, count: Int) throws -> (DataMatrix, GaussianMixture) {
    let truth = try GaussianMixture(
        weights: [0.3, 0.7], means: [[0, 0], [4, 1]],
        covariances: .full([[[1, 0.5], [0.5, 2]], [[0.5, -0.2], [-0.2, 0.3]]]))
    return (truth.sample(count: count, seed: seed).samples, truth)
}

/// `worstRelativeError`'s error alone.
func worstRelative(_ actual: [Double], _ expected: [Double], floor: Double) -> Double {
    worstRelativeError(actual, expected, floor: floor).error
}
