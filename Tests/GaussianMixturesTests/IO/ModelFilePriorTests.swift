import Foundation
import Testing
@testable import GaussianMixtures

@Suite("The conjugate prior in the model file")
struct ModelFilePriorTests {
    /// model + prior → file → prior is exact (shortest round-trip doubles), both scale forms.
    @Test("the prior round-trips exactly", arguments: [CovarianceKind.full, .VEI, .EEV, .spherical])
    func roundTrip(_ kind: CovarianceKind) throws {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/iris.csv").path)
        let prior = try ConjugatePrior.mclustDefault(for: data, componentCount: 3, kind: kind)
        let fit = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 3, covarianceKind: kind,
                                                                            maxIterations: 5, prior: prior))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("prior-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(ModelFile.encode(fit.model, summary: nil, extra: [ModelFile.priorMember(prior)])).write(to: url)
        #expect(try ModelFile.prior(path: url.path) == prior)
        #expect(try ModelFile.read(path: url.path).model == fit.model)
        // A file without the member has no prior.
        try Data(ModelFile.encode(fit.model, summary: nil)).write(to: url)
        #expect(try ModelFile.prior(path: url.path) == nil)
    }

    /// A prior of the wrong form for the file's model is refused, naming the key.
    @Test("a prior that does not fit the model names the key")
    func mismatched() throws {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/iris.csv").path)
        let axis = try ConjugatePrior.mclustDefault(for: data, componentCount: 2, kind: .diagonal)
        let fit = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 2, covarianceKind: .full, maxIterations: 2))
        let bytes = ModelFile.encode(fit.model, summary: nil, extra: [ModelFile.priorMember(axis)])
        #expect(throws: ModelFileError.invalid(path: "m.json", key: "prior.scale", reason: "must be a 4×4 matrix for VVV")) {
            _ = try ModelFile.decode(bytes, path: "m.json")
        }
        let vee = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 2, covarianceKind: .VEE, maxIterations: 2))
        let full = try ConjugatePrior.mclustDefault(for: data, componentCount: 2, kind: .full)
        let veeBytes = ModelFile.encode(vee.model, summary: nil, extra: [ModelFile.priorMember(full)])
        #expect(throws: ModelFileError.self) { _ = try ModelFile.decode(veeBytes, path: "m.json") }
    }
}
