import Foundation

// How well a classifier does on rows whose classes are known: confusion matrix,
// error rate and mclust's Brier score, Σ_i Σ_c (P(c|x_i) − [c = c_i])² / (2n),
// which is 0 for sure, right answers and 1 for sure, wrong ones. Cross-validation
// refits, on each training part, the models chosen on all the data (mclust's
// `cvMclustDA` does the same): each class's covariance model and K for MclustDA,
// the shared covariance model for EDDA.

/// A classifier's record on labelled rows.
public struct ClassificationEvaluation: Sendable, Equatable {
    /// `confusion[true][predicted]`: row counts.
    public var confusion: [[Int]]
    /// The share of rows whose predicted class is not their class.
    public var errorRate: Double
    /// mclust's `BrierScore`: Σ_i Σ_c (P(c|x_i) − [c = c_i])² / (2n).
    public var brierScore: Double
    /// The number of rows.
    public var sampleCount: Int

    /// The record of class probabilities `probabilities` (n×C, row-major) against the true `classes`.
    public init(probabilities: [Double], classCount cCount: Int, classes: [Int]) {
        precondition(probabilities.count == classes.count * cCount, "one row of C probabilities per row")
        let predicted = MixtureClassifier.predictedClasses(fromProbabilities: probabilities, classCount: cCount)
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: cCount), count: cCount)
        var brier = 0.0
        for (i, c) in classes.enumerated() {
            confusion[c][predicted[i]] += 1
            for k in 0..<cCount {
                let t = probabilities[i * cCount + k] - (k == c ? 1 : 0)
                brier += t * t
            }
        }
        let n = classes.count
        self.confusion = confusion
        errorRate = n == 0 ? 0 : Double(zip(classes, predicted).filter { $0 != $1 }.count) / Double(n)
        brierScore = n == 0 ? 0 : brier / Double(2 * n)
        sampleCount = n
    }
}

extension MixtureClassifier {
    /// This classifier's record on `data` with true classes `classes`.
    public func evaluate(_ data: DataMatrix, classes: [Int], priors: [Double]? = nil) throws(ModelError)
        -> ClassificationEvaluation {
        ClassificationEvaluation(probabilities: try classProbabilities(for: data, priors: priors), classCount: classCount,
                                 classes: classes)
    }

    /// `folds`-fold cross-validation of this classifier's chosen models on its
    /// training rows: rows are dealt to folds in a random order drawn from
    /// `seed`; each fold is predicted by the models refitted (with `fitting`'s EM
    /// settings and seed) on the other folds.
    ///
    /// - Throws: `FitError` when a refit fails (e.g. a class has too few rows in a training part).
    public func crossValidate(
        _ data: DataMatrix, classes: [Int], folds: Int, seed: UInt64, fitting: FitOptions
    ) throws(FitError) -> ClassificationEvaluation {
        let n = data.sampleCount
        guard folds >= 2, folds <= n else {
            throw .invalidOption(name: "folds", reason: "must be between 2 and the number of rows (\(n)), got \(folds)")
        }
        let order = GSLRandom(seed: seed).sampleWithoutReplacement(count: n, from: n)
        var fold = [Int](repeating: 0, count: n)
        for (position, i) in order.enumerated() { fold[i] = position % folds }
        return try crossValidate(data, classes: classes, foldOf: fold, fitting: fitting)
    }

    /// Cross-validation over given folds: `foldOf[i]` is row i's fold (0-based; every
    /// fold from 0 to the largest must have rows). Each fold is predicted by the chosen
    /// models refitted on the other folds, as mclust's `cvMclustDA`; a class's refit starts
    /// from `fitting.initialization` on that class's rows (`.model` and `.responsibilities`
    /// become `.hierarchical`, mclust's start).
    public func crossValidate(
        _ data: DataMatrix, classes: [Int], foldOf fold: [Int], fitting: FitOptions
    ) throws(FitError) -> ClassificationEvaluation {
        let n = data.sampleCount
        guard fold.count == n, let largest = fold.max(), fold.allSatisfy({ $0 >= 0 }),
              Set(fold).count == largest + 1, largest >= 1 else {
            throw .invalidOption(name: "foldOf", reason: "expected one fold index per row, folds 0…F−1 (F ≥ 2) all used")
        }
        let folds = largest + 1
        var probabilities = [Double](repeating: 0, count: n * classCount)
        for f in 0..<folds {
            let train = (0..<n).filter { fold[$0] != f }, test = (0..<n).filter { fold[$0] == f }
            let trainData = data.selectingRows(train), trainClasses = train.map { classes[$0] }
            for c in 0..<classCount where !trainClasses.contains(c) {
                throw .invalidOption(name: "folds", reason: "class \"\(classNames[c])\" has no rows outside fold \(f + 1); use fewer folds")
            }
            let refit: MixtureClassifier
            switch modelType {
            case .componentPerClass:
                refit = try Self.fit(trainData, classes: trainClasses, classNames: classNames, options: ClassifierOptions(
                    modelType: .componentPerClass, covarianceKinds: [mixtures[0].covarianceKind], fitting: fitting)).classifier
            case .mixturePerClass:
                var models: [GaussianMixture] = []
                for c in 0..<classCount {
                    let chosen = mixtures[classDensities[c].mixture]
                    var options = fitting
                    options.componentCount = chosen.componentCount
                    options.covarianceKind = chosen.covarianceKind
                    options.initialization = Self.classStart(options.initialization)
                    let rows = trainData.selectingRows((0..<train.count).filter { trainClasses[$0] == c })
                    models.append(try ExpectationMaximization.fit(rows, options: options).model)
                }
                let counts = (0..<classCount).map { c in trainClasses.filter { $0 == c }.count }
                refit = MixtureClassifier(
                    modelType: .mixturePerClass, classNames: classNames,
                    priors: counts.map { Double($0) / Double(train.count) }, mixtures: models,
                    classDensities: models.enumerated().map { ClassDensity(mixture: $0.offset, components: Array(0..<$0.element.componentCount)) },
                    classSampleCounts: counts)
            }
            let p: [Double]
            do { p = try refit.classProbabilities(for: data.selectingRows(test)) } catch {
                preconditionFailure("the refit has the data's features")
            }
            for (r, i) in test.enumerated() {
                for c in 0..<classCount { probabilities[i * classCount + c] = p[r * classCount + c] }
            }
        }
        return ClassificationEvaluation(probabilities: probabilities, classCount: classCount, classes: classes)
    }
}

extension DataMatrix {
    /// The rows `rows` (0-based, any order) as a matrix with the same feature names.
    func selectingRows(_ rows: [Int]) -> DataMatrix {
        // The values are this matrix's, so they are finite and the shape is consistent.
        try! DataMatrix(values: rows.flatMap { row($0) }, sampleCount: rows.count, featureCount: featureCount,
                        featureNames: featureNames)
    }
}
