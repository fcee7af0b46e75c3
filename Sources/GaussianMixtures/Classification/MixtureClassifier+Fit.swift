import Foundation

// Fitting a MixtureClassifier as mclust's MclustDA and EDDA do.
//
// MclustDA: for each class separately, every (covariance model, K) of the grid
// (default: every `CovarianceKind`, K = 1…5, MclustDA's defaults) is fitted by
// EM to that class's rows, and the lowest BIC (−2 log L + p ln n_c) is kept.
// The start is `fitting.initialization`, by default `.hierarchical` as mclust's
// (`mclustBIC` on the class's rows: model-based agglomeration, VVV on the
// scaled SVD, `hcUse = "SVD"`): the tree is built once per class, from that
// class's rows, and cut at every K. A `.model` or `.responsibilities` start
// describes all rows, not one class's, so per-class fits use `.hierarchical`
// instead. K = 1 is the maximum-likelihood estimate whatever the start.
//
// EDDA: one component per class. With every row's class known, the fit is one
// M-step on one-hot responsibilities (no start, no iterations); the shared
// covariance model is chosen by mclust's EDDA BIC: −2 Σ_i log Σ_c π_c N(x_i | θ_c)
// + p ln n with p the means and covariance parameters (mclust's `equalPro`
// count: the priors are the class shares, not fitted).

/// How `MixtureClassifier.fit` searches.
public struct ClassifierOptions: Sendable {
    /// A mixture per class (mclust's `MclustDA`, the default) or a component per class (`EDDA`).
    public var modelType: MixtureClassifier.ModelType
    /// The covariance models tried (default: all).
    public var covarianceKinds: [CovarianceKind]
    /// The component counts tried per class (MclustDA only; default 1…5, as mclust's).
    public var componentCounts: [Int]
    /// EM settings of each fit (its `componentCount` and `covarianceKind` are set per fit). Its
    /// `initialization` is the per-class start of MclustDA (default `.hierarchical`, mclust's;
    /// `.kMeans` and the other random starts are kept; `.model` and `.responsibilities`
    /// become `.hierarchical`); EDDA needs no start.
    public var fitting: FitOptions
    /// Told of each candidate when it is fitted (or failed), with how many are done and how many there are.
    public var progress: (@Sendable (ClassifierCandidate, Int, Int) -> Void)?

    /// How many candidates a search of `classCount` classes tries.
    public func candidateCount(classCount: Int) -> Int {
        modelType == .componentPerClass ? covarianceKinds.count : classCount * covarianceKinds.count * componentCounts.count
    }

    /// Options with mclust's defaults: `MclustDA` over every covariance model and K = 1…5, each class started
    /// from its hierarchical agglomeration.
    public init(modelType: MixtureClassifier.ModelType = .mixturePerClass,
                covarianceKinds: [CovarianceKind] = CovarianceKind.allCases, componentCounts: [Int] = Array(1...5),
                fitting: FitOptions = FitOptions(initialization: .hierarchical)) {
        self.modelType = modelType
        self.covarianceKinds = covarianceKinds
        self.componentCounts = componentCounts
        self.fitting = fitting
    }
}

/// One entry of a classifier's model search: a class (MclustDA) or all classes (EDDA, `className` nil).
public struct ClassifierCandidate: Sendable, Equatable {
    /// The class this candidate models; `nil` for an EDDA candidate, which models every class.
    public var className: String?
    /// The candidate's covariance model.
    public var covarianceKind: CovarianceKind
    /// The candidate's number of components (1 per class for EDDA).
    public var componentCount: Int
    /// Our sign: −2 log L + p ln n (lower is better); `nil` when the fit failed.
    public var bic: Double?
}

extension MixtureClassifier {
    /// Fits a classifier to labelled rows.
    ///
    /// - Parameters:
    ///   - data: one row per sample.
    ///   - classes: per row, the index of its class in `classNames`.
    ///   - classNames: the class names; every class needs at least one row.
    ///   - options: the model type, the covariance models and component counts tried, and the EM settings.
    /// - Returns: the classifier and every candidate tried with its BIC.
    /// - Throws: `FitError`: `invalidOption` for mismatched inputs, or the first
    ///   failure of a class none of whose candidates could be fitted.
    public static func fit(
        _ data: DataMatrix, classes: [Int], classNames: [String], options: ClassifierOptions
    ) throws(FitError) -> (classifier: MixtureClassifier, candidates: [ClassifierCandidate]) {
        let counts = try checkInputs(rowCount: data.sampleCount, classes: classes, classNames: classNames, options: options)
        let cCount = classNames.count
        let priors = counts.map { Double($0) / Double(data.sampleCount) }
        switch options.modelType {
        case .componentPerClass:
            return try fitComponentPerClass(data, classes: classes, classNames: classNames, priors: priors,
                                            counts: counts, options: options)
        case .mixturePerClass:
            var mixtures: [GaussianMixture] = []
            var candidates: [ClassifierCandidate] = []
            for c in 0..<cCount {
                let rows = (0..<data.sampleCount).filter { classes[$0] == c }
                let subset = try! DataMatrix(values: rows.flatMap { data.row($0) }, sampleCount: rows.count,
                                             featureCount: data.featureCount, featureNames: data.featureNames)
                var best: (model: GaussianMixture, bic: Double)?
                var firstError: FitError?
                var start = classStart(options.fitting.initialization)
                if start == .hierarchical,
                   let tree = try? AgglomerationTree(data: subset, seed: ExpectationMaximization.restartSeed(options.fitting.seed, 0)) {
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
                                                          sampleCount: rows.count, parameterCount: result.model.parameterCount)
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
                    throw firstError ?? .tooFewSamples(samples: rows.count, components: options.componentCounts.min()!)
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

    /// Appends a candidate and tells `options.progress`.
    static func record(_ candidate: ClassifierCandidate, to candidates: inout [ClassifierCandidate],
                       options: ClassifierOptions, classCount: Int) {
        candidates.append(candidate)
        options.progress?(candidate, candidates.count, options.candidateCount(classCount: classCount))
    }

    /// Checks the inputs of a fit; returns the number of rows of each class.
    static func checkInputs(rowCount: Int, classes: [Int], classNames: [String], options: ClassifierOptions)
        throws(FitError) -> [Int] {
        try options.fitting.refuseNoise(in: "classifiers (MclustDA)")
        guard classes.count == rowCount else {
            throw .invalidOption(name: "classes", reason: "has \(classes.count) entries but the data has \(rowCount) rows")
        }
        let cCount = classNames.count
        guard cCount >= 1, classes.allSatisfy({ $0 >= 0 && $0 < cCount }) else {
            throw .invalidOption(name: "classes", reason: "every entry must be a class index below \(cCount)")
        }
        let counts = (0..<cCount).map { c in classes.filter { $0 == c }.count }
        if let empty = counts.firstIndex(of: 0) {
            throw .invalidOption(name: "classes", reason: "class \"\(classNames[empty])\" has no rows")
        }
        guard !options.covarianceKinds.isEmpty else { throw .invalidOption(name: "covarianceKinds", reason: "is empty") }
        if options.modelType == .mixturePerClass {
            guard !options.componentCounts.isEmpty, options.componentCounts.allSatisfy({ $0 >= 1 }) else {
                throw .invalidOption(name: "componentCounts", reason: "must be a non-empty list of counts ≥ 1")
            }
        }
        return counts
    }

    /// The start of a fit to one class's rows: `initialization`, except that a `.model` or
    /// `.responsibilities` start (made for all rows) becomes `.hierarchical`.
    static func classStart(_ initialization: InitializationMethod) -> InitializationMethod {
        switch initialization {
        case .model, .responsibilities: .hierarchical
        default: initialization
        }
    }

    /// EDDA: per covariance model, one M-step on the one-hot class responsibilities; the lowest EDDA BIC wins.
    private static func fitComponentPerClass(
        _ data: DataMatrix, classes: [Int], classNames: [String], priors: [Double], counts: [Int],
        options: ClassifierOptions
    ) throws(FitError) -> (classifier: MixtureClassifier, candidates: [ClassifierCandidate]) {
        let cCount = classNames.count
        let known = KnownComponents(classes)
        var best: (model: GaussianMixture, bic: Double)?
        var firstError: FitError?
        var candidates: [ClassifierCandidate] = []
        for kind in options.covarianceKinds {
            var fitting = options.fitting
            fitting.componentCount = cCount
            fitting.covarianceKind = kind
            fitting.initialization = .kMeans
            do throws(FitError) {
                let model = try ExpectationMaximization.semiSupervisedStart(
                    for: data, knownComponents: known, options: fitting, restart: 0)
                let logLikelihood: Double
                do { logLikelihood = try model.meanLogLikelihood(of: data) * Double(data.sampleCount) } catch {
                    preconditionFailure("the model was fitted to these features")
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
    }
}
