import Foundation
import Testing
@testable import GaussianMixtures

/// Classifying rows with gaps: P(c | x_o) from each class density marginalised to the
/// observed values; complete rows give the complete-data values exactly.
@Suite("Mixture classifiers on rows with gaps")
struct ClassifierMissingTests {
    let iris = try! LabelledData("Tests/Fixtures/data/iris-species.csv", labelColumn: "species")

    /// Iris with a gap in one feature of every 4th row and two gaps in every 7th.
    func gappy() throws -> IncompleteDataMatrix {
        let n = iris.features.sampleCount, d = iris.features.featureCount
        var values = iris.features.values
        for i in 0..<n {
            if i % 4 == 1 { values[i * d + i % d] = .nan }
            if i % 7 == 3 { values[i * d] = .nan; values[i * d + 2] = .nan }
        }
        return try IncompleteDataMatrix(values: values, sampleCount: n, featureCount: d, featureNames: iris.features.featureNames)
    }

    @Test("complete rows give the complete-data probabilities, to the bit", arguments: MixtureClassifier.ModelType.allCases)
    func completeRowsUnchanged(_ type: MixtureClassifier.ModelType) throws {
        let (classifier, _) = try MixtureClassifier.fit(iris.features, classes: iris.classes, classNames: iris.classNames,
                                                        options: ClassifierOptions(modelType: type, componentCounts: [1, 2]))
        let complete = IncompleteDataMatrix(iris.features)
        #expect(try classifier.classProbabilities(for: complete) == classifier.classProbabilities(for: iris.features))
        #expect(try classifier.evaluate(complete, classes: iris.classes) == classifier.evaluate(iris.features, classes: iris.classes))
    }

    /// MclustDA's class density is the class's whole mixture, so log p(x_o | c) is that
    /// mixture's marginal log-density (a separate code path); rows sum to one.
    @Test("MclustDA: log p(x_o | c) is each class mixture's marginal density; priors weight it")
    func mclustDAMarginal() throws {
        let (classifier, _) = try MixtureClassifier.fit(iris.features, classes: iris.classes, classNames: iris.classNames,
                                                        options: ClassifierOptions(componentCounts: [1, 2]))
        let data = try gappy()
        #expect(data.incompleteRowCount > 50)
        let logDensities = try classifier.logClassDensities(of: data)
        let cCount = classifier.classCount
        for (c, density) in classifier.classDensities.enumerated() {
            let expected = try classifier.mixtures[density.mixture].logDensities(of: data)
            for i in 0..<data.sampleCount {
                #expect(abs(logDensities[i * cCount + c] - expected[i]) <= 1e-10 * abs(expected[i]) + 1e-12, "row \(i), class \(c)")
            }
        }
        let priors = [0.2, 0.3, 0.5]
        let p = try classifier.classProbabilities(for: data, priors: priors)
        for i in 0..<data.sampleCount {
            let joint = (0..<cCount).map { priors[$0] * exp(logDensities[i * cCount + $0]) }
            let total = joint.reduce(0, +)
            for c in 0..<cCount { #expect(abs(p[i * cCount + c] - joint[c] / total) < 1e-12, "row \(i), class \(c)") }
        }
    }
}
