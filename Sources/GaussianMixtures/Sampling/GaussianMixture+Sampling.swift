// Drawing from the joint P(x, c).
//
// The component counts are one multinomial draw; each component's rows are
// drawn as one block of standard normals coloured by its Cholesky factor with
// a BLAS-3 product and shifted by its mean; finally the rows are put in a
// uniformly random order, so the output is a sequence of independent draws
// from the mixture rather than rows grouped by component.

/// Rows drawn from a mixture, with the component that drew each.
public struct MixtureSample: Sendable {
    /// One row per draw.
    public let samples: DataMatrix
    /// The 0-based component of each row.
    public let components: [Int]
}

extension GaussianMixture {
    /// Draws `count` independent rows from the mixture.
    ///
    /// Same seed, same model: the same rows, to the bit.
    public func sample(count: Int, seed: UInt64) -> MixtureSample {
        precondition(count >= 0, "count must not be negative")
        let random = GSLRandom(seed: seed)
        let d = featureCount
        let counts = count == 0 ? [Int](repeating: 0, count: componentCount)
            : random.multinomial(trials: count, probabilities: weights)
        var grouped = [Double](repeating: 0, count: count * d)
        var groupedLabels = [Int]()
        groupedLabels.reserveCapacity(count)
        grouped.withUnsafeMutableBufferPointer { out in
            var start = 0
            for k in 0..<componentCount where counts[k] > 0 {
                let block = UnsafeMutableBufferPointer(rebasing: out[(start * d)..<((start + counts[k]) * d)])
                random.fillStandardNormal(block)
                family.colour(block.baseAddress!, rows: counts[k], component: k)
                for r in 0..<counts[k] {
                    for j in 0..<d { block[r * d + j] += flatMeans[k * d + j] }
                }
                groupedLabels.append(contentsOf: repeatElement(k, count: counts[k]))
                start += counts[k]
            }
        }
        var order = Array(0..<count)
        random.shuffle(&order)
        let result = UnsafeMutablePointer<Double>.allocate(capacity: max(count * d, 1))
        var labels = [Int](repeating: 0, count: count)
        grouped.withUnsafeBufferPointer { source in
            for (position, from) in order.enumerated() {
                (result + position * d).update(from: source.baseAddress! + from * d, count: d)
                labels[position] = groupedLabels[from]
            }
        }
        let matrix = DataMatrix(trusted: DataStorage(adopting: result, count: count * d),
                                sampleCount: count, featureCount: d, featureNames: featureNames)
        return MixtureSample(samples: matrix, components: labels)
    }
}
