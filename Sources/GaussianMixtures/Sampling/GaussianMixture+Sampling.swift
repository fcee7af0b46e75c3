// Drawing from the joint P(x, c).
//
// Rows are drawn in blocks of at most 4096. For each block the component
// counts are one multinomial draw; each component's rows are drawn as one
// block of standard normals coloured by its Cholesky factor with a BLAS-3
// product and shifted by its mean; then the block's rows are put in a
// uniformly random order. A multinomial count followed by a uniform
// permutation is exactly a sequence of independent categorical draws, so the
// output is a sequence of independent draws from the mixture, in the order
// drawn, and memory stays one block whatever the count. A noise component
// (NoiseComponent.swift) is one more category of the multinomial; its rows are
// uniform in its box, lower_j + u (upper_j − lower_j), and labelled K.

/// Rows drawn from a mixture, with the component that drew each.
public struct MixtureSample: Sendable {
    /// One row per draw.
    public let samples: DataMatrix
    /// The 0-based component of each row (K, the component count, for a row drawn from the noise).
    public let components: [Int]
}

extension GaussianMixture {
    /// Rows per sampling block: 4096, fewer above 256 features so that a block
    /// stays at 2²⁰ values (8 MiB) however wide the rows.
    static func samplingBlockRows(featureCount d: Int) -> Int { max(1, min(4096, (1 << 20) / max(d, 1))) }

    /// Draws `count` independent rows from the mixture.
    ///
    /// Same seed, same model: the same rows, to the bit.
    public func sample(count: Int, seed: UInt64) -> MixtureSample {
        precondition(count >= 0, "count must not be negative")
        let d = featureCount
        let result = UnsafeMutablePointer<Double>.allocate(capacity: max(count * d, 1))
        var labels = [Int]()
        labels.reserveCapacity(count)
        var filled = 0
        sample(count: count, seed: seed) { block, components in
            (result + filled * d).update(from: block.baseAddress!, count: block.count)
            filled += components.count
            labels.append(contentsOf: components)
        }
        let matrix = DataMatrix(trusted: DataStorage(adopting: result, count: count * d),
                                sampleCount: count, featureCount: d, featureNames: featureNames)
        return MixtureSample(samples: matrix, components: labels)
    }

    /// Draws `count` independent rows and hands them to `body` in blocks, in the
    /// order drawn: row-major values (`rows`×d) and the component of each row.
    /// The same seed gives the same rows as `sample(count:seed:)`.
    public func sample<E: Error>(
        count: Int, seed: UInt64, _ body: (UnsafeBufferPointer<Double>, [Int]) throws(E) -> Void
    ) throws(E) {
        precondition(count >= 0, "count must not be negative")
        let random = GSLRandom(seed: seed)
        let d = featureCount
        let blockRows = Self.samplingBlockRows(featureCount: d)
        var grouped = [Double](repeating: 0, count: blockRows * d)
        var shuffled = [Double](repeating: 0, count: blockRows * d)
        var remaining = count
        while remaining > 0 {
            let rows = min(blockRows, remaining)
            let counts = random.multinomial(trials: rows, probabilities: weights + (noise.map { [$0.weight] } ?? []))
            var groupedLabels = [Int]()
            groupedLabels.reserveCapacity(rows)
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
                if let noise, counts[componentCount] > 0 {
                    for r in start..<(start + counts[componentCount]) {
                        for j in 0..<d { out[r * d + j] = noise.lower[j] + random.uniform() * (noise.upper[j] - noise.lower[j]) }
                    }
                    groupedLabels.append(contentsOf: repeatElement(componentCount, count: counts[componentCount]))
                }
            }
            var order = Array(0..<rows)
            random.shuffle(&order)
            var labels = [Int](repeating: 0, count: rows)
            grouped.withUnsafeBufferPointer { source in
                shuffled.withUnsafeMutableBufferPointer { target in
                    for (position, from) in order.enumerated() {
                        (target.baseAddress! + position * d).update(from: source.baseAddress! + from * d, count: d)
                        labels[position] = groupedLabels[from]
                    }
                }
            }
            try shuffled.withUnsafeBufferPointer { (all) throws(E) -> Void in
                try body(UnsafeBufferPointer(rebasing: all[0..<(rows * d)]), labels)
            }
            remaining -= rows
        }
    }
}
