// Symmetric eigendecomposition and singular value decomposition of small
// row-major matrices, over GSL's `gsl_eigen_symmv` (symmetric QR with implicit
// shifts) and `gsl_linalg_SV_decomp` (Golub–Reinsch). The mclust M-steps use
// them on d×d scatter matrices. Each call allocates its own workspace, so the
// functions are safe to call from several threads at once.
//
// Layout: row-major with the row length as stride, as everywhere in GSL/.
// Vectors come back as the COLUMNS of the returned d×d matrix.
internal import CGSL

extension GSLLinearAlgebra {
    /// Eigenvalues (in decreasing order) and eigenvectors of the symmetric d×d `a`.
    ///
    /// Only the lower triangle and diagonal of `a` are read. Column j of
    /// `vectors` (entries `vectors[r * d + j]`) is the unit eigenvector of
    /// `values[j]`; its sign is whatever GSL returns.
    ///
    /// - Throws: `GSLStatus` when GSL's QR iteration fails to converge.
    static func symmetricEigen(_ a: [Double], dimension d: Int) throws(GSLStatus) -> (values: [Double], vectors: [Double]) {
        _ = GSLRuntime.ready
        precondition(a.count == d * d && d > 0, "symmetricEigen: \(a.count) values for a \(d)×\(d) matrix")
        var work = a
        var values = [Double](repeating: 0, count: d)
        var vectors = [Double](repeating: 0, count: d * d)
        guard let workspace = gsl_eigen_symmv_alloc(d) else { throw GSLStatus.noMemory }
        defer { gsl_eigen_symmv_free(workspace) }
        let status = eigen(&work, values: &values, vectors: &vectors, dimension: d, workspace: workspace)
        try GSLStatus.check(status)
        return (values, vectors)
    }

    /// The singular value decomposition `a = U · diag(s) · Vᵀ` of the square d×d `a`.
    ///
    /// Singular values come in decreasing order; column j of `u` and of `v`
    /// belong to `s[j]` (their common sign is whatever GSL returns).
    ///
    /// - Throws: `GSLStatus` when GSL's iteration fails to converge.
    static func singularValueDecomposition(
        _ a: [Double], dimension d: Int
    ) throws(GSLStatus) -> (u: [Double], s: [Double], v: [Double]) {
        _ = GSLRuntime.ready
        precondition(a.count == d * d && d > 0, "singularValueDecomposition: \(a.count) values for a \(d)×\(d) matrix")
        var u = a
        var s = [Double](repeating: 0, count: d)
        var v = [Double](repeating: 0, count: d * d)
        var work = [Double](repeating: 0, count: d)
        let status = singularValues(&u, s: &s, v: &v, work: &work, dimension: d)
        try GSLStatus.check(status)
        return (u, s, v)
    }

    /// `gsl_eigen_symmv` then `gsl_eigen_symmv_sort` (decreasing values) on the d×d `a`.
    private static func eigen(
        _ a: UnsafeMutablePointer<Double>, values: UnsafeMutablePointer<Double>,
        vectors: UnsafeMutablePointer<Double>, dimension d: Int, workspace: UnsafeMutablePointer<gsl_eigen_symmv_workspace>
    ) -> Int32 {
        var am = gsl_matrix_view_array(a, d, d)
        var ev = gsl_vector_view_array(values, d)
        var em = gsl_matrix_view_array(vectors, d, d)
        let s = gsl_eigen_symmv(&am.matrix, &ev.vector, &em.matrix, workspace)
        guard s == GSL_SUCCESS else { return s }
        return gsl_eigen_symmv_sort(&ev.vector, &em.matrix, GSL_EIGEN_SORT_VAL_DESC)
    }

    /// `gsl_linalg_SV_decomp` of the d×d `u` (overwritten by U), with `work` d doubles.
    private static func singularValues(
        _ u: UnsafeMutablePointer<Double>, s: UnsafeMutablePointer<Double>, v: UnsafeMutablePointer<Double>,
        work: UnsafeMutablePointer<Double>, dimension d: Int
    ) -> Int32 {
        var um = gsl_matrix_view_array(u, d, d)
        var sv = gsl_vector_view_array(s, d)
        var vm = gsl_matrix_view_array(v, d, d)
        var wv = gsl_vector_view_array(work, d)
        return gsl_linalg_SV_decomp(&um.matrix, &vm.matrix, &sv.vector, &wv.vector)
    }
}
