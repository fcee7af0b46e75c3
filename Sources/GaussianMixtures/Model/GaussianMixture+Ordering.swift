/// A canonical order for a mixture's components, so two fits of the same data
/// number their components alike.
public enum ComponentOrder: String, CaseIterable, Sendable {
    /// Largest weight first (ties: smaller first mean coordinate first).
    case weight
    /// By the first coordinate of the mean, smallest first (ties: larger weight first).
    case mean
}

extension GaussianMixture {
    /// The same mixture with its components permuted into `order`.
    public func reordered(by order: ComponentOrder) -> GaussianMixture {
        let permutation = (0..<componentCount).sorted { a, b in
            switch order {
            case .weight:
                weights[a] != weights[b] ? weights[a] > weights[b] : means[a][0] < means[b][0]
            case .mean:
                means[a][0] != means[b][0] ? means[a][0] < means[b][0] : weights[a] > weights[b]
            }
        }
        return permuted(permutation)
    }

    /// Component k of the result is component `permutation[k]` of this mixture.
    public func permuted(_ permutation: [Int]) -> GaussianMixture {
        precondition(permutation.sorted() == Array(0..<componentCount), "not a permutation of the components")
        if permutation == Array(0..<componentCount) { return self }
        let covariances = self.covariances.permuted(permutation)
        // The parameters were valid before the permutation, so they are after it.
        return try! GaussianMixture(weights: permutation.map { weights[$0] }, means: permutation.map { means[$0] },
                                    covariances: covariances, featureNames: featureNames, noise: noise)
    }
}
