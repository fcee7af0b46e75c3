// mclust's default start (`Mclust()` → `mclustBIC`): model-based hierarchical
// agglomeration, cut at K clusters, then an M-step from the one-hot partition.
//
// What is agglomerated (mclust's `hc(data, modelName = "VVV", use = "SVD")`):
// each column is centred and scaled to standard deviation 1 (n − 1 in the
// denominator; a constant column is dropped, as mclust drops its non-finite
// column), the result X has the thin SVD X = U S Vᵀ, and the rows of
// Z = X V S^(−1/2) are clustered by the VVV agglomeration
// (HierarchicalAgglomeration.swift). mclust lets a zero singular value turn Z
// into infinities (and then stops); here such directions (below 1e-12 of the
// largest singular value) are left out.
//
// With no more rows than features mclust switches to its EII agglomeration;
// here the VVV one is used whatever the shape (for clusters of at most d rows
// its cost already reduces to the scatter's trace).
//
// One feature: mclust does not agglomerate but cuts the sorted values at
// quantiles (`qclass`, R's type-7 quantiles), and so does this.
//
// Above `subsetSize` rows (2000, mclust's `mclust.options("subset")`) the tree
// is built on a seeded random subset of that many rows, and the start is the
// M-step on the subset alone; EM then runs on every row (mclustBIC's
// `initialization$subset` path). Memory is then bounded by the subset
// (16 MB of pair costs), whatever the number of rows.

import Foundation

/// The hierarchical start of mclust: the merge tree of the rows (or of a seeded
/// subset of them), from which a partition into any number of clusters is cut.
///
/// Build it once per data set and cut it at every K (`partition(clusterCount:)`);
/// `InitializationMethod.hierarchicalTree` starts a fit from it.
public struct AgglomerationTree: Sendable, Equatable {
    /// mclust's default subset size: above this many rows the tree is built on a subset.
    public static let subsetSize = 2000

    /// The number of rows of the data the tree was built for.
    public let dataRowCount: Int
    /// The rows the tree clusters (0-based, increasing), or `nil` for every row.
    public let rows: [Int]?
    private let content: Content

    private enum Content: Sendable, Equatable {
        /// n − 1 merges of clusters named by their smallest (tree) row index, smaller first.
        case merges([Pair])
        /// One feature: the values, cut at quantiles.
        case values([Double])
    }

    private struct Pair: Sendable, Equatable {
        var first: Int32
        var second: Int32
    }

    /// The number of rows the tree clusters (at most `subsetSize`).
    public var leafCount: Int { rows?.count ?? dataRowCount }

    /// Builds the tree of `data` (no gaps); above `subsetSize` rows on a subset
    /// of `subsetSize` rows drawn with `seed`.
    ///
    /// Cost: about n²/2 pair costs, each O(d) to O(d³), and n merges each
    /// scanning those costs: seconds for 2000 rows.
    /// - Throws: `FitError.infeasible` when every column is constant.
    public init(data: DataMatrix, seed: UInt64, subsetSize: Int = AgglomerationTree.subsetSize) throws(FitError) {
        try self.init(data: data, random: GSLRandom(seed: seed), subsetSize: subsetSize)
    }

    init(data: DataMatrix, random: GSLRandom, subsetSize: Int = AgglomerationTree.subsetSize) throws(FitError) {
        precondition(subsetSize >= 2)
        dataRowCount = data.sampleCount
        let leaves: DataMatrix
        if data.sampleCount > subsetSize {
            let chosen = random.sampleWithoutReplacement(count: subsetSize, from: data.sampleCount).sorted()
            rows = chosen
            leaves = (try? DataMatrix(rows: chosen.map { data.row($0) })) ?? data
        } else {
            rows = nil
            leaves = data
        }
        if data.featureCount == 1 {
            content = .values(leaves.values)
            return
        }
        let (z, p) = try Self.transformed(leaves)
        content = .merges(VVVAgglomeration.merges(of: z, rows: leaves.sampleCount, columns: p).map {
            Pair(first: Int32($0.0), second: Int32($0.1))
        })
    }

    /// A partition of the tree's rows (`rows`, or every row) into `clusterCount`
    /// clusters: labels 0..<K numbered in order of first appearance (mclust's `hclass`).
    public func partition(clusterCount k: Int) -> [Int] {
        let n = leafCount
        precondition(k >= 1 && k <= n, "the tree has \(n) rows; cannot cut it into \(k) clusters")
        var owner: [Int]
        switch content {
        case let .values(x):
            owner = Self.quantileClasses(x, k)
        case let .merges(merges):
            owner = Array(0..<n)
            for pair in merges.prefix(n - k) { owner[Int(pair.second)] = Int(pair.first) }
            // A name's owner is always a smaller name: resolve in increasing order.
            for i in 0..<n { owner[i] = owner[owner[i]] }
        }
        var label: [Int: Int] = [:]
        return owner.map { name in
            if let l = label[name] { return l }
            label[name] = label.count
            return label.count - 1
        }
    }

    /// Z = X V S^(−1/2) of the standardised data X, and its column count.
    static func transformed(_ data: DataMatrix) throws(FitError) -> ([Double], Int) {
        let n = data.sampleCount, d = data.featureCount
        var columns: [Int] = []
        var centres: [Double] = [], scales: [Double] = []
        for j in 0..<d {
            var mean = 0.0
            for i in 0..<n { mean += data[i, j] }
            mean /= Double(n)
            var squares = 0.0
            for i in 0..<n { squares += (data[i, j] - mean) * (data[i, j] - mean) }
            let sd = (squares / Double(n - 1)).squareRoot()
            if sd > 0 && sd.isFinite {
                columns.append(j)
                centres.append(mean)
                scales.append(sd)
            }
        }
        let q = columns.count
        guard q > 0, n >= 2 else {
            throw .infeasible(reason: "the hierarchical start needs a column that is not constant and at least 2 rows")
        }
        var x = [Double](repeating: 0, count: n * q)
        for i in 0..<n {
            for (c, j) in columns.enumerated() { x[i * q + c] = (data[i, j] - centres[c]) / scales[c] }
        }
        // Right singular vectors: from X itself when n ≥ q, else from Xᵀ (its left ones).
        var values: [Double], vectors: [Double], rank: Int
        do {
            if n >= q {
                var a = x
                (values, vectors) = try a.withUnsafeMutableBufferPointer { (b) throws(GSLStatus) in
                    try GSLLinearAlgebra.singularValueDecomposition(b.baseAddress!, rows: n, columns: q)
                }
                rank = q
            } else {
                // Xᵀ = U S Wᵀ, so X = W S Uᵀ: U (q×n, left in a) holds the right singular vectors of X.
                var a = [Double](repeating: 0, count: q * n)
                for i in 0..<n { for c in 0..<q { a[c * n + i] = x[i * q + c] } }
                (values, _) = try a.withUnsafeMutableBufferPointer { (b) throws(GSLStatus) in
                    try GSLLinearAlgebra.singularValueDecomposition(b.baseAddress!, rows: q, columns: n)
                }
                vectors = a
                rank = n
            }
        } catch {
            throw .infeasible(reason: "the singular value decomposition of the standardised data failed (\(error))")
        }
        let largest = values.max() ?? 0
        let kept = (0..<rank).filter { values[$0] > largest * 1e-12 }
        let p = kept.count
        var z = [Double](repeating: 0, count: n * p)
        for i in 0..<n {
            for (c, m) in kept.enumerated() {
                var dot = 0.0
                for k in 0..<q { dot += x[i * q + k] * vectors[k * rank + m] }
                z[i * p + c] = dot / values[m].squareRoot()
            }
        }
        return (z, p)
    }

    /// mclust's `qclass(x, k)`: classes cut at type-7 quantiles of x, with the
    /// `k + 1` cut points chosen among as many distinct quantiles as needed.
    static func quantileClasses(_ x: [Double], _ k: Int) -> [Int] {
        let sorted = x.sorted()
        let n = sorted.count
        func quantile(_ prob: Double) -> Double {
            let index = 1 + Double(n - 1) * prob   // R's 1-based index, rounded as R rounds it
            let lo = index.rounded(.down), hi = index.rounded(.up)
            let a = sorted[Int(lo) - 1], b = sorted[Int(hi) - 1]
            guard index > lo && b != a else { return a }
            let h = index - lo
            return (1 - h) * a + h * b
        }
        var cuts: [Double] = []
        var count = k
        while cuts.count < k + 1 {
            count += 1
            let by = 1 / Double(count - 1)
            var distinct: [Double] = []
            for m in 0..<count {
                let q = quantile(m == count - 1 ? 1 : Double(m) * by)
                if !distinct.contains(q) { distinct.append(q) }
            }
            cuts = distinct
            if count > n + k + 2 { break }
        }
        if cuts.count > k + 1 {
            // Drop the left ends of the smallest gaps (R's order() is stable: ties by position).
            let gaps = (0..<(cuts.count - 1)).map { cuts[$0 + 1] - cuts[$0] }
            let order = gaps.indices.sorted { gaps[$0] < gaps[$1] || (gaps[$0] == gaps[$1] && $0 < $1) }
            let drop = Set(order.prefix(cuts.count - k - 1))
            cuts = cuts.indices.filter { !drop.contains($0) }.map { cuts[$0] }
        }
        let mean = x.reduce(0, +) / Double(n)
        let sd = (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(n - 1, 1))).squareRoot()
        let eps = sd * Double.ulpOfOne.squareRoot()
        cuts[0] = sorted[0] - eps
        cuts[cuts.count - 1] = sorted[n - 1] + eps
        return x.map { v in
            var c = 0
            for i in 0..<k where v >= cuts[i] && v < cuts[i + 1] { c = i }
            return c
        }
    }
}
