// The thin singular value decomposition, for the transform of the data that
// mclust's hierarchical start works on (HierarchicalStart.swift). One-sided
// Jacobi (`gsl_linalg_SV_decomp_jacobi`): slower than Golub–Kahan but accurate
// to full relative precision in the small singular values, and the matrices here
// are at most a few thousand rows by the feature count.
internal import CGSL

extension GSLLinearAlgebra {
    /// The thin SVD `a = U S Vᵀ` of the row-major `rows`×`columns` matrix `a`,
    /// `rows ≥ columns`: returns the singular values (decreasing, `columns` of
    /// them) and `V` (row-major `columns`×`columns`, column j the right singular
    /// vector of singular value j). `a` is overwritten by `U`.
    ///
    /// - Throws: `GSLStatus` when GSL reports a failure (e.g. no convergence).
    static func singularValueDecomposition(
        _ a: UnsafeMutablePointer<Double>, rows: Int, columns: Int
    ) throws(GSLStatus) -> (values: [Double], rightVectors: [Double]) {
        precondition(rows >= columns && columns >= 1, "the thin SVD needs at least as many rows as columns")
        _ = GSLRuntime.ready
        var values = [Double](repeating: 0, count: columns)
        var vectors = [Double](repeating: 0, count: columns * columns)
        let status = values.withUnsafeMutableBufferPointer { s in
            vectors.withUnsafeMutableBufferPointer { v in
                var aView = gsl_matrix_view_array(a, rows, columns)
                var vView = gsl_matrix_view_array(v.baseAddress!, columns, columns)
                var sView = gsl_vector_view_array(s.baseAddress!, columns)
                return gsl_linalg_SV_decomp_jacobi(&aView.matrix, &vView.matrix, &sView.vector)
            }
        }
        try GSLStatus.check(status)
        return (values, vectors)
    }
}
