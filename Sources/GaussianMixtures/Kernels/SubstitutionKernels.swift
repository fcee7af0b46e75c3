import CMixtureKernels

// The E-step's distance kernels: log P(x, c = k) by forward substitution (full
// and tied), and the centre-and-norm steps around the general whitening kernel.

/// Full and tied covariances: logJoint[r·K + k] = normalizers[k] − ½ |z|², L_k z = x_r − μ_k, for
/// the `rows` rows at `block` (`mixture_forward_substitution`).
///
/// - Parameters:
///   - lower: `factorCount` row-major d×d lower factors (K of them, or 1 that every component shares).
///   - inverseDiagonal: their 1/L_ii, factorCount×d.
///   - means: K×d.
///   - scratch: `substitutionScratchCount(featureCount: d)` doubles.
func forwardSubstitution(
    block: UnsafePointer<Double>, rows: Int, featureCount d: Int, componentCount kCount: Int, factorCount: Int,
    lower: UnsafePointer<Double>, inverseDiagonal: UnsafePointer<Double>, means: UnsafePointer<Double>,
    normalizers: UnsafePointer<Double>, into logJoint: UnsafeMutablePointer<Double>,
    scratch: UnsafeMutablePointer<Double>, level: KernelLevel = activeKernelLevel
) {
    mixture_forward_substitution(level, block, rows, d, kCount, factorCount, lower, inverseDiagonal, means, normalizers,
                                 logJoint, scratch)
}

/// out[r·d + j] = block[r·d + j] − mean[j] for the rows×d block (`mixture_subtract_rows`).
func subtractRows(
    block: UnsafePointer<Double>, rows: Int, featureCount d: Int, mean: UnsafePointer<Double>,
    into out: UnsafeMutablePointer<Double>, level: KernelLevel = activeKernelLevel
) {
    mixture_subtract_rows(level, block, rows, d, mean, out)
}

/// out[r·stride] = constant − ½ Σ_j z[r·d + j]² for each of the rows×d rows of z (`mixture_half_norms`).
func halfSquaredNorms(
    _ z: UnsafePointer<Double>, rows: Int, featureCount d: Int, constant: Double,
    into out: UnsafeMutablePointer<Double>, stride: Int, level: KernelLevel = activeKernelLevel
) {
    mixture_half_norms(level, z, rows, d, constant, out, stride)
}
