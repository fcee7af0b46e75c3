// The E-step's innermost loops, compiled three times: for the baseline x86-64
// instruction set, for AVX2 with fused multiply-add and for AVX-512, the widest
// variant the CPU reports chosen once per process (other architectures get the
// portable variant only; GMM_KERNELS=portable or GMM_KERNELS=avx2 in the
// environment caps the choice at that variant, any other value is ignored).
// Swift can neither give one function a different target than its module nor
// dispatch on CPU features, and a whole package built for AVX2 would not start
// on older CPUs; clang does both for C.
//
// Measured on the project's machine (AMD Zen 3), CPU seconds per EM iteration:
// see the comments in mixture_kernels.c and bench/RESULTS.md.
//
// All arrays are row-major doubles; nothing here allocates, locks or keeps state
// besides the variant chosen at load time.
#ifndef MIXTURE_KERNELS_H
#define MIXTURE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The instruction set the kernels below run with.
typedef enum {
    mixture_kernels_portable = 0,
    mixture_kernels_avx2_fma = 1,
    /// AVX-512 F, DQ and VL (with AVX2 and FMA): eight lanes where rows, components
    /// or values share a vector, four along a row's features.
    mixture_kernels_avx512 = 2,
    /// Not a level: one more than the last one (a new level goes above this line,
    /// and Swift and the tests then see it without further edits).
    mixture_kernels_level_count
} mixture_kernels_level;

// MARK: limits and scratch sizes (Swift reads these instead of restating them)

/// The largest dimension the kernels have unrolled variants for: forward
/// substitution keeps z in registers for d ≤ this, mixture_accumulate_moments
/// sums moments only for d ≤ this, and mixture_normalize_rows puts one row per
/// lane for K ≤ this.
#define MIXTURE_KERNELS_UNROLLED_MAX 16

/// Rows per transposed sub-block in mixture_accumulate_moments (its scratch holds
/// two MIXTURE_KERNELS_UNROLLED_MAX × this tables and one row of weights).
#define MIXTURE_MOMENT_SUBBLOCK_ROWS 256

/// The largest dimension mixture_fused_statistics has a variant for.
#define MIXTURE_FUSED_MAX 8

/// Bits per word of mixture_count_kept's masks.
#define MIXTURE_MASK_WORD_BITS 64

/// Words of mixture_count_kept's mask per row: ⌈k_count / 64⌉.
static inline ptrdiff_t mixture_mask_word_count(ptrdiff_t k_count) {
    return (k_count + MIXTURE_MASK_WORD_BITS - 1) / MIXTURE_MASK_WORD_BITS;
}

/// The variant every `mixture_*` call uses in this process.
mixture_kernels_level mixture_kernels_active_level(void);

/// Whether this CPU can run `level` (tests call each available variant directly).
int mixture_kernels_supports(mixture_kernels_level level);

/// values[i] = exp(values[i] − shift) for i < count, within a few ulp of libm,
/// subnormal results and overflow to +∞ included; 0 below −745.2; NaN stays NaN.
void mixture_exp_shifted(mixture_kernels_level level, double *values, ptrdiff_t count, double shift);

/// log1p(values[i]) in place, within a few ulp of libm for 0 ≤ x < 2⁵²; other
/// values (negative, huge, ∞, NaN) go to libm's log1p.
void mixture_log1p(mixture_kernels_level level, double *values, ptrdiff_t count);

/// Normalises each row of a rows×k block of log-joint values in place:
/// values become P(c = k | x) (or log P(c = k | x) when keep_log), and
/// log_density[r] = log Σ_k exp(values[r, k]), computed as m + log1p(Σ_{k≠a} e_k)
/// with m the row's maximum (at k = a) and e_k = exp(v_k − m). `scratch` holds
/// `rows` doubles. A row whose maximum is not finite is left untouched with
/// log_density[r] = NaN; the return value counts those rows.
ptrdiff_t mixture_normalize_rows(mixture_kernels_level level, double *values, ptrdiff_t rows, ptrdiff_t k,
                                 double *log_density, double *scratch, int keep_log);

/// Full and tied covariances: log_joint[r·k_count + c] = normalizers[c] − ½ |z|²,
/// L_c z = x_r − μ_c, by forward substitution on several rows at a time (a vector's
/// lanes, four or eight, with z in registers, for d ≤ 16; two vectors' lanes, four
/// columns of z at a time, above). `lower` holds
/// factor_count row-major d×d lower factors (k_count, or 1 that every component
/// shares), `inverse_diagonal` their 1/L_ii (factor_count×d), `means` k_count×d;
/// `scratch` mixture_substitution_scratch_count(d) doubles.
void mixture_forward_substitution(mixture_kernels_level level, const double *block, ptrdiff_t rows, ptrdiff_t d,
                                  ptrdiff_t k_count, ptrdiff_t factor_count, const double *lower,
                                  const double *inverse_diagonal, const double *means, const double *normalizers,
                                  double *log_joint, double *scratch);

/// Doubles of scratch mixture_forward_substitution needs.
ptrdiff_t mixture_substitution_scratch_count(ptrdiff_t d);

/// Full and tied covariances, d ≤ 16: adds a block's statistics around the
/// shifts s_c (k_count×d), with w = resp (rows×k_count, weights applied):
///   counts[c] += Σ_r w_rc,   sums[c·d + i] += Σ_r w_rc (x_ri − s_ci),
///   moments[c·d·d + i·d + j] += Σ_r w_rc (x_ri − s_ci)(x_rj − s_cj)  for j ≥ i (upper triangle).
/// A vector's rows at a time in lanes (four, or eight with AVX-512), the lanes added
/// in a fixed order at the end.
/// `scratch` holds mixture_moment_scratch_count(d, k_count) doubles. Does nothing for d > 16.
void mixture_accumulate_moments(mixture_kernels_level level, const double *block, ptrdiff_t rows, ptrdiff_t d,
                                ptrdiff_t k_count, const double *resp, const double *shifts, double *counts,
                                double *sums, double *moments, double *scratch);

/// Full and tied covariances, d ≤ MIXTURE_FUSED_MAX: the E-step and the
/// statistics of a block in one pass over its rows. For each row x_r: the
/// log-joints v_c = normalizers[c] − ½ |z|², L_c z = x_r − μ_c (as
/// mixture_forward_substitution), log P(x_r) = m + log1p(Σ_{c≠a} e_c) and
/// w_rc = (e_c / (1 + Σ_{c≠a} e_c)) · ω_r (as mixture_normalize_rows, m the row's
/// maximum at a, e_c = exp(v_c − m), ω_r = weights[r], or 1 when weights is NULL),
/// then counts, sums and the upper moments around the shifts s_c (k_count×d) as
/// mixture_accumulate_moments adds them. A vector's rows at a time in lanes, the
/// lanes added in a fixed order at the end of the block. *log_likelihood is set to
/// Σ_r ω_r log P(x_r) (rows of weight 0 left out). Returns 0 then; returns 1, with
/// nothing written, when a row's maximum log-joint is not finite (a row
/// infinitely far from every component, or a NaN: the caller's exact path), or
/// d > MIXTURE_FUSED_MAX. `scratch` holds mixture_fused_scratch_count(d, k_count) doubles.
int mixture_fused_statistics(mixture_kernels_level level, const double *block, ptrdiff_t rows, ptrdiff_t d,
                             ptrdiff_t k_count, ptrdiff_t factor_count, const double *lower,
                             const double *inverse_diagonal, const double *means, const double *normalizers,
                             const double *shifts, const double *weights, double *counts, double *sums,
                             double *moments, double *log_likelihood, double *scratch);

/// Doubles of scratch mixture_fused_statistics needs.
ptrdiff_t mixture_fused_scratch_count(ptrdiff_t d, ptrdiff_t k_count);

/// Diagonal and spherical covariances, any d: the E-step and the statistics of a
/// block in one pass over its rows. For each row x_r: the log-joints
/// v_c = normalizers[c] − ½ Σ_j (x_rj − μ_cj)² P_cj (means and precisions
/// P_cj = 1/σ²_cj k_count×d; the direct form, nothing expanded), log P(x_r) and
/// w_rc as mixture_fused_statistics forms them, then
///   counts[c] += Σ_r w_rc,  sums[c·d + j] += Σ_r w_rc (x_rj − s_cj),
///   moments[c·d + j] += Σ_r w_rc (x_rj − s_cj)²
/// around the shifts s_c (k_count×d). From d = 8 on, the moments leave out the
/// pairs whose w_rc are negligible by mixture_count_kept's rule (the spreads taken
/// around `centre`, d values, and the thresholds over a sub-block of fewer than
/// MIXTURE_MOMENT_SUBBLOCK_ROWS rows): per sub-block and component, the kept pairs
/// one by one where they are fewer than half the rows of the groups of a vector's
/// rows that keep one, else those groups. *log_likelihood is set to Σ_r ω_r log P(x_r).
/// Returns 0 then; returns 1, with nothing written, when a row's maximum log-joint
/// is not finite. `scratch` holds mixture_fused_diagonal_scratch_count(d, k_count) doubles.
int mixture_fused_diagonal(mixture_kernels_level level, const double *block, ptrdiff_t rows, ptrdiff_t d,
                           ptrdiff_t k_count, const double *means, const double *precisions, const double *normalizers,
                           const double *shifts, const double *centre, const double *weights, double *counts,
                           double *sums, double *moments, double *log_likelihood, double *scratch);

/// Doubles of scratch mixture_fused_diagonal needs.
ptrdiff_t mixture_fused_diagonal_scratch_count(ptrdiff_t d, ptrdiff_t k_count);

/// out[r·d + j] = block[r·d + j] − mean[j] (rows×d, row-major).
void mixture_subtract_rows(mixture_kernels_level level, const double *block, ptrdiff_t rows, ptrdiff_t d,
                           const double *mean, double *out);

/// out[r·stride] = constant − ½ Σ_j z[r·d + j]² for each of the rows×d rows of z.
void mixture_half_norms(mixture_kernels_level level, const double *z, ptrdiff_t rows, ptrdiff_t d, double constant,
                        double *out, ptrdiff_t stride);

/// The M-step's negligible responsibilities. For a block of rows x_r with
/// responsibilities w_rc (rows×k_count) and spreads s_r (mixture_row_spreads,
/// around a centre c), thresholds holds 2·k_count values:
///   t_c = 2⁻⁵² · (Σ_r w_rc) / rows,   t'_c = 2⁻⁵² · (Σ_r w_rc s_r) / rows,
/// and w_rc is kept when it is nonzero and w_rc ≥ t_c or w_rc ≥ t'_c · (1/s_r).
/// The ones left out add up to at most 2⁻⁵² Σ_r w_rc in the soft count and (to
/// a rounding) at most 2⁻⁵² Σ_r w_rc s_r in every first and second moment around
/// c: one rounding of the sums of the terms' bounds, below the error of summing
/// the terms.

/// spreads[r] = max(1, max_j (x_rj − centre_j)²) for the rows×d rows of block.
void mixture_row_spreads(mixture_kernels_level level, const double *block, ptrdiff_t rows, ptrdiff_t d,
                         const double *centre, double *spreads);

/// sums[c] = Σ_r resp[r·k_count + c] and sums[k_count + c] = Σ_r resp[r·k_count + c] · spreads[r],
/// each over the rows in order.
void mixture_column_sums(mixture_kernels_level level, const double *resp, ptrdiff_t rows, ptrdiff_t k_count,
                         const double *spreads, double *sums);

/// How many entries of resp are kept under `thresholds` (2·k_count values, above):
/// per_component[c] for each column, the total returned, and in
/// masks[r·⌈k_count/64⌉ + c/64] bit c mod 64 set where w_rc is kept.
ptrdiff_t mixture_count_kept(mixture_kernels_level level, const double *resp, ptrdiff_t rows, ptrdiff_t k_count,
                             const double *spreads, const double *thresholds, ptrdiff_t *per_component,
                             uint64_t *masks);

/// Diagonal moments over the kept entries w_rc of resp (masks and per_component as
/// mixture_count_kept gave them), with t_r = x_r − m_c (rows×d block) around
/// m_c = centres + c·centre_stride (one centre for all with stride 0, or one per
/// component, d apart):
///   products[c·2d + j] += Σ_r w_rc t_rj²,  products[c·2d + d + j] += Σ_r w_rc t_rj,
///   counts[c] += Σ_r w_rc,
/// each sum over the rows in order. Cost proportional to the entries kept.
/// Scratch: `position` k_count values, `list` and `weights` Σ_c per_component[c] each.
void mixture_sparse_moments(mixture_kernels_level level, const double *block, ptrdiff_t rows, ptrdiff_t d,
                            const double *centres, ptrdiff_t centre_stride, const double *resp, ptrdiff_t k_count,
                            const uint64_t *masks, const ptrdiff_t *per_component, double *products, double *counts,
                            ptrdiff_t *position, int32_t *list, double *weights);

/// With w_r = weights[r·weight_stride] and v_r = x_r − shift, over the rows whose
/// w_r is kept (nonzero and w_r ≥ threshold or w_r ≥ spread_threshold · (1/spreads[r])):
/// sums[j] += Σ_r w_r v_rj, *total += Σ_r w_r, and the rows √w_r v_r, in order, go
/// to `out` (d values each: the operand of a rank update). Returns how many rows it wrote.
ptrdiff_t mixture_scaled_deviations(mixture_kernels_level level, const double *block, ptrdiff_t rows, ptrdiff_t d,
                                    const double *shift, const double *weights, ptrdiff_t weight_stride,
                                    const double *spreads, double threshold, double spread_threshold, double *out,
                                    double *sums, double *total);

/// Doubles of scratch mixture_accumulate_moments needs.
ptrdiff_t mixture_moment_scratch_count(ptrdiff_t d, ptrdiff_t k_count);

#ifdef __cplusplus
}
#endif

#endif
