// The k-means start of a large data set, from a sample.
//
// Seeding and Lloyd iterations keep three or four numbers per row (distances,
// cumulative potentials, labels) and pass over every row dozens of times, on
// one thread: at 1e7 rows that is some 300 MB beyond the data and most of the
// fit's time, and it would make every page of a memory-mapped file resident.
// Above `sampleThreshold` rows the start therefore runs k-means (the same
// seeding and Lloyd code) on a seeded sample of `sampleRows` rows, taken as
// runs of `sampleGranule` consecutive rows so that reading a file that does not
// fit in memory stays cheap, and then gives every row to its nearest centre
// block by block inside the ordinary statistics pass. Memory is then bounded
// by the sample; data sets up to the threshold start exactly as before.

extension KMeans {
    /// Data sets with more rows than this start from k-means on a sample.
    static let sampleThreshold = 1 << 20
    /// Rows in that sample.
    static let sampleRows = 1 << 18
    /// Consecutive rows taken together into the sample.
    static let sampleGranule = 64

    /// A seeded sample of about `sampleRows` rows (whole granules, in file order) and their weights.
    static func sample(of data: DataMatrix, weights: [Double]?, random: GSLRandom) -> (rows: DataMatrix, weights: [Double]?, ranges: [Range<Int>]) {
        let n = data.sampleCount
        let granules = (n + sampleGranule - 1) / sampleGranule
        let count = min(granules, sampleRows / sampleGranule)
        let chosen = random.sampleWithoutReplacement(count: count, from: granules).sorted()
        let ranges = chosen.map { g in (g * sampleGranule)..<min((g + 1) * sampleGranule, n) }
        return (data.gathering(ranges), weights.map { w in ranges.flatMap { w[$0] } }, ranges)
    }

    /// K×d centres of a k-means run on a sample of `data`: the weighted means
    /// of the sample's final clusters (a seed row where a cluster has no weight).
    static func sampledCentres(of data: DataMatrix, weights: [Double]?, clusterCount kCount: Int, random: GSLRandom) -> [Double] {
        let (rows, rowWeights, _) = sample(of: data, weights: weights, random: random)
        let labels = KMeans.labels(of: rows, weights: rowWeights, clusterCount: kCount, random: random)
        let d = rows.featureCount
        var sums = [Double](repeating: 0, count: kCount * d)
        var counts = [Double](repeating: 0, count: kCount)
        rows.withUnsafeBufferPointer { x in
            for (i, k) in labels.enumerated() {
                let w = rowWeights?[i] ?? 1
                counts[k] += w
                for j in 0..<d { sums[k * d + j] += w * x[i * d + j] }
            }
        }
        for k in 0..<kCount {
            if counts[k] > 0 {
                for j in 0..<d { sums[k * d + j] /= counts[k] }
            } else if let i = labels.firstIndex(of: k) {
                for j in 0..<d { sums[k * d + j] = rows[i, j] }
            }
        }
        return sums
    }

    /// Writes one-hot responsibilities (rows×K) giving each row of `block` to its
    /// nearest centre (squared Euclidean distance; ties to the lower index).
    static func assignNearest(_ block: UnsafePointer<Double>, rows: Int, featureCount d: Int, centres: [Double],
                              clusterCount kCount: Int, into resp: UnsafeMutablePointer<Double>) {
        centres.withUnsafeBufferPointer { c in
            for r in 0..<rows {
                var best = 0
                var bestDistance = Double.infinity
                for k in 0..<kCount {
                    let distance = squaredDistance(block + r * d, c.baseAddress! + k * d, d)
                    if distance < bestDistance { bestDistance = distance; best = k }
                }
                for k in 0..<kCount { resp[r * kCount + k] = k == best ? 1 : 0 }
            }
        }
    }

    /// k-means++ seeds chosen on a sample of `data`, as row indices of `data`.
    static func sampledPlusPlusSeeds(of data: DataMatrix, weights: [Double]?, clusterCount kCount: Int, random: GSLRandom) -> [Int] {
        let (rows, rowWeights, ranges) = sample(of: data, weights: weights, random: random)
        var starts: [Int] = []     // sample position of each range's first row
        var position = 0
        for range in ranges { starts.append(position); position += range.count }
        return plusPlusSeeds(of: rows, weights: rowWeights, clusterCount: kCount, random: random).map { i in
            var lo = 0, hi = starts.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if starts[mid] <= i { lo = mid } else { hi = mid - 1 }
            }
            return ranges[lo].lowerBound + (i - starts[lo])
        }
    }
}
