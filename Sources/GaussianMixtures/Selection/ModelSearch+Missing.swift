import Foundation

// The grid search on data with gaps: every candidate is the missing-data EM
// of `ExpectationMaximization.fit(_:IncompleteDataMatrix…)`, so a candidate is
// that fit with its K and model, to the bit. Starts are made as that fit makes
// them, on the data with each gap replaced by its column's observed mean; the
// hierarchical tree (`.hierarchical`) is built once on those rows, with the
// seed of a fit's first restart, and cut at every K — the tree that fit would
// build. BIC, AIC and ICL use the observed-data log-likelihood Σ_i w_i log P(x_i,o)
// and, for ICL, the hard assignments by P(c | x_o).
//
// Data without gaps goes to the complete-data search untouched.

extension ModelSearch {
    /// Fits every (component count, covariance kind) pair to data that may have gaps,
    /// marginalising the missing values, and ranks them.
    ///
    /// Without gaps this is `run(_:weights:componentCounts:kinds:options:criterion:…)` on the
    /// complete matrix. A noise component and a prior are refused for data with gaps (every
    /// candidate fails with the reason), as the missing-data EM refuses them.
    public static func run(
        _ data: IncompleteDataMatrix, weights: [Double]? = nil, componentCounts: [Int], kinds: [CovarianceKind],
        options: FitOptions, criterion: SelectionCriterion,
        concurrency: Int = ProcessInfo.processInfo.activeProcessorCount, progress: SelectionProgress? = nil
    ) -> SelectionTable {
        if let complete = data.complete {
            return run(complete, weights: weights, componentCounts: componentCounts, kinds: kinds, options: options,
                       criterion: criterion, concurrency: concurrency, progress: progress)
        }
        var shared = options
        if options.initialization == .hierarchical, weights == nil,
           let tree = try? AgglomerationTree(data: data.filled(), seed: ExpectationMaximization.restartSeed(options.seed, 0)) {
            shared.initialization = .hierarchicalTree(tree)
        }
        let options = shared
        let rows = grid(componentCounts: componentCounts, kinds: kinds, concurrency: concurrency, progress: progress) { kind, k in
            candidate(data, weights: weights, kind: kind, components: k, options: options)
        }
        return SelectionTable(criterion: criterion, rows: rows).ranked(by: criterion)
    }

    /// One candidate on data with gaps: the missing-data EM, and its criteria.
    static func candidate(
        _ data: IncompleteDataMatrix, weights: [Double]?, kind: CovarianceKind, components: Int, options: FitOptions
    ) -> SelectionRow {
        var opts = options
        if opts.threadCount == nil { opts.threadCount = 1 }
        opts.componentCount = components
        opts.covarianceKind = kind
        return timedRow(kind: kind, components: components, featureCount: data.featureCount,
                        noise: opts.noise != nil) { row throws(FitError) in
            let p = row.parameterCount
            let fit = try ExpectationMaximization.fit(data, weights: weights, options: opts)
            let n = fit.report.effectiveSampleSize
            let bic = GaussianMixture.bic(meanLogLikelihood: fit.report.meanLogLikelihood, sampleSize: n, parameterCount: p)
            let resp: ResponsibilityMatrix
            do {
                resp = try fit.model.responsibilities(for: data, logarithmic: true)
            } catch {
                throw .componentCollapsed(component: nil, softCount: nil, iteration: fit.report.iterationCount)
            }
            let kCount = fit.model.componentCount
            var hardLogLikelihood = 0.0
            for i in 0..<data.sampleCount {
                var top = -Double.infinity
                for k in 0..<kCount { top = max(top, resp.values[i * kCount + k]) }
                let w = weights?[i] ?? 1
                if w != 0 { hardLogLikelihood += w * top }
            }
            row.fit = fit
            row.logLikelihood = fit.report.meanLogLikelihood * n
            row.bic = bic
            row.aic = GaussianMixture.aic(meanLogLikelihood: fit.report.meanLogLikelihood, sampleSize: n, parameterCount: p)
            row.icl = bic - 2 * hardLogLikelihood
        }
    }
}
