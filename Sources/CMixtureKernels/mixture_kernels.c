// Dispatch for the E-step kernels (see include/mixture_kernels.h).
//
// kernels_body.h is compiled once for the baseline instruction set and, on
// x86-64, twice more for those functions alone: with AVX2 and FMA (four lanes),
// and with AVX-512 F/DQ/VL (eight lanes where the kernels put rows, components
// or values in lanes). The process picks the widest variant the CPU runs;
// GMM_KERNELS=portable or GMM_KERNELS=avx2 caps the choice, for comparisons.
// What eight lanes bought on AMD Zen 4 (512-bit operations issued as two
// halves), one core, kernels alone, AVX2 → AVX-512: forward substitution at
// d = 16, K = 16 0.034 → 0.020 s per 2·10⁵ rows, small-d moments there 0.040 →
// 0.037, row normalisation at K = 4 (with scalef for exp's 2ⁿ) 0.010 → 0.0073 s
// per 10⁶ rows; whole EM iterations (CPU s, median of 5, noisy shared machine):
// full 10⁵×2 K = 4 0.0024 → 0.0016, 4·10⁵×2 K = 64 0.102 → 0.072, 2·10⁵×16
// K = 16 0.093 → 0.071, 10⁶×8 K = 8 0.094 → 0.065. Why it pays: the SSE2 build of
// the Swift SIMD code these kernels replace spent ~45 instructions per exp
// lane and a libm call per row for log1p. Measured on AMD Zen 3, exp over a
// buffer: 1.8 ns per value (AVX2 variant); the EM iteration of the benchmark's
// full 10⁵×2, K = 4 case went from 0.013 to 0.003 CPU seconds with these
// kernels and the ones built on them (bench/RESULTS.md has the whole table).
#include "mixture_kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#pragma clang fp contract(off)
// The portable variant passes four-double vectors between always-inlined helpers
// only, so the calling convention clang warns about never applies.
#pragma clang diagnostic ignored "-Wpsabi"

typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));
typedef unsigned long long v4u __attribute__((vector_size(32)));
typedef double v8d __attribute__((vector_size(64)));
typedef long long v8l __attribute__((vector_size(64)));
typedef unsigned long long v8u __attribute__((vector_size(64)));

// A scalar splatted to four lanes, a vector unchanged: adding −0 is an identity
// the compiler folds away (adding +0 is not: it turns −0 into +0).
#define KV4(x) ((v4d){-0.0, -0.0, -0.0, -0.0} + (x))
#define KV8(x) ((v8d){-0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0} + (x))

/// X(1) X(2) … X(16): the cases of a switch over a dimension the kernels specialise on.
#define FOR_1_TO_16(X) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) X(16)
_Static_assert(MIXTURE_KERNELS_UNROLLED_MAX == 16, "FOR_1_TO_16 and the kernels' 16-entry tables list the unrolled sizes");
/// The cases of fused_statistics: d = 1 … MIXTURE_FUSED_MAX.
#define FOR_1_TO_FUSED_MAX(X) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8)
_Static_assert(MIXTURE_FUSED_MAX == 8, "FOR_1_TO_FUSED_MAX lists the fused kernel's sizes");

/// Rows per transposed sub-block in accumulate_moments (its scratch holds two d-row tables
/// and a 4-row one, rows MOMENT_STRIDE apart).
#define MOMENT_SUB MIXTURE_MOMENT_SUBBLOCK_ROWS
/// Rows per transposed sub-block of fused_diagonal: its d×rows features and K×rows
/// responsibilities about 64 KiB together (both read once per component and
/// feature in the moments), an odd number of cache lines (rows are its tables' stride:
/// see MOMENT_STRIDE) from 3 to 31, so 24 to 248 rows.
static inline ptrdiff_t diagonal_sub_rows(ptrdiff_t d, ptrdiff_t k_count) {
    ptrdiff_t rows = 8192 / (d + k_count) / 8 * 8;
    rows = rows < 24 ? 24 : rows > MOMENT_SUB - 8 ? MOMENT_SUB - 8 : rows;
    return rows / 8 % 2 == 1 ? rows : rows - 8;
}
/// Doubles between two rows of the transposed tables of accumulate_moments and
/// fused_statistics (MOMENT_SUB values each): a cache line more than a row, so that the
/// lines of one column (a group of rows' values for every feature or component, read and
/// written together) fall in different sets of the first-level cache. With rows 2 KiB
/// apart, a power of two, they all fell in two sets, and at K = 64 (fused_statistics reads
/// and writes its K lines three times per group) every pass over them went to the
/// second-level cache: a whole EM iteration at d = 2, K = 64 took 3.1× as long (AMD Zen 5).
#define MOMENT_STRIDE (MOMENT_SUB + 8)
/// The most lanes a variant has (its accumulate_moments keeps MOMENT_LANES_MAX lane sums per statistic).
#define MOMENT_LANES_MAX 8

/// The forward substitution above d = 16 (substitution_tiled) solves tiles of
/// SUBSTITUTION_ROWS rows (two vectors: eight rows with AVX2, sixteen with AVX-512) by SUBSTITUTION_COLUMNS columns
/// of z: eight accumulators, six loads per eight fused multiply-adds, the most
/// clang keeps in the sixteen AVX2 registers without spilling (three vectors of
/// rows spilled one accumulator per step: 20 instead of 31 GFLOP/s at d = 64, K = 32),
/// and SUBSTITUTION_GROUPS tiles of rows per pass over the K factors (31 → 38
/// GFLOP/s there: the factors, 1 MiB, stop being re-read from the last-level
/// cache for every tile). DGEMM on this core: 46 GFLOP/s.
#define SUBSTITUTION_VECTORS 2
#define SUBSTITUTION_ROWS (KW * SUBSTITUTION_VECTORS)
#define SUBSTITUTION_ROWS_MAX (8 * SUBSTITUTION_VECTORS)
#define SUBSTITUTION_COLUMNS 4
#define SUBSTITUTION_GROUPS 8

/// 1/13!, 1/12!, …, 1/1!, 1/0! (exp4's polynomial, highest degree first).
static const double exp_taylor[14] = {
    1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0,
    1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0,
};

// MARK: portable variant
#define KFN(name) name##_portable
#define KTARGET
#define KW 4
#define kvd v4d
#define kvl v4l
#define kvu v4u
#define KV(x) KV4(x)
#define KFMA(a, b, c) (KV(a) * KV(b) + KV(c))
#define KFMA4(a, b, c) (KV4(a) * KV4(b) + KV4(c))
#define KMOVEMASK(m) (unsigned)(((m)[0] & 1) | ((m)[1] & 2) | ((m)[2] & 4) | ((m)[3] & 8))
#include "kernels_body.h"

// MARK: AVX2 + FMA variant
#if defined(__x86_64__) && defined(__clang__)
#define MIXTURE_HAVE_AVX2 1
#define KFN(name) name##_avx2
#define KTARGET __attribute__((target("avx2,fma")))
#define KW 4
#define kvd v4d
#define kvl v4l
#define kvu v4u
#define KV(x) KV4(x)
#define KFMA(a, b, c) __builtin_elementwise_fma(KV(a), KV(b), KV(c))
#define KFMA4(a, b, c) __builtin_elementwise_fma(KV4(a), KV4(b), KV4(c))
#define KMOVEMASK(m) (unsigned)__builtin_ia32_movmskpd256((v4d)(m))
#define MOMENT_PAIR 2
#define MOMENT_TILE 4
#include "kernels_body.h"

// MARK: AVX-512 variant
// Eight lanes where rows, components or values share a vector (exp, log1p, the
// row normalisation, the forward substitution, the small-d moments, the
// responsibility tests); the kernels that run along a row's features keep four
// lanes, compiled with the 32 AVX-512 registers and AVX-512VL encodings.
#define MIXTURE_HAVE_AVX512 1
#define KFN(name) name##_avx512
#define KTARGET __attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma")))
#define KW 8
#define kvd v8d
#define kvl v8l
#define kvu v8u
#define KV(x) KV8(x)
#define KFMA(a, b, c) __builtin_elementwise_fma(KV(a), KV(b), KV(c))
#define KFMA4(a, b, c) __builtin_elementwise_fma(KV4(a), KV4(b), KV4(c))
#define KMOVEMASK(m) (unsigned)__builtin_ia32_cvtq2mask512((v8l)(m))
#define MOMENT_PAIR 2
#define MOMENT_TILE 8
#include "kernels_body.h"
#endif

// MARK: dispatch
static mixture_kernels_level active_level = mixture_kernels_portable;

int mixture_kernels_supports(mixture_kernels_level level) {
    switch (level) {
    case mixture_kernels_level_count:   // not a level
        return 0;
    case mixture_kernels_portable:
        return 1;
    case mixture_kernels_avx2_fma:
#if MIXTURE_HAVE_AVX2
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
        return 0;
#endif
    case mixture_kernels_avx512:
#if MIXTURE_HAVE_AVX512
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx512f")
               && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
        return 0;
#endif
    }
    return 0;
}

// Chosen before main() runs, so every thread reads a value that never changes:
// the widest variant the CPU runs, or at most the one GMM_KERNELS names
// ("portable", "avx2"; any other value leaves the choice to the CPU).
__attribute__((constructor)) static void choose_level(void) {
    const char *forced = getenv("GMM_KERNELS");
    mixture_kernels_level ceiling = mixture_kernels_avx512;
    if (forced != NULL && strcmp(forced, "portable") == 0) ceiling = mixture_kernels_portable;
    if (forced != NULL && strcmp(forced, "avx2") == 0) ceiling = mixture_kernels_avx2_fma;
    for (int level = ceiling; level > mixture_kernels_portable; level--) {
        if (mixture_kernels_supports((mixture_kernels_level)level)) {
            active_level = (mixture_kernels_level)level;
            return;
        }
    }
}

mixture_kernels_level mixture_kernels_active_level(void) { return active_level; }

// The variant of kernel `name` for `level`.
#if MIXTURE_HAVE_AVX2
#define PICK(level, name)                                                                                             \
    ((level) == mixture_kernels_avx512 ? name##_avx512 : (level) == mixture_kernels_avx2_fma ? name##_avx2 : name##_portable)
#else
#define PICK(level, name) name##_portable
#endif

void mixture_exp_shifted(mixture_kernels_level level, double *values, ptrdiff_t count, double shift) {
    PICK(level, exp_shifted)(values, count, shift);
}

void mixture_log1p(mixture_kernels_level level, double *values, ptrdiff_t count) {
    PICK(level, log1p_values)(values, count);
}

ptrdiff_t mixture_normalize_rows(mixture_kernels_level level, double *values, ptrdiff_t rows, ptrdiff_t k,
                                 double *log_density, double *scratch, int keep_log) {
    return PICK(level, normalize_rows)(values, rows, k, log_density, scratch, keep_log);
}

void mixture_forward_substitution(mixture_kernels_level level, const double *block, ptrdiff_t rows, ptrdiff_t d,
                                  ptrdiff_t k_count, ptrdiff_t factor_count, const double *lower,
                                  const double *inverse_diagonal, const double *means, const double *normalizers,
                                  double *log_joint, double *scratch) {
    PICK(level, forward_substitution)(block, rows, d, k_count, factor_count, lower, inverse_diagonal, means,
                                      normalizers, log_joint, scratch);
}

ptrdiff_t mixture_substitution_scratch_count(ptrdiff_t d) { return (SUBSTITUTION_GROUPS + 1) * SUBSTITUTION_ROWS_MAX * d; }

void mixture_accumulate_moments(mixture_kernels_level level, const double *block, ptrdiff_t rows, ptrdiff_t d,
                                ptrdiff_t k_count, const double *resp, const double *shifts, double *counts,
                                double *sums, double *moments, double *scratch) {
    PICK(level, accumulate_moments)(block, rows, d, k_count, resp, shifts, counts, sums, moments, scratch);
}

ptrdiff_t mixture_moment_scratch_count(ptrdiff_t d, ptrdiff_t k_count) {
    return MOMENT_LANES_MAX * k_count * (1 + d + d * (d + 1) / 2) + 2 * MIXTURE_KERNELS_UNROLLED_MAX * MOMENT_STRIDE
           + 4 * MOMENT_STRIDE;
}

int mixture_fused_statistics(mixture_kernels_level level, const double *block, ptrdiff_t rows, ptrdiff_t d,
                             ptrdiff_t k_count, ptrdiff_t factor_count, const double *lower,
                             const double *inverse_diagonal, const double *means, const double *normalizers,
                             const double *shifts, const double *weights, double *counts, double *sums,
                             double *moments, double *log_likelihood, double *scratch) {
    return PICK(level, fused_statistics)(block, rows, d, k_count, factor_count, lower, inverse_diagonal, means,
                                         normalizers, shifts, weights, counts, sums, moments, log_likelihood,
                                         scratch);
}

ptrdiff_t mixture_fused_scratch_count(ptrdiff_t d, ptrdiff_t k_count) {
    return MOMENT_LANES_MAX * k_count * (1 + d + d * (d + 1) / 2) + (2 * MIXTURE_FUSED_MAX + 3 + k_count) * MOMENT_STRIDE;
}

int mixture_fused_diagonal(mixture_kernels_level level, const double *block, ptrdiff_t rows, ptrdiff_t d,
                           ptrdiff_t k_count, const double *means, const double *precisions, const double *normalizers,
                           const double *shifts, const double *centre, const double *weights, double *counts,
                           double *sums, double *moments, double *log_likelihood, double *scratch) {
    return PICK(level, fused_diagonal)(block, rows, d, k_count, means, precisions, normalizers, shifts, centre,
                                       weights, counts, sums, moments, log_likelihood, scratch);
}

ptrdiff_t mixture_fused_diagonal_scratch_count(ptrdiff_t d, ptrdiff_t k_count) {
    // Lane sums and plain sums; features, log-sum-exp terms, spreads, weights and a kept pair
    // list's weights of a sub-block; then the kept groups' lists (MOMENT_SUB / 4 int32 per
    // component and one more), the pair list's rows (int32), the groups' list lengths.
    const ptrdiff_t rows = diagonal_sub_rows(d, k_count);
    return (MOMENT_LANES_MAX + 1) * k_count * (1 + 2 * d) + (d + 6 + k_count) * rows
           + (k_count + 1) * (MOMENT_SUB / 8) + rows / 2 + k_count;
}

void mixture_subtract_rows(mixture_kernels_level level, const double *block, ptrdiff_t rows, ptrdiff_t d,
                           const double *mean, double *out) {
    PICK(level, subtract_rows)(block, rows, d, mean, out);
}

void mixture_half_norms(mixture_kernels_level level, const double *z, ptrdiff_t rows, ptrdiff_t d, double constant,
                        double *out, ptrdiff_t stride) {
    PICK(level, half_norms)(z, rows, d, constant, out, stride);
}

ptrdiff_t mixture_scaled_deviations(mixture_kernels_level level, const double *block, ptrdiff_t rows, ptrdiff_t d,
                                    const double *shift, const double *weights, ptrdiff_t weight_stride,
                                    const double *spreads, double threshold, double spread_threshold, double *out,
                                    double *sums, double *total) {
    return PICK(level, scaled_deviations)(block, rows, d, shift, weights, weight_stride, spreads, threshold,
                                          spread_threshold, out, sums, total);
}

void mixture_row_spreads(mixture_kernels_level level, const double *block, ptrdiff_t rows, ptrdiff_t d,
                         const double *centre, double *spreads) {
    PICK(level, row_spreads)(block, rows, d, centre, spreads);
}

void mixture_column_sums(mixture_kernels_level level, const double *resp, ptrdiff_t rows, ptrdiff_t k_count,
                         const double *spreads, double *sums) {
    PICK(level, column_sums)(resp, rows, k_count, spreads, sums);
}

ptrdiff_t mixture_count_kept(mixture_kernels_level level, const double *resp, ptrdiff_t rows, ptrdiff_t k_count,
                             const double *spreads, const double *thresholds, ptrdiff_t *per_component,
                             uint64_t *masks) {
    return PICK(level, count_kept)(resp, rows, k_count, spreads, thresholds, per_component, masks);
}

void mixture_sparse_moments(mixture_kernels_level level, const double *block, ptrdiff_t rows, ptrdiff_t d,
                            const double *centres, ptrdiff_t centre_stride, const double *resp, ptrdiff_t k_count,
                            const uint64_t *masks, const ptrdiff_t *per_component, double *products, double *counts,
                            ptrdiff_t *position, int32_t *list, double *weights) {
    PICK(level, sparse_moments)(block, rows, d, centres, centre_stride, resp, k_count, masks, per_component, products,
                                counts, position, list, weights);
}
