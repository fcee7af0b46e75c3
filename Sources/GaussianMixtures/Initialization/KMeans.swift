// Weighted k-means as scikit-learn's `KMeans(n_clusters=K, n_init=1)` runs it inside
// `GaussianMixture(init_params="kmeans")`: greedy k-means++ seeding with
// 2 + ⌊ln K⌋ candidates per centre, then Lloyd iterations until the labels stop
// changing or the squared centre shift falls below 1e-4 × the mean feature
// variance, at most 300 iterations. An empty cluster takes the row farthest
// from its centre. Row weights (frequency weights; nil = all 1) scale the
// seeding probabilities and the centre means. Random choices come from the restart's GSL generator, so
// labels are reproducible from the seed (but not equal to scikit-learn's,
// whose random stream differs).

enum KMeans {
    static let maxIterations = 300
    static let relativeTolerance = 1e-4

    /// Hard cluster labels (0..<K) for every row.
    static func labels(of data: DataMatrix, weights: [Double]?, clusterCount kCount: Int, random: GSLRandom) -> [Int] {
        let seeds = plusPlusSeeds(of: data, weights: weights, clusterCount: kCount, random: random)
        var centres = seeds.flatMap { data.row($0) }
        return lloyd(data, weights: weights, centres: &centres, clusterCount: kCount)
    }

    /// Indices of K rows chosen by greedy k-means++ seeding.
    static func plusPlusSeeds(of data: DataMatrix, weights: [Double]?, clusterCount kCount: Int, random: GSLRandom) -> [Int] {
        let n = data.sampleCount
        let d = data.featureCount
        let trials = 2 + Int(Double(kCount).logNatural)
        return data.withUnsafeBufferPointer { x -> [Int] in
            let x = x.baseAddress!
            @inline(__always) func weighted(_ idx: Int, _ centre: Int) -> Double {
                let dist = squaredDistance(x + idx * d, x + centre * d, d)
                return weights.map { $0[idx] * dist } ?? dist
            }
            // The first centre: a row drawn with probability proportional to its weight.
            let first: Int
            if let weights {
                var cumulativeWeight = weights
                for idx in 1..<max(n, 1) { cumulativeWeight[idx] += cumulativeWeight[idx - 1] }
                first = min(lowerBound(cumulativeWeight, random.uniformPositive() * cumulativeWeight[n - 1]), n - 1)
            } else {
                first = random.integer(below: n)
            }
            var chosen = [first]
            // Two n-vectors only: each candidate's potential is summed on the fly,
            // and the winner's distances are folded into `closest` afterwards.
            var closest = (0..<n).map { weighted($0, first) }
            var potential = closest.reduce(0, +)
            var cumulative = [Double](repeating: 0, count: n)
            while chosen.count < kCount {
                var running = 0.0
                for idx in 0..<n {
                    running += closest[idx]
                    cumulative[idx] = running
                }
                var best: (index: Int, potential: Double)?
                for _ in 0..<trials {
                    let target = random.uniform() * potential
                    let candidate = min(lowerBound(cumulative, target), n - 1)
                    var pot = 0.0
                    for idx in 0..<n { pot += min(closest[idx], weighted(idx, candidate)) }
                    if best == nil || pot < best!.potential { best = (candidate, pot) }
                }
                let winner = best!.index
                for idx in 0..<n { closest[idx] = min(closest[idx], weighted(idx, winner)) }
                chosen.append(winner)
                potential = best!.potential
            }
            return chosen
        }
    }

    /// Lloyd iterations from `centres` (K×d); returns the final labels.
    static func lloyd(_ data: DataMatrix, weights: [Double]?, centres: inout [Double], clusterCount kCount: Int) -> [Int] {
        let n = data.sampleCount
        let d = data.featureCount
        let w = weights ?? [Double](repeating: 1, count: n)
        let tolerance = relativeTolerance * meanVariance(of: data)
        var labels = [Int](repeating: -1, count: n)
        return data.withUnsafeBufferPointer { x -> [Int] in
            let x = x.baseAddress!
            var distance = [Double](repeating: 0, count: n)
            func assign() -> Bool {
                var changed = false
                centres.withUnsafeBufferPointer { c in
                    for i in 0..<n {
                        var bestK = 0
                        var bestD = Double.infinity
                        for k in 0..<kCount {
                            let dist = squaredDistance(x + i * d, c.baseAddress! + k * d, d)
                            if dist < bestD { bestD = dist; bestK = k }
                        }
                        if labels[i] != bestK { changed = true; labels[i] = bestK }
                        distance[i] = bestD
                    }
                }
                return changed
            }
            _ = assign()
            for _ in 0..<maxIterations {
                var sums = [Double](repeating: 0, count: kCount * d)
                var counts = [Double](repeating: 0, count: kCount)
                for i in 0..<n {
                    counts[labels[i]] += w[i]
                    for j in 0..<d { sums[labels[i] * d + j] += w[i] * x[i * d + j] }
                }
                var taken = Set<Int>()
                for k in 0..<kCount where counts[k] == 0 {
                    // Relocate an empty cluster to the (weighted) row farthest from its centre.
                    var far = -1
                    for i in 0..<n where w[i] > 0 && !taken.contains(i) && (far < 0 || w[i] * distance[i] > w[far] * distance[far]) {
                        far = i
                    }
                    if far < 0 { continue }
                    taken.insert(far)
                    counts[k] = 1
                    for j in 0..<d { sums[k * d + j] = x[far * d + j] }
                }
                var shift = 0.0
                for k in 0..<kCount where counts[k] > 0 {
                    for j in 0..<d {
                        let v = sums[k * d + j] / counts[k]
                        shift += (v - centres[k * d + j]) * (v - centres[k * d + j])
                        centres[k * d + j] = v
                    }
                }
                let changed = assign()
                if !changed || shift <= tolerance { break }
            }
            return labels
        }
    }

    private static func meanVariance(of data: DataMatrix) -> Double {
        let mean = columnMeans(of: data)
        let d = data.featureCount
        var total = 0.0
        data.withUnsafeBufferPointer { x in
            for i in 0..<data.sampleCount {
                for j in 0..<d { total += (x[i * d + j] - mean[j]) * (x[i * d + j] - mean[j]) }
            }
        }
        return total / Double(max(data.sampleCount, 1) * d)
    }
}

@inline(__always)
func squaredDistance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ d: Int) -> Double {
    var s = 0.0
    for j in 0..<d {
        let v = a[j] - b[j]
        s += v * v
    }
    return s
}

/// First index whose cumulative value is ≥ `target` (numpy's `searchsorted`, side left).
private func lowerBound(_ values: [Double], _ target: Double) -> Int {
    var lo = 0, hi = values.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if values[mid] < target { lo = mid + 1 } else { hi = mid }
    }
    return lo
}

private extension Double {
    var logNatural: Double { _logNatural(self) }
}
