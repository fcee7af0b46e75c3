/// How the first set of parameters is made, as scikit-learn's `init_params`.
///
/// Every method except `.model` yields starting responsibilities that go
/// through the ordinary M-step, so initial parameters are computed by the same
/// code as later ones.
public enum InitializationMethod: Sendable, Equatable {
    /// Hard labels from one seeded k-means run (k-means++ seeding, then Lloyd) — `"kmeans"`.
    ///
    /// Above 2^20 rows, k-means runs on a seeded sample of 2^18 rows and every
    /// row goes to its nearest final centre, so the start needs no per-row memory.
    case kMeans
    /// One row per component chosen by k-means++ seeding, responsibility 1 there — `"k-means++"`
    /// (above 2^20 rows, seeding on the same kind of sample).
    case kMeansPlusPlus
    /// Uniform random responsibilities, each row normalised — `"random"`.
    case randomResponsibilities
    /// K distinct rows chosen uniformly, responsibility 1 there — `"random_from_data"`.
    case randomSamples
    /// Start from these parameters exactly (`weights_init`, `means_init`, `precisions_init`).
    case model(GaussianMixture)
    /// Start with an M-step from these responsibilities P(c = k | x_i): one row
    /// per sample (the data's rows, in order), one column per component, each
    /// cell finite and ≥ 0, each row summing to 1 within 1e-6 — mclust's `me()`,
    /// scikit-learn's `_initialize(X, resp)`. The cells are used as given (not
    /// renormalised). Only one restart makes sense (`initializationCount` 1).
    case responsibilities(DataMatrix)
    /// mclust's default start (`Mclust()`): model-based hierarchical agglomeration
    /// (VVV, on the scaled SVD of the standardised data) cut at K clusters, then
    /// an M-step from that one-hot partition — `"hc"`. Above 2000 rows the tree is
    /// built on a subset of 2000 rows drawn with the restart's seed, and the
    /// M-step is the subset's (AgglomerationTree.swift). Takes no frequency weights.
    case hierarchical
    /// The same start from a tree already built for these rows, so that a search
    /// over K builds it once and cuts it at every K.
    case hierarchicalTree(AgglomerationTree)
}

extension InitializationMethod {
    /// How far a row of starting responsibilities may sum from 1.
    public static let responsibilityRowSumTolerance = 1e-6

    /// The first cell or row of `table` that cannot be starting responsibilities,
    /// scanning rows in order: `column` is 0-based for a bad cell (negative or
    /// not finite), `nil` for a row whose sum is off 1 by more than
    /// `responsibilityRowSumTolerance`; `nil` when every row is usable.
    public static func firstInvalidResponsibility(in table: DataMatrix) -> (row: Int, column: Int?, reason: String)? {
        let kCount = table.featureCount
        return table.withUnsafeBufferPointer { z -> (row: Int, column: Int?, reason: String)? in
            for i in 0..<table.sampleCount {
                var total = 0.0
                for k in 0..<kCount {
                    let v = z[i * kCount + k]
                    guard v.isFinite, v >= 0 else {
                        return (i, k, "a responsibility must be finite and non-negative, found \(v)")
                    }
                    total += v
                }
                guard abs(total - 1) <= responsibilityRowSumTolerance else {
                    return (i, nil, "responsibilities of a row must sum to 1 (within 1e-6), found \(total)")
                }
            }
            return nil
        }
    }
}

/// The starting mixture for one restart.
///
/// With frequency weights, rows of weight 0 are never chosen as seeds, and
/// k-means weighs every row by its weight, so that integer weights act as
/// repeated rows.
enum Initializer {
    static func startingModel(
        for data: DataMatrix, weights: [Double]?, options: FitOptions, random: GSLRandom
    ) throws(FitError) -> GaussianMixture {
        if options.noise != nil {
            return try NoiseInitialization.startingModel(for: data, weights: weights, options: options, random: random)
        }
        if case let .model(start) = options.initialization {
            guard start.featureCount == data.featureCount else {
                throw .featureCountMismatch(expected: start.featureCount, actual: data.featureCount)
            }
            return (try? start.renamingFeatures(data.featureNames)) ?? start
        }
        let stats = try startingStatistics(for: data, weights: weights, options: options, random: random)
        return try maximize(stats, options: options, featureNames: data.featureNames)
    }

    /// The first M-step, from the starting statistics.
    static func maximize(
        _ stats: SufficientStatistics, options: FitOptions, featureNames: [String], noise: NoiseComponent? = nil
    ) throws(FitError) -> GaussianMixture {
        do {
            return try MaximizationStep.parameters(
                from: stats, family: options.covarianceKind.family, regularization: options.covarianceRegularization,
                featureNames: featureNames, noise: noise, prior: options.prior)
        } catch {
            throw collapse(error, stats: stats, iteration: 0)
        }
    }

    /// The statistics of the starting responsibilities (every method but `.model`).
    static func startingStatistics(
        for data: DataMatrix, weights: [Double]?, options: FitOptions, random: GSLRandom
    ) throws(FitError) -> SufficientStatistics {
        let kCount = options.componentCount
        let family = options.covarianceKind.family
        let d = data.featureCount
        let blockRows = blockRowCount(featureCount: d, componentCount: kCount)
        // Moments around the data mean: a shift every component can share.
        let mean = columnMeans(of: data)
        let shifts = (0..<kCount).flatMap { _ in mean }
        func statistics(_ fill: (Range<Int>, Int, UnsafeMutablePointer<Double>) -> Void) -> SufficientStatistics {
            ExpectationStep.accumulate(
                data, weights: weights, componentCount: kCount, momentShape: family.momentShape, shifts: shifts,
                blockRows: blockRows
            ) { range, _, rows, resp, _ in fill(range, rows, resp) }
        }
        /// One-hot responsibilities: row i belongs to component `owner(i)` (or to none).
        func hard(_ owner: (Int) -> Int?) -> SufficientStatistics {
            statistics { range, rows, resp in
                for r in 0..<rows {
                    let k0 = owner(range.lowerBound + r)
                    for k in 0..<kCount { resp[r * kCount + k] = k == k0 ? 1 : 0 }
                }
            }
        }
        let stats: SufficientStatistics
        switch options.initialization {
        case .hierarchical, .hierarchicalTree:
            guard weights == nil else {
                throw .invalidOption(name: "initialization", reason: "hc (the hierarchical start) takes no frequency weights; "
                    + "use k-means")
            }
            let tree: AgglomerationTree
            if case let .hierarchicalTree(given) = options.initialization {
                guard given.dataRowCount == data.sampleCount else {
                    throw .invalidOption(name: "initialization", reason: "is a tree built for \(given.dataRowCount) rows, "
                        + "but the data has \(data.sampleCount) rows")
                }
                tree = given
            } else {
                tree = try AgglomerationTree(data: data, random: random)
            }
            guard tree.leafCount >= kCount else { throw .tooFewSamples(samples: tree.leafCount, components: kCount) }
            let labels = tree.partition(clusterCount: kCount)
            if let rows = tree.rows {
                // mclust: the M-step of the subset's partition; EM then runs on every row.
                let subset = (try? DataMatrix(rows: rows.map { data.row($0) }, featureNames: data.featureNames)) ?? data
                let subsetMean = columnMeans(of: subset)
                stats = ExpectationStep.accumulate(
                    subset, weights: nil, componentCount: kCount, momentShape: family.momentShape,
                    shifts: (0..<kCount).flatMap { _ in subsetMean }, blockRows: blockRows
                ) { range, _, rows, resp, _ in
                    for r in 0..<rows {
                        for k in 0..<kCount { resp[r * kCount + k] = k == labels[range.lowerBound + r] ? 1 : 0 }
                    }
                }
            } else {
                stats = hard { labels[$0] }
            }
        case .model:
            preconditionFailure("a given model has no starting statistics")
        case let .responsibilities(table):
            guard table.sampleCount == data.sampleCount else {
                throw .invalidOption(name: "initialization", reason: "has responsibilities for \(table.sampleCount) rows, "
                    + "but the data has \(data.sampleCount) rows")
            }
            // FitOptions.validate checked the columns and the cells.
            stats = table.withUnsafeBufferPointer { z in
                statistics { range, rows, resp in
                    for r in 0..<(rows * kCount) { resp[r] = z[range.lowerBound * kCount + r] }
                }
            }
        case .kMeans where data.sampleCount > KMeans.sampleThreshold:
            // Large data: k-means on a sample, then every row to its nearest centre (KMeans+Sample.swift).
            let centres = KMeans.sampledCentres(of: data, weights: weights, clusterCount: kCount, random: random)
            stats = ExpectationStep.accumulate(
                data, weights: weights, componentCount: kCount, momentShape: family.momentShape, shifts: shifts,
                blockRows: blockRows
            ) { _, block, rows, resp, _ in
                KMeans.assignNearest(block, rows: rows, featureCount: d, centres: centres, clusterCount: kCount, into: resp)
            }
        case .kMeans:
            let labels = KMeans.labels(of: data, weights: weights, clusterCount: kCount, random: random)
            stats = hard { labels[$0] }
        case .kMeansPlusPlus, .randomSamples:
            let chosen: [Int]
            if options.initialization == .kMeansPlusPlus && data.sampleCount > KMeans.sampleThreshold {
                chosen = KMeans.sampledPlusPlusSeeds(of: data, weights: weights, clusterCount: kCount, random: random)
            } else if options.initialization == .kMeansPlusPlus {
                chosen = KMeans.plusPlusSeeds(of: data, weights: weights, clusterCount: kCount, random: random)
            } else {
                let candidates = weights.map { w in w.indices.filter { w[$0] > 0 } } ?? Array(0..<data.sampleCount)
                chosen = random.sampleWithoutReplacement(count: kCount, from: candidates.count).map { candidates[$0] }
            }
            var owner = [Int: Int]()
            for (k, i) in chosen.enumerated() { owner[i] = k }
            stats = hard { owner[$0] }
        case .randomResponsibilities:
            stats = statistics { _, rows, resp in
                for r in 0..<rows {
                    var total = 0.0
                    for k in 0..<kCount {
                        let u = random.uniform()
                        resp[r * kCount + k] = u
                        total += u
                    }
                    for k in 0..<kCount { resp[r * kCount + k] /= total }
                }
            }
        }
        return stats
    }
}

/// Per-feature means of the rows.
func columnMeans(of data: DataMatrix) -> [Double] {
    let d = data.featureCount
    var sums = [Double](repeating: 0, count: d)
    data.withUnsafeBufferPointer { x in
        for i in 0..<data.sampleCount {
            for j in 0..<d { sums[j] += x[i &* d &+ j] }
            // A memory-mapped file's pages are dropped behind the pass (DataMatrix+Residency.swift).
            if i & 4095 == 4095 { data.dropResidentPages(rows: (i - 4095)..<(i + 1)) }
        }
    }
    data.dropResidentPages(rows: 0..<data.sampleCount, outward: true)
    return sums.map { $0 / Double(max(data.sampleCount, 1)) }
}

/// Converts a failed factorisation into the user-facing error.
func collapse(_ error: CovarianceError, stats: SufficientStatistics, iteration: Int) -> FitError {
    switch error {
    case let .notPositiveDefinite(c), let .nonFinite(c), let .notSymmetric(c):
        return .componentCollapsed(component: c, softCount: c.map { stats.softCounts[$0] }, iteration: iteration)
    case .wrongShape, .brokenConstraint:
        return .componentCollapsed(component: nil, softCount: nil, iteration: iteration)
    }
}
