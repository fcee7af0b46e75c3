import Foundation
import Testing
@testable import GaussianMixtures

@Suite("mclust models in the model file")
struct MclustModelFileTests {
    static let iris: DataMatrix = try! DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/iris.csv").path)

    static let newKinds = CovarianceKind.allCases.filter { !CovarianceKind.scikitLearnKinds.contains($0) }

    func fitted(_ kind: CovarianceKind) throws -> GaussianMixture {
        try ExpectationMaximization.fit(Self.iris, options: FitOptions(componentCount: 3, covarianceKind: kind, seed: 1)).model
    }

    /// The model file of `kind` as a mutable JSON object.
    func object(_ kind: CovarianceKind) throws -> [String: Any] {
        let bytes = ModelFile.encode(try fitted(kind), summary: nil)
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    func decode(_ object: [String: Any]) throws -> GaussianMixture {
        try ModelFile.decode(Array(try JSONSerialization.data(withJSONObject: object)), path: "m.json").model
    }

    func expectBroken(_ object: [String: Any], key: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try decode(object)
            Issue.record("accepted a model that breaks its constraints (\(key))", sourceLocation: sourceLocation)
        } catch let error as ModelFileError {
            guard case let .invalid(_, found, _) = error else {
                Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(found == key, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("round trip to the bit; covariance_type is the mclust name; the decomposition composes the covariances",
          arguments: newKinds)
    func roundTrip(_ kind: CovarianceKind) throws {
        let model = try fitted(kind)
        let bytes = ModelFile.encode(model, summary: nil)
        let back = try ModelFile.decode(bytes, path: "m.json").model
        #expect(back == model)
        #expect(ModelFile.encode(back, summary: nil) == bytes)
        #expect(back.covarianceKind == kind)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"covariance_type\": \"\(kind.rawValue)\""))
        guard case let .decomposed(_, covariances, parts) = model.covariances else {
            Issue.record("not decomposed parameters")
            return
        }
        #expect(covariances.count == 3 && covariances.allSatisfy { $0.count == 4 && $0.allSatisfy { $0.count == 4 } })
        #expect((parts.orientations == nil) == !kind.hasCorrelations)
        for k in 0..<3 {
            #expect(abs(parts.shapes[k].reduce(1, *) - 1) < 1e-12)
            // log det Σ_k = d log λ_k.
            let logDet = model.family.logDeterminant(component: k)
            #expect(abs(logDet - 4 * log(parts.volumes[k])) <= 1e-10 * max(1, abs(logDet)))
        }
    }

    @Test("free parameters are mclust's nMclustParams (G = 3; d = 2, 5, 10)")
    func parameterCounts() {
        // nMclustParams(model, d, 3) for d = 2, 5, 10, read off mclust 6.0.0.
        let expected: [String: [Int]] = [
            "EII": [9, 18, 33], "VII": [11, 20, 35], "EEI": [10, 22, 42], "VEI": [12, 24, 44], "EVI": [12, 30, 60],
            "VVI": [14, 32, 62], "EEE": [11, 32, 87], "VEE": [13, 34, 89], "EVE": [13, 40, 105], "VVE": [15, 42, 107],
            "EEV": [13, 52, 177], "VEV": [15, 54, 179], "EVV": [15, 60, 195], "VVV": [17, 62, 197],
        ]
        for kind in CovarianceKind.mclustOrder {
            let counts = [2, 5, 10].map { kind.parameterCount(componentCount: 3, featureCount: $0) }
            #expect(counts == expected[kind.mclustName], "\(kind.mclustName)")
        }
    }

    @Test("reading checks each constraint and names the key that breaks it")
    func constraints() throws {
        var eev = try object(.EEV)
        var volumes = eev["volume"] as! [Double]
        volumes[2] *= 1 + 1e-6
        eev["volume"] = volumes
        expectBroken(eev, key: "volume[2]")

        var vev = try object(.VEV)
        var shapes = vev["shape"] as! [[Double]]
        shapes[1][0] *= 1.1
        shapes[1][1] /= 1.1          // the product stays 1; the shapes are no longer equal
        vev["shape"] = shapes
        expectBroken(vev, key: "shape[1][0]")

        var evv = try object(.EVV)
        var productBroken = evv["shape"] as! [[Double]]
        productBroken[0][3] *= 1.01
        evv["shape"] = productBroken
        expectBroken(evv, key: "shape[0]")

        var eii = try object(.EII)
        eii["shape"] = (0..<3).map { _ in [2.0, 0.5, 1, 1] }
        expectBroken(eii, key: "shape[0][0]")

        var eve = try object(.EVE)
        var orientations = eve["orientation"] as! [[[Double]]]
        orientations[1] = orientations[1].map { [$0[1], $0[0], $0[2], $0[3]] }  // still orthonormal, no longer equal
        eve["orientation"] = orientations
        expectBroken(eve, key: "orientation[1]")

        var skewed = try object(.VEV)
        var o = skewed["orientation"] as! [[[Double]]]
        o[0][0][0] += 0.01
        skewed["orientation"] = o
        expectBroken(skewed, key: "orientation[0]")

        var missing = try object(.VVE)
        missing["orientation"] = nil
        expectBroken(missing, key: "orientation")

        var inconsistent = try object(.VEE)
        var covariances = inconsistent["covariances"] as! [[[Double]]]
        covariances[2][0][0] *= 1.01
        inconsistent["covariances"] = covariances
        expectBroken(inconsistent, key: "covariances[2]")

        var offDiagonal = try object(.EVI)
        var diag = offDiagonal["covariances"] as! [[[Double]]]
        diag[1][0][1] = 0.1
        diag[1][1][0] = 0.1
        offDiagonal["covariances"] = diag
        expectBroken(offDiagonal, key: "covariances[1]")
    }

    @Test("permuting components permutes the decomposition with them", arguments: [CovarianceKind.VEI, .EVV])
    func permutation(_ kind: CovarianceKind) throws {
        let model = try fitted(kind)
        let permuted = model.permuted([2, 0, 1])
        // The same density (the log-sum-exp adds the components in another order).
        let a = try permuted.logDensities(of: Self.iris), b = try model.logDensities(of: Self.iris)
        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) })
        let back = try ModelFile.decode(ModelFile.encode(permuted, summary: nil), path: "m.json").model
        #expect(back == permuted)
    }
}
