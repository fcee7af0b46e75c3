import Foundation

// A grid search over component counts and covariance families. Candidates are
// independent fits, so they run concurrently (one per core); each is
// deterministic on its own, and the table is assembled in grid order and then
// sorted, so the result does not depend on scheduling.
//
// ICL follows mclust (Biernacki, Celeux & Govaert 2000, as `mclust:::icl.Mclust`
// computes it), with the sign turned so that lower is better like BIC here:
//   ICL = BIC − 2 Σ_i w_i log max_k P(c = k | x_i),
// i.e. BIC plus twice the entropy of the hard (MAP) assignments.
//
// Variational candidates are ranked by their full evidence lower bound (the
// ELBO with every normaliser, a lower bound on log P(data)), higher first: it
// already charges for the parameters through the priors, so BIC-style
// penalties do not apply.

/// Which criterion ranks the candidates: the information criteria of EM fits
/// (lower is better) or the evidence lower bound of variational fits (higher is better).
public enum SelectionCriterion: String, CaseIterable, Sendable {
    /// The Bayesian information criterion, −2 log L + p log n (lower is better).
    case bic
    /// Akaike's information criterion, −2 log L + 2p (lower is better).
    case aic
    /// mclust's integrated complete-data likelihood criterion: BIC plus twice the
    /// entropy of the hard assignments (lower is better).
    case icl
    /// The full evidence lower bound of a variational fit (higher is better).
    case elbo

    /// Whether larger values are better (only the ELBO).
    public var prefersLarger: Bool { self == .elbo }
}

/// One candidate of a model search: a fitted model with its criteria, or the reason it failed.
public struct SelectionRow: Sendable {
    /// K of the candidate.
    public var componentCount: Int
    /// The candidate's covariance model.
    public var covarianceKind: CovarianceKind
    /// The fit, or `nil` when it failed.
    public var fit: FitResult?
    /// Why the fit failed (for example a collapsed component).
    public var failure: String?
    /// Total log-likelihood of the data, Σ_i w_i log P(x_i).
    public var logLikelihood: Double?
    /// Free parameters, as BIC and AIC count them.
    public var parameterCount: Int
    /// −2 log L + p log n (lower is better); `nil` for a failed or variational candidate.
    public var bic: Double?
    /// −2 log L + 2p (lower is better); `nil` for a failed or variational candidate.
    public var aic: Double?
    /// BIC plus twice the entropy of the hard assignments, as mclust defines it; `nil` for a
    /// failed or variational candidate.
    public var icl: Double?
    /// Wall-clock seconds the fit took.
    public var seconds: Double
    /// A variational candidate's fit (then `fit` is `nil`).
    public var variationalFit: VariationalFitResult?
    /// A variational candidate's full evidence lower bound.
    public var evidenceLowerBound: Double?

    /// The value of `criterion`, `nil` for a failed fit or a criterion of the other method.
    public func value(of criterion: SelectionCriterion) -> Double? {
        switch criterion {
        case .bic: bic
        case .aic: aic
        case .icl: icl
        case .elbo: evidenceLowerBound
        }
    }

    /// Whether the candidate was fitted.
    public var succeeded: Bool { fit != nil || variationalFit != nil }
}

/// The result of a model search: rows sorted by the criterion, best first, failures last.
public struct SelectionTable: Sendable {
    /// The criterion the rows are sorted by.
    public var criterion: SelectionCriterion
    /// Every candidate, best first, failures last.
    public var rows: [SelectionRow]
    /// The best candidate, `nil` if every fit failed.
    public var best: SelectionRow? { rows.first { $0.value(of: criterion) != nil } }

    /// The same candidates ranked by another criterion (no refitting).
    public func ranked(by criterion: SelectionCriterion) -> SelectionTable {
        SelectionTable(criterion: criterion, rows: rows.sorted { a, b in
            switch (a.value(of: criterion), b.value(of: criterion)) {
            case let (x?, y?): criterion.prefersLarger ? x > y : x < y
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): (a.covarianceKind.rawValue, a.componentCount) < (b.covarianceKind.rawValue, b.componentCount)
            }
        })
    }
}

/// Told of each finished candidate of a model search: its row, how many candidates have
/// finished (this one included) and how many there are.
public typealias SelectionProgress = @Sendable (SelectionRow, Int, Int) -> Void

/// Fits a grid of candidate models, as `gmm select` does, and ranks them.
public enum ModelSearch {
    /// Fits every (component count, covariance kind) pair and ranks them.
    ///
    /// - Parameters:
    ///   - data: one row per sample, one column per feature.
    ///   - weights: one non-negative frequency weight per row (`nil`: all 1).
    ///   - componentCounts: the values of K tried.
    ///   - kinds: the covariance models tried.
    ///   - options: every setting except `componentCount` and `covarianceKind`,
    ///     which the grid sets; each candidate uses `options.seed`.
    ///   - criterion: what ranks the table (``SelectionCriterion/bic``, ``SelectionCriterion/aic``
    ///     or ``SelectionCriterion/icl``).
    ///   - concurrency: how many fits run at once (default: the number of cores).
    ///   - progress: told of each finished candidate, with how many have finished and
    ///     the grid's size, from the worker that fitted it (one call at a time).
    ///
    /// With `.hierarchical` initialisation the tree is built once (with the seed
    /// restart 0 of a fit would use) and cut at every K. With a noise component
    /// the starting noise rows are guessed once too (unless given) and the tree is
    /// built on the other rows, as mclust's `Mclust(initialization = list(noise = …))`.
    ///
    /// - Parameter usesMclustPrior: fit each candidate by MAP EM with mclust's default
    ///   conjugate prior for its model and K (`ConjugatePrior.mclustDefault`), as
    ///   `mclustBIC(…, prior = priorControl())` does; `options.prior` is then ignored.
    ///   A model mclust defines no prior for is a failed row.
    public static func run(
        _ data: DataMatrix, weights: [Double]? = nil, componentCounts: [Int], kinds: [CovarianceKind],
        options: FitOptions, criterion: SelectionCriterion, usesMclustPrior: Bool = false,
        concurrency: Int = ProcessInfo.processInfo.activeProcessorCount, progress: SelectionProgress? = nil
    ) -> SelectionTable {
        var shared = options
        var treeRows = data
        if var noise = options.noise {
            // One guess for every candidate (made with the seed of a fit's first restart).
            let seed = ExpectationMaximization.restartSeed(options.seed, 0)
            if noise.initialNoise == nil {
                noise.initialNoise = try? NoiseInitialization.nearestNeighbourGuess(
                    of: data, weights: weights, neighbourCount: noise.neighbourCount, random: GSLRandom(seed: seed))
            }
            shared.noise = noise
        }
        if let noise = shared.noise, options.initialization == .hierarchical, weights == nil {
            if let isNoise = noise.initialNoise, isNoise.count == data.sampleCount,
               let kept = try? DataMatrix(rows: (0..<data.sampleCount).filter { !isNoise[$0] }.map { data.row($0) },
                                          featureNames: data.featureNames) {
                treeRows = kept
            }
        }
        if options.initialization == .hierarchical, weights == nil,
           let tree = try? AgglomerationTree(data: treeRows, seed: ExpectationMaximization.restartSeed(options.seed, 0)) {
            shared.initialization = .hierarchicalTree(tree)
        }
        let options = shared
        let rows = grid(componentCounts: componentCounts, kinds: kinds, concurrency: concurrency, progress: progress) { kind, k in
            candidate(data, weights: weights, kind: kind, components: k, options: options, usesMclustPrior: usesMclustPrior)
        }
        return SelectionTable(criterion: criterion, rows: rows).ranked(by: criterion)
    }

    /// Fits a variational mixture for every (truncation K, covariance kind) pair and
    /// ranks them by the full evidence lower bound, highest first.
    ///
    /// - Parameters:
    ///   - data: one row per sample, one column per feature.
    ///   - weights: one non-negative frequency weight per row (`nil`: all 1).
    ///   - componentCounts: the truncations K tried.
    ///   - kinds: the covariance families tried (scikit-learn's four).
    ///   - concurrency: how many fits run at once (default: the number of cores).
    ///   - options: priors and every setting except `fit.componentCount` and
    ///     `fit.covarianceKind`, which the grid sets. Priors left `nil` take each
    ///     candidate's defaults (γ = 1/K, Ψ₀ in the family's shape); a given Ψ₀
    ///     has one family's shape, and candidates of other families fail with that reason.
    public static func runVariational(
        _ data: DataMatrix, weights: [Double]? = nil, componentCounts: [Int], kinds: [CovarianceKind],
        options: VariationalFitOptions, concurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
        progress: SelectionProgress? = nil
    ) -> SelectionTable {
        let rows = grid(componentCounts: componentCounts, kinds: kinds, concurrency: concurrency, progress: progress) { kind, k in
            variationalCandidate(data, weights: weights, kind: kind, components: k, options: options)
        }
        return SelectionTable(criterion: .elbo, rows: rows).ranked(by: .elbo)
    }

    /// Runs `candidate` for every grid point, up to `concurrency` at once, in grid order.
    static func grid(
        componentCounts: [Int], kinds: [CovarianceKind], concurrency: Int, progress: SelectionProgress? = nil,
        _ candidate: @escaping @Sendable (CovarianceKind, Int) -> SelectionRow
    ) -> [SelectionRow] {
        let grid = kinds.flatMap { kind in componentCounts.map { (kind, $0) } }
        let finished = FinishedCount(total: grid.count, progress: progress)
        return ParallelWork.orderedMap(count: grid.count, threads: concurrency) { idx in
            let (kind, k) = grid[idx]
            let row = candidate(kind, k)
            finished.add(row)
            return row
        }
    }

    static func variationalCandidate(
        _ data: DataMatrix, weights: [Double]?, kind: CovarianceKind, components: Int, options: VariationalFitOptions
    ) -> SelectionRow {
        var opts = options
        if opts.fit.threadCount == nil { opts.fit.threadCount = 1 }
        opts.fit.componentCount = components
        opts.fit.covarianceKind = kind
        return timedRow(kind: kind, components: components, featureCount: data.featureCount) { row throws(FitError) in
            let fit = try VariationalInference.fit(data, weights: weights, options: opts)
            row.variationalFit = fit
            row.evidenceLowerBound = fit.posterior.evidenceLowerBound(
                lowerBound: fit.report.lowerBound, totalWeight: fit.report.totalWeight ?? Double(data.sampleCount))
        }
    }

    /// A row for one candidate: `fit` fills it in; its time and any failure are recorded.
    static func timedRow(
        kind: CovarianceKind, components: Int, featureCount d: Int, noise: Bool = false,
        _ fit: (inout SelectionRow) throws(FitError) -> Void
    ) -> SelectionRow {
        // A noise component adds its weight and volume (mclust's nMclustParams(noise = TRUE)).
        let p = kind.parameterCount(componentCount: components, featureCount: d) + (noise ? 2 : 0)
        let clock = ContinuousClock()
        let began = clock.now
        var row = SelectionRow(componentCount: components, covarianceKind: kind, parameterCount: p, seconds: 0)
        do {
            try fit(&row)
        } catch {
            row.failure = error.description
        }
        let elapsed = clock.now - began
        row.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return row
    }

    static func candidate(
        _ data: DataMatrix, weights: [Double]?, kind: CovarianceKind, components: Int, options: FitOptions,
        usesMclustPrior: Bool = false
    ) -> SelectionRow {
        var opts = options
        // Candidates already run one per core; each fit uses one thread unless told otherwise.
        if opts.threadCount == nil { opts.threadCount = 1 }
        opts.componentCount = components
        opts.covarianceKind = kind
        return timedRow(kind: kind, components: components, featureCount: data.featureCount,
                        noise: opts.noise != nil) { row throws(FitError) in
            let p = row.parameterCount
            var opts = opts
            if usesMclustPrior {
                opts.prior = try ConjugatePrior.mclustDefault(for: data, weights: weights, componentCount: components, kind: kind)
            }
            let fit = try ExpectationMaximization.fit(data, weights: weights, options: opts)
            let n = fit.report.effectiveSampleSize
            let bic = GaussianMixture.bic(meanLogLikelihood: fit.report.meanLogLikelihood, sampleSize: n, parameterCount: p)
            var hardLogLikelihood = 0.0
            let kCount = fit.model.componentCount
            fit.model.posterior(for: data, logarithmic: true, threads: opts.threadCount) { block in
                for r in 0..<block.rows.count {
                    var top = -Double.infinity
                    for k in 0..<kCount { top = max(top, block.responsibilities[r * kCount + k]) }
                    if let z0 = block.noiseResponsibilities { top = max(top, z0[r]) }
                    let w = weights?[block.rows.lowerBound + r] ?? 1
                    if w != 0 { hardLogLikelihood += w * top }
                }
            }
            row.fit = fit
            row.logLikelihood = fit.report.meanLogLikelihood * n
            row.bic = bic
            row.aic = GaussianMixture.aic(meanLogLikelihood: fit.report.meanLogLikelihood, sampleSize: n, parameterCount: p)
            row.icl = bic - 2 * hardLogLikelihood
        }
    }
}

/// Counts finished candidates and tells `progress` of each, one call at a time.
private final class FinishedCount: @unchecked Sendable {
    // @unchecked: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0
    private let total: Int
    private let progress: SelectionProgress?
    init(total: Int, progress: SelectionProgress?) { self.total = total; self.progress = progress }

    func add(_ row: SelectionRow) {
        guard let progress else { return }
        lock.withLock {
            count += 1
            progress(row, count, total)
        }
    }
}
