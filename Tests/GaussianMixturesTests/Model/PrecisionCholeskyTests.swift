import Foundation
import Testing
@testable import GaussianMixtures

// The model file's `precisions_cholesky` (scikit-learn's `precisions_cholesky_`):
// checked here against the covariances without Python; the Python side, loading it
// into scikit-learn, is Tests/Fixtures/sklearn/load_model.py (its record is load_model.json).

@Suite("scikit-learn's precisions_cholesky in the model file")
struct PrecisionCholeskyTests {
    static let iris: DataMatrix = try! DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/iris.csv").path)

    func fitted(_ kind: CovarianceKind) throws -> GaussianMixture {
        try ExpectationMaximization.fit(Self.iris, options: FitOptions(componentCount: 3, covarianceKind: kind, seed: 1)).model
    }

    /// The model file of `model` as a JSON object (Foundation's reading, for editing; not exact).
    func object(_ model: GaussianMixture) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(ModelFile.encode(model, summary: nil))) as? [String: Any])
    }

    /// |P Pᵀ Σ − I| for upper-triangular P with positive diagonal; records a failure otherwise.
    func check(_ p: [[Double]], inverts sigma: [[Double]], _ label: String) {
        let d = sigma.count
        #expect(p.count == d && p.allSatisfy { $0.count == d }, "\(label): shape")
        for r in 0..<d {
            #expect(p[r][r] > 0, "\(label): diagonal entry \(r) is \(p[r][r])")
            for c in 0..<r { #expect(p[r][c] == 0, "\(label): entry (\(r), \(c)) below the diagonal is \(p[r][c])") }
        }
        // P Pᵀ = Σ⁻¹, so (P Pᵀ) Σ = I.
        var worst = 0.0
        for r in 0..<d {
            for c in 0..<d {
                var v = 0.0
                for m in 0..<d {
                    var ppt = 0.0
                    for j in 0..<d { ppt += p[r][j] * p[m][j] }
                    v += ppt * sigma[m][c]
                }
                worst = max(worst, abs(v - (r == c ? 1 : 0)))
            }
        }
        #expect(worst < 1e-10, "\(label): |P Pᵀ Σ − I| = \(worst)")
    }

    @Test("for every model, P Pᵀ = Σ⁻¹ with P upper triangular (full shape beyond scikit-learn's four)",
          arguments: CovarianceKind.allCases)
    func factorsInvertTheCovariances(kind: CovarianceKind) throws {
        let model = try fitted(kind)
        let d = model.featureCount
        switch model.precisionCholeskyFactors {
        case let .full(factors):
            #expect(kind == .full || !CovarianceKind.scikitLearnKinds.contains(kind))
            #expect(factors.count == model.componentCount)
            for k in 0..<model.componentCount {
                check(factors[k], inverts: model.covarianceMatrix(component: k), "\(kind) component \(k)")
            }
        case let .tied(factor):
            #expect(kind == .tied)
            check(factor, inverts: model.covarianceMatrix(component: 0), "tied")
        case let .diagonal(factors):
            #expect(kind == .diagonal)
            guard case let .diagonal(variances) = model.covariances else { Issue.record("diag variances"); return }
            for k in 0..<model.componentCount {
                for j in 0..<d { #expect(factors[k][j] == 1 / variances[k][j].squareRoot()) }
            }
        case let .spherical(factors):
            #expect(kind == .spherical)
            guard case let .spherical(variances) = model.covariances else { Issue.record("spherical variances"); return }
            #expect(factors == variances.map { 1 / $0.squareRoot() })
        case .decomposed:
            Issue.record("precision factors are never in mclust's decomposed form")
        }
        // The file holds exactly these numbers (read with the library's exact parser), in scikit-learn's nesting.
        guard case let .object(root) = try JSONParser.parse(ModelFile.encode(model, summary: nil)) else {
            Issue.record("not an object")
            return
        }
        let written = try #require(root["precisions_cholesky"])
        let factors = model.precisionCholeskyFactors
        let depth = switch factors {
        case .full, .decomposed: 3
        case .tied, .diagonal: 2
        case .spherical: 1
        }
        #expect(shape(written).count == depth, "\(kind): nesting \(shape(written))")
        #expect(numbers(written) == factors.flattened, "\(kind): the file's precisions_cholesky")
    }

    /// The numbers of nested JSON lists, in order.
    func numbers(_ value: JSONValue) -> [Double] {
        switch value {
        case let .number(x): [x]
        case let .array(items): items.flatMap(numbers)
        default: [.nan]
        }
    }

    /// The lengths along the first item at each nesting level.
    func shape(_ value: JSONValue) -> [Int] {
        guard case let .array(items) = value else { return [] }
        return [items.count] + (items.first.map(shape) ?? [])
    }

    @Test("the committed scikit-learn record: every fit loaded by the README snippet agreed with gmm to 1e-12")
    func scikitLearnRecord() throws {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/sklearn/load_model.json")
        guard case let .object(root) = try JSONParser.parse(Array(try Data(contentsOf: url))),
              case let .array(cases)? = root["cases"], case let .number(tolerance)? = root["tolerance"] else {
            Issue.record("load_model.json: no cases")
            return
        }
        #expect(root["generator"] == .string("Tests/Fixtures/sklearn/load_model.py") && tolerance <= 1e-12)
        var kinds = Set<String>()
        for item in cases {
            guard case let .object(c) = item, case let .string(kind)? = c["covariance"] else { continue }
            kinds.insert(kind)
            for key in ["predict_proba", "score_samples", "details_log_density"] {
                guard case let .number(x)? = c[key] else { Issue.record("\(kind): no \(key)"); continue }
                #expect(x <= tolerance, "\(kind) \(key): \(x)")
            }
            #expect(c["predict"] == .number(0))
        }
        // scikit-learn's four and some of mclust's others, loaded as full.
        #expect(kinds.isSuperset(of: ["full", "diag", "spherical", "tied", "VEV", "EEI"]))
    }

    @Test("precisions_cholesky is ignored on read: removed, malformed or wrong, the model reads the same")
    func ignoredOnRead() throws {
        for kind in [CovarianceKind.full, .diagonal, .VEV] {
            let model = try fitted(kind)
            var object = try object(model)
            for replacement: Any? in [nil, "not numbers", [[1, 2], [3]], 7, [[[Double.greatestFiniteMagnitude]]]] {
                object["precisions_cholesky"] = replacement
                let bytes = Array(try JSONSerialization.data(withJSONObject: object))
                #expect(try ModelFile.decode(bytes, path: "m.json").model == model, "\(kind), \(String(describing: replacement))")
            }
        }
    }
}
