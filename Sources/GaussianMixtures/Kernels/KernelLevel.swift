import CMixtureKernels

// Kernels/ is the only Swift code that imports CMixtureKernels (the E-step's and
// M-step's innermost loops in C, Sources/CMixtureKernels), as GSL/ is for GSL: a
// test keeps it so (KernelBoundaryTests). Here are the variants the C code is
// compiled in, the limits its header exports, and one typed wrapper per kernel;
// every wrapper takes the variant explicitly (the process's own by default), so
// tests can run each variant the CPU has side by side.

/// An instruction-set variant of the kernels (`mixture_kernels_level`).
typealias KernelLevel = mixture_kernels_level

extension KernelLevel {
    /// How the variant is shown (`LinearAlgebraBackend.vectorKernels`, test names).
    var name: String {
        switch self {
        case mixture_kernels_portable: "portable"
        case mixture_kernels_avx2_fma: "avx2+fma"
        case mixture_kernels_avx512: "avx512"
        default: "level \(rawValue)"
        }
    }
}

/// The variant this process runs: the widest the CPU has (AVX-512, else AVX2 + FMA),
/// at most the one the environment names with `GMM_KERNELS=portable` or `GMM_KERNELS=avx2`.
let activeKernelLevel: KernelLevel = mixture_kernels_active_level()

/// Every variant this CPU can run, portable first: each level the header names
/// (below `mixture_kernels_level_count`) that `mixture_kernels_supports` accepts.
var supportedKernelLevels: [KernelLevel] {
    (0..<mixture_kernels_level_count.rawValue).map { KernelLevel(rawValue: $0) }
        .filter { mixture_kernels_supports($0) != 0 }
}

extension LinearAlgebraBackend {
    /// The variant of gmm's own vector kernels in use: "avx512", "avx2+fma" or "portable".
    public static var vectorKernels: String { activeKernelLevel.name }
}

// MARK: - Limits and scratch sizes, from the header

/// The largest d for which full and tied moments are summed by the vector
/// kernel (`accumulateMoments`: four rows per register, each moment row's
/// accumulators held in registers over a transposed sub-block) instead of a
/// √r-scaled copy and a dsyrk per component; also the largest d whose forward
/// substitution keeps z in registers (`MIXTURE_KERNELS_UNROLLED_MAX`).
let momentKernelLimit = Int(MIXTURE_KERNELS_UNROLLED_MAX)

/// Doubles of scratch `accumulateMoments` needs.
func momentScratchCount(featureCount d: Int, componentCount kCount: Int) -> Int {
    mixture_moment_scratch_count(d, kCount)
}

/// Doubles of scratch `forwardSubstitution` needs.
func substitutionScratchCount(featureCount d: Int) -> Int {
    mixture_substitution_scratch_count(d)
}

/// 64-bit words per row of `countKept`'s masks.
func maskWordCount(componentCount kCount: Int) -> Int {
    mixture_mask_word_count(kCount)
}

/// The largest d for which the exact E-step pass of full and tied covariances runs the fused
/// kernel (`fusedStatistics`, `MIXTURE_FUSED_MAX`).
let fusedStatisticsLimit = Int(MIXTURE_FUSED_MAX)

/// Doubles of scratch `fusedStatistics` needs.
func fusedScratchCount(featureCount d: Int, componentCount kCount: Int) -> Int {
    mixture_fused_scratch_count(d, kCount)
}

/// Doubles of scratch `fusedDiagonalStatistics` needs.
func fusedDiagonalScratchCount(featureCount d: Int, componentCount kCount: Int) -> Int {
    mixture_fused_diagonal_scratch_count(d, kCount)
}
