import Foundation
import Testing
@testable import GaussianMixtures

/// A fixture written by Tests/Fixtures/variational/generate.py (scikit-learn's BayesianGaussianMixture).
struct VariationalFixtureFile: Decodable {
    struct Priors: Decodable {
        let weight_concentration: Double
        let mean_precision: Double
        let mean: [Double]
        let degrees_of_freedom: Double
        let covariance: JSONValue
    }
    struct After: Decodable {
        let n_iter: Int
        let weights: [Double]
        let means: [[Double]]
        let covariances: JSONValue
        let weight_concentration: [[Double]]
        let mean_precision: [Double]
        let degrees_of_freedom: [Double]
        let lower_bound: Double
        let lower_bounds: [Double]
    }
    struct Case: Decodable {
        let covariance_type: String
        let weight_prior: String
        let n_components: Int
        let init_resp: [[Double]]
        let priors: Priors
        let after: [After]
    }
    let sklearn_version: String
    let data: String
    let reg_covar: Double
    let cases: [Case]

    static let names = ["old-faithful", "iris"]

    static func load(_ name: String) throws -> VariationalFixtureFile {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/variational/\(name).json")
        return try JSONDecoder().decode(VariationalFixtureFile.self, from: Data(contentsOf: url))
    }

    func dataMatrix() throws -> DataMatrix {
        try DataFileReader.read(path: repositoryRoot.appendingPathComponent(data).path)
    }
}

/// One (data set, case, iteration count) of the variational fixtures.
struct VariationalCase: CustomTestStringConvertible, Sendable {
    let file: String
    let index: Int
    let afterIndex: Int
    let label: String
    var testDescription: String { label }
}

let variationalCases: [VariationalCase] = VariationalFixtureFile.names.flatMap { name -> [VariationalCase] in
    guard let file = try? VariationalFixtureFile.load(name) else { return [] }
    return file.cases.enumerated().flatMap { idx, c in
        c.after.indices.map { a in
            VariationalCase(file: name, index: idx, afterIndex: a,
                            label: "\(name) \(c.covariance_type) \(c.weight_prior) K=\(c.n_components) iterations=\(c.after[a].n_iter)")
        }
    }
}
