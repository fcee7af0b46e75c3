// Model-based agglomerative hierarchical clustering under the unconstrained
// (VVV) Gaussian model: Fraley (1998), "Algorithms for model-based Gaussian
// hierarchical clustering", SIAM J. Sci. Comput. 20(1), as mclust's `hcVVV`
// computes it (mclust 6.0, read to understand; this is our own code).
//
// Notation: rows z_i (i over the n rows, p columns); a cluster C has n_C rows,
// mean m_C and scatter W_C = Σ_{i∈C} (z_i − m_C)(z_i − m_C)ᵀ. Every cluster
// has a term
//     t(C) = n_C · log( det(W_C / n_C) + β (tr W_C + α) / n_C )
// with the regularised shortcuts mclust uses: when n_C ≤ p the determinant is
// left out (it is 0), and tr W_C = 0 gives n_C · log(αβ / n_C); a singular W_C
// with n_C > p is treated like n_C ≤ p. A singleton's term is log(αβ).
// α = tr W(all rows)/(n p) (at least the machine epsilon), β = 1: mclust's defaults.
// Merging clusters A and B costs t(A ∪ B) − t(A) − t(B), and each step merges
// the cheapest pair. The union's scatter is W_A + W_B + v vᵀ with
// v = sqrt(n_A n_B / (n_A + n_B)) (m_A − m_B).
//
// W_C is kept as an upper-trapezoidal factor R_C with R_Cᵀ R_C = W_C and
// min(n_C − 1, p) rows (so all factors together hold at most n·p numbers):
// a row is added by Givens rotations. A singleton joining a cluster whose factor
// is square and regular needs only its determinant, by the matrix determinant
// lemma det(W + v vᵀ) = det(W) (1 + |R⁻ᵀ v|²), one triangular solve.
//
// Which pair is merged when several cost the same decides the tree on data
// with repeated rows, so the bookkeeping follows mclust's: clusters live in
// slots 0..<g; the cost of slots i < j sits at position j(j−1)/2 + i of one
// packed array; the cheapest pair is the last position holding the minimum;
// the union goes to slot i and the last slot moves into slot j.
//
// Cost: n(n−1)/2 stored costs (16 MB for 2000 rows). Each column j keeps its
// smallest cost (and its last position), so finding the cheapest pair takes one
// pass over the columns; a merge recomputes the union's costs against every
// other cluster and rescans the few columns whose minimum it raised.

import Foundation

/// The merges of the VVV agglomeration of the rows of `z`, from n singletons to one cluster.
enum VVVAgglomeration {
    /// Returns the n − 1 merges in order; each pair names its two clusters by
    /// their smallest row index, smaller name first (mclust's `hc` output).
    static func merges(of z: [Double], rows n: Int, columns p: Int) -> [(Int, Int)] {
        precondition(z.count == n * p && p >= 1)
        guard n >= 2 else { return [] }
        var state = State(z: z, n: n, p: p)
        return state.run()
    }

    private struct State {
        let p: Int
        let n: Int
        let alpha: Double
        let logAlphaBeta: Double
        var count: [Int]
        var means: [Double]          // slot-major, p per slot
        var traces: [Double]
        var terms: [Double]
        var factors: [[Double]]      // rows × p, row r meaningful from column r
        var logDets: [Double?]       // log det(Rᵀ R) when R is square and regular
        var names: [Int]
        var costs: [Double]
        /// Per column j ≥ 1: the smallest cost of a pair (i, j), i < j, and the last i holding it.
        var columnMinima: [Double]
        var columnArguments: [Int]
        var scratch: [Double]
        var work: [Double]

        init(z: [Double], n: Int, p: Int) {
            self.n = n
            self.p = p
            // α = trace of the scatter of z / sqrt(n p), i.e. tr W / (n p); β = 1.
            var trace = 0.0
            for j in 0..<p {
                var mean = 0.0
                for i in 0..<n { mean += z[i * p + j] }
                mean /= Double(n)
                for i in 0..<n {
                    let e = z[i * p + j] - mean
                    trace += e * e
                }
            }
            alpha = max(trace / Double(n * p), Double.ulpOfOne)
            logAlphaBeta = log(alpha)
            count = Array(repeating: 1, count: n)
            means = z
            traces = Array(repeating: 0, count: n)
            terms = Array(repeating: log(alpha), count: n)
            factors = Array(repeating: [], count: n)
            logDets = Array(repeating: nil, count: n)
            names = Array(0..<n)
            costs = Array(repeating: 0, count: n * (n - 1) / 2)
            columnMinima = Array(repeating: .infinity, count: n)
            columnArguments = Array(repeating: 0, count: n)
            scratch = Array(repeating: 0, count: p)
            work = Array(repeating: 0, count: p)
        }

        /// t(C) for a cluster of `size` rows with scatter trace `trace`; `logDet`
        /// gives log det W (nil when singular) and is asked only when needed.
        static func term(size: Int, trace: Double, p: Int, alpha: Double, logDet: () -> Double?) -> Double {
            let l = Double(size)
            let ridge = (trace + alpha) / l
            if size <= p { return l * log(ridge) }
            if trace == 0 { return l * log(alpha / l) }
            guard let logDet = logDet() else { return l * log(ridge) }
            let detlog = logDet - Double(p) * log(l)
            return detlog <= 0 ? l * log(exp(detlog) + ridge) : l * (log(1 + exp(-detlog) * ridge) + detlog)
        }

        /// Rotates the row `v` (destroyed) into the factor `r` of `rows` rows; appends a row while rows < p.
        func addRow(_ v: UnsafeMutablePointer<Double>, to r: inout [Double], rows: inout Int) {
            let p = self.p
            r.withUnsafeMutableBufferPointer { rb in
                let r = rb.baseAddress!
                for k in 0..<rows {
                    let b = v[k]
                    if b == 0 { continue }
                    let a = r[k * p + k]
                    let h = (a * a + b * b).squareRoot()
                    let c = a / h, s = b / h
                    r[k * p + k] = h
                    v[k] = 0
                    var j = k + 1
                    while j < p {
                        let x = r[k * p + j], y = v[j]
                        r[k * p + j] = c * x + s * y
                        v[j] = c * y - s * x
                        j += 1
                    }
                }
            }
            if rows < p {
                for j in 0..<rows { v[j] = 0 }
                r.append(contentsOf: UnsafeBufferPointer(start: v, count: p))
                rows += 1
            }
        }

        /// log det(Rᵀ R) of a square factor, nil when a diagonal entry is zero.
        func logDet(of r: [Double], rows: Int) -> Double? {
            guard rows == p else { return nil }
            var sum = 0.0
            for k in 0..<p {
                let d = r[k * p + k]
                if d == 0 { return nil }
                sum += log(abs(d))
            }
            return 2 * sum
        }

        /// The factor of A ∪ B: the larger factor, the other's rows and v rotated in.
        func unionFactor(_ a: Int, _ b: Int, v: UnsafeMutablePointer<Double>, into r: inout [Double], rows: inout Int) {
            let (big, small) = factors[a].count >= factors[b].count ? (a, b) : (b, a)
            r = factors[big]
            rows = r.count / p
            let other = factors[small]
            let otherRows = other.count / p
            let row = UnsafeMutablePointer<Double>.allocate(capacity: p)
            defer { row.deallocate() }
            for k in 0..<otherRows {
                for j in 0..<p { row[j] = other[k * p + j] }
                addRow(row, to: &r, rows: &rows)
            }
            addRow(v, to: &r, rows: &rows)
        }

        /// The merge cost of slots a and b, with the union's trace and term.
        mutating func cost(_ a: Int, _ b: Int) -> (cost: Double, trace: Double, term: Double) {
            let p = self.p
            let na = count[a], nb = count[b], size = na + nb
            let w = (Double(na) * Double(nb) / Double(size)).squareRoot()
            var trace = traces[a] + traces[b]
            var squares = 0.0
            means.withUnsafeBufferPointer { m in
                scratch.withUnsafeMutableBufferPointer { v in
                    for j in 0..<p {
                        let e = w * (m[a * p + j] - m[b * p + j])
                        v[j] = e
                        squares += e * e
                    }
                }
            }
            trace += squares
            let t = Self.term(size: size, trace: trace, p: p, alpha: alpha) { () -> Double? in
                // Determinant lemma when a singleton joins a square regular factor.
                for (big, single) in [(a, b), (b, a)] where count[single] == 1 {
                    guard let base = logDets[big] else { continue }
                    let norm = Self.solvedSquaredNorm(factor: factors[big], v: scratch, into: &work, dimension: p)
                    return base + log1p(norm)
                }
                var r: [Double] = []
                var rows = 0
                var v = scratch
                v.withUnsafeMutableBufferPointer { unionFactor(a, b, v: $0.baseAddress!, into: &r, rows: &rows) }
                return logDet(of: r, rows: rows)
            }
            return (t - terms[a] - terms[b], trace, t)
        }

        /// |y|² for Rᵀ y = v with R the p×p upper triangular `factor`: forward substitution
        /// (Rᵀ is lower triangular), y left in `y`.
        static func solvedSquaredNorm(factor r: UnsafePointer<Double>, v: UnsafePointer<Double>,
                                      into y: UnsafeMutablePointer<Double>, dimension p: Int) -> Double {
            var norm = 0.0
            for k in 0..<p {
                var s = v[k]
                for i in 0..<k { s -= r[i * p + k] * y[i] }
                let yk = s / r[k * p + k]
                y[k] = yk
                norm += yk * yk
            }
            return norm
        }

        @inline(__always) static func position(_ i: Int, _ j: Int) -> Int { j * (j - 1) / 2 + i }

        mutating func run() -> [(Int, Int)] {
            var merges: [(Int, Int)] = []
            merges.reserveCapacity(n - 1)
            for j in 1..<n {
                for i in 0..<j { costs[Self.position(i, j)] = cost(i, j).cost }
                rescan(j)
            }
            var slots = n
            while slots > 1 {
                // The cheapest pair: the last position holding the minimum, i.e. the
                // last column whose minimum is the smallest, at that column's last minimum.
                var j = 1
                for c in 2..<max(slots, 2) where columnMinima[c] <= columnMinima[j] { j = c }
                merge(columnArguments[j], j, slots: slots, merges: &merges)
                slots -= 1
            }
            return merges
        }

        /// Recomputes column j's minimum and its last position.
        mutating func rescan(_ j: Int) {
            let base = Self.position(0, j)
            var minimum = Double.infinity
            var argument = 0
            costs.withUnsafeBufferPointer { c in
                for i in 0..<j where c[base + i] <= minimum {
                    minimum = c[base + i]
                    argument = i
                }
            }
            columnMinima[j] = minimum
            columnArguments[j] = argument
        }

        /// Sets the cost of pair (i, j), i < j, keeping column j's minimum.
        mutating func setCost(_ value: Double, _ i: Int, _ j: Int) {
            costs[Self.position(i, j)] = value
            if value < columnMinima[j] || (value == columnMinima[j] && i >= columnArguments[j]) {
                columnMinima[j] = value
                columnArguments[j] = i
            } else if columnArguments[j] == i {
                rescan(j)
            }
        }

        /// Merges slots i < j into slot i, moves the last slot into j, and
        /// recomputes the costs of the union against every other slot.
        mutating func merge(_ i: Int, _ j: Int, slots: Int, merges: inout [(Int, Int)]) {
            let p = self.p
            let (_, trace, term) = cost(i, j)
            let na = Double(count[i]), nb = Double(count[j]), size = count[i] + count[j]
            var r: [Double] = []
            var rows = 0
            var v = scratch   // cost() left v = sqrt(na nb / size) (m_i − m_j) there
            v.withUnsafeMutableBufferPointer { unionFactor(i, j, v: $0.baseAddress!, into: &r, rows: &rows) }
            for k in 0..<p { means[i * p + k] = (na * means[i * p + k] + nb * means[j * p + k]) / Double(size) }
            count[i] = size
            traces[i] = trace
            terms[i] = term
            logDets[i] = logDet(of: r, rows: rows)
            factors[i] = r
            merges.append((min(names[i], names[j]), max(names[i], names[j])))
            names[i] = min(names[i], names[j])
            let last = slots - 1
            if j != last {
                for k in 0..<p { means[j * p + k] = means[last * p + k] }
                count[j] = count[last]
                traces[j] = traces[last]
                terms[j] = terms[last]
                logDets[j] = logDets[last]
                factors[j] = factors[last]
                names[j] = names[last]
                for k in 0..<j { costs[Self.position(k, j)] = costs[Self.position(k, last)] }
                for k in (j + 1)..<last { setCost(costs[Self.position(k, last)], j, k) }
            }
            factors[last] = []
            for k in 0..<i { costs[Self.position(k, i)] = cost(k, i).cost }
            for k in (i + 1)..<last { setCost(cost(i, k).cost, i, k) }
            rescan(i)
            if j < last { rescan(j) }
        }
    }
}
