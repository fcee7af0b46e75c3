import Foundation

// Gaussian-mixture discriminant analysis (mclust's MclustDA and EDDA):
// each class c has a density p(x | c), a Gaussian mixture, and a prior π_c;
// the posterior of a class is
//   P(c | x) = π_c p(x | c) / Σ_c' π_c' p(x | c').
// One shape holds both kinds: a list of mixtures and, for each class, the
// components (of one mixture) that make up its density,
//   p(x | c) = Σ_{k ∈ c} w_k N(x | θ_k) / Σ_{k ∈ c} w_k.
// MclustDA: one mixture per class, all of whose components are the class's.
// EDDA: one mixture with a component per class (a covariance model shared by
// the classes, e.g. tied = linear discriminant analysis, full = quadratic).
// Everything is computed in log space (log-sum-exp over components and classes).

/// A classifier made of Gaussian mixtures: mclust's `MclustDA` (a mixture per
/// class) or `EDDA` (a component per class, with one covariance model).
public struct MixtureClassifier: Sendable, Equatable {
    /// How the class densities were chosen.
    public enum ModelType: String, Sendable, CaseIterable {
        /// A mixture per class; each class's K and covariance model chosen by BIC (mclust's `MclustDA`).
        case mixturePerClass = "MclustDA"
        /// A component per class, one covariance model for all, chosen by BIC (mclust's `EDDA`).
        case componentPerClass = "EDDA"
    }

    /// Where a class's density lives: mixture `mixture`, components `components` of it.
    public struct ClassDensity: Sendable, Equatable {
        /// The index of the mixture, in `mixtures`, that holds the class's components.
        public var mixture: Int
        /// The components of that mixture that make the class's density (renormalised).
        public var components: [Int]
        /// A class density made of components `components` of mixture `mixture`.
        public init(mixture: Int, components: [Int]) {
            self.mixture = mixture
            self.components = components
        }
    }

    /// Whether each class has its own mixture (`MclustDA`) or one component of a shared mixture (`EDDA`).
    public let modelType: ModelType
    /// The class names, in the order every per-class array uses.
    public let classNames: [String]
    /// π_c: the classes' share of the training rows (their weight with frequency weights).
    public let priors: [Double]
    /// The fitted mixtures (MclustDA: one per class, in class order; EDDA: one).
    public let mixtures: [GaussianMixture]
    /// Per class, where its density is.
    public let classDensities: [ClassDensity]
    /// Per class, the number of training rows.
    public let classSampleCounts: [Int]

    /// - Precondition: one prior, density and count per class; priors positive and
    ///   summing to 1 within 1e-9; every class density names components of an existing mixture; all
    ///   mixtures have the same features.
    public init(modelType: ModelType, classNames: [String], priors: [Double], mixtures: [GaussianMixture],
                classDensities: [ClassDensity], classSampleCounts: [Int]) {
        precondition(!classNames.isEmpty && priors.count == classNames.count && classDensities.count == classNames.count
                     && classSampleCounts.count == classNames.count, "one prior, density and count per class")
        precondition(priors.allSatisfy { $0 > 0 } && abs(priors.reduce(0, +) - 1) < 1e-9, "priors positive, summing to 1")
        precondition(!mixtures.isEmpty && mixtures.allSatisfy { $0.featureNames == mixtures[0].featureNames },
                     "mixtures over the same features")
        precondition(classDensities.allSatisfy { c in
            c.mixture < mixtures.count && !c.components.isEmpty && c.components.allSatisfy { $0 < mixtures[c.mixture].componentCount }
        }, "class densities name existing components")
        self.modelType = modelType
        self.classNames = classNames
        self.priors = priors
        self.mixtures = mixtures
        self.classDensities = classDensities
        self.classSampleCounts = classSampleCounts
    }

    /// The number of classes, C.
    public var classCount: Int { classNames.count }
    /// The feature names (every mixture's).
    public var featureNames: [String] { mixtures[0].featureNames }
    /// The number of features, d.
    public var featureCount: Int { mixtures[0].featureCount }

    /// log p(x_i | c) for every row and class: n×C, row-major.
    /// - Throws: `ModelError.featureCountMismatch` when the data has other features.
    public func logClassDensities(of data: DataMatrix) throws(ModelError) -> [Double] {
        guard data.featureCount == featureCount else {
            throw .featureCountMismatch(expected: featureCount, actual: data.featureCount)
        }
        let n = data.sampleCount, cCount = classCount
        var out = [Double](repeating: -.infinity, count: n * cCount)
        for (m, mixture) in mixtures.enumerated() {
            let owned = classDensities.enumerated().filter { $0.element.mixture == m }
            guard !owned.isEmpty else { continue }
            let kCount = mixture.componentCount
            mixture.posterior(for: data, logarithmic: true) { block in
                for r in 0..<block.rows.count {
                    let i = block.rows.lowerBound + r
                    for (c, density) in owned {
                        // log Σ_{k∈c} w_k N_k(x) − log Σ_{k∈c} w_k, with log w_k N_k(x) = log P(k|x) + log P(x).
                        let terms = density.components.map { block.responsibilities[r * kCount + $0] }
                        let classWeight = density.components.reduce(0.0) { $0 + mixture.weights[$1] }
                        out[i * cCount + c] = logSumExp(terms) + block.logDensities[r] - log(classWeight)
                    }
                }
            }
        }
        return out
    }

    /// P(c | x) for every row and class (n×C, row-major, rows summing to 1),
    /// with the training priors or `priors` in their place.
    ///
    /// - Parameters:
    ///   - data: the rows to classify, with the classifier's features.
    ///   - override: one positive number per class (normalised to sum 1) to use as the priors, or `nil`.
    /// - Throws: `ModelError.featureCountMismatch`.
    public func classProbabilities(for data: DataMatrix, priors override: [Double]? = nil) throws(ModelError) -> [Double] {
        classProbabilities(fromLogDensities: try logClassDensities(of: data), priors: override)
    }

    /// P(c | x) from log p(x | c) (n×C, row-major) and the priors.
    func classProbabilities(fromLogDensities logDensities: [Double], priors override: [Double]?) -> [Double] {
        let priors = override.map { p in p.map { $0 / p.reduce(0, +) } } ?? self.priors
        precondition(priors.count == classCount, "one prior per class")
        var values = logDensities
        let cCount = classCount
        for i in 0..<(values.count / cCount) {
            for c in 0..<cCount { values[i * cCount + c] += log(priors[c]) }
            let row = Array(values[(i * cCount)..<((i + 1) * cCount)])
            let total = logSumExp(row)
            for c in 0..<cCount {
                values[i * cCount + c] = total.isFinite ? exp(row[c] - total) : (row[c] == row.max() ? 1 : 0)
            }
            if !total.isFinite {
                // Every density underflows: split evenly between the classes at the maximum.
                let ties = (0..<cCount).filter { values[i * cCount + $0] == 1 }.count
                for c in 0..<cCount where values[i * cCount + c] == 1 { values[i * cCount + c] = 1 / Double(ties) }
            }
        }
        return values
    }

    /// The most probable class of every row (the first on ties).
    public static func predictedClasses(fromProbabilities p: [Double], classCount cCount: Int) -> [Int] {
        (0..<(p.count / max(cCount, 1))).map { i in
            var best = 0
            for c in 1..<cCount where p[i * cCount + c] > p[i * cCount + best] { best = c }
            return best
        }
    }
}
