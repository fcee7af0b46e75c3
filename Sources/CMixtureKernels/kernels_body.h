// The kernels' bodies, included once per instruction-set variant by
// mixture_kernels.c, which defines before each inclusion:
//   KFN(name)   the variant's function name (name_portable, name_avx2)
//   KTARGET     the variant's target attribute (empty for the portable one)
//   KFMA(a,b,c) a·b + c: fused where the variant has FMA, two roundings otherwise
//   KMOVEMASK(m) the sign bits of a four-lane mask as bits 0…3
//
// Vectors are clang/GCC vector types of four doubles: two SSE2 registers in the
// portable variant, one AVX2 register in the other. Nothing is contracted
// implicitly (`fp contract(off)` in the including file): every fused
// multiply-add is written as KFMA, so each variant's arithmetic is fixed by
// this text, not by the optimiser.

#define KINLINE static inline __attribute__((always_inline)) KTARGET

KINLINE v4d KFN(load)(const double *p) {
    v4d v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

KINLINE void KFN(store)(double *p, v4d v) { __builtin_memcpy(p, &v, sizeof v); }

/// a where mask is 0, b where it is all ones.
KINLINE v4d KFN(select)(v4l mask, v4d a, v4d b) { return (v4d)(((v4l)a & ~mask) | ((v4l)b & mask)); }

KINLINE int KFN(any)(v4l mask) { return (mask[0] | mask[1] | mask[2] | mask[3]) != 0; }

KINLINE int KFN(all)(v4l mask) { return (mask[0] & mask[1] & mask[2] & mask[3]) != 0; }

/// exp of four values:
///   n = round(x / ln 2),  r = x − n·ln2_hi − n·ln2_lo  (Cody–Waite: n·ln2_hi is exact),
///   exp(x) = 2ⁿ · exp(r),  |r| ≤ ½ ln 2,
/// exp(r) from its Taylor series to r¹³ (truncation below 1e-17 relative),
/// rounding to an integer by the 1.5·2⁵² trick. 2ⁿ is applied
/// as two factors 2^⌊n/2⌋ · 2^(n−⌊n/2⌋), each a normal number, so results
/// that are subnormal (x < −708.4) or overflow (x > 709.8) come out of the
/// last multiplication rounded once, as libm's do. `x` must lie in [−745.2, 710]
/// (exp4 and exp4_nonpositive see to it; the smallest subnormal is e^−744.4).
KINLINE void KFN(exp4_core_n)(const int N, const v4d *x, v4d *y) {
    // N independent vectors, stage by stage: the out-of-order core then has N
    // dependency chains to overlap without holding a whole exp per chain in its
    // schedulers (one chain at a time leaves the FMA units a third idle).
    const v4d magic = {0x1.8p52, 0x1.8p52, 0x1.8p52, 0x1.8p52};
    v4d shifted[4], r[4], r2[4], r4[4], r8[4], e0[4], e1[4], e2[4], e3[4], e4[4], e5[4], t[4], p[4];
#define KSTAGE for (int i = 0; i < N; i++)
    KSTAGE shifted[i] = KFMA(x[i], 1.4426950408889634, magic);
    KSTAGE r[i] = KFMA(-(shifted[i] - magic), 6.93147180369123816490e-01, x[i]);
    KSTAGE r[i] = KFMA(-(shifted[i] - magic), 1.90821492927058770002e-10, r[i]);
    // exp(r) = 1 + r (1 + r t(r)), t(r) = Σ_{i=0}^{11} r^i / (i + 2)!. t by Estrin's
    // scheme (pairs, then powers r², r⁴, r⁸), so the dependency chain is about
    // six operations deep instead of Horner's fourteen. t's rounding errors are
    // scaled by r² ≤ 0.12.
    KSTAGE r2[i] = r[i] * r[i];
    KSTAGE e0[i] = KFMA(exp_taylor[10], r[i], exp_taylor[11]);    // 1/2! + r/3!
    KSTAGE e1[i] = KFMA(exp_taylor[8], r[i], exp_taylor[9]);
    KSTAGE e2[i] = KFMA(exp_taylor[6], r[i], exp_taylor[7]);
    KSTAGE e3[i] = KFMA(exp_taylor[4], r[i], exp_taylor[5]);
    KSTAGE e4[i] = KFMA(exp_taylor[2], r[i], exp_taylor[3]);
    KSTAGE e5[i] = KFMA(exp_taylor[0], r[i], exp_taylor[1]);      // 1/12! + r/13!
    KSTAGE r4[i] = r2[i] * r2[i];
    KSTAGE e0[i] = KFMA(e1[i], r2[i], e0[i]);
    KSTAGE e2[i] = KFMA(e3[i], r2[i], e2[i]);
    KSTAGE e4[i] = KFMA(e5[i], r2[i], e4[i]);
    KSTAGE r8[i] = r4[i] * r4[i];
    KSTAGE t[i] = KFMA(e4[i], r8[i], KFMA(e2[i], r4[i], e0[i]));
    KSTAGE p[i] = KFMA(KFMA(t[i], r[i], exp_taylor[12]), r[i], exp_taylor[13]);
    KSTAGE {
        // n sits in the low mantissa bits of `shifted` (two's complement below zero).
        const v4l n_bits = (v4l)shifted[i] - (v4l)magic;
        // ⌊n/2⌋ by a logical shift of n + 2048 ≥ 0 (AVX2 has no 64-bit arithmetic shift).
        const v4l half = (v4l)((v4u)(n_bits + 2048) >> 1) - 1024;
        const v4d scale1 = (v4d)((half + 1023) << 52);
        const v4d scale2 = (v4d)((n_bits - half + 1023) << 52);
        y[i] = (p[i] * scale1) * scale2;
    }
#undef KSTAGE
}

KINLINE v4d KFN(exp4_core)(v4d x) {
    v4d y;
    KFN(exp4_core_n)(1, &x, &y);
    return y;
}

/// exp of four values within 1 ulp of libm: 0 below −745.2, +∞ above 709.8, NaN stays NaN.
KINLINE v4d KFN(exp4)(v4d x) {
    const v4l zero = x < -745.2;
    const v4l nan = x != x;
    // Lanes whose result is 0, and NaN lanes, are computed as exp(0) and replaced
    // below (computing them would underflow, and an underflowing multiplication
    // is slow); the top is clamped so that n stays within [−1075, 1025].
    v4d safe = KFN(select)(nan | zero, x, (v4d){0, 0, 0, 0});
    safe = KFN(select)(safe > 710.0, safe, (v4d){710.0, 710.0, 710.0, 710.0});
    v4d y = KFN(exp4_core)(safe);
    y = KFN(select)(zero, y, (v4d){0, 0, 0, 0});
    return KFN(select)(nan, y, x);
}

/// exp4 for x ≤ 0 (a row's values minus its maximum): the same bits, −∞
/// included, without exp4's overflow and NaN handling. NaN lanes give
/// meaningless values.
KINLINE v4d KFN(exp4_nonpositive)(v4d x) {
    // As in exp4, lanes whose result is 0 are computed as exp(0) and replaced: a
    // multiplication that underflows takes a slow path (measured: a quarter
    // slower normalisation at K = 64 with the clamp instead).
    const v4l zero = x < -745.2;
    const v4d y = KFN(exp4_core)(KFN(select)(zero, x, (v4d){0, 0, 0, 0}));
    return KFN(select)(zero, y, (v4d){0, 0, 0, 0});
}

/// exp4_nonpositive of two vectors, their operations interleaved (the same bits).
KINLINE void KFN(exp4_nonpositive2)(const v4d *x, v4d *y) {
    const v4l zero[2] = {x[0] < -745.2, x[1] < -745.2};
    const v4d safe[2] = {KFN(select)(zero[0], x[0], (v4d){0, 0, 0, 0}), KFN(select)(zero[1], x[1], (v4d){0, 0, 0, 0})};
    KFN(exp4_core_n)(2, safe, y);
    y[0] = KFN(select)(zero[0], y[0], (v4d){0, 0, 0, 0});
    y[1] = KFN(select)(zero[1], y[1], (v4d){0, 0, 0, 0});
}

/// log1p of four values. With u = 1 + x rounded and e its exact rounding
/// error (Fast2Sum, larger operand first), log1p(x) = log u + e/u to well
/// below an ulp. log u = k ln 2 + log f, u = 2ᵏ f, f ∈ [√½, √2), and
/// log f = 2 atanh s = 2s (1 + s²/3 + s⁴/5 + …), s = (f − 1)/(f + 1), |s| ≤ 0.172:
/// the series to s²² leaves a truncation below 1e-18 relative. Lanes outside
/// [0, 2⁵²) and NaN take libm's log1p.
KINLINE v4d KFN(log1p4)(v4d x) {
    const v4l inside = (x >= 0.0) & (x < 0x1p52);
    const v4d xs = KFN(select)(inside, (v4d){0, 0, 0, 0}, x);
    const v4d u = xs + 1.0;
    const v4d err = KFN(select)(xs > 1.0, xs - (u - 1.0), 1.0 - (u - xs));
    const v4l bits = (v4l)u;
    v4l k = (bits >> 52) - 1023;
    v4d f = (v4d)((bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL);
    const v4l high = f > 1.4142135623730951;
    f = KFN(select)(high, f, f * 0.5);
    k = k - high;                                   // high is −1 where true
    // k ≥ 0: its double is 2⁵² + k read as bits, minus 2⁵².
    const v4d kd = (v4d)(k | 0x4330000000000000LL) - 0x1p52;
    const v4d g = f - 1.0;                          // exact (Sterbenz)
    const v4d s = g / (f + 1.0);
    const v4d s2 = s * s;
    v4d p = (v4d){1, 1, 1, 1} * (1.0 / 23.0);
    p = KFMA(p, s2, 1.0 / 21.0);
    p = KFMA(p, s2, 1.0 / 19.0);
    p = KFMA(p, s2, 1.0 / 17.0);
    p = KFMA(p, s2, 1.0 / 15.0);
    p = KFMA(p, s2, 1.0 / 13.0);
    p = KFMA(p, s2, 1.0 / 11.0);
    p = KFMA(p, s2, 1.0 / 9.0);
    p = KFMA(p, s2, 1.0 / 7.0);
    p = KFMA(p, s2, 1.0 / 5.0);
    p = KFMA(p, s2, 1.0 / 3.0);
    // log f = 2s + 2s·s²·p
    const v4d two_s = s + s;
    const v4d log_f = KFMA(two_s * s2, p, two_s);
    // ln 2 = ln2_hi + ln2_lo with k·ln2_hi exact for k < 2¹¹.
    const v4d low = KFMA(kd, 1.90821492927058770002e-10, log_f + err / u);
    v4d y = KFMA(kd, 6.93147180369123816490e-01, low);
    if (!KFN(all)(inside)) {
        for (int lane = 0; lane < 4; lane++) {
            if (!inside[lane]) y[lane] = log1p(x[lane]);
        }
    }
    return y;
}

static KTARGET void KFN(exp_shifted)(double *values, ptrdiff_t count, double shift) {
    ptrdiff_t i = 0;
    for (; i + 4 <= count; i += 4) {
        const v4d x = KFN(load)(values + i) - shift;
        // Far-away components of a row all underflow together: skip the polynomial.
        KFN(store)(values + i, KFN(all)(x < -745.2) ? (v4d){0, 0, 0, 0} : KFN(exp4)(x));
    }
    if (i < count) {
        // The tail goes through the same lanes, padded with zeros.
        v4d x = {0, 0, 0, 0};
        for (ptrdiff_t lane = 0; lane < count - i; lane++) x[lane] = values[i + lane] - shift;
        const v4d y = KFN(exp4)(x);
        for (ptrdiff_t lane = 0; lane < count - i; lane++) values[i + lane] = y[lane];
    }
}

static KTARGET void KFN(log1p_values)(double *values, ptrdiff_t count) {
    ptrdiff_t i = 0;
    for (; i + 4 <= count; i += 4) KFN(store)(values + i, KFN(log1p4)(KFN(load)(values + i)));
    if (i < count) {
        v4d x = {0, 0, 0, 0};
        for (ptrdiff_t lane = 0; lane < count - i; lane++) x[lane] = values[i + lane];
        const v4d y = KFN(log1p4)(x);
        for (ptrdiff_t lane = 0; lane < count - i; lane++) values[i + lane] = y[lane];
    }
}

/// out[j] = (a[j], b[j], c[j], d[j]): a 4×4 block of doubles transposed by shuffles.
KINLINE void KFN(transpose4)(v4d a, v4d b, v4d c, v4d d, v4d *out) {
    const v4d ab_even = __builtin_shufflevector(a, b, 0, 4, 2, 6), ab_odd = __builtin_shufflevector(a, b, 1, 5, 3, 7);
    const v4d cd_even = __builtin_shufflevector(c, d, 0, 4, 2, 6), cd_odd = __builtin_shufflevector(c, d, 1, 5, 3, 7);
    out[0] = __builtin_shufflevector(ab_even, cd_even, 0, 1, 4, 5);
    out[1] = __builtin_shufflevector(ab_odd, cd_odd, 0, 1, 4, 5);
    out[2] = __builtin_shufflevector(ab_even, cd_even, 2, 3, 6, 7);
    out[3] = __builtin_shufflevector(ab_odd, cd_odd, 2, 3, 6, 7);
}

/// normalize_rows for few components (K ≤ 16, a compile-time constant here):
/// four rows at a time, one row per lane, so the K exponentials of a group are
/// independent of each other (a row-wise pass over K = 4 waits on one exp's
/// whole dependency chain per row) and, unrolled, share their constants. Rows
/// whose maximum is not finite, or that hold a NaN, are left untouched with
/// log_density = NaN, as in the row-wise pass. Returns the number of such rows.
KINLINE ptrdiff_t KFN(row_groups_fixed)(const ptrdiff_t K, double *values, ptrdiff_t groups, double *log_density,
                                        int keep_log) {
    ptrdiff_t skipped = 0;
    v4d x[16], e[16];
    for (ptrdiff_t g = 0; g < groups; g++) {
        double *base = values + 4 * g * K;
        // x[c] = column c of the group's four rows: whole 4×4 blocks by shuffles, the rest one by one.
#pragma clang loop unroll(full)
        for (ptrdiff_t c = 0; c + 4 <= K; c += 4) {
            KFN(transpose4)(KFN(load)(base + c), KFN(load)(base + K + c), KFN(load)(base + 2 * K + c),
                            KFN(load)(base + 3 * K + c), x + c);
        }
#pragma clang loop unroll(full)
        for (ptrdiff_t c = K / 4 * 4; c < K; c++) x[c] = (v4d){base[c], base[K + c], base[2 * K + c], base[3 * K + c]};
        // The lanes' maximum.
        v4d best = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
        v4l nan = {0, 0, 0, 0};
#pragma clang loop unroll(full)
        for (ptrdiff_t c = 0; c < K; c++) {
            best = KFN(select)(x[c] > best, best, x[c]);
            nan |= x[c] != x[c];
        }
        const v4l invalid = nan | ((best - best) != 0.0);
        // Σ_{c: x_c < m} e_c, then 1 for each value equal to the maximum m but one
        // (e = exp(0) = 1 exactly there, and one of them stays out of the sum).
        v4d sum = {0, 0, 0, 0}, ties = {-1, -1, -1, -1};
#pragma clang loop unroll(full)
        for (ptrdiff_t c = 0; c < K; c++) {
            const v4d shifted = x[c] - best;
            e[c] = KFN(exp4_nonpositive)(shifted);
            const v4l at_max = shifted == 0.0;
            sum += KFN(select)(at_max, e[c], (v4d){0, 0, 0, 0});
            ties += KFN(select)(at_max, (v4d){0, 0, 0, 0}, (v4d){1, 1, 1, 1});
        }
        sum += ties;
        const v4d lse = best + KFN(log1p4)(KFN(select)(invalid, sum, (v4d){0, 0, 0, 0}));
        const v4d scale = 1.0 / (1.0 + sum);
#pragma clang loop unroll(full)
        for (ptrdiff_t c = 0; c < K; c++) e[c] = keep_log ? x[c] - lse : e[c] * scale;
        if (!KFN(any)(invalid)) {
            for (int lane = 0; lane < 4; lane++) log_density[4 * g + lane] = lse[lane];
            // Back to rows: the 4×4 blocks transposed again, the rest one by one.
#pragma clang loop unroll(full)
            for (ptrdiff_t c = 0; c + 4 <= K; c += 4) {
                v4d rows4[4];
                KFN(transpose4)(e[c], e[c + 1], e[c + 2], e[c + 3], rows4);
                for (int lane = 0; lane < 4; lane++) KFN(store)(base + lane * K + c, rows4[lane]);
            }
#pragma clang loop unroll(full)
            for (ptrdiff_t c = K / 4 * 4; c < K; c++) {
                for (int lane = 0; lane < 4; lane++) base[lane * K + c] = e[c][lane];
            }
            continue;
        }
        for (int lane = 0; lane < 4; lane++) {
            double *row = base + lane * K;
            if (invalid[lane]) {
                log_density[4 * g + lane] = NAN;
                skipped++;
                continue;
            }
            log_density[4 * g + lane] = lse[lane];
#pragma clang loop unroll(full)
            for (ptrdiff_t c = 0; c < K; c++) row[c] = e[c][lane];
        }
    }
    return skipped;
}

static KTARGET ptrdiff_t KFN(normalize_row_groups)(double *values, ptrdiff_t groups, ptrdiff_t k,
                                                   double *log_density, int keep_log) {
#define KCASE(K)                                                                                                      \
    case K:                                                                                                           \
        return KFN(row_groups_fixed)(K, values, groups, log_density, keep_log);
    switch (k) {
        FOR_1_TO_16(KCASE)
    default: return 0;   // more components: the caller's row-wise pass
    }
#undef KCASE
}

static KTARGET ptrdiff_t KFN(normalize_rows)(double *values, ptrdiff_t rows, ptrdiff_t k, double *log_density,
                                             double *rest, int keep_log) {
    const v4d minus_inf = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
    ptrdiff_t skipped = 0;
    ptrdiff_t first = 0;
    if (k <= 16) {
        // Few components: whole groups of four rows with a row per lane; the rest row by row.
        skipped = KFN(normalize_row_groups)(values, rows / 4, k, log_density, keep_log);
        first = rows / 4 * 4;
    }
    for (ptrdiff_t r = first; r < rows; r++) {
        double *row = values + r * k;
        // The row's maximum m, without a branch per value: a maximum per lane, then across lanes.
        v4d best = minus_inf;
        v4l first_nan = {0, 0, 0, 0};
        for (ptrdiff_t j = 0; j < k; j += 4) {
            v4d x = minus_inf;
            if (j + 4 <= k) {
                x = KFN(load)(row + j);
            } else {
                for (ptrdiff_t lane = 0; lane < k - j; lane++) x[lane] = row[j + lane];
            }
            best = KFN(select)(x > best, best, x);
            first_nan |= x != x;
        }
        const double m01 = best[1] > best[0] ? best[1] : best[0], m23 = best[3] > best[2] ? best[3] : best[2];
        const double m = m23 > m01 ? m23 : m01;
        if (!(m - m == 0) || KFN(any)(first_nan)) {
            // Every value −∞, or a +∞ or NaN: left to the caller's plain formulas.
            log_density[r] = NAN;
            rest[r] = 0;
            skipped++;
            continue;
        }
        // Σ_{j: v_j < m} exp(v_j − m), lane by lane, the lanes added in a fixed order, and
        // 1 for each further v_j = m (e = exp(0) = 1 exactly there; one of them stays out).
        v4d sum = {0, 0, 0, 0}, ties = {0, 0, 0, 0};
        ptrdiff_t j = 0;
        for (; j + 8 <= k; j += 8) {
            // Two vectors at a time (exp4_nonpositive2), added to the lanes' sums in order.
            const v4d x[2] = {KFN(load)(row + j) - m, KFN(load)(row + j + 4) - m};
            v4d e[2];
            KFN(exp4_nonpositive2)(x, e);
            for (int h = 0; h < 2; h++) {
                const v4l at_max = x[h] == 0.0;
                sum += KFN(select)(at_max, e[h], (v4d){0, 0, 0, 0});
                ties += KFN(select)(at_max, (v4d){0, 0, 0, 0}, (v4d){1, 1, 1, 1});
                if (!keep_log) KFN(store)(row + j + 4 * h, e[h]);
            }
        }
        for (; j < k; j += 4) {
            v4d x = minus_inf;
            const int whole = j + 4 <= k;
            if (whole) {
                x = KFN(load)(row + j);
            } else {
                for (ptrdiff_t lane = 0; lane < k - j; lane++) x[lane] = row[j + lane];
            }
            x = x - m;
            // No shortcut for groups that all underflow: a data-dependent branch per group
            // costs more in mispredictions than the polynomial it would skip.
            const v4d e = KFN(exp4_nonpositive)(x);
            const v4l at_max = x == 0.0;
            sum += KFN(select)(at_max, e, (v4d){0, 0, 0, 0});
            ties += KFN(select)(at_max, (v4d){0, 0, 0, 0}, (v4d){1, 1, 1, 1});
            if (!keep_log) {
                if (whole) {
                    KFN(store)(row + j, e);
                } else {
                    for (ptrdiff_t lane = 0; lane < k - j; lane++) row[j + lane] = e[lane];
                }
            }
        }
        const double further = ((ties[0] + ties[1]) + (ties[2] + ties[3])) - 1;
        const double total = ((sum[0] + sum[1]) + (sum[2] + sum[3])) + further;
        rest[r] = total;
        log_density[r] = m;
        if (!keep_log) {
            // P(c | x) = e_c / (1 + Σ_{j: v_j < m} e_j + further maxima).
            const double scale = 1 / (1 + total);
            ptrdiff_t c = 0;
            for (; c + 4 <= k; c += 4) KFN(store)(row + c, KFN(load)(row + c) * scale);
            for (; c < k; c++) row[c] *= scale;
        }
    }
    KFN(log1p_values)(rest + first, rows - first);
    for (ptrdiff_t r = first; r < rows; r++) log_density[r] += rest[r];
    if (keep_log) {
        for (ptrdiff_t r = first; r < rows; r++) {
            const double lse = log_density[r];
            if (lse != lse) continue;
            double *row = values + r * k;
            for (ptrdiff_t c = 0; c < k; c++) row[c] -= lse;
        }
    }
    return skipped;
}

/// forward_substitution for a compile-time d: the loops unrolled in full, so z
/// stays in registers and no loop bookkeeping sits on the dependency chain.
KINLINE void KFN(substitution_fixed)(const ptrdiff_t D, const double *block, ptrdiff_t rows, ptrdiff_t k_count,
                                     ptrdiff_t factor_count, const double *lower, const double *inverse_diagonal,
                                     const double *means, const double *normalizers, double *log_joint) {
    v4d xs[16], z[16];
    for (ptrdiff_t r0 = 0; r0 < rows; r0 += 4) {
        const ptrdiff_t lanes = rows - r0 < 4 ? rows - r0 : 4;
        // xs[j] holds feature j of rows r0 … r0 + 3 (absent rows are 0 and never stored).
        if (lanes == 4) {
#pragma clang loop unroll(full)
            for (ptrdiff_t j = 0; j < D; j++) {
                xs[j] = (v4d){block[r0 * D + j], block[(r0 + 1) * D + j], block[(r0 + 2) * D + j],
                              block[(r0 + 3) * D + j]};
            }
        } else {
            for (ptrdiff_t j = 0; j < D; j++) {
                v4d v = {0, 0, 0, 0};
                for (ptrdiff_t lane = 0; lane < lanes; lane++) v[lane] = block[(r0 + lane) * D + j];
                xs[j] = v;
            }
        }
        for (ptrdiff_t c = 0; c < k_count; c++) {
            const ptrdiff_t f = factor_count == 1 ? 0 : c;
            const double *l = lower + f * D * D;
            const double *inv = inverse_diagonal + f * D;
            const double *mu = means + c * D;
            v4d q = {0, 0, 0, 0};
#pragma clang loop unroll(full)
            for (ptrdiff_t i = 0; i < D; i++) {
                v4d t = xs[i] - mu[i];
                const double *li = l + i * D;
#pragma clang loop unroll(full)
                for (ptrdiff_t j = 0; j < i; j++) t = KFMA(-z[j], li[j], t);
                const v4d zi = t * inv[i];
                z[i] = zi;
                q = KFMA(zi, zi, q);
            }
            const v4d v = normalizers[c] - 0.5 * q;
            double *out = log_joint + r0 * k_count + c;
            if (lanes == 4) {
                out[0] = v[0];
                out[k_count] = v[1];
                out[2 * k_count] = v[2];
                out[3 * k_count] = v[3];
            } else {
                for (ptrdiff_t lane = 0; lane < lanes; lane++) out[lane * k_count] = v[lane];
            }
        }
    }
}

/// Solves columns j0 … j0 + W − 1 (W ≤ SUBSTITUTION_COLUMNS) of a tile of
/// SUBSTITUTION_ROWS rows: t_j = x_j − μ_j − Σ_{i<j} L_ji z_i in the same order
/// as substitution_fixed (i ascending), z_j = t_j / L_jj, q += z_j². The sum
/// over i < j0 keeps W×SUBSTITUTION_VECTORS vectors in registers and reads −z_i
/// from `zt` (SUBSTITUTION_VECTORS loads and W broadcasts per W·SUBSTITUTION_VECTORS
/// fused multiply-adds); the W×W diagonal block follows in registers. −z_j goes
/// to `zt`, so that every update is a single fma.
KINLINE void KFN(substitution_columns)(const ptrdiff_t W, ptrdiff_t j0, ptrdiff_t d, const double *l,
                                       const double *inv, const double *mu, const double *xt, double *zt,
                                       v4d q[SUBSTITUTION_VECTORS]) {
    v4d a[SUBSTITUTION_COLUMNS][SUBSTITUTION_VECTORS];
#pragma clang loop unroll(full)
    for (ptrdiff_t w = 0; w < W; w++) {
#pragma clang loop unroll(full)
        for (int v = 0; v < SUBSTITUTION_VECTORS; v++) {
            a[w][v] = KFN(load)(xt + (j0 + w) * SUBSTITUTION_ROWS + 4 * v) - mu[j0 + w];
        }
    }
    const double *lw[SUBSTITUTION_COLUMNS];
#pragma clang loop unroll(full)
    for (ptrdiff_t w = 0; w < W; w++) lw[w] = l + (j0 + w) * d;
    for (ptrdiff_t i = 0; i < j0; i++) {
        const double *nz = zt + i * SUBSTITUTION_ROWS;
        v4d n[SUBSTITUTION_VECTORS];
#pragma clang loop unroll(full)
        for (int v = 0; v < SUBSTITUTION_VECTORS; v++) n[v] = KFN(load)(nz + 4 * v);
#pragma clang loop unroll(full)
        for (ptrdiff_t w = 0; w < W; w++) {
            const double b = lw[w][i];
#pragma clang loop unroll(full)
            for (int v = 0; v < SUBSTITUTION_VECTORS; v++) a[w][v] = KFMA(n[v], b, a[w][v]);
        }
    }
    v4d nz[SUBSTITUTION_COLUMNS][SUBSTITUTION_VECTORS];
#pragma clang loop unroll(full)
    for (ptrdiff_t w = 0; w < W; w++) {
#pragma clang loop unroll(full)
        for (ptrdiff_t u = 0; u < w; u++) {
            const double b = lw[w][j0 + u];
#pragma clang loop unroll(full)
            for (int v = 0; v < SUBSTITUTION_VECTORS; v++) a[w][v] = KFMA(nz[u][v], b, a[w][v]);
        }
#pragma clang loop unroll(full)
        for (int v = 0; v < SUBSTITUTION_VECTORS; v++) {
            const v4d z = a[w][v] * inv[j0 + w];
            q[v] = KFMA(z, z, q[v]);
            nz[w][v] = -z;
            KFN(store)(zt + (j0 + w) * SUBSTITUTION_ROWS + 4 * v, nz[w][v]);
        }
    }
}

/// forward_substitution for any d. Rows go in sub-blocks of SUBSTITUTION_GROUPS
/// groups of SUBSTITUTION_ROWS rows, each group transposed into `xt` (d×SUBSTITUTION_ROWS,
/// absent rows 0); then component by component, so that one factor L_c is read
/// from memory once per sub-block, not once per group (the K factors together
/// outgrow the caches: 1 MiB at d = 64, K = 32), and z is solved group by group,
/// four columns at a time (substitution_columns). The same operations in the same
/// order as substitution_fixed, so both give the same bits for the same d.
KINLINE void KFN(substitution_tiled)(const double *block, ptrdiff_t rows, ptrdiff_t d, ptrdiff_t k_count,
                                     ptrdiff_t factor_count, const double *lower, const double *inverse_diagonal,
                                     const double *means, const double *normalizers, double *log_joint, double *xt,
                                     double *zt) {
    const ptrdiff_t group_size = d * SUBSTITUTION_ROWS;
    for (ptrdiff_t start = 0; start < rows; start += SUBSTITUTION_GROUPS * SUBSTITUTION_ROWS) {
        const ptrdiff_t n = rows - start < SUBSTITUTION_GROUPS * SUBSTITUTION_ROWS
                                ? rows - start : SUBSTITUTION_GROUPS * SUBSTITUTION_ROWS;
        const ptrdiff_t groups = (n + SUBSTITUTION_ROWS - 1) / SUBSTITUTION_ROWS;
        for (ptrdiff_t r = 0; r < groups * SUBSTITUTION_ROWS; r++) {
            double *t = xt + r / SUBSTITUTION_ROWS * group_size + r % SUBSTITUTION_ROWS;
            const double *x = block + (start + r) * d;
            if (r < n) {
                for (ptrdiff_t j = 0; j < d; j++) t[j * SUBSTITUTION_ROWS] = x[j];
            } else {
                for (ptrdiff_t j = 0; j < d; j++) t[j * SUBSTITUTION_ROWS] = 0;
            }
        }
        for (ptrdiff_t c = 0; c < k_count; c++) {
            const ptrdiff_t f = factor_count == 1 ? 0 : c;
            const double *l = lower + f * d * d, *inv = inverse_diagonal + f * d, *mu = means + c * d;
            for (ptrdiff_t g = 0; g < groups; g++) {
                v4d q[SUBSTITUTION_VECTORS];
                for (int v = 0; v < SUBSTITUTION_VECTORS; v++) q[v] = (v4d){0, 0, 0, 0};
                const double *xg = xt + g * group_size;
                ptrdiff_t j0 = 0;
                for (; j0 + SUBSTITUTION_COLUMNS <= d; j0 += SUBSTITUTION_COLUMNS) {
                    KFN(substitution_columns)(SUBSTITUTION_COLUMNS, j0, d, l, inv, mu, xg, zt, q);
                }
                for (; j0 < d; j0++) KFN(substitution_columns)(1, j0, d, l, inv, mu, xg, zt, q);
                const ptrdiff_t r0 = start + g * SUBSTITUTION_ROWS;
                const ptrdiff_t lanes = rows - r0 < SUBSTITUTION_ROWS ? rows - r0 : SUBSTITUTION_ROWS;
                double *out = log_joint + r0 * k_count + c;
                for (ptrdiff_t lane = 0; lane < lanes; lane++) {
                    out[lane * k_count] = normalizers[c] - 0.5 * q[lane / 4][lane % 4];
                }
            }
        }
    }
}

static KTARGET void KFN(forward_substitution)(const double *block, ptrdiff_t rows, ptrdiff_t d, ptrdiff_t k_count,
                                             ptrdiff_t factor_count, const double *lower,
                                             const double *inverse_diagonal, const double *means,
                                             const double *normalizers, double *log_joint, double *scratch) {
#define KCASE(D)                                                                                                      \
    case D:                                                                                                           \
        KFN(substitution_fixed)(D, block, rows, k_count, factor_count, lower, inverse_diagonal, means, normalizers,   \
                                log_joint);                                                                           \
        return;
    switch (d) {
        FOR_1_TO_16(KCASE)
    default:
        KFN(substitution_tiled)(block, rows, d, k_count, factor_count, lower, inverse_diagonal, means, normalizers,
                                log_joint, scratch, scratch + SUBSTITUTION_GROUPS * SUBSTITUTION_ROWS * d);
    }
#undef KCASE
}

/// accumulate_moments for a compile-time d (≤ 16): rows in sub-blocks of
/// MOMENT_SUB, transposed once so that four rows share a register; then per
/// component and per moment row i, the accumulators of Σ w (x_i − s_i)(x_j − s_j),
/// j ≥ i, stay in registers for the whole sub-block (a single pass over all
/// d(d+1)/2 of them would store every accumulator after every four rows).
/// `lanes` holds the per-component lane sums: 4·(1 + D + D(D+1)/2) doubles each.
KINLINE void KFN(moments_fixed)(const ptrdiff_t D, const double *block, ptrdiff_t rows, ptrdiff_t k_count,
                                const double *resp, const double *shifts, double *lanes, double *xt, double *vt,
                                double *wt) {
    const ptrdiff_t per = 1 + D + D * (D + 1) / 2;
    for (ptrdiff_t start = 0; start < rows; start += MOMENT_SUB) {
        const ptrdiff_t n = rows - start < MOMENT_SUB ? rows - start : MOMENT_SUB;
        const ptrdiff_t padded = (n + 3) / 4 * 4;
        // Rows past the end get weight 0 below, so their (finite) values add nothing.
        for (ptrdiff_t j = 0; j < D; j++) {
            for (ptrdiff_t r = 0; r < padded; r++) xt[j * MOMENT_SUB + r] = r < n ? block[(start + r) * D + j] : 0;
        }
        for (ptrdiff_t c = 0; c < k_count; c++) {
            const double *s = shifts + c * D;
            for (ptrdiff_t r = 0; r < padded; r++) wt[r] = r < n ? resp[(start + r) * k_count + c] : 0;
            for (ptrdiff_t j = 0; j < D; j++) {
                for (ptrdiff_t r = 0; r < padded; r += 4) {
                    KFN(store)(vt + j * MOMENT_SUB + r, KFN(load)(xt + j * MOMENT_SUB + r) - s[j]);
                }
            }
            double *acc = lanes + 4 * per * c;
            double *moment_row = acc + 4 * (1 + D);
            // Unrolled in full (D is a constant here), so that m[] lives in registers:
            // moment row i in tiles of at most eight columns j ≥ i.
#pragma clang loop unroll(full)
            for (ptrdiff_t i = 0; i < D; i++) {
#pragma clang loop unroll(full)
                for (ptrdiff_t j0 = i; j0 < D; j0 += 8) {
                    const ptrdiff_t j1 = j0 + 8 < D ? j0 + 8 : D;
                    v4d m[8] = {{0}};
                    v4d sum = {0, 0, 0, 0}, count = {0, 0, 0, 0};
                    for (ptrdiff_t r = 0; r < padded; r += 4) {
                        const v4d w = KFN(load)(wt + r);
                        const v4d a = w * KFN(load)(vt + i * MOMENT_SUB + r);
                        if (i == 0 && j0 == 0) count += w;
                        if (j0 == i) sum += a;
#pragma clang loop unroll(full)
                        for (ptrdiff_t j = j0; j < j1; j++) {
                            m[j - j0] = KFMA(a, KFN(load)(vt + j * MOMENT_SUB + r), m[j - j0]);
                        }
                    }
                    if (i == 0 && j0 == 0) KFN(store)(acc, KFN(load)(acc) + count);
                    if (j0 == i) KFN(store)(acc + 4 * (1 + i), KFN(load)(acc + 4 * (1 + i)) + sum);
                    for (ptrdiff_t j = j0; j < j1; j++, moment_row += 4) {
                        KFN(store)(moment_row, KFN(load)(moment_row) + m[j - j0]);
                    }
                }
            }
        }
    }
}

static KTARGET void KFN(accumulate_moments)(const double *block, ptrdiff_t rows, ptrdiff_t d, ptrdiff_t k_count,
                                           const double *resp, const double *shifts, double *counts, double *sums,
                                           double *moments, double *scratch) {
    const ptrdiff_t per = 1 + d + d * (d + 1) / 2;   // accumulators per component: count, sums, upper moments
    for (ptrdiff_t i = 0; i < 4 * per * k_count; i++) scratch[i] = 0;
    double *xt = scratch + 4 * per * k_count, *vt = xt + 16 * MOMENT_SUB, *wt = vt + 16 * MOMENT_SUB;
#define KCASE(D)                                                                                                      \
    case D:                                                                                                           \
        KFN(moments_fixed)(D, block, rows, k_count, resp, shifts, scratch, xt, vt, wt);                               \
        break;
    switch (d) {
        FOR_1_TO_16(KCASE)
    default: return;   // d > 16 is the caller's dsyrk path
    }
#undef KCASE
    // Lanes added in a fixed order, then into the running statistics.
    for (ptrdiff_t c = 0; c < k_count; c++) {
        const double *acc = scratch + 4 * per * c;
        double lane_sums[per > 0 ? per : 1];
        for (ptrdiff_t t = 0; t < per; t++) {
            const double *a = acc + 4 * t;
            lane_sums[t] = (a[0] + a[1]) + (a[2] + a[3]);
        }
        counts[c] += lane_sums[0];
        for (ptrdiff_t i = 0; i < d; i++) sums[c * d + i] += lane_sums[1 + i];
        ptrdiff_t t = 1 + d;
        for (ptrdiff_t i = 0; i < d; i++) {
            for (ptrdiff_t j = i; j < d; j++, t++) moments[c * d * d + i * d + j] += lane_sums[t];
        }
    }
}

static KTARGET void KFN(subtract_rows)(const double *block, ptrdiff_t rows, ptrdiff_t d, const double *mean,
                                      double *out) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        const double *x = block + r * d;
        double *z = out + r * d;
        ptrdiff_t j = 0;
        for (; j + 4 <= d; j += 4) KFN(store)(z + j, KFN(load)(x + j) - KFN(load)(mean + j));
        for (; j < d; j++) z[j] = x[j] - mean[j];
    }
}

static KTARGET void KFN(half_norms)(const double *z, ptrdiff_t rows, ptrdiff_t d, double constant, double *out,
                                   ptrdiff_t stride) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        const double *zr = z + r * d;
        v4d q = {0, 0, 0, 0};
        ptrdiff_t j = 0;
        for (; j + 4 <= d; j += 4) {
            const v4d v = KFN(load)(zr + j);
            q = KFMA(v, v, q);
        }
        double total = (q[0] + q[1]) + (q[2] + q[3]);
        for (; j < d; j++) total += zr[j] * zr[j];
        out[r * stride] = constant - 0.5 * total;
    }
}

static KTARGET ptrdiff_t KFN(scaled_deviations)(const double *block, ptrdiff_t rows, ptrdiff_t d,
                                               const double *shift, const double *weights, ptrdiff_t weight_stride,
                                               const double *spreads, double threshold, double spread_threshold,
                                               double *out, double *sums, double *total) {
    ptrdiff_t written = 0;
    for (ptrdiff_t r = 0; r < rows; r++) {
        const double w = weights[r * weight_stride];
        // Rows of weight 0, or negligible (see mixture_count_kept), stay out of every sum and the rank update.
        if (w == 0 || !(w >= threshold || w >= spread_threshold * (1 / spreads[r]))) continue;
        *total += w;
        const double root = sqrt(w);
        const double *x = block + r * d;
        double *y = out + written * d;
        written++;
        ptrdiff_t j = 0;
        for (; j + 4 <= d; j += 4) {
            const v4d v = KFN(load)(x + j) - KFN(load)(shift + j);
            KFN(store)(y + j, v * root);
            KFN(store)(sums + j, KFMA(v, w, KFN(load)(sums + j)));
        }
        for (; j < d; j++) {
            const double v = x[j] - shift[j];
            y[j] = root * v;
            sums[j] += w * v;
        }
    }
    return written;
}

/// spreads[r] = max(1, max_j (x_rj − centre_j)²): a bound on |x_rj − centre_j| and (x_rj − centre_j)².
static KTARGET void KFN(row_spreads)(const double *block, ptrdiff_t rows, ptrdiff_t d, const double *centre,
                                     double *spreads) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        const double *x = block + r * d;
        v4d top = {1, 1, 1, 1};
        ptrdiff_t j = 0;
        for (; j + 4 <= d; j += 4) {
            const v4d v = KFN(load)(x + j) - KFN(load)(centre + j);
            const v4d square = v * v;
            top = KFN(select)(square > top, top, square);
        }
        double m = top[0];
        for (int lane = 1; lane < 4; lane++) m = top[lane] > m ? top[lane] : m;
        for (; j < d; j++) {
            const double v = x[j] - centre[j];
            m = v * v > m ? v * v : m;
        }
        spreads[r] = m;
    }
}

/// sums[c] = Σ_r resp[r, c] and sums[k_count + c] = Σ_r resp[r, c] · spreads[r], over the rows in order.
static KTARGET void KFN(column_sums)(const double *resp, ptrdiff_t rows, ptrdiff_t k_count, const double *spreads,
                                     double *sums) {
    double *weighted = sums + k_count;
    for (ptrdiff_t c = 0; c < 2 * k_count; c++) sums[c] = 0;
    for (ptrdiff_t r = 0; r < rows; r++) {
        const double *row = resp + r * k_count;
        const double s = spreads[r];
        ptrdiff_t c = 0;
        for (; c + 4 <= k_count; c += 4) {
            const v4d w = KFN(load)(row + c);
            KFN(store)(sums + c, KFN(load)(sums + c) + w);
            KFN(store)(weighted + c, KFMA(w, s, KFN(load)(weighted + c)));
        }
        for (; c < k_count; c++) {
            sums[c] += row[c];
            weighted[c] = KFMA(row[c], s, weighted[c])[0];
        }
    }
}

/// Whether the M-step keeps w = resp[r, c] (see mixture_count_kept), four
/// components at a time; `inverse` is 1/spreads[r]. The second test is
/// w ≥ t'_c / s_r rather than w s_r ≥ t'_c: w is often subnormal, and a
/// multiplication by a subnormal takes the slow path (measured: the whole
/// pass 3.7× slower).
KINLINE v4l KFN(kept_lanes)(const double *row, double inverse, const double *thresholds, ptrdiff_t k_count) {
    const v4d w = KFN(load)(row);
    return ((w >= KFN(load)(thresholds)) | (w >= KFN(load)(thresholds + k_count) * inverse)) & (w != 0.0);
}

KINLINE int KFN(kept)(double w, double inverse, const double *thresholds, ptrdiff_t k_count, ptrdiff_t c) {
    return w != 0 && (w >= thresholds[c] || w >= thresholds[k_count + c] * inverse);
}

static KTARGET ptrdiff_t KFN(count_kept)(const double *resp, ptrdiff_t rows, ptrdiff_t k_count,
                                         const double *spreads, const double *thresholds, ptrdiff_t *per_component,
                                         uint64_t *masks) {
    const ptrdiff_t words = (k_count + 63) / 64;
    for (ptrdiff_t c = 0; c < k_count; c++) per_component[c] = 0;
    for (ptrdiff_t r = 0; r < rows; r++) {
        const double *row = resp + r * k_count;
        const double inverse = 1 / spreads[r];
        for (ptrdiff_t w = 0; w < words; w++) {
            const ptrdiff_t end = 64 * w + 64 < k_count ? 64 * w + 64 : k_count;
            uint64_t bits = 0;
            ptrdiff_t c = 64 * w;
            for (; c + 4 <= end; c += 4) {
                const v4l kept = KFN(kept_lanes)(row + c, inverse, thresholds + c, k_count);   // −1 where kept
                v4l n;
                __builtin_memcpy(&n, per_component + c, sizeof n);
                n -= kept;
                __builtin_memcpy(per_component + c, &n, sizeof n);
                bits |= (uint64_t)KMOVEMASK(kept) << (c - 64 * w);
            }
            for (; c < end; c++) {
                const int kept = KFN(kept)(row[c], inverse, thresholds, k_count, c);
                per_component[c] += kept;
                bits |= (uint64_t)kept << (c - 64 * w);
            }
            masks[r * words + w] = bits;
        }
    }
    ptrdiff_t total = 0;
    for (ptrdiff_t c = 0; c < k_count; c++) total += per_component[c];
    return total;
}

/// Features per stretch in sparse_moments: SPARSE_VECTORS vectors of each moment in
/// registers, with the centre's (three times four of the sixteen AVX2 registers).
#define SPARSE_VECTORS 4

static KTARGET void KFN(sparse_moments)(const double *restrict block, ptrdiff_t rows, ptrdiff_t d,
                                        const double *restrict centre, const double *restrict resp,
                                        ptrdiff_t k_count, const uint64_t *restrict masks,
                                        const ptrdiff_t *restrict per_component, double *restrict products,
                                        double *restrict counts, ptrdiff_t *restrict position,
                                        int32_t *restrict list, double *restrict weights) {
    // Each component's kept rows and weights, in row order, in its own stretch of list/weights.
    const ptrdiff_t words = (k_count + 63) / 64;
    ptrdiff_t start = 0;
    for (ptrdiff_t c = 0; c < k_count; c++) {
        position[c] = start;
        start += per_component[c];
    }
    for (ptrdiff_t r = 0; r < rows; r++) {
        const double *row = resp + r * k_count;
        for (ptrdiff_t w = 0; w < words; w++) {
            for (uint64_t m = masks[r * words + w]; m != 0; m &= m - 1) {
                const ptrdiff_t c = 64 * w + __builtin_ctzll(m);
                const ptrdiff_t at = position[c]++;
                list[at] = (int32_t)r;
                weights[at] = row[c];
            }
        }
    }
    // Per component and stretch of features: both moments' sums in registers while
    // the component's kept rows go by, in order.
    const ptrdiff_t width = 2 * d;
    start = 0;
    for (ptrdiff_t c = 0; c < k_count; c++) {
        const ptrdiff_t n = per_component[c];
        const int32_t *rows_c = list + start;
        const double *w_c = weights + start;
        start += n;
        if (n == 0) continue;
        double *second = products + c * width, *first = second + d;
        double count = counts[c];
        for (ptrdiff_t i = 0; i < n; i++) count += w_c[i];
        counts[c] = count;
        ptrdiff_t j0 = 0;
        for (; j0 + 4 * SPARSE_VECTORS <= d; j0 += 4 * SPARSE_VECTORS) {
            v4d mid[SPARSE_VECTORS], sum2[SPARSE_VECTORS], sum1[SPARSE_VECTORS];
#pragma clang loop unroll(full)
            for (int v = 0; v < SPARSE_VECTORS; v++) {
                mid[v] = KFN(load)(centre + j0 + 4 * v);
                sum2[v] = KFN(load)(second + j0 + 4 * v);
                sum1[v] = KFN(load)(first + j0 + 4 * v);
            }
            for (ptrdiff_t i = 0; i < n; i++) {
                const double *x = block + (ptrdiff_t)rows_c[i] * d + j0;
                const v4d wv = {w_c[i], w_c[i], w_c[i], w_c[i]};
#pragma clang loop unroll(full)
                for (int v = 0; v < SPARSE_VECTORS; v++) {
                    const v4d t = KFN(load)(x + 4 * v) - mid[v];
                    sum2[v] = KFMA(t * t, wv, sum2[v]);
                    sum1[v] = KFMA(t, wv, sum1[v]);
                }
            }
#pragma clang loop unroll(full)
            for (int v = 0; v < SPARSE_VECTORS; v++) {
                KFN(store)(second + j0 + 4 * v, sum2[v]);
                KFN(store)(first + j0 + 4 * v, sum1[v]);
            }
        }
        for (; j0 < d; j0++) {
            double sum2 = second[j0], sum1 = first[j0];
            for (ptrdiff_t i = 0; i < n; i++) {
                const double t = block[(ptrdiff_t)rows_c[i] * d + j0] - centre[j0];
                sum2 = KFMA(t * t, w_c[i], sum2)[0];
                sum1 = KFMA(t, w_c[i], sum1)[0];
            }
            second[j0] = sum2;
            first[j0] = sum1;
        }
    }
}

#undef KINLINE
