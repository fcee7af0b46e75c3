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
        case let .model(start):
            guard start.featureCount == d else { throw .featureCountMismatch(expected: start.featureCount, actual: d) }
            return (try? start.renamingFeatures(data.featureNames)) ?? start
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
        do {
            return try MaximizationStep.parameters(
                from: stats, family: family, regularization: options.covarianceRegularization,
                featureNames: data.featureNames)
        } catch {
            throw collapse(error, stats: stats, iteration: 0)
        }
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
    case .wrongShape:
        return .componentCollapsed(component: nil, softCount: nil, iteration: iteration)
    }
}
