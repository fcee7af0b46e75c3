import CMixtureKernels

// The E-step's vector kernels (exp, log1p, row normalisation, small-d forward
// substitution) live in C, in Sources/CMixtureKernels: compiled for the
// baseline CPU, for AVX2 + FMA and for AVX-512, the variant picked once at start-up. These
// are their Swift faces; every call passes the variant explicitly, so tests
// can run each variant the CPU has side by side.

/// An instruction-set variant of the vector kernels.
typealias KernelLevel = mixture_kernels_level

/// The variant this process runs: the widest the CPU has (AVX-512, else AVX2 + FMA),
/// at most the one the environment names with `GMM_KERNELS=portable` or `GMM_KERNELS=avx2`.
let activeKernelLevel: KernelLevel = mixture_kernels_active_level()

/// Every variant this CPU can run, portable first.
var supportedKernelLevels: [KernelLevel] {
    [mixture_kernels_portable, mixture_kernels_avx2_fma, mixture_kernels_avx512].filter {
        mixture_kernels_supports($0) != 0
    }
}

extension LinearAlgebraBackend {
    /// The variant of gmm's own vector kernels in use: "avx512", "avx2+fma" or "portable".
    public static var vectorKernels: String {
        switch activeKernelLevel {
        case mixture_kernels_avx512: "avx512"
        case mixture_kernels_avx2_fma: "avx2+fma"
        default: "portable"
        }
    }
}

/// Replaces every value v of `values[0..<count]` by exp(v − shift), within a
/// few ulp of libm (subnormal results and overflow included; 0 below −745.2; NaN stays NaN).
func exponentiate(_ values: UnsafeMutablePointer<Double>, count: Int, shift: Double = 0,
                  level: KernelLevel = activeKernelLevel) {
    mixture_exp_shifted(level, values, count, shift)
}

/// Replaces every value x of `values[0..<count]` by log1p(x), within a few ulp
/// of libm for 0 ≤ x < 2⁵² (libm's own result elsewhere).
func logOnePlus(_ values: UnsafeMutablePointer<Double>, count: Int, level: KernelLevel = activeKernelLevel) {
    mixture_log1p(level, values, count)
}

/// Adds a block's full-covariance statistics (d ≤ 16) around per-component shifts:
/// counts[k] += Σ_r w_rk, sums[k·d + i] += Σ_r w_rk (x_ri − s_ki), and the upper
/// triangle of moments[k·d·d …] += Σ_r w_rk (x_r − s_k)(x_r − s_k)ᵀ, with w the
/// rows×K responsibilities. `scratch` holds `momentScratchCount(…)` doubles.
func accumulateMoments(
    block: UnsafePointer<Double>, rows: Int, featureCount d: Int, componentCount kCount: Int,
    responsibilities: UnsafePointer<Double>, shifts: UnsafePointer<Double>, counts: UnsafeMutablePointer<Double>,
    sums: UnsafeMutablePointer<Double>, moments: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>,
    level: KernelLevel = activeKernelLevel
) {
    mixture_accumulate_moments(level, block, rows, d, kCount, responsibilities, shifts, counts, sums, moments, scratch)
}

/// Doubles of scratch `accumulateMoments` needs.
func momentScratchCount(featureCount d: Int, componentCount kCount: Int) -> Int {
    mixture_moment_scratch_count(d, kCount)
}
