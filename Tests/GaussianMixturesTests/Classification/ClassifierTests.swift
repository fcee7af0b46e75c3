import Foundation
import Testing
@testable import GaussianMixtures

@Suite("Mixture classifiers (MclustDA, EDDA)")
struct ClassifierTests {
    static let datasets = ["iris", "banknote"]
    static let labelColumn = ["iris": "species", "banknote": "status"]

    func load(_ name: String) throws -> (LabelledData, [String: Any]) {
        let fixture = (classifyFixture["datasets"] as! [String: Any])[name] as! [String: Any]
        return (try LabelledData(fixture["file"] as! String, labelColumn: Self.labelColumn[name]!), fixture)
    }

    /// The fixture's families (the script's MODELS), in our names.
    var kinds: [CovarianceKind] { (classifyFixture["model_names"] as! [String: String]).keys.sorted().map(family) }

    /// EDDA's fit is an M-step on the labels (no start): every model's BIC is mclust's to 1e-8,
    /// and the chosen model, the training error and the Brier score are mclust's.
    @Test("EDDA equals mclust's", arguments: datasets)
    func edda(_ name: String) throws {
        let (data, fixture) = try load(name)
        let edda = fixture["edda"] as! [String: Any]
        #expect(data.classNames == fixture["classes_in_order"] as! [String])
        let (classifier, candidates) = try MixtureClassifier.fit(
            data.features, classes: data.classes, classNames: data.classNames,
            options: ClassifierOptions(modelType: .componentPerClass, covarianceKinds: kinds,
                                       fitting: FitOptions(covarianceRegularization: 0)))
        let expectedBIC = edda["bic_ours"] as! [String: Double]
        for candidate in candidates {
            let theirs = expectedBIC[candidate.covarianceKind.rawValue]!
            #expect(abs(candidate.bic! - theirs) < 1e-8 * abs(theirs), "\(candidate.covarianceKind)")
        }
        #expect(classifier.mixtures[0].covarianceKind == family(edda["family"] as! String))
        let record = try classifier.evaluate(data.features, classes: data.classes)
        #expect(abs(record.errorRate - (edda["training_error"] as! Double)) < 1e-12)
        #expect(abs(record.brierScore - (edda["brier"] as! Double)) < 1e-8 * max(edda["brier"] as! Double, 1e-3))
    }

    /// MclustDA: with K = 1 the per-class fit is the maximum-likelihood estimate, so each
    /// family's BIC equals mclust's to 1e-8. Over K = 1…5 mclust starts EM from hierarchical
    /// agglomeration and we from k-means, so K > 1 fits may reach other optima: our choice per
    /// class is mclust's, or one with a lower BIC than mclust's choice that mclust's own fit
    /// of that (K, model) did not reach (a start difference, checked against its BIC table).
    /// With mclust's chosen (K, model) per class our fits reach its BICs, and the training
    /// error is mclust's.
    @Test("MclustDA agrees with mclust's", arguments: datasets)
    func mclustDA(_ name: String) throws {
        let (data, fixture) = try load(name)
        let da = fixture["mclustda"] as! [String: Any]
        let classes = da["classes"] as! [[String: Any]]
        let single = try MixtureClassifier.fit(
            data.features, classes: data.classes, classNames: data.classNames,
            options: ClassifierOptions(covarianceKinds: kinds, componentCounts: [1], fitting: FitOptions(covarianceRegularization: 0)))
        for candidate in single.candidates {
            let expected = classes.first { $0["name"] as? String == candidate.className }!["bic_ours_g1"] as! [String: Double]
            let theirs = expected[candidate.covarianceKind.rawValue]!
            #expect(abs(candidate.bic! - theirs) < 1e-8 * abs(theirs), "\(candidate.className!) \(candidate.covarianceKind)")
        }
        let fitting = FitOptions(initializationCount: 3, tolerance: 1e-6)
        let (classifier, candidates) = try MixtureClassifier.fit(
            data.features, classes: data.classes, classNames: data.classNames,
            options: ClassifierOptions(covarianceKinds: kinds, fitting: fitting))
        var atTheirChoice: [GaussianMixture] = []
        for (c, expected) in classes.enumerated() {
            let chosen = classifier.mixtures[c]
            let ours = candidates.filter { $0.className == data.classNames[c] }.compactMap(\.bic).min()!
            let theirs = expected["bic_ours"] as! Double
            let sameChoice = chosen.componentCount == expected["G"] as! Int
                && (expected["families"] as! [String]).contains(chosen.covarianceKind.rawValue)
            if sameChoice {
                #expect(abs(ours - theirs) < 1e-4 * abs(theirs), "\(data.classNames[c]): BIC \(ours) vs mclust's \(theirs)")
            } else {
                let table = expected["bic_ours_table"] as! [String: [Any]]
                let theirsThere = table[chosen.covarianceKind.rawValue]![chosen.componentCount - 1] as? Double
                #expect(ours < theirs, "\(data.classNames[c]): chose \(chosen.covarianceKind) K=\(chosen.componentCount), BIC \(ours) vs \(theirs)")
                #expect(theirsThere.map { $0 > ours + 1e-3 } ?? true, "\(data.classNames[c]): mclust reached \(theirsThere!) there")
            }
            // mclust's choice, fitted here.
            var options = fitting
            options.componentCount = expected["G"] as! Int
            options.covarianceKind = family((expected["families"] as! [String])[0])
            let rows = data.features.selectingRows((0..<data.features.sampleCount).filter { data.classes[$0] == c })
            let fit = try ExpectationMaximization.fit(rows, options: options)
            let bic = GaussianMixture.bic(meanLogLikelihood: fit.report.meanLogLikelihood, sampleCount: rows.sampleCount,
                                          parameterCount: fit.model.parameterCount)
            #expect(abs(bic - theirs) < 1e-4 * abs(theirs), "\(data.classNames[c]) at mclust's choice: \(bic) vs \(theirs)")
            atTheirChoice.append(fit.model)
        }
        let theirModels = MixtureClassifier(
            modelType: .mixturePerClass, classNames: data.classNames, priors: classifier.priors, mixtures: atTheirChoice,
            classDensities: atTheirChoice.indices.map { .init(mixture: $0, components: Array(0..<atTheirChoice[$0].componentCount)) },
            classSampleCounts: classifier.classSampleCounts)
        let record = try theirModels.evaluate(data.features, classes: data.classes)
        #expect(abs(record.errorRate - (da["training_error"] as! Double)) < 1e-12)
        #expect(abs(record.brierScore - (da["brier"] as! Double)) < 1e-3)
    }

    /// On mclust's own folds (cvMclustDA's, recorded by the script), EDDA's cross-validated
    /// error and Brier score are mclust's (each refit is an M-step: no start involved).
    @Test("EDDA cross-validation on mclust's folds equals cvMclustDA", arguments: datasets)
    func eddaCrossValidation(_ name: String) throws {
        let (data, fixture) = try load(name)
        let fitting = FitOptions(covarianceRegularization: 0)
        let (classifier, _) = try MixtureClassifier.fit(
            data.features, classes: data.classes, classNames: data.classNames,
            options: ClassifierOptions(modelType: .componentPerClass, covarianceKinds: kinds, fitting: fitting))
        let record = try classifier.crossValidate(data.features, classes: data.classes,
                                                  foldOf: fixture["cv_folds"] as! [Int], fitting: fitting)
        let expected = (fixture["cv"] as! [String: Any])["edda"] as! [String: Double]
        #expect(abs(record.errorRate - expected["error"]!) < 1e-12)
        #expect(abs(record.brierScore - expected["brier"]!) < 1e-8 * expected["brier"]!)
    }

    /// MclustDA on banknote, where the chosen models agree with mclust's: on mclust's folds the
    /// cross-validated error is mclust's (the refits start from k-means, mclust's from
    /// hierarchical agglomeration, so the Brier score is compared loosely).
    @Test("MclustDA cross-validation on mclust's folds (banknote)")
    func mclustDACrossValidation() throws {
        let (data, fixture) = try load("banknote")
        let fitting = FitOptions(initializationCount: 3, tolerance: 1e-6)
        let (classifier, _) = try MixtureClassifier.fit(
            data.features, classes: data.classes, classNames: data.classNames,
            options: ClassifierOptions(covarianceKinds: kinds, fitting: fitting))
        let record = try classifier.crossValidate(data.features, classes: data.classes,
                                                  foldOf: fixture["cv_folds"] as! [Int], fitting: fitting)
        let expected = (fixture["cv"] as! [String: Any])["mclustda"] as! [String: Double]
        #expect(abs(record.errorRate - expected["error"]!) < 1e-12, "\(record.errorRate) vs \(expected["error"]!)")
        #expect(abs(record.brierScore - expected["brier"]!) < 0.5 * expected["brier"]!, "\(record.brierScore) vs \(expected["brier"]!)")
    }

    @Test("class probabilities sum to one; priors shift them; the file round-trips exactly")
    func probabilitiesAndFile() throws {
        let (data, _) = try load("iris")
        for type in MixtureClassifier.ModelType.allCases {
            let (classifier, _) = try MixtureClassifier.fit(
                data.features, classes: data.classes, classNames: data.classNames,
                options: ClassifierOptions(modelType: type, componentCounts: [1, 2]))
            let p = try classifier.classProbabilities(for: data.features)
            for i in 0..<data.features.sampleCount {
                let row = p[(i * 3)..<(i * 3 + 3)]
                #expect(abs(row.reduce(0, +) - 1) < 1e-12 && row.allSatisfy { $0 >= 0 && $0 <= 1 })
            }
            // A prior of (almost) zero for a class removes it from the predictions.
            let skewed = try classifier.classProbabilities(for: data.features, priors: [1, 1e-300, 1])
            #expect(MixtureClassifier.predictedClasses(fromProbabilities: skewed, classCount: 3).allSatisfy { $0 != 1 })
            let bytes = ClassifierFile.encode(classifier)
            let back = try ClassifierFile.decode(bytes, path: "x")
            #expect(back == classifier)
            #expect(ClassifierFile.encode(back) == bytes)
        }
    }

    @Test("cross-validation is seeded and close to the training error")
    func crossValidation() throws {
        let (data, _) = try load("iris")
        let (classifier, _) = try MixtureClassifier.fit(
            data.features, classes: data.classes, classNames: data.classNames,
            options: ClassifierOptions(modelType: .componentPerClass))
        let a = try classifier.crossValidate(data.features, classes: data.classes, folds: 10, seed: 1, fitting: FitOptions())
        let b = try classifier.crossValidate(data.features, classes: data.classes, folds: 10, seed: 1, fitting: FitOptions())
        #expect(a == b)
        #expect(a.confusion.flatMap { $0 }.reduce(0, +) == 150)
        #expect(a.errorRate < 0.06)
    }

    @Test("component labels in a model file")
    func componentLabels() throws {
        let model = try GaussianMixture(weights: [0.5, 0.5], means: [[0], [1]], covariances: .spherical([1, 1]))
        let bytes = ModelFile.encode(model, summary: nil, extra: [ModelFile.componentLabelsMember(["a \"b\"", nil])])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("labels-\(UInt64.random(in: 0...UInt64.max)).json")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try ModelFile.componentLabels(path: url.path) == ["a \"b\"", nil])
        #expect(try ModelFile.read(path: url.path).model == model)
    }
}
