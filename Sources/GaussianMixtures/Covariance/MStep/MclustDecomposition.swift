import Foundation

// Small dense helpers the mclust M-steps share: eigendecomposition with the
// folder's sign convention, Σ = λ D diag(A) Dᵀ, geometric means, products of
// d×d matrices. All matrices are row-major d×d `[Double]`.

enum MclustDecomposition {
    /// Eigenvalues (decreasing) and eigenvectors (columns, signs normalised) of
    /// the symmetric d×d `matrix`.
    ///
    /// - Throws: `CovarianceError.notPositiveDefinite(component:)` if GSL's
    ///   iteration fails (it does not on finite input).
    static func eigen(_ matrix: [Double], dimension d: Int, component: Int?) throws(CovarianceError) -> (values: [Double], vectors: [Double]) {
        do {
            var (values, vectors) = try GSLLinearAlgebra.symmetricEigen(matrix, dimension: d)
            normaliseSigns(&vectors, dimension: d)
            return (values, vectors)
        } catch {
            throw .notPositiveDefinite(component: component)
        }
    }

    /// Flips each column of the d×d `vectors` so that its entry of largest
    /// magnitude is positive (the first such entry on an exact tie).
    static func normaliseSigns(_ vectors: inout [Double], dimension d: Int) {
        for c in 0..<d {
            var best = 0
            for r in 1..<max(d, 1) where abs(vectors[r * d + c]) > abs(vectors[best * d + c]) { best = r }
            if vectors[best * d + c] < 0 {
                for r in 0..<d { vectors[r * d + c] = -vectors[r * d + c] }
            }
        }
    }

    /// λ D diag(shape) Dᵀ, exactly symmetric.
    static func compose(volume: Double, shape: ArraySlice<Double>, orientation: ArraySlice<Double>, dimension d: Int) -> [Double] {
        let a = Array(shape), o = Array(orientation)
        var sigma = [Double](repeating: 0, count: d * d)
        for r in 0..<d {
            for c in r..<d {
                var sum = 0.0
                for j in 0..<d { sum += o[r * d + j] * a[j] * o[c * d + j] }
                sigma[r * d + c] = volume * sum
                sigma[c * d + r] = volume * sum
            }
        }
        return sigma
    }

    /// (Π x_j)^(1/d), through logarithms (x_1 itself when d = 1, so that a
    /// one-feature shape is exactly 1); NaN if some x_j < 0, 0 if some x_j = 0.
    static func geometricMean<C: Collection>(_ values: C) -> Double where C.Element == Double {
        if values.count == 1, let only = values.first { return only }
        var sum = 0.0
        for v in values { sum += Foundation.log(v) }
        return Foundation.exp(sum / Double(values.count))
    }

    /// Volume λ = (det Σ)^(1/d), shape A = eigenvalues / λ (decreasing) and
    /// orientation D = eigenvectors of a symmetric positive-definite Σ.
    static func decompose(_ sigma: [Double], dimension d: Int, component: Int?) throws(CovarianceError) -> (volume: Double, shape: [Double], orientation: [Double]) {
        let (values, vectors) = try eigen(sigma, dimension: d, component: component)
        guard let smallest = values.last, smallest > 0 else { throw .notPositiveDefinite(component: component) }
        let volume = geometricMean(values)
        return (volume, values.map { $0 / volume }, vectors)
    }

    /// `a · b` for d×d matrices (`transposeA`: `aᵀ · b`; `transposeB`: `a · bᵀ`).
    static func multiply(_ a: [Double], _ b: [Double], dimension d: Int, transposeA: Bool = false, transposeB: Bool = false) -> [Double] {
        var c = [Double](repeating: 0, count: d * d)
        GSLLinearAlgebra.multiply(a, transposeA: transposeA, lda: d, b, transposeB: transposeB, ldb: d,
                                  into: &c, ldc: d, m: d, n: d, p: d)
        return c
    }

    /// The diagonal of Dᵀ W D.
    static func rotatedDiagonal(_ w: [Double], orientation o: [Double], dimension d: Int) -> [Double] {
        let wd = multiply(w, o, dimension: d)
        return (0..<d).map { j in
            var sum = 0.0
            for r in 0..<d { sum += o[r * d + j] * wd[r * d + j] }
            return sum
        }
    }

    /// The d×d identity.
    static func identity(_ d: Int) -> [Double] {
        var m = [Double](repeating: 0, count: d * d)
        for j in 0..<d { m[j * d + j] = 1 }
        return m
    }
}
