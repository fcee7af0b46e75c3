import Foundation
import Testing
@testable import GaussianMixtures

@Suite("Variational: model file")
struct VariationalModelFileTests {
    @Test("a variational model file round-trips exactly", arguments: CovarianceKind.scikitLearnKinds)
    func roundTrip(_ kind: CovarianceKind) throws {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/old-faithful.csv").path)
        for prior in WeightPrior.allCases {
            let fit = try variationalFit(data, k: 4, kind: kind, prior: prior)
            let summary = VariationalFitSummary(report: fit.report)
            let bytes = ModelFile.encode(fit.posterior, summary: summary)
            guard case let .variational(back, backSummary) = try ModelFile.decodeModel(bytes, path: "m.json") else {
                Issue.record("not read back as a variational model")
                return
            }
            #expect(back == fit.posterior)
            #expect(back.weights == fit.posterior.weights)
            #expect(backSummary == summary)
            #expect(ModelFile.encode(back, summary: backSummary) == bytes)
            // Readers of EM files see the plug-in mixture.
            #expect(try ModelFile.decode(bytes, path: "m.json").model == fit.posterior.plugInModel)
        }
    }

    @Test("an EM model file reads as an EM model")
    func emFile() throws {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/old-faithful.csv").path)
        let fit = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 2))
        let bytes = ModelFile.encode(fit.model, summary: FitSummary(report: fit.report, model: fit.model))
        guard case let .expectationMaximization(model, summary) = try ModelFile.decodeModel(bytes, path: "m.json") else {
            Issue.record("an EM file read as variational")
            return
        }
        #expect(model == fit.model)
        #expect(summary != nil)
    }

    @Test("a wrong variational section names its key")
    func badSection() throws {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/old-faithful.csv").path)
        let fit = try variationalFit(data, k: 2)
        var text = String(decoding: ModelFile.encode(fit.posterior, summary: nil), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"mean_precision\": [", with: "\"mean_precision\": [-1, ")
        #expect(throws: ModelFileError.self) { try ModelFile.decodeModel(Array(text.utf8), path: "m.json") }
    }

    @Test("out-of-range priors are refused, naming the prior", arguments: [
        ("\"weight_concentration\": 0.5", "\"weight_concentration\": 0", "variational.priors.weight_concentration"),
        ("\"mean_precision\": 1.0", "\"mean_precision\": -1", "variational.priors.mean_precision"),
        ("\"degrees_of_freedom\": 2.0", "\"degrees_of_freedom\": 0.5", "variational.priors.degrees_of_freedom"),
        ("\"covariance\": [", "\"covariance\": [-1, 0, 0, -1], \"unused\": [", "variational.priors.covariance"),
        ("\"covariance\": [", "\"covariance\": [1, 2, 0, 1], \"unused\": [", "variational.priors.covariance"),
    ])
    func badPriors(_ original: String, _ replacement: String, _ key: String) throws {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/old-faithful.csv").path)
        let fit = try variationalFit(data, k: 2)
        let text = String(decoding: ModelFile.encode(fit.posterior, summary: nil), as: UTF8.self)
        let broken = text.replacingOccurrences(of: original, with: replacement)
        #expect(broken != text)
        do {
            _ = try ModelFile.decodeModel(Array(broken.utf8), path: "m.json")
            Issue.record("bad priors were accepted")
        } catch {
            guard case let .invalid(_, found, _) = error else {
                Issue.record("expected an invalid key, got \(error)")
                return
            }
            #expect(found == key)
        }
    }

    @Test("fit facts out of range are refused, naming the key", arguments: [
        ([("\"n_samples\": 272", "\"n_samples\": 0")], "n_samples"),
        ([("\"n_samples\": 272", "\"n_samples\": 1e300")], "n_samples"),
        ([("\"n_iter\": ", "\"n_iter\": 2.5, \"unused\": ")], "n_iter"),
        ([("\"n_iter\": ", "\"sum_of_weights\": 0, \"n_iter\": ")], "sum_of_weights"),
        // A bound per sample beyond a double's range.
        ([("\"n_iter\": ", "\"sum_of_weights\": 1e-10, \"n_iter\": "),
          ("\"lower_bound\": ", "\"lower_bound\": 1e300, \"unused\": ")], "variational.lower_bound"),
    ] as [([(String, String)], String)])
    func badFitFacts(_ replacements: [(String, String)], _ key: String) throws {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/old-faithful.csv").path)
        let fit = try variationalFit(data, k: 2)
        let text = String(decoding: ModelFile.encode(fit.posterior, summary: VariationalFitSummary(report: fit.report)),
                          as: UTF8.self)
        let broken = replacements.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
        #expect(broken != text)
        do {
            _ = try ModelFile.decodeModel(Array(broken.utf8), path: "m.json")
            Issue.record("out-of-range fit facts were accepted")
        } catch {
            guard case let .invalid(_, found, _) = error else {
                Issue.record("expected an invalid key, got \(error)")
                return
            }
            #expect(found == key)
        }
    }

    @Test("GSL special functions")
    func specialFunctions() {
        #expect(abs(GSLSpecialFunctions.digamma(1) + 0.5772156649015329) < 1e-15)
        #expect(abs(GSLSpecialFunctions.logGamma(5) - log(24.0)) < 1e-14)
        #expect(abs(GSLSpecialFunctions.logBeta(2, 3) - log(1.0 / 12)) < 1e-14)
    }
}
