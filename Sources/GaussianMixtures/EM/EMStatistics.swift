// The public face of `SufficientStatistics`, for code that moves statistics
// between processes (MPI ranks) or over time (online EM).
//
// Everything that must be *summed* across row sets is exposed as one flat
// vector with a fixed layout, so a distributed driver can hand it to
// `MPI_Allreduce(SUM)` and write the result back. What must *not* be summed
// (the shifts s_k, the component and feature counts, the covariance kind)
// stays in the value and has to agree between the parties already: every
// party computes its statistics under the same model.

/// Per-component soft counts, first and second moments and the log-likelihood
/// of a set of rows under a mixture: what one E-step pass contributes to the M-step.
///
/// Statistics of disjoint row sets computed under the same model add up (`+`,
/// or element-wise addition of `flattened`) to the statistics of their union,
/// so rows can be spread over threads, processes or machines and reduced.
/// Moments are taken around the model's means, which every party knows, so
/// large offsets in the data do not cancel digits.
///
/// The sum is exact algebraically; in floating point it depends on the order
/// of additions, so statistics reduced over several processes agree with the
/// single-process pass to rounding (about 1e-15 relative), not to the bit.
public struct EMStatistics: Sendable, Equatable {
    var base: SufficientStatistics
    /// The covariance family whose M-step these statistics feed.
    public let covarianceKind: CovarianceKind

    init(_ base: SufficientStatistics, kind: CovarianceKind) {
        self.base = base
        covarianceKind = kind
    }

    /// The number of components, K.
    public var componentCount: Int { base.componentCount }
    /// The number of features, d.
    public var featureCount: Int { base.featureCount }
    /// Σ_i w_i r_ik per component: the soft counts (before the M-step's 10ε floor).
    public var softCounts: [Double] { base.softCounts }
    /// Σ_i w_i log P(x_i): the total log-likelihood of the rows under the model the statistics were taken with.
    public var logLikelihood: Double { base.logLikelihood }
    /// The number of rows that contributed.
    public var sampleCount: Int { base.sampleCount }
    /// Σ_i w_i P(noise | x_i): the noise component's soft count; `nil` when the model has none.
    public var noiseCount: Double? { base.noiseCount }
    /// Σ_i w_i: the number of rows when every weight is 1.
    public var totalWeight: Double { base.totalWeight }

    /// The statistics of the union of two disjoint row sets taken under the same model.
    public static func + (a: EMStatistics, b: EMStatistics) -> EMStatistics {
        precondition(a.covarianceKind == b.covarianceKind, "statistics of different covariance families")
        return EMStatistics(a.base + b.base, kind: a.covarianceKind)
    }

    // MARK: - The flat vector

    /// Number of second-moment values per component in `flattened`:
    /// d(d+1)/2 (the upper triangle) for full and tied, d for diag and spherical.
    public static func momentValueCount(featureCount d: Int, kind: CovarianceKind) -> Int {
        kind.family.momentShape.packedCount(featureCount: d)
    }

    /// The length of `flattened`: K·(1 + d + m) + 3 with m = `momentValueCount`,
    /// i.e. K·(1 + d + d(d+1)/2) + 3 numbers for full and tied, K·(1 + 2d) + 3 for diag and spherical;
    /// one more with a noise component.
    public static func flattenedCount(
        componentCount kCount: Int, featureCount d: Int, kind: CovarianceKind, noise: Bool = false
    ) -> Int {
        kCount * (1 + d + momentValueCount(featureCount: d, kind: kind)) + 3 + (noise ? 1 : 0)
    }

    /// Every summable number, in a fixed layout (all blocks in component order, k = 0 first):
    ///
    /// 1. K soft counts R_k = Σ_i w_i r_ik;
    /// 2. K·d first moments a_k = Σ_i w_i r_ik (x_i − s_k), component by component;
    /// 3. K·m second moments: for full and tied the upper triangle of
    ///    M_k = Σ_i w_i r_ik (x_i − s_k)(x_i − s_k)ᵀ row by row (m = d(d+1)/2:
    ///    M_k[0][0], M_k[0][1], …, M_k[0][d−1], M_k[1][1], …); for diag and
    ///    spherical its diagonal (m = d);
    /// 4. Σ_i w_i log P(x_i), Σ_i w_i, and the number of rows (exact up to 2^53);
    /// 5. with a noise component only, its soft count Σ_i w_i P(noise | x_i).
    ///
    /// Element-wise sums of the vectors of disjoint row sets are the vector of their union.
    public var flattened: [Double] {
        let d = featureCount
        let kCount = componentCount
        var out = [Double]()
        out.reserveCapacity(Self.flattenedCount(componentCount: kCount, featureCount: d, kind: covarianceKind,
                                                noise: base.noiseCount != nil))
        out += base.softCounts
        out += base.sums
        out += base.momentShape.packed(base.moments, componentCount: kCount, featureCount: d)
        out += [base.logLikelihood, base.totalWeight, Double(base.sampleCount)]
        if let noiseCount = base.noiseCount { out.append(noiseCount) }
        return out
    }

    /// The same statistics (same model, shifts and family) with every summable
    /// number replaced by `values`, laid out as `flattened` describes: how a
    /// reduced vector becomes statistics again.
    ///
    /// - Precondition: `values.count` is `flattenedCount` for these statistics and the
    ///   row count is a whole number ≥ 0.
    public func replacingValues(withFlattened values: [Double]) -> EMStatistics {
        let d = featureCount
        let kCount = componentCount
        precondition(values.count == Self.flattenedCount(componentCount: kCount, featureCount: d, kind: covarianceKind,
                                                         noise: base.noiseCount != nil),
                     "a flattened vector of the wrong length")
        var s = base
        var at = 0
        func take(_ count: Int) -> ArraySlice<Double> {
            defer { at += count }
            return values[at..<(at + count)]
        }
        s.softCounts = Array(take(kCount))
        s.sums = Array(take(kCount * d))
        let m = s.momentShape.packedCount(featureCount: d)
        s.moments = s.momentShape.unpacked(take(kCount * m), componentCount: kCount, featureCount: d)
        s.logLikelihood = values[at]
        s.totalWeight = values[at + 1]
        let rows = values[at + 2]
        precondition(rows >= 0 && rows == rows.rounded() && rows < 0x1p53, "the row count is not a whole number")
        s.sampleCount = Int(rows)
        if s.noiseCount != nil { s.noiseCount = values[at + 3] }
        return EMStatistics(s, kind: covarianceKind)
    }
}

extension GaussianMixture {
    /// One E-step pass: the statistics of `data` under this mixture, with
    /// moments taken around its means (what `maximized(from:regularization:)` needs).
    ///
    /// Cost: about `n·K·d²` for the full family. The result does not depend on
    /// `threads` (rows are cut into a fixed number of chunks added in a fixed order).
    ///
    /// - Parameters:
    ///   - data: one row per sample, one column per feature (as many as the model has).
    ///   - weights: one non-negative frequency weight per row, or `nil` for all 1.
    ///   - threads: how many chunks are evaluated at once.
    ///   - known: rows whose component is known keep it, and add their complete-data
    ///     log-likelihood (semi-supervised EM); `nil`: every row is latent.
    ///   - skipsNegligibleComponents: skip the (row, component) pairs whose responsibilities
    ///     are below rounding (`FitOptions.skipsNegligibleComponents`).
    public func statistics(
        of data: DataMatrix, weights: [Double]? = nil, known: KnownComponents? = nil, threads: Int = 1,
        skipsNegligibleComponents: Bool = true
    ) -> EMStatistics {
        precondition(data.featureCount == featureCount, "the data and the model have different numbers of features")
        precondition(weights == nil || weights!.count == data.sampleCount, "one weight per row")
        precondition(known == nil || known!.rowCount == data.sampleCount, "one known component (or nil) per row")
        let stats = ExpectationStep.statistics(of: data, under: self, weights: weights, threads: max(1, threads),
                                               known: known, skipsNegligibleComponents: skipsNegligibleComponents)
        return EMStatistics(stats, kind: covarianceKind)
    }

    /// One M-step: the mixture `statistics` imply, with `regularization` added to
    /// every variance (scikit-learn's `_estimate_gaussian_parameters` and `reg_covar`).
    /// The result keeps this mixture's feature names.
    ///
    /// - Parameters:
    ///   - statistics: the soft counts and moments of an E-step under this mixture.
    ///   - regularization: added to every variance (`reg_covar`).
    ///   - iteration: reported in the error when a component collapses.
    ///   - prior: mclust's conjugate prior for a MAP M-step (ConjugatePrior+MStep.swift); `nil`: none.
    /// - Throws: `FitError.componentCollapsed` when a covariance cannot be factored
    ///   even with the regulariser.
    public func maximized(
        from statistics: EMStatistics, regularization: Double, iteration: Int = 0, prior: ConjugatePrior? = nil
    ) throws(FitError) -> GaussianMixture {
        precondition(statistics.featureCount == featureCount, "statistics of another number of features")
        do {
            return try MaximizationStep.parameters(
                from: statistics.base, family: statistics.covarianceKind.family, regularization: regularization,
                featureNames: featureNames, previous: statistics.covarianceKind == covarianceKind ? family : nil,
                noise: statistics.base.noiseCount == nil ? nil : noise,
                prior: prior)
        } catch {
            throw collapse(error, stats: statistics.base, iteration: iteration)
        }
    }
}
