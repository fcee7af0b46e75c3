// Fitting a classifier to labelled rows with gaps (`--missing marginalize`).
// The search is that of `fit(_:classes:classNames:options:)`, with the
// missing-data EM in place of the complete-data one:
//
// MclustDA: each (model, K) of a class is `ExpectationMaximization.fit` on that
// class's rows with gaps (Ghahramani–Jordan EM, starts on the rows with each gap
// replaced by its column's observed mean, the hc tree built once per class on
// those rows); BIC = −2 log L_o + p ln n_c with L_o the observed-data likelihood.
//
// EDDA: with gaps one M-step no longer gives the maximum-likelihood fit (the
// missing values' conditional moments depend on the parameters), so each model is
// the missing-data EM with every row's component known (its class), started from
// the class means and covariances of the mean-filled rows; BIC as EDDA's, from
// Σ_i log Σ_c π_c N(x_i,o | θ_c).
//
// Data without gaps goes to the complete-data fit untouched.

import Foundation

extension MixtureClassifier {
    /// Fits a classifier to labelled rows that may have gaps, marginalising the missing values.
    ///
    /// Without gaps this is `fit(_:classes:classNames:options:)` on the complete matrix.
    ///
    /// - Throws: `FitError` as the complete-data fit; `.infeasible` when a feature is
    ///   missing in every row of a class (its density there cannot be estimated).
    public static func fit(
        _ data: IncompleteDataMatrix, classes: [Int], classNames: [String], options: ClassifierOptions
    ) throws(FitError) -> (classifier: MixtureClassifier, candidates: [ClassifierCandidate]) {
        if let complete = data.complete {
            return try fit(complete, classes: classes, classNames: classNames, options: options)
        }
        let counts = try checkInputs(rowCount: data.sampleCount, classes: classes, classNames: classNames, options: options)
        let priors = counts.map { Double($0) / Double(data.sampleCount) }
        let cCount = classNames.count
        var candidates: [ClassifierCandidate] = []
        switch options.modelType {
        case .componentPerClass:
            let known = KnownComponents(classes)
            var best: (model: GaussianMixture, bic: Double)?
            var firstError: FitError?
            for kind in options.covarianceKinds {
                var fitting = options.fitting
                fitting.componentCount = cCount
                fitting.covarianceKind = kind
                fitting.initialization = .kMeans   // every row is known: the start is the classes' own moments
                fitting.initializationCount = 1
                do throws(FitError) {
                    let model = try ExpectationMaximization.fit(data, knownComponents: known, options: fitting).model
                    let logLikelihood: Double
                    do { logLikelihood = try model.logDensities(of: data).reduce(0, +) } catch {
                        throw .componentCollapsed(component: nil, softCount: nil, iteration: 0)
                    }
                    let p = model.parameterCount - (cCount - 1)
                    let bic = -2 * logLikelihood + Double(p) * log(Double(data.sampleCount))
                    record(ClassifierCandidate(className: nil, covarianceKind: kind, componentCount: 1, bic: bic),
                           to: &candidates, options: options, classCount: cCount)
                    if bic.isFinite, best == nil || bic < best!.bic { best = (model, bic) }
                } catch {
                    record(ClassifierCandidate(className: nil, covarianceKind: kind, componentCount: 1, bic: nil),
                           to: &candidates, options: options, classCount: cCount)
                    if firstError == nil { firstError = error }
                }
            }
            guard let best else { throw firstError! }
            let classifier = MixtureClassifier(
                modelType: .componentPerClass, classNames: classNames, priors: priors, mixtures: [best.model],
                classDensities: (0..<cCount).map { ClassDensity(mixture: 0, components: [$0]) }, classSampleCounts: counts)
            return (classifier, candidates)
        case .mixturePerClass:
            var mixtures: [GaussianMixture] = []
            for c in 0..<cCount {
                let subset = try classRows(data, classes: classes, of: c, name: classNames[c])
                var best: (model: GaussianMixture, bic: Double)?
                var firstError: FitError?
                var start = classStart(options.fitting.initialization)
                if start == .hierarchical, let tree = try? AgglomerationTree(
                    data: subset.filled(), seed: ExpectationMaximization.restartSeed(options.fitting.seed, 0)) {
                    start = .hierarchicalTree(tree)
                }
                for kind in options.covarianceKinds {
                    for k in options.componentCounts {
                        var fitting = options.fitting
                        fitting.componentCount = k
                        fitting.covarianceKind = kind
                        fitting.initialization = start
                        do throws(FitError) {
                            let result = try ExpectationMaximization.fit(subset, options: fitting)
                            let bic = GaussianMixture.bic(meanLogLikelihood: result.report.meanLogLikelihood,
                                                          sampleCount: subset.sampleCount,
                                                          parameterCount: result.model.parameterCount)
                            record(ClassifierCandidate(className: classNames[c], covarianceKind: kind,
                                                                  componentCount: k, bic: bic), to: &candidates, options: options, classCount: cCount)
                            if bic.isFinite, best == nil || bic < best!.bic { best = (result.model, bic) }
                        } catch {
                            record(ClassifierCandidate(className: classNames[c], covarianceKind: kind,
                                                                  componentCount: k, bic: nil), to: &candidates, options: options, classCount: cCount)
                            if firstError == nil { firstError = error }
                        }
                    }
                }
                guard let best else {
                    throw firstError ?? .tooFewSamples(samples: subset.sampleCount, components: options.componentCounts.min()!)
                }
                mixtures.append(best.model)
            }
            let classifier = MixtureClassifier(
                modelType: .mixturePerClass, classNames: classNames, priors: priors, mixtures: mixtures,
                classDensities: mixtures.enumerated().map { ClassDensity(mixture: $0.offset, components: Array(0..<$0.element.componentCount)) },
                classSampleCounts: counts)
            return (classifier, candidates)
        }
    }

    /// The rows of class `c`, with their gaps.
    static func classRows(_ data: IncompleteDataMatrix, classes: [Int], of c: Int, name: String) throws(FitError)
        -> IncompleteDataMatrix {
        let rows = (0..<data.sampleCount).filter { classes[$0] == c }
        do throws(DataError) {
            return try IncompleteDataMatrix(values: rows.flatMap { data.row($0) }, sampleCount: rows.count,
                                            featureCount: data.featureCount, featureNames: data.featureNames)
        } catch {
            throw .infeasible(reason: "class \"\(name)\": \(error.description); its density cannot be estimated")
        }
    }
}

extension MixtureClassifier {
    /// `folds`-fold cross-validation on rows with gaps: the folds of
    /// `crossValidate(_:classes:folds:seed:fitting:)` (the same deal from `seed`), each
    /// fold predicted by P(class | x_o) under the chosen models refitted by the
    /// missing-data EM on the other folds. Without gaps it is the complete-data one.
    ///
    /// - Throws: `FitError` when a refit fails, or a feature is missing in every
    ///   training row of a class.
    public func crossValidate(
        _ data: IncompleteDataMatrix, classes: [Int], folds: Int, seed: UInt64, fitting: FitOptions
    ) throws(FitError) -> ClassificationEvaluation {
        if let complete = data.complete {
            return try crossValidate(complete, classes: classes, folds: folds, seed: seed, fitting: fitting)
        }
        let n = data.sampleCount
        guard folds >= 2, folds <= n else {
            throw .invalidOption(name: "folds", reason: "must be between 2 and the number of rows (\(n)), got \(folds)")
        }
        let order = GSLRandom(seed: seed).sampleWithoutReplacement(count: n, from: n)
        var fold = [Int](repeating: 0, count: n)
        for (position, i) in order.enumerated() { fold[i] = position % folds }
        func rows(_ indices: [Int]) throws(FitError) -> IncompleteDataMatrix {
            do throws(DataError) {
                return try IncompleteDataMatrix(values: indices.flatMap { data.row($0) }, sampleCount: indices.count,
                                                featureCount: data.featureCount, featureNames: data.featureNames)
            } catch {
                throw .infeasible(reason: "a cross-validation part: \(error.description); use fewer folds")
            }
        }
        var probabilities = [Double](repeating: 0, count: n * classCount)
        for f in 0..<folds {
            let train = (0..<n).filter { fold[$0] != f }, test = (0..<n).filter { fold[$0] == f }
            let trainData = try rows(train), trainClasses = train.map { classes[$0] }
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
                    let classData = try Self.classRows(trainData, classes: trainClasses, of: c, name: classNames[c])
                    models.append(try ExpectationMaximization.fit(classData, options: options).model)
                }
                let counts = (0..<classCount).map { c in trainClasses.filter { $0 == c }.count }
                refit = MixtureClassifier(
                    modelType: .mixturePerClass, classNames: classNames,
                    priors: counts.map { Double($0) / Double(train.count) }, mixtures: models,
                    classDensities: models.enumerated().map { ClassDensity(mixture: $0.offset, components: Array(0..<$0.element.componentCount)) },
                    classSampleCounts: counts)
            }
            let testData = try rows(test)
            let p: [Double]
            do { p = try refit.classProbabilities(for: testData) } catch {
                throw .infeasible(reason: "fold \(f + 1): \(error.description)")
            }
            for (r, i) in test.enumerated() {
                for c in 0..<classCount { probabilities[i * classCount + c] = p[r * classCount + c] }
            }
        }
        return ClassificationEvaluation(probabilities: probabilities, classCount: classCount, classes: classes)
    }
}
