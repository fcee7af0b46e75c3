// Thin wrappers over GSL's Cholesky factorisation and BLAS level-3 calls on
// row-major buffers. Each builds zero-copy `gsl_matrix` views inside the
// caller's pointer scope and checks the status. Cholesky throws `GSLStatus`
// (the data can make a matrix indefinite); the BLAS calls can only fail on
// non-conforming shapes, a programming error, so they check with a
// precondition (status computed first: a precondition's argument is not
// evaluated under -Ounchecked).
//
// Layout: every matrix is row-major with its row length as the stride, the
// same as `gsl_matrix_view_array`. Lower triangular factors are read from the
// lower triangle only; what the upper triangle holds is ignored.
internal import CGSL

enum GSLLinearAlgebra {
    /// Replaces the symmetric positive-definite `a` (d×d) by its lower Cholesky
    /// factor `L` with `a = L Lᵀ`; the strict upper triangle is set to zero.
    ///
    /// - Throws: `GSLStatus.domain` when `a` is not positive definite.
    static func choleskyInPlace(_ a: UnsafeMutablePointer<Double>, dimension d: Int) throws(GSLStatus) {
        _ = GSLRuntime.ready
        var view = gsl_matrix_view_array(a, d, d)
        try GSLStatus.check(gsl_linalg_cholesky_decomp1(&view.matrix))
        for r in 0..<d {
            for c in (r + 1)..<d { a[r * d + c] = 0 }
        }
    }

    /// `block ← block · L⁻ᵀ` for a `rows`×d row-major block: row i becomes the
    /// solution z of `L z = xᵢ` (the whitening of a centred row).
    static func solveLowerTransposedFromRight(
        _ block: UnsafeMutablePointer<Double>, rows: Int, factor: UnsafePointer<Double>, dimension d: Int
    ) {
        _ = GSLRuntime.ready
        var b = gsl_matrix_view_array(block, rows, d)
        var l = gsl_matrix_const_view_array(factor, d, d)
        let status = gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0, &l.matrix, &b.matrix)
        precondition(status == GSL_SUCCESS, "gsl_blas_dtrsm: \(GSLStatus(code: status))")
    }

    /// `block ← block · Lᵀ` for a `rows`×d block: row z becomes `L z` (colouring white noise).
    static func multiplyLowerTransposedFromRight(
        _ block: UnsafeMutablePointer<Double>, rows: Int, factor: UnsafePointer<Double>, dimension d: Int
    ) {
        _ = GSLRuntime.ready
        var b = gsl_matrix_view_array(block, rows, d)
        var l = gsl_matrix_const_view_array(factor, d, d)
        let status = gsl_blas_dtrmm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0, &l.matrix, &b.matrix)
        precondition(status == GSL_SUCCESS, "gsl_blas_dtrmm: \(GSLStatus(code: status))")
    }

    /// `c ← alpha · op(a) · op(b) + beta · c` (BLAS `dgemm`), where `op(a)` is
    /// m×p, `op(b)` p×n and `c` m×n.
    ///
    /// Every operand is row-major with its own row stride (`lda`, `ldb`, `ldc`:
    /// the distance between rows, at least the row length), so a block of
    /// columns of a wider buffer can be passed without a copy. `transposeA`
    /// means `a` is stored p×m and used transposed; likewise `transposeB`.
    static func multiply(
        _ a: UnsafePointer<Double>, transposeA: Bool = false, lda: Int,
        _ b: UnsafePointer<Double>, transposeB: Bool = false, ldb: Int,
        into c: UnsafeMutablePointer<Double>, ldc: Int,
        m: Int, n: Int, p: Int, alpha: Double = 1, beta: Double = 0
    ) {
        _ = GSLRuntime.ready
        guard m > 0, n > 0 else { return }
        precondition(p > 0, "an empty inner dimension")
        var av = transposeA ? gsl_matrix_const_view_array_with_tda(a, p, m, lda)
                            : gsl_matrix_const_view_array_with_tda(a, m, p, lda)
        var bv = transposeB ? gsl_matrix_const_view_array_with_tda(b, n, p, ldb)
                            : gsl_matrix_const_view_array_with_tda(b, p, n, ldb)
        var cv = gsl_matrix_view_array_with_tda(c, m, n, ldc)
        let status = gsl_blas_dgemm(transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                                    alpha, &av.matrix, &bv.matrix, beta, &cv.matrix)
        precondition(status == GSL_SUCCESS, "gsl_blas_dgemm: \(GSLStatus(code: status))")
    }

    /// `c ← c + aᵀa` on the upper triangle of the d×d `c`, for a `rows`×d block `a`.
    /// The strict lower triangle of `c` is left untouched.
    static func addGramUpper(
        _ a: UnsafePointer<Double>, rows: Int, dimension d: Int, into c: UnsafeMutablePointer<Double>
    ) {
        _ = GSLRuntime.ready
        var av = gsl_matrix_const_view_array(a, rows, d)
        var cv = gsl_matrix_view_array(c, d, d)
        let status = gsl_blas_dsyrk(CblasUpper, CblasTrans, 1.0, &av.matrix, 1.0, &cv.matrix)
        precondition(status == GSL_SUCCESS, "gsl_blas_dsyrk: \(GSLStatus(code: status))")
    }
}
