// Semi-supervised EM (mclust's MclustSSC) over the ordinary EM loop: the loop,
// restarts, stopping rule and final scoring pass are `fit(localRows:…)`'s, with
// the clamped E-step of KnownComponents.swift.
//
// The start. Like MclustSSC, the first parameters come from one M-step on
// starting responsibilities in which a labelled row is one-hot on its
// component. MclustSSC gives every unlabelled row 1/K on each component; that
// is kept when every component has labelled rows. When some components have
// none (extra components for classes nobody labelled), 1/K would leave those
// components identical forever, so instead: each labelled component's centre is
// the (weighted) mean of its labelled rows, the other components' centres are
// unlabelled rows drawn by k-means++ (D² sampling from the restart's generator)
// against the centres chosen so far, and every unlabelled row goes wholly to
// its nearest centre (Euclidean).

import Foundation

extension ExpectationMaximization {
    /// Fits a mixture in which some rows' components are known (semi-supervised
    /// EM, mclust's `MclustSSC`).
    ///
    /// In every E-step a labelled row keeps responsibility 1 on its component;
    /// the others are ordinary latent rows. `report.meanLogLikelihood` and the
    /// trace are (Σ over labelled rows of log w_k N(x_i|θ_k) + Σ over the rest of
    /// log Σ_k w_k N(x_i|θ_k)) / n, which never decreases from one iteration to
    /// the next when `covarianceRegularization` is 0 (up to rounding).
    ///
    /// Each restart starts from `semiSupervisedStart` (or the `.model` or
    /// `.responsibilities` given in `options.initialization`). Components without labelled rows model classes
    /// nobody labelled.
    ///
    /// The other parameters are those of `fit(_:weights:options:progress:resumingFrom:checkpoint:shouldStop:)`.
    ///
    /// - Parameters:
    ///   - data: one row per sample, one column per feature.
    ///   - known: one entry per row: its component, or `nil`.
    ///   - weights: one non-negative frequency weight per row (`nil`: all 1).
    ///   - options: K (at least the number of labelled components), the family, restarts and the rest.
    ///   - progress: called after each iteration; may be `nil`.
    ///   - resume: continue from this saved state instead of starting afresh.
    ///   - checkpoint: called after every iteration with the state reached.
    ///   - shouldStop: polled after every iteration; when it answers true the fit returns what it has.
    /// - Throws: `FitError`; `invalidOption` when `knownComponents` does not have
    ///   one entry per row or names a component ≥ K.
    public static func fit(
        _ data: DataMatrix, knownComponents known: KnownComponents, weights: [Double]? = nil, options: FitOptions,
        progress: ((FitProgress) -> Void)? = nil,
        resumingFrom resume: FitCheckpoint? = nil, checkpoint: FitCheckpointHandler? = nil,
        shouldStop: (() -> Bool)? = nil
    ) throws(FitError) -> FitResult {
        try options.validate()
        try options.refuseNoise(in: "known labels (semi-supervised EM)")
        try options.refusePrior(in: "semi-supervised")
        try known.validate(rows: data.sampleCount, componentCount: options.componentCount)
        return try fit(localRows: data, weights: weights, options: options, reducer: LocalReducer(),
                       knownComponents: known, startingModel: { restart throws(FitError) in
            try semiSupervisedStart(for: data, knownComponents: known, weights: weights, options: options,
                                    restart: restart)
        }, progress: progress, resumingFrom: resume, checkpoint: checkpoint, shouldStop: shouldStop)
    }

    /// The starting mixture of restart `restart` of a semi-supervised fit (see
    /// the file's note): one M-step on responsibilities that are one-hot on the
    /// labelled rows and, for the rest, MclustSSC's 1/K when every component has
    /// labelled rows, else wholly on the nearest of the labelled components'
    /// means and k-means++ centres drawn for the others. With `.model`
    /// initialisation it returns that model; with `.responsibilities`, the
    /// M-step on that table as given (labelled rows included).
    ///
    /// - Throws: `FitError.tooFewSamples` when there are fewer rows of positive
    ///   weight than components; `componentCollapsed` when the M-step fails.
    public static func semiSupervisedStart(
        for data: DataMatrix, knownComponents known: KnownComponents, weights: [Double]? = nil,
        options: FitOptions, restart: Int
    ) throws(FitError) -> GaussianMixture {
        try options.validate()
        try known.validate(rows: data.sampleCount, componentCount: options.componentCount)
        switch options.initialization {
        case .model, .responsibilities:
            return try startingModel(for: data, weights: weights, options: options, restart: restart)
        default: break
        }
        if let weights { try validate(weights, rows: data.sampleCount) }
        let usable = weights.map { w in w.filter { $0 > 0 }.count } ?? data.sampleCount
        guard usable >= options.componentCount else {
            throw .tooFewSamples(samples: usable, components: options.componentCount)
        }
        let kCount = options.componentCount, d = data.featureCount
        let labelled = Set(known.labelledComponents)
        if labelled.count == kCount {
            return try startingModel(for: data, weights: weights, options: options) { i, resp in
                let owner = known[i]
                for k in 0..<kCount { resp[k] = owner.map { $0 == k ? 1 : 0 } ?? 1 / Double(kCount) }
            }
        }
        // Centres: labelled components' means, then k-means++ draws among unlabelled rows.
        var centres = [Double](repeating: 0, count: kCount * d)
        var mass = [Double](repeating: 0, count: kCount)
        for i in 0..<data.sampleCount {
            guard let k = known[i] else { continue }
            let w = weights?[i] ?? 1
            mass[k] += w
            for j in 0..<d { centres[k * d + j] += w * data[i, j] }
        }
        for k in labelled where mass[k] > 0 { for j in 0..<d { centres[k * d + j] /= mass[k] } }
        var chosen = labelled.filter { mass[$0] > 0 }.sorted()
        let candidates = (0..<data.sampleCount).filter { known[$0] == nil && (weights?[$0] ?? 1) > 0 }
        let random = GSLRandom(seed: restartSeed(options.seed, restart))
        func distance(_ i: Int, _ k: Int) -> Double {
            var s = 0.0
            for j in 0..<d { let t = data[i, j] - centres[k * d + j]; s += t * t }
            return s
        }
        for k in 0..<kCount where !chosen.contains(k) {
            guard !candidates.isEmpty else { break }
            let d2 = candidates.map { i in (weights?[i] ?? 1) * (chosen.map { distance(i, $0) }.min() ?? 1) }
            let total = d2.reduce(0, +)
            var pick = candidates.count - 1
            if total > 0 {
                var u = random.uniform() * total
                for (c, v) in d2.enumerated() {
                    u -= v
                    if u < 0 { pick = c; break }
                }
            } else {
                pick = Int(random.uniform() * Double(candidates.count)) % candidates.count
            }
            for j in 0..<d { centres[k * d + j] = data[candidates[pick], j] }
            chosen.append(k)
        }
        let ready = chosen
        return try startingModel(for: data, weights: weights, options: options) { i, resp in
            let owner = known[i] ?? ready.min { distance(i, $0) < distance(i, $1) }!
            for k in 0..<kCount { resp[k] = k == owner ? 1 : 0 }
        }
    }

    /// The mixture of one M-step on the responsibilities `z` (n×K, row-major):
    /// mclust's `me()` start (an M-step from z).
    static func startingModel(
        for data: DataMatrix, weights: [Double]?, options: FitOptions, responsibilities z: [Double]
    ) throws(FitError) -> GaussianMixture {
        let kCount = options.componentCount
        precondition(z.count == data.sampleCount * kCount, "one row of K responsibilities per data row")
        return try startingModel(for: data, weights: weights, options: options) { i, resp in
            for k in 0..<kCount { resp[k] = z[i * kCount + k] }
        }
    }

    /// The mixture of one M-step on responsibilities that `row(i, r)` writes (K values at `r`) for row i.
    static func startingModel(
        for data: DataMatrix, weights: [Double]?, options: FitOptions,
        row: (Int, UnsafeMutablePointer<Double>) -> Void
    ) throws(FitError) -> GaussianMixture {
        let kCount = options.componentCount
        let family = options.covarianceKind.family
        let mean = columnMeans(of: data)
        let stats = ExpectationStep.accumulate(
            data, weights: weights, componentCount: kCount, momentShape: family.momentShape,
            shifts: (0..<kCount).flatMap { _ in mean },
            blockRows: blockRowCount(featureCount: data.featureCount, componentCount: kCount)
        ) { range, _, rows, resp, _ in
            for r in 0..<rows { row(range.lowerBound + r, resp + r * kCount) }
        }
        do {
            return try MaximizationStep.parameters(
                from: stats, family: family, regularization: options.covarianceRegularization,
                featureNames: data.featureNames)
        } catch {
            throw collapse(error, stats: stats, iteration: 0)
        }
    }
}
