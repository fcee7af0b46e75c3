import Foundation

// Inference for rows with gaps: P(c | x_o), log P(x_o), and imputation.
//
// Every question is answered from the marginal of the row's observed
// coordinates (MissingPatterns.swift): the mixture restricted to o is again a
// mixture, with the same weights and the sub-vectors and sub-blocks of the
// means and covariances. Given x_o the missing coordinates follow the
// conditional mixture
//   P(x_m | x_o) = Σ_k P(c = k | x_o) N(x_m | μ_k,m|o, Σ_k,m|o)
// whose mean, Σ_k P(k | x_o) μ_k,m|o, is the single imputation, and from
// which multiple imputations are drawn: a component from P(c | x_o), then a
// Gaussian draw coloured by the Cholesky factor of Σ_k,m|o.
//
// Data without gaps goes through the complete-data kernels, so the numbers
// are those of `logDensities(of: DataMatrix)` etc. to the bit.

extension GaussianMixture {
    /// log P(x_o) for each row: the density of the row's observed values under
    /// the mixture's marginal on those features, natural log.
    ///
    /// For a row without gaps this is `logDensities(of:)` of the complete row.
    /// - Throws: `ModelError.featureCountMismatch`, or `.invalid` when an observed
    ///   block of a covariance cannot be factored.
    public func logDensities(of data: IncompleteDataMatrix) throws(ModelError) -> [Double] {
        if let complete = data.complete { return try logDensities(of: complete) }
        return try marginalPosterior(of: data, logarithmic: false).logDensities
    }

    /// P(c = k | x_o) for each row (or log P(c = k | x_o) when `logarithmic`).
    ///
    /// - Throws: as `logDensities(of:)`.
    public func responsibilities(for data: IncompleteDataMatrix, logarithmic: Bool = false) throws(ModelError)
        -> ResponsibilityMatrix {
        if let complete = data.complete, !logarithmic { return try responsibilities(for: complete) }
        return try marginalPosterior(of: data, logarithmic: logarithmic).responsibilities
    }

    /// P(c | x_o) and log P(x_o) of every row, in one pass.
    ///
    /// - Parameters:
    ///   - data: rows with gaps (NaN), with this mixture's features.
    ///   - logarithmic: give log P(c | x_o) instead of P(c | x_o).
    /// - Throws: as `logDensities(of:)`.
    public func marginalPosterior(of data: IncompleteDataMatrix, logarithmic: Bool = false) throws(ModelError)
        -> (responsibilities: ResponsibilityMatrix, logDensities: [Double]) {
        let kCount = componentCount
        if let complete = data.complete {
            try checkFeatures(complete)
            var resp: [Double] = []
            var densities: [Double] = []
            resp.reserveCapacity(data.sampleCount * kCount)
            densities.reserveCapacity(data.sampleCount)
            posterior(for: complete, logarithmic: logarithmic) { block in
                resp.append(contentsOf: block.responsibilities)
                densities.append(contentsOf: block.logDensities)
            }
            return (ResponsibilityMatrix(values: resp, componentCount: kCount), densities)
        }
        var resp = [Double](repeating: 0, count: data.sampleCount * kCount)
        var densities = [Double](repeating: 0, count: data.sampleCount)
        try forEachPatternBlock(of: data, logarithmic: logarithmic) { marginal, rows, block in
            for (r, i) in marginal.pattern.rows[rows].enumerated() {
                for k in 0..<kCount { resp[i * kCount + k] = block.responsibilities[r * kCount + k] }
                densities[i] = block.logDensities[r]
            }
        }
        return (ResponsibilityMatrix(values: resp, componentCount: kCount), densities)
    }

    /// The most probable component of each row given its observed values (ties go to the lower index).
    public func labels(for data: IncompleteDataMatrix) throws(ModelError) -> [Int] {
        if let complete = data.complete { return try labels(for: complete) }
        let resp = try marginalPosterior(of: data, logarithmic: true).responsibilities
        return (0..<data.sampleCount).map { i in
            var best = 0
            for k in 1..<max(componentCount, 1) where resp[i, k] > resp[i, best] { best = k }
            return best
        }
    }

    /// The assignment details of every row given its observed values: the most
    /// probable component under P(c | x_o), its probability, the entropy of
    /// P(c | x_o), log P(x_o), and the squared Mahalanobis distance of x_o to the
    /// assigned component's marginal with its chi-square upper tail on |o|
    /// degrees of freedom (the number of observed values of the row).
    ///
    /// For data without gaps this is `assignmentDetails(for:threads:_:)`'s values.
    /// - Throws: as `logDensities(of:)`.
    public func assignmentDetails(for data: IncompleteDataMatrix) throws -> [AssignmentDetail] {
        let kCount = componentCount
        var details = [AssignmentDetail?](repeating: nil, count: data.sampleCount)
        try forEachPatternBlock(of: data, logarithmic: true) { marginal, rows, block in
            let degrees = Double(marginal.pattern.observed.count)
            for (r, i) in marginal.pattern.rows[rows].enumerated() {
                let logResp = block.responsibilities[(r * kCount)..<((r + 1) * kCount)]
                let lse = block.logDensities[r]
                var best = 0
                for k in 1..<max(kCount, 1) where logResp[r * kCount + k] > logResp[r * kCount + best] { best = k }
                var entropy = 0.0
                for logP in logResp {
                    let p = exp(logP)
                    if p > 0 { entropy -= p * logP }
                }
                // log P(x_o, c = k) = normalizer_k − ½ |u|², so |u|² comes back exactly.
                let logBest = logResp[r * kCount + best]
                let q = max(0, 2 * (marginal.components[best].normalizer - (logBest + lse)))
                details[i] = AssignmentDetail(
                    component: best, probability: exp(logBest), logProbability: logBest, entropy: entropy,
                    logDensity: lse, mahalanobisSquared: q,
                    tailProbability: GSLDistributions.chiSquareUpperTail(q, degrees: degrees))
            }
        }
        return details.map { $0! }
    }

    /// The data with every gap filled by its conditional mean under the mixture,
    /// E[x_m | x_o] = Σ_k P(c = k | x_o) μ_k,m|o; observed values are kept as they are.
    ///
    /// - Throws: as `logDensities(of:)`.
    public func imputed(_ data: IncompleteDataMatrix) throws(ModelError) -> DataMatrix {
        let d = featureCount
        if let complete = data.complete {
            try checkFeatures(complete)
            return complete
        }
        try refuseNoiseWithGaps()
        var values = data.values
        let kCount = componentCount
        try forEachPatternBlock(of: data, logarithmic: false) { marginal, rows, block in
            let m = marginal.pattern.missing
            guard !m.isEmpty else { return }
            for k in 0..<kCount {
                let means = block.conditionalMeans(k)
                for (r, i) in marginal.pattern.rows[rows].enumerated() {
                    let p = block.responsibilities[r * kCount + k]
                    for (t, j) in m.enumerated() {
                        // Start from 0 (the gaps hold NaN) at the first component.
                        // A component of zero responsibility adds nothing, even where its mean overflowed.
                        values[i * d + j] = (k == 0 ? 0 : values[i * d + j]) + (p == 0 ? 0 : p * means[r * m.count + t])
                    }
                }
            }
        }
        return DataMatrix(trusted: DataStorage(copying: values), sampleCount: data.sampleCount, featureCount: d,
                          featureNames: data.featureNames)
    }

    /// `count` multiple imputations: copies of the data whose gaps are independent
    /// draws from P(x_m | x_o), the conditional mixture of each row.
    ///
    /// For each copy and each row with gaps, in row order: a component k drawn from
    /// P(c | x_o) (one uniform), then x_m = μ_k,m|o + L z with z standard normal
    /// (|m| draws) and L the Cholesky factor of Σ_k,m|o. Same seed, same data and
    /// model: the same copies, to the bit.
    ///
    /// - Throws: as `logDensities(of:)`, and `.invalid` when a conditional covariance
    ///   cannot be factored.
    public func imputationDraws(of data: IncompleteDataMatrix, count: Int, seed: UInt64) throws(ModelError)
        -> [DataMatrix] {
        var draws: [DataMatrix] = []
        draws.reserveCapacity(count)
        do {
            try imputationDraws(of: data, count: count, seed: seed) { _, copy in draws.append(copy) }
        } catch let error as ModelError {
            throw error
        } catch {
            preconditionFailure("the collecting body does not throw")
        }
        return draws
    }

    /// The multiple imputations of `imputationDraws(of:count:seed:)`, handed to
    /// `body` one copy at a time (its 0-based index and the completed data), so
    /// that memory holds one copy whatever `count` is.
    ///
    /// - Throws: as `imputationDraws(of:count:seed:)`, or what `body` throws.
    public func imputationDraws(
        of data: IncompleteDataMatrix, count: Int, seed: UInt64, _ body: (Int, DataMatrix) throws -> Void
    ) throws {
        precondition(count >= 0, "count must not be negative")
        let d = featureCount
        let kCount = componentCount
        if let complete = data.complete {
            try checkFeatures(complete)
            for n in 0..<count { try body(n, complete) }
            return
        }
        // Per row with gaps: where its pattern's conditional results are.
        try refuseNoiseWithGaps()
        let patterns = MissingPatterns(data)
        var location = [(pattern: Int, position: Int)](repeating: (-1, -1), count: data.sampleCount)
        for (p, pattern) in patterns.patterns.enumerated() where !pattern.missing.isEmpty {
            for (r, i) in pattern.rows.enumerated() { location[i] = (p, r) }
        }
        // P(c | x_o) per row, and per pattern the conditional means (rows × K × |m|) and factors of Σ_k,m|o.
        var resp = [Double](repeating: 0, count: data.sampleCount * kCount)
        var conditionalMeans = patterns.patterns.map { [Double](repeating: 0, count: $0.missing.isEmpty ? 0 : $0.rows.count * kCount * $0.missing.count) }
        var factors = [[CholeskyFactor]](repeating: [], count: patterns.patterns.count)
        try forEachPatternBlock(patterns, logarithmic: false) { (marginal, p, rows, block) throws(ModelError) in
            let nm = marginal.pattern.missing.count
            guard nm > 0 else { return }
            if factors[p].isEmpty {
                for k in 0..<kCount {
                    do {
                        factors[p].append(try CholeskyFactor(factoring: marginal.components[k].conditionalCovariance, dimension: nm))
                    } catch {
                        throw .invalid(key: "covariances[\(k)]",
                                       reason: "the conditional covariance of the missing features is not positive definite")
                    }
                }
            }
            for k in 0..<kCount {
                let means = block.conditionalMeans(k)
                for r in 0..<rows.count {
                    let position = rows.lowerBound + r
                    for t in 0..<nm { conditionalMeans[p][(position * kCount + k) * nm + t] = means[r * nm + t] }
                }
            }
            for (r, i) in marginal.pattern.rows[rows].enumerated() {
                for k in 0..<kCount { resp[i * kCount + k] = block.responsibilities[r * kCount + k] }
            }
        }
        let random = GSLRandom(seed: seed)
        var noise = [Double](repeating: 0, count: d)
        for n in 0..<count {
            var values = data.values
            for i in 0..<data.sampleCount where location[i].pattern >= 0 {
                let (p, position) = location[i]
                let missing = patterns.patterns[p].missing
                let nm = missing.count
                // The component: inverse CDF of P(c | x_o) at one uniform.
                let u = random.uniform()
                var k = 0
                var cumulative = resp[i * kCount]
                while k < kCount - 1 && u >= cumulative {
                    k += 1
                    cumulative += resp[i * kCount + k]
                }
                noise.withUnsafeMutableBufferPointer { z in
                    let block = UnsafeMutableBufferPointer(rebasing: z[0..<nm])
                    random.fillStandardNormal(block)
                    factors[p][k].colour(block.baseAddress!, rows: 1)
                }
                for (t, j) in missing.enumerated() {
                    values[i * d + j] = conditionalMeans[p][(position * kCount + k) * nm + t] + noise[t]
                }
            }
            try body(n, DataMatrix(trusted: DataStorage(copying: values), sampleCount: data.sampleCount,
                                   featureCount: d, featureNames: data.featureNames))
        }
    }

    /// The results of one block of rows of one pattern.
    struct PatternBlockResults {
        /// rows×K: P(c | x_o), or its log.
        let responsibilities: [Double]
        /// log P(x_o) per row.
        let logDensities: [Double]
        /// The conditional means of component k, rows×|m|.
        let conditionalMeans: (Int) -> [Double]
    }

    /// Calls `body` for every block of rows of every pattern of `data` (pattern order, then row order).
    func forEachPatternBlock(
        of data: IncompleteDataMatrix, logarithmic: Bool,
        _ body: (PatternMarginal, Range<Int>, PatternBlockResults) throws(ModelError) -> Void
    ) throws(ModelError) {
        guard data.featureCount == featureCount else {
            throw .featureCountMismatch(expected: featureCount, actual: data.featureCount)
        }
        try forEachPatternBlock(MissingPatterns(data), logarithmic: logarithmic) { (marginal, _, rows, block) throws(ModelError) in
            try body(marginal, rows, block)
        }
    }

    private func forEachPatternBlock(
        _ patterns: MissingPatterns, logarithmic: Bool,
        _ body: (PatternMarginal, Int, Range<Int>, PatternBlockResults) throws(ModelError) -> Void
    ) throws(ModelError) {
        try refuseNoiseWithGaps()
        guard patterns.featureCount == featureCount else {
            throw .featureCountMismatch(expected: featureCount, actual: patterns.featureCount)
        }
        let kCount = componentCount
        let blockRows = MissingDataStep.blockRows(featureCount: featureCount, componentCount: kCount)
        for (p, pattern) in patterns.patterns.enumerated() {
            let marginal: PatternMarginal
            do {
                marginal = try PatternMarginal(model: self, pattern: pattern)
            } catch {
                throw .invalid(key: error.component.map { "covariances[\($0)]" } ?? "covariances",
                               reason: "the covariance of the observed features is not positive definite")
            }
            let no = pattern.observed.count
            var start = 0
            while start < pattern.rows.count {
                let rows = min(blockRows, pattern.rows.count - start)
                var whitened = [Double](repeating: 0, count: rows * no * kCount)
                var resp = [Double](repeating: 0, count: rows * kCount)
                var densities = [Double](repeating: 0, count: rows)
                Self.posterior(marginal, of: pattern.observedValues, rows: start..<(start + rows), whitened: &whitened,
                               into: &resp, logDensity: &densities, logarithmic: logarithmic)
                let frozen = whitened
                let nm = pattern.missing.count
                let results = PatternBlockResults(responsibilities: resp, logDensities: densities) { k in
                    guard nm > 0 else { return [] }
                    var out = [Double](repeating: 0, count: rows * nm)
                    frozen.withUnsafeBufferPointer { u in
                        marginal.conditionalMeans(component: k, whitened: u.baseAddress! + k * rows * no, rows: rows,
                                                  into: &out)
                    }
                    return out
                }
                try body(marginal, p, start..<(start + rows), results)
                start += rows
            }
        }
    }
}

extension GaussianMixture {
    /// Rows with gaps are not scored under a noise component (its marginal on
    /// the observed features would need the box's, not the volume's, density).
    func refuseNoiseWithGaps() throws(ModelError) {
        guard noise == nil else {
            throw .invalid(key: "noise", reason: "rows with missing values are not supported by a model with a noise "
                + "component; drop or impute them first")
        }
    }
}

extension GaussianMixture {
    /// P(c|x_o) (or its log) into `values` (rows×K) and log P(x_o) into `logDensity` for the
    /// rows `rows` of `marginal`'s pattern (`observed`: the pattern's observed values, |o| per
    /// row), with rows too far for the squared distances recomputed (see BlockEvaluator.posterior).
    /// `whitened` receives the marginal's whitened rows (K×rows×|o|).
    static func posterior(
        _ marginal: PatternMarginal, of observed: UnsafePointer<Double>, rows range: Range<Int>,
        whitened: UnsafeMutablePointer<Double>, into values: UnsafeMutablePointer<Double>,
        logDensity: UnsafeMutablePointer<Double>, logarithmic: Bool
    ) {
        let no = marginal.pattern.observed.count, kCount = marginal.components.count, rows = range.count
        let x = observed + range.lowerBound * no
        marginal.evaluate(x, rows: rows, whitened: whitened, logJoint: values)
        normalizeRows(values, rows: rows, componentCount: kCount, logDensity: logDensity, keepLog: logarithmic)
        for r in 0..<rows where !logDensity[r].isFinite {
            let row = values + r * kCount
            let isFinite = marginal.repairDistantRow(x + r * no, into: row)
            let lse = logSumExp(UnsafeBufferPointer(start: row, count: kCount))
            for k in 0..<kCount { row[k] = logarithmic ? row[k] - lse : exp(row[k] - lse) }
            logDensity[r] = isFinite ? lse : -.infinity
        }
    }
}
