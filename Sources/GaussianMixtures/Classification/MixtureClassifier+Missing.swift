import Foundation

// Classifying rows with gaps: each class density is marginalised to the row's
// observed values, p(x_o | c) = Σ_{k ∈ c} w_k N(x_o | μ_k,o, Σ_k,oo) / Σ_{k ∈ c} w_k,
// so P(c | x_o) = π_c p(x_o | c) / Σ_c' π_c' p(x_o | c'). Rows without gaps get
// exactly the values of the complete-data methods.

extension MixtureClassifier {
    /// log p(x_o | c) for every row and class (n×C, row-major), from each row's observed values.
    /// - Throws: `ModelError.featureCountMismatch` when the data has other features.
    public func logClassDensities(of data: IncompleteDataMatrix) throws(ModelError) -> [Double] {
        if let complete = data.complete { return try logClassDensities(of: complete) }
        guard data.featureCount == featureCount else {
            throw .featureCountMismatch(expected: featureCount, actual: data.featureCount)
        }
        let n = data.sampleCount, cCount = classCount
        var out = [Double](repeating: -.infinity, count: n * cCount)
        for (m, mixture) in mixtures.enumerated() {
            let owned = classDensities.enumerated().filter { $0.element.mixture == m }
            guard !owned.isEmpty else { continue }
            let (resp, densities) = try mixture.marginalPosterior(of: data, logarithmic: true)
            for i in 0..<n {
                for (c, density) in owned {
                    // As the complete-data method: log Σ_{k∈c} P(k|x_o) + log P(x_o) − log Σ_{k∈c} w_k.
                    let terms = density.components.map { resp[i, $0] }
                    let classWeight = density.components.reduce(0.0) { $0 + mixture.weights[$1] }
                    out[i * cCount + c] = logSumExp(terms) + densities[i] - log(classWeight)
                }
            }
        }
        return out
    }

    /// P(c | x_o) for every row and class (n×C, row-major, rows summing to 1), with the
    /// training priors or `priors` in their place, from each row's observed values.
    /// - Throws: `ModelError.featureCountMismatch`.
    public func classProbabilities(for data: IncompleteDataMatrix, priors override: [Double]? = nil) throws(ModelError)
        -> [Double] {
        if let complete = data.complete { return try classProbabilities(for: complete, priors: override) }
        return classProbabilities(fromLogDensities: try logClassDensities(of: data), priors: override)
    }

    /// This classifier's record on rows with gaps, `data`, with true classes `classes`.
    public func evaluate(_ data: IncompleteDataMatrix, classes: [Int], priors: [Double]? = nil) throws(ModelError)
        -> ClassificationEvaluation {
        ClassificationEvaluation(probabilities: try classProbabilities(for: data, priors: priors), classCount: classCount,
                                 classes: classes)
    }
}
