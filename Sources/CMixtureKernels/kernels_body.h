// The kernels' bodies, included once per instruction-set variant by
// mixture_kernels.c, which defines before each inclusion:
//   KFN(name)    the variant's function name (name_portable, name_avx2, name_avx512)
//   KTARGET      the variant's target attribute (empty for the portable one)
//   KW           lanes per vector: 4, or 8 in the AVX-512 variant
//   kvd, kvl, kvu  the vector types of KW doubles, int64s, uint64s
//   KV(x)        x splatted to KW lanes (a kvd unchanged)
//   KFMA(a,b,c)  a·b + c on kvd: fused where the variant has FMA, two roundings otherwise
//   KFMA4(a,b,c) the same on four-double vectors (v4d)
//   KMOVEMASK(m) the sign bits of a KW-lane mask as bits 0 … KW − 1
//
// The kernels that put rows, components or values in lanes (exp, log1p, the
// row normalisation, the forward substitution, the small-d moments, the
// responsibility tests) use KW lanes; the ones that run along a row's d
// features (subtract_rows, half_norms, row_spreads, scaled_deviations,
// sparse_moments) use four-double vectors in every variant, which at the small d
// where speed matters here leaves fewer values to the scalar tail. Vectors are
// clang/GCC vector types: two SSE2 registers per v4d in the portable variant,
// one AVX2 register in the second, one AVX-512 register per kvd in the third.
// Nothing is contracted implicitly (`fp contract(off)` in the including file):
// every fused multiply-add is written as KFMA, so each variant's arithmetic is
// fixed by this text, not by the optimiser. Where lanes are summed, they are
// added in a fixed order (hsum), so each variant gives the same bits for the
// same input; variants differ from each other by rounding only.

#define KINLINE static inline __attribute__((always_inline)) KTARGET

KINLINE kvd KFN(load)(const double *p) {
    kvd v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

KINLINE void KFN(store)(double *p, kvd v) { __builtin_memcpy(p, &v, sizeof v); }

KINLINE v4d KFN(load4)(const double *p) {
    v4d v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

KINLINE void KFN(store4)(double *p, v4d v) { __builtin_memcpy(p, &v, sizeof v); }

/// a where mask is 0, b where it is all ones.
KINLINE kvd KFN(select)(kvl mask, kvd a, kvd b) { return (kvd)(((kvl)a & ~mask) | ((kvl)b & mask)); }

KINLINE v4d KFN(select4)(v4l mask, v4d a, v4d b) { return (v4d)(((v4l)a & ~mask) | ((v4l)b & mask)); }

KINLINE int KFN(any)(kvl mask) { return KMOVEMASK(mask) != 0; }

KINLINE int KFN(all)(kvl mask) { return KMOVEMASK(mask) == (1u << KW) - 1; }

/// The lanes' sum in a fixed order: neighbours, then pairs of pairs.
KINLINE double KFN(hsum)(kvd v) {
#if KW == 8
    return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
#else
    return (v[0] + v[1]) + (v[2] + v[3]);
#endif
}

/// exp of KW values:
///   n = round(x / ln 2),  r = x − n·ln2_hi − n·ln2_lo  (Cody–Waite: n·ln2_hi is exact),
///   exp(x) = 2ⁿ · exp(r),  |r| ≤ ½ ln 2,
/// exp(r) from its Taylor series to r¹³ (truncation below 1e-17 relative),
/// rounding to an integer by the 1.5·2⁵² trick. 2ⁿ is applied
/// as two factors 2^⌊n/2⌋ · 2^(n−⌊n/2⌋), each a normal number, so results
/// that are subnormal (x < −708.4) or overflow (x > 709.8) come out of the
/// last multiplication rounded once, as libm's do. `x` must lie in [−745.2, 710]
/// (exp4 and exp4_nonpositive see to it; the smallest subnormal is e^−744.4).
KINLINE void KFN(exp4_core_n)(const int N, const kvd *x, kvd *y) {
    // N independent vectors, stage by stage: the out-of-order core then has N
    // dependency chains to overlap without holding a whole exp per chain in its
    // schedulers (one chain at a time leaves the FMA units a third idle).
    const kvd magic = KV(0x1.8p52);
    kvd shifted[4], r[4], r2[4], r4[4], r8[4], e0[4], e1[4], e2[4], e3[4], e4[4], e5[4], t[4], p[4];
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
#if KW == 8
    // AVX-512's scalef: p·2ⁿ rounded once, as the two factors below give it.
    KSTAGE y[i] = __builtin_ia32_scalefpd512_mask(p[i], shifted[i] - magic, p[i], (unsigned char)-1, 4);
#else
    KSTAGE {
        // n sits in the low mantissa bits of `shifted` (two's complement below zero).
        const kvl n_bits = (kvl)shifted[i] - (kvl)magic;
        // ⌊n/2⌋ by a logical shift of n + 2048 ≥ 0 (AVX2 has no 64-bit arithmetic shift).
        const kvl half = (kvl)((kvu)(n_bits + 2048) >> 1) - 1024;
        const kvd scale1 = (kvd)((half + 1023) << 52);
        const kvd scale2 = (kvd)((n_bits - half + 1023) << 52);
        y[i] = (p[i] * scale1) * scale2;
    }
#endif
#undef KSTAGE
}

KINLINE kvd KFN(exp4_core)(kvd x) {
    kvd y;
    KFN(exp4_core_n)(1, &x, &y);
    return y;
}

/// exp of KW values within 1 ulp of libm: 0 below −745.2, +∞ above 709.8, NaN stays NaN.
KINLINE kvd KFN(exp4)(kvd x) {
    const kvl zero = x < -745.2;
    const kvl nan = x != x;
    // Lanes whose result is 0, and NaN lanes, are computed as exp(0) and replaced
    // below (computing them would underflow, and an underflowing multiplication
    // is slow); the top is clamped so that n stays within [−1075, 1025].
    kvd safe = KFN(select)(nan | zero, x, KV(0.0));
    safe = KFN(select)(safe > 710.0, safe, KV(710.0));
    kvd y = KFN(exp4_core)(safe);
    y = KFN(select)(zero, y, KV(0.0));
    return KFN(select)(nan, y, x);
}

/// exp4 for x ≤ 0 (a row's values minus its maximum): the same bits, −∞
/// included, without exp4's overflow and NaN handling. NaN lanes give
/// meaningless values.
KINLINE kvd KFN(exp4_nonpositive)(kvd x) {
    // As in exp4, lanes whose result is 0 are computed as exp(0) and replaced: a
    // multiplication that underflows takes a slow path (measured: a quarter
    // slower normalisation at K = 64 with the clamp instead).
    const kvl zero = x < -745.2;
    const kvd y = KFN(exp4_core)(KFN(select)(zero, x, KV(0.0)));
    return KFN(select)(zero, y, KV(0.0));
}

/// exp4_nonpositive of two vectors, their operations interleaved (the same bits).
KINLINE void KFN(exp4_nonpositive2)(const kvd *x, kvd *y) {
    const kvl zero[2] = {x[0] < -745.2, x[1] < -745.2};
    const kvd safe[2] = {KFN(select)(zero[0], x[0], KV(0.0)), KFN(select)(zero[1], x[1], KV(0.0))};
    KFN(exp4_core_n)(2, safe, y);
    y[0] = KFN(select)(zero[0], y[0], KV(0.0));
    y[1] = KFN(select)(zero[1], y[1], KV(0.0));
}

/// log1p of KW values. With u = 1 + x rounded and e its exact rounding
/// error (Fast2Sum, larger operand first), log1p(x) = log u + e/u to well
/// below an ulp. log u = k ln 2 + log f, u = 2ᵏ f, f ∈ [√½, √2), and
/// log f = 2 atanh s = 2s (1 + s²/3 + s⁴/5 + …), s = (f − 1)/(f + 1), |s| ≤ 0.172:
/// the series to s²² leaves a truncation below 1e-18 relative. Lanes outside
/// [0, 2⁵²) and NaN take libm's log1p.
KINLINE kvd KFN(log1p4)(kvd x) {
    const kvl inside = (x >= 0.0) & (x < 0x1p52);
    const kvd xs = KFN(select)(inside, KV(0.0), x);
    const kvd u = xs + 1.0;
    const kvd err = KFN(select)(xs > 1.0, xs - (u - 1.0), 1.0 - (u - xs));
    const kvl bits = (kvl)u;
    kvl k = (bits >> 52) - 1023;
    kvd f = (kvd)((bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL);
    const kvl high = f > 1.4142135623730951;
    f = KFN(select)(high, f, f * 0.5);
    k = k - high;                                   // high is −1 where true
    // k ≥ 0: its double is 2⁵² + k read as bits, minus 2⁵².
    const kvd kd = (kvd)(k | 0x4330000000000000LL) - 0x1p52;
    const kvd g = f - 1.0;                          // exact (Sterbenz)
    const kvd s = g / (f + 1.0);
    const kvd s2 = s * s;
    kvd p = KV(1.0 / 23.0);
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
    const kvd two_s = s + s;
    const kvd log_f = KFMA(two_s * s2, p, two_s);
    // ln 2 = ln2_hi + ln2_lo with k·ln2_hi exact for k < 2¹¹.
    const kvd low = KFMA(kd, 1.90821492927058770002e-10, log_f + err / u);
    kvd y = KFMA(kd, 6.93147180369123816490e-01, low);
    if (!KFN(all)(inside)) {
        for (int lane = 0; lane < KW; lane++) {
            if (!inside[lane]) y[lane] = log1p(x[lane]);
        }
    }
    return y;
}

static KTARGET void KFN(exp_shifted)(double *values, ptrdiff_t count, double shift) {
    ptrdiff_t i = 0;
    for (; i + KW <= count; i += KW) {
        const kvd x = KFN(load)(values + i) - shift;
        // Far-away components of a row all underflow together: skip the polynomial.
        KFN(store)(values + i, KFN(all)(x < -745.2) ? KV(0.0) : KFN(exp4)(x));
    }
    if (i < count) {
        // The tail goes through the same lanes, padded with zeros.
        kvd x = KV(0.0);
        for (ptrdiff_t lane = 0; lane < count - i; lane++) x[lane] = values[i + lane] - shift;
        const kvd y = KFN(exp4)(x);
        for (ptrdiff_t lane = 0; lane < count - i; lane++) values[i + lane] = y[lane];
    }
}

static KTARGET void KFN(log1p_values)(double *values, ptrdiff_t count) {
    ptrdiff_t i = 0;
    for (; i + KW <= count; i += KW) KFN(store)(values + i, KFN(log1p4)(KFN(load)(values + i)));
    if (i < count) {
        kvd x = KV(0.0);
        for (ptrdiff_t lane = 0; lane < count - i; lane++) x[lane] = values[i + lane];
        const kvd y = KFN(log1p4)(x);
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

/// out[c] = column c (c < C, a compile-time constant) of the KW rows of C values at
/// `base`: two columns by splitting the 2·KW values into even and odd positions,
/// whole 4×4 blocks by shuffles, the rest one by one.
KINLINE void KFN(load_columns)(const ptrdiff_t C, const double *base, kvd *out) {
    if (C == 2) {
        const kvd a = KFN(load)(base), b = KFN(load)(base + KW);
#if KW == 8
        out[0] = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
        out[1] = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
#else
        out[0] = __builtin_shufflevector(a, b, 0, 2, 4, 6);
        out[1] = __builtin_shufflevector(a, b, 1, 3, 5, 7);
#endif
        return;
    }
#pragma clang loop unroll(full)
    for (ptrdiff_t c = 0; c + 4 <= C; c += 4) {
        v4d top[4];
        KFN(transpose4)(KFN(load4)(base + c), KFN(load4)(base + C + c), KFN(load4)(base + 2 * C + c),
                        KFN(load4)(base + 3 * C + c), top);
#if KW == 8
        v4d bottom[4];
        const double *low = base + 4 * C;
        KFN(transpose4)(KFN(load4)(low + c), KFN(load4)(low + C + c), KFN(load4)(low + 2 * C + c),
                        KFN(load4)(low + 3 * C + c), bottom);
        for (int i = 0; i < 4; i++) out[c + i] = __builtin_shufflevector(top[i], bottom[i], 0, 1, 2, 3, 4, 5, 6, 7);
#else
        for (int i = 0; i < 4; i++) out[c + i] = top[i];
#endif
    }
#pragma clang loop unroll(full)
    for (ptrdiff_t c = C / 4 * 4; c < C; c++) {
        kvd v;
        for (int lane = 0; lane < KW; lane++) v[lane] = base[lane * C + c];
        out[c] = v;
    }
}

/// load_columns in reverse: the KW rows of C values at `base` from their columns in[c].
KINLINE void KFN(store_columns)(const ptrdiff_t C, double *base, const kvd *in) {
    if (C == 2) {
#if KW == 8
        KFN(store)(base, __builtin_shufflevector(in[0], in[1], 0, 8, 1, 9, 2, 10, 3, 11));
        KFN(store)(base + KW, __builtin_shufflevector(in[0], in[1], 4, 12, 5, 13, 6, 14, 7, 15));
#else
        KFN(store)(base, __builtin_shufflevector(in[0], in[1], 0, 4, 1, 5));
        KFN(store)(base + KW, __builtin_shufflevector(in[0], in[1], 2, 6, 3, 7));
#endif
        return;
    }
#pragma clang loop unroll(full)
    for (ptrdiff_t c = 0; c + 4 <= C; c += 4) {
        for (int half = 0; half < KW / 4; half++) {
            v4d rows4[4];
#if KW == 8
            if (half == 0) {
                KFN(transpose4)(__builtin_shufflevector(in[c], in[c], 0, 1, 2, 3),
                                __builtin_shufflevector(in[c + 1], in[c + 1], 0, 1, 2, 3),
                                __builtin_shufflevector(in[c + 2], in[c + 2], 0, 1, 2, 3),
                                __builtin_shufflevector(in[c + 3], in[c + 3], 0, 1, 2, 3), rows4);
            } else {
                KFN(transpose4)(__builtin_shufflevector(in[c], in[c], 4, 5, 6, 7),
                                __builtin_shufflevector(in[c + 1], in[c + 1], 4, 5, 6, 7),
                                __builtin_shufflevector(in[c + 2], in[c + 2], 4, 5, 6, 7),
                                __builtin_shufflevector(in[c + 3], in[c + 3], 4, 5, 6, 7), rows4);
            }
#else
            KFN(transpose4)(in[c], in[c + 1], in[c + 2], in[c + 3], rows4);
#endif
            for (int lane = 0; lane < 4; lane++) KFN(store4)(base + (4 * half + lane) * C + c, rows4[lane]);
        }
    }
#pragma clang loop unroll(full)
    for (ptrdiff_t c = C / 4 * 4; c < C; c++) {
        for (int lane = 0; lane < KW; lane++) base[lane * C + c] = in[c][lane];
    }
}

/// normalize_rows for few components (K ≤ 16, a compile-time constant here):
/// KW rows at a time, one row per lane, so the K exponentials of a group are
/// independent of each other (a row-wise pass over K = 4 waits on one exp's
/// whole dependency chain per row) and, unrolled, share their constants. Rows
/// whose maximum is not finite, or that hold a NaN, are left untouched with
/// log_density = NaN, as in the row-wise pass. Returns the number of such rows.
/// Unless keep_log, log_density is the row's maximum m here and `rest` the sum
/// whose log1p the caller adds to it, in a separate pass: log1p's dependency
/// chain (three divisions deep) after the exponentials' left the core waiting
/// within each group (measured, K = 4: a third of the time).
KINLINE ptrdiff_t KFN(row_groups_fixed)(const ptrdiff_t K, double *values, ptrdiff_t groups, double *log_density,
                                        double *rest, int keep_log) {
    ptrdiff_t skipped = 0;
    kvd x[16], e[16];
    for (ptrdiff_t g = 0; g < groups; g++) {
        double *base = values + KW * g * K;
        // x[c] = column c of the group's rows.
        KFN(load_columns)(K, base, x);
        // The lanes' maximum.
        kvd best = KV(-INFINITY);
        kvl nan = (kvl)KV(0.0);
#pragma clang loop unroll(full)
        for (ptrdiff_t c = 0; c < K; c++) {
            best = KFN(select)(x[c] > best, best, x[c]);
            nan |= x[c] != x[c];
        }
        const kvl invalid = nan | ((best - best) != 0.0);
        // Σ_{c: x_c < m} e_c, then 1 for each value equal to the maximum m but one
        // (e = exp(0) = 1 exactly there, and one of them stays out of the sum).
        kvd sum = KV(0.0), ties = KV(-1.0);
#pragma clang loop unroll(full)
        for (ptrdiff_t c = 0; c < K; c++) {
            const kvd shifted = x[c] - best;
            e[c] = KFN(exp4_nonpositive)(shifted);
            const kvl at_max = shifted == 0.0;
            sum += KFN(select)(at_max, e[c], KV(0.0));
            ties += KFN(select)(at_max, KV(0.0), KV(1.0));
        }
        sum += ties;
        const kvd kept_sum = KFN(select)(invalid, sum, KV(0.0));
        kvd lse = best;
        if (keep_log) {
            lse = best + KFN(log1p4)(kept_sum);
        } else {
            KFN(store)(rest + KW * g, kept_sum);
        }
        const kvd scale = 1.0 / (1.0 + sum);
#pragma clang loop unroll(full)
        for (ptrdiff_t c = 0; c < K; c++) e[c] = keep_log ? x[c] - lse : e[c] * scale;
        if (!KFN(any)(invalid)) {
            KFN(store)(log_density + KW * g, lse);
            // Back to rows.
            KFN(store_columns)(K, base, e);
            continue;
        }
        for (int lane = 0; lane < KW; lane++) {
            double *row = base + lane * K;
            if (invalid[lane]) {
                log_density[KW * g + lane] = NAN;
                skipped++;
                continue;
            }
            log_density[KW * g + lane] = lse[lane];
#pragma clang loop unroll(full)
            for (ptrdiff_t c = 0; c < K; c++) row[c] = e[c][lane];
        }
    }
    return skipped;
}

static KTARGET ptrdiff_t KFN(normalize_row_groups)(double *values, ptrdiff_t groups, ptrdiff_t k,
                                                   double *log_density, double *rest, int keep_log) {
#define KCASE(K)                                                                                                      \
    case K:                                                                                                           \
        return KFN(row_groups_fixed)(K, values, groups, log_density, rest, keep_log);
    switch (k) {
        FOR_1_TO_16(KCASE)
    default: return 0;   // more components: the caller's row-wise pass
    }
#undef KCASE
}

static KTARGET ptrdiff_t KFN(normalize_rows)(double *values, ptrdiff_t rows, ptrdiff_t k, double *log_density,
                                             double *rest, int keep_log) {
    const kvd minus_inf = KV(-INFINITY);
    ptrdiff_t skipped = 0;
    ptrdiff_t first = 0;
    if (k <= 16) {
        // Few components: whole groups of KW rows with a row per lane; the rest row by row.
        skipped = KFN(normalize_row_groups)(values, rows / KW, k, log_density, rest, keep_log);
        first = rows / KW * KW;
        if (!keep_log) {
            KFN(log1p_values)(rest, first);
            for (ptrdiff_t r = 0; r < first; r++) log_density[r] += rest[r];
        }
    }
    for (ptrdiff_t r = first; r < rows; r++) {
        double *row = values + r * k;
        // The row's maximum m, without a branch per value: a maximum per lane, then across lanes.
        kvd best = minus_inf;
        kvl first_nan = (kvl)KV(0.0);
        for (ptrdiff_t j = 0; j < k; j += KW) {
            kvd x = minus_inf;
            if (j + KW <= k) {
                x = KFN(load)(row + j);
            } else {
                for (ptrdiff_t lane = 0; lane < k - j; lane++) x[lane] = row[j + lane];
            }
            best = KFN(select)(x > best, best, x);
            first_nan |= x != x;
        }
        double m = best[0];
        for (int lane = 1; lane < KW; lane++) m = best[lane] > m ? best[lane] : m;
        if (!(m - m == 0) || KFN(any)(first_nan)) {
            // Every value −∞, or a +∞ or NaN: left to the caller's plain formulas.
            log_density[r] = NAN;
            rest[r] = 0;
            skipped++;
            continue;
        }
        // Σ_{j: v_j < m} exp(v_j − m), lane by lane, the lanes added in a fixed order, and
        // 1 for each further v_j = m (e = exp(0) = 1 exactly there; one of them stays out).
        kvd sum = KV(0.0), ties = KV(0.0);
        ptrdiff_t j = 0;
        for (; j + 2 * KW <= k; j += 2 * KW) {
            // Two vectors at a time (exp4_nonpositive2), added to the lanes' sums in order.
            const kvd x[2] = {KFN(load)(row + j) - m, KFN(load)(row + j + KW) - m};
            kvd e[2];
            KFN(exp4_nonpositive2)(x, e);
            for (int h = 0; h < 2; h++) {
                const kvl at_max = x[h] == 0.0;
                sum += KFN(select)(at_max, e[h], KV(0.0));
                ties += KFN(select)(at_max, KV(0.0), KV(1.0));
                if (!keep_log) KFN(store)(row + j + KW * h, e[h]);
            }
        }
        for (; j < k; j += KW) {
            kvd x = minus_inf;
            const int whole = j + KW <= k;
            if (whole) {
                x = KFN(load)(row + j);
            } else {
                for (ptrdiff_t lane = 0; lane < k - j; lane++) x[lane] = row[j + lane];
            }
            x = x - m;
            // No shortcut for groups that all underflow: a data-dependent branch per group
            // costs more in mispredictions than the polynomial it would skip.
            const kvd e = KFN(exp4_nonpositive)(x);
            const kvl at_max = x == 0.0;
            sum += KFN(select)(at_max, e, KV(0.0));
            ties += KFN(select)(at_max, KV(0.0), KV(1.0));
            if (!keep_log) {
                if (whole) {
                    KFN(store)(row + j, e);
                } else {
                    for (ptrdiff_t lane = 0; lane < k - j; lane++) row[j + lane] = e[lane];
                }
            }
        }
        const double further = KFN(hsum)(ties) - 1;
        const double total = KFN(hsum)(sum) + further;
        rest[r] = total;
        log_density[r] = m;
        if (!keep_log) {
            // P(c | x) = e_c / (1 + Σ_{j: v_j < m} e_j + further maxima).
            const double scale = 1 / (1 + total);
            ptrdiff_t c = 0;
            for (; c + KW <= k; c += KW) KFN(store)(row + c, KFN(load)(row + c) * scale);
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

/// normalizer − ½ |z|², L z = x − μ, for the KW rows whose features are xs[0 … D − 1]
/// (L row-major D×D, `inv` its 1/L_ii).
KINLINE kvd KFN(substitute_rows)(const ptrdiff_t D, const kvd *xs, const double *l, const double *inv,
                                 const double *mu, double normalizer) {
    kvd z[16];
    kvd q = KV(0.0);
#pragma clang loop unroll(full)
    for (ptrdiff_t i = 0; i < D; i++) {
        kvd t = xs[i] - mu[i];
        const double *li = l + i * D;
#pragma clang loop unroll(full)
        for (ptrdiff_t j = 0; j < i; j++) t = KFMA(-z[j], li[j], t);
        const kvd zi = t * inv[i];
        z[i] = zi;
        q = KFMA(zi, zi, q);
    }
    return normalizer - 0.5 * q;
}

/// forward_substitution for a compile-time d: KW rows at a time, the loops
/// unrolled in full, so z stays in registers and no loop bookkeeping sits on
/// the dependency chain. Components go four at a time, their results written
/// as rows by 4×4 transposes (at d = 2 a store per value and lane cost more
/// than the substitution), except with sixteen registers above d = 8, where the
/// four results spill z (measured at d = 16 with AVX2: a third slower).
KINLINE void KFN(substitution_fixed)(const ptrdiff_t D, const double *block, ptrdiff_t rows, ptrdiff_t k_count,
                                     ptrdiff_t factor_count, const double *lower, const double *inverse_diagonal,
                                     const double *means, const double *normalizers, double *log_joint) {
    kvd xs[16];
    for (ptrdiff_t r0 = 0; r0 < rows; r0 += KW) {
        const ptrdiff_t lanes = rows - r0 < KW ? rows - r0 : KW;
        // xs[j] holds feature j of rows r0 … r0 + KW − 1 (absent rows are 0 and never stored).
        if (lanes == KW) {
            KFN(load_columns)(D, block + r0 * D, xs);
        } else {
            for (ptrdiff_t j = 0; j < D; j++) {
                kvd v = KV(0.0);
                for (ptrdiff_t lane = 0; lane < lanes; lane++) v[lane] = block[(r0 + lane) * D + j];
                xs[j] = v;
            }
        }
        double *out = log_joint + r0 * k_count;
        ptrdiff_t c = 0;
        if (lanes == KW && (KW == 8 || D <= 8)) {
            for (; c + 4 <= k_count; c += 4) {
                kvd v[4];
#pragma clang loop unroll(full)
                for (int w = 0; w < 4; w++) {
                    const ptrdiff_t f = factor_count == 1 ? 0 : c + w;
                    v[w] = KFN(substitute_rows)(D, xs, lower + f * D * D, inverse_diagonal + f * D, means + (c + w) * D,
                                                normalizers[c + w]);
                }
                for (int half = 0; half < KW / 4; half++) {
                    v4d rows4[4];
#if KW == 8
                    if (half == 0) {
                        KFN(transpose4)(__builtin_shufflevector(v[0], v[0], 0, 1, 2, 3),
                                        __builtin_shufflevector(v[1], v[1], 0, 1, 2, 3),
                                        __builtin_shufflevector(v[2], v[2], 0, 1, 2, 3),
                                        __builtin_shufflevector(v[3], v[3], 0, 1, 2, 3), rows4);
                    } else {
                        KFN(transpose4)(__builtin_shufflevector(v[0], v[0], 4, 5, 6, 7),
                                        __builtin_shufflevector(v[1], v[1], 4, 5, 6, 7),
                                        __builtin_shufflevector(v[2], v[2], 4, 5, 6, 7),
                                        __builtin_shufflevector(v[3], v[3], 4, 5, 6, 7), rows4);
                    }
#else
                    KFN(transpose4)(v[0], v[1], v[2], v[3], rows4);
#endif
                    for (int lane = 0; lane < 4; lane++) KFN(store4)(out + (4 * half + lane) * k_count + c, rows4[lane]);
                }
            }
        }
        for (; c < k_count; c++) {
            const ptrdiff_t f = factor_count == 1 ? 0 : c;
            const kvd v = KFN(substitute_rows)(D, xs, lower + f * D * D, inverse_diagonal + f * D, means + c * D,
                                               normalizers[c]);
            for (ptrdiff_t lane = 0; lane < lanes; lane++) out[lane * k_count + c] = v[lane];
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
                                       kvd q[SUBSTITUTION_VECTORS]) {
    kvd a[SUBSTITUTION_COLUMNS][SUBSTITUTION_VECTORS];
#pragma clang loop unroll(full)
    for (ptrdiff_t w = 0; w < W; w++) {
#pragma clang loop unroll(full)
        for (int v = 0; v < SUBSTITUTION_VECTORS; v++) {
            a[w][v] = KFN(load)(xt + (j0 + w) * SUBSTITUTION_ROWS + KW * v) - mu[j0 + w];
        }
    }
    const double *lw[SUBSTITUTION_COLUMNS];
#pragma clang loop unroll(full)
    for (ptrdiff_t w = 0; w < W; w++) lw[w] = l + (j0 + w) * d;
    for (ptrdiff_t i = 0; i < j0; i++) {
        const double *nz = zt + i * SUBSTITUTION_ROWS;
        kvd n[SUBSTITUTION_VECTORS];
#pragma clang loop unroll(full)
        for (int v = 0; v < SUBSTITUTION_VECTORS; v++) n[v] = KFN(load)(nz + KW * v);
#pragma clang loop unroll(full)
        for (ptrdiff_t w = 0; w < W; w++) {
            const double b = lw[w][i];
#pragma clang loop unroll(full)
            for (int v = 0; v < SUBSTITUTION_VECTORS; v++) a[w][v] = KFMA(n[v], b, a[w][v]);
        }
    }
    kvd nz[SUBSTITUTION_COLUMNS][SUBSTITUTION_VECTORS];
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
            const kvd z = a[w][v] * inv[j0 + w];
            q[v] = KFMA(z, z, q[v]);
            nz[w][v] = -z;
            KFN(store)(zt + (j0 + w) * SUBSTITUTION_ROWS + KW * v, nz[w][v]);
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
                kvd q[SUBSTITUTION_VECTORS];
                for (int v = 0; v < SUBSTITUTION_VECTORS; v++) q[v] = KV(0.0);
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
                    out[lane * k_count] = normalizers[c] - 0.5 * q[lane / KW][lane % KW];
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

#ifndef MOMENT_PAIR
#define MOMENT_PAIR 1
#define MOMENT_TILE 8
#endif
/// One component's part of a transposed sub-block (accumulate_moments and fused_statistics):
/// vt = xt − s, then count, sums and the upper moments of the weights wc (`padded` rows, a
/// multiple of KW, rows MOMENT_STRIDE apart in xt and vt) added to the component's lane sums `acc`
/// (KW·(1 + D + D(D+1)/2) doubles), with the accumulators in registers over the sub-block.
KINLINE void KFN(moment_component)(const ptrdiff_t D, ptrdiff_t padded, const double *xt, double *vt,
                                   const double *wc, const double *s, double *acc) {
    for (ptrdiff_t j = 0; j < D; j++) {
        for (ptrdiff_t r = 0; r < padded; r += KW) {
            KFN(store)(vt + j * MOMENT_STRIDE + r, KFN(load)(xt + j * MOMENT_STRIDE + r) - s[j]);
        }
    }
    double *moment_rows = acc + KW * (1 + D);
    // Unrolled in full (D is a constant here), so that m[] lives in registers:
    // MOMENT_PAIR moment rows i in tiles of at most eight columns j ≥ i.
#pragma clang loop unroll(full)
    for (ptrdiff_t i = 0; i < D; i += MOMENT_PAIR) {
        const ptrdiff_t pair = D - i < MOMENT_PAIR ? D - i : MOMENT_PAIR;
#pragma clang loop unroll(full)
        for (ptrdiff_t j0 = i; j0 < D; j0 += MOMENT_TILE) {
            const ptrdiff_t j1 = j0 + MOMENT_TILE < D ? j0 + MOMENT_TILE : D;
            kvd m[MOMENT_PAIR][MOMENT_TILE];
            kvd sum[MOMENT_PAIR];
            kvd count = KV(0.0);
#pragma clang loop unroll(full)
            for (ptrdiff_t h = 0; h < pair; h++) {
                sum[h] = KV(0.0);
                for (int j = 0; j < MOMENT_TILE; j++) m[h][j] = KV(0.0);
            }
            for (ptrdiff_t r = 0; r < padded; r += KW) {
                const kvd w = KFN(load)(wc + r);
                kvd a[MOMENT_PAIR];
#pragma clang loop unroll(full)
                for (ptrdiff_t h = 0; h < pair; h++) {
                    a[h] = w * KFN(load)(vt + (i + h) * MOMENT_STRIDE + r);
                    if (j0 == i) sum[h] += a[h];
                }
                if (i == 0 && j0 == 0) count += w;
#pragma clang loop unroll(full)
                for (ptrdiff_t j = j0; j < j1; j++) {
                    const kvd v = KFN(load)(vt + j * MOMENT_STRIDE + r);
#pragma clang loop unroll(full)
                    for (ptrdiff_t h = 0; h < pair; h++) {
                        if (j >= i + h) m[h][j - j0] = KFMA(a[h], v, m[h][j - j0]);
                    }
                }
            }
            if (i == 0 && j0 == 0) KFN(store)(acc, KFN(load)(acc) + count);
#pragma clang loop unroll(full)
            for (ptrdiff_t h = 0; h < pair; h++) {
                const ptrdiff_t row = i + h;
                if (j0 == i) KFN(store)(acc + KW * (1 + row), KFN(load)(acc + KW * (1 + row)) + sum[h]);
                // Moment (row, j) is entry row·D − row(row − 1)/2 + (j − row) of the packed upper triangle.
                double *packed = moment_rows + KW * (row * D - row * (row - 1) / 2 - row);
                for (ptrdiff_t j = j0 > row ? j0 : row; j < j1; j++) {
                    KFN(store)(packed + KW * j, KFN(load)(packed + KW * j) + m[h][j - j0]);
                }
            }
        }
    }
}

/// accumulate_moments for a compile-time d (≤ 16): rows in sub-blocks of
/// MOMENT_SUB, transposed once so that KW rows share a register (the
/// responsibilities four components at a time); then per component and per
/// MOMENT_PAIR moment rows i, the accumulators of Σ w (x_i − s_i)(x_j − s_j),
/// j ≥ i, stay in registers for the whole sub-block (a single pass over all
/// d(d+1)/2 of them would store every accumulator after every KW rows). Tiles of
/// MOMENT_PAIR rows by MOMENT_TILE columns (the including file's choice per variant,
/// 1×8 by default): with sixteen vector registers (AVX2) 2×4, with 32 (AVX-512) 2×8,
/// so that two moment rows share each load of x_j − s_j.
/// `lanes` holds the per-component lane sums: KW·(1 + D + D(D+1)/2) doubles each;
/// `wt` 4×MOMENT_STRIDE doubles.
KINLINE void KFN(moments_fixed)(const ptrdiff_t D, const double *block, ptrdiff_t rows, ptrdiff_t k_count,
                                const double *resp, const double *shifts, double *lanes, double *xt, double *vt,
                                double *wt) {
    const ptrdiff_t per = 1 + D + D * (D + 1) / 2;
    for (ptrdiff_t start = 0; start < rows; start += MOMENT_SUB) {
        const ptrdiff_t n = rows - start < MOMENT_SUB ? rows - start : MOMENT_SUB;
        const ptrdiff_t padded = (n + KW - 1) / KW * KW;
        // Rows past the end get weight 0 below, so their (finite) values add nothing.
        ptrdiff_t r = 0;
        for (; r + KW <= n; r += KW) {
            kvd columns[16];
            KFN(load_columns)(D, block + (start + r) * D, columns);
#pragma clang loop unroll(full)
            for (ptrdiff_t j = 0; j < D; j++) KFN(store)(xt + j * MOMENT_STRIDE + r, columns[j]);
        }
        for (; r < padded; r++) {
            for (ptrdiff_t j = 0; j < D; j++) xt[j * MOMENT_STRIDE + r] = r < n ? block[(start + r) * D + j] : 0;
        }
        for (ptrdiff_t c0 = 0; c0 < k_count; c0 += 4) {
            // wt[(c − c0)·MOMENT_STRIDE + r] = resp[(start + r)·k_count + c] for four components c
            // (4×4 blocks by shuffles), a table that stays in the first-level cache.
            const ptrdiff_t chunk = k_count - c0 < 4 ? k_count - c0 : 4;
            for (r = 0; r + 4 <= n; r += 4) {
                const double *row = resp + (start + r) * k_count + c0;
                if (chunk == 4) {
                    v4d t[4];
                    KFN(transpose4)(KFN(load4)(row), KFN(load4)(row + k_count), KFN(load4)(row + 2 * k_count),
                                    KFN(load4)(row + 3 * k_count), t);
                    for (int i = 0; i < 4; i++) KFN(store4)(wt + i * MOMENT_STRIDE + r, t[i]);
                } else {
                    for (ptrdiff_t i = 0; i < chunk; i++) {
                        for (int lane = 0; lane < 4; lane++) wt[i * MOMENT_STRIDE + r + lane] = row[lane * k_count + i];
                    }
                }
            }
            for (; r < padded; r++) {
                for (ptrdiff_t i = 0; i < chunk; i++) {
                    wt[i * MOMENT_STRIDE + r] = r < n ? resp[(start + r) * k_count + c0 + i] : 0;
                }
            }
            for (ptrdiff_t c = c0; c < c0 + chunk; c++) {
                const double *s = shifts + c * D;
                const double *wc = wt + (c - c0) * MOMENT_STRIDE;
                KFN(moment_component)(D, padded, xt, vt, wc, s, lanes + KW * per * c);
            }
        }
    }
}
#undef MOMENT_PAIR
#undef MOMENT_TILE

static KTARGET void KFN(accumulate_moments)(const double *block, ptrdiff_t rows, ptrdiff_t d, ptrdiff_t k_count,
                                           const double *resp, const double *shifts, double *counts, double *sums,
                                           double *moments, double *scratch) {
    const ptrdiff_t per = 1 + d + d * (d + 1) / 2;   // accumulators per component: count, sums, upper moments
    for (ptrdiff_t i = 0; i < KW * per * k_count; i++) scratch[i] = 0;
    double *xt = scratch + KW * per * k_count, *vt = xt + 16 * MOMENT_STRIDE, *wt = vt + 16 * MOMENT_STRIDE;
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
        const double *acc = scratch + KW * per * c;
        double lane_sums[per > 0 ? per : 1];
        for (ptrdiff_t t = 0; t < per; t++) {
            lane_sums[t] = KFN(hsum)(KFN(load)(acc + KW * t));
        }
        counts[c] += lane_sums[0];
        for (ptrdiff_t i = 0; i < d; i++) sums[c * d + i] += lane_sums[1 + i];
        ptrdiff_t t = 1 + d;
        for (ptrdiff_t i = 0; i < d; i++) {
            for (ptrdiff_t j = i; j < d; j++, t++) moments[c * d * d + i * d + j] += lane_sums[t];
        }
    }
}

#ifndef FUSED_EXP_CHAINS
#define FUSED_EXP_CHAINS 4
#endif
/// fused_fixed's and fused_diagonal's step after a group of KW rows' log-joints v_c, which
/// sit in column g of wt (component c's row at wt + c·stride), `best` their lanes' maximum
/// m: e_c = exp(v_c − m), Σ and ties exactly as row_groups_fixed forms them, and
/// r_c = (e_c · 1/(1 + Σ)) · ω back into wt (times ω = wv only when `weighted`); m, Σ and
/// the lanes' weights (0 for absent lanes) into column g of lt's three rows, for the
/// log-likelihood after the sub-block.
KINLINE void KFN(fused_normalize)(ptrdiff_t k_count, double *wt, double *lt, ptrdiff_t stride, ptrdiff_t g, kvd best,
                                  kvd wv, kvl active, int weighted) {
    kvd sum = KV(0.0), ties = KV(-1.0);
    ptrdiff_t c = 0;
    // FUSED_EXP_CHAINS components' exponentials at a time, their chains interleaved
    // (exp4_core_n; the same bits as exp4_nonpositive), added to the sums in component order.
    for (; c + FUSED_EXP_CHAINS <= k_count; c += FUSED_EXP_CHAINS) {
        kvd shifted[FUSED_EXP_CHAINS], safe[FUSED_EXP_CHAINS], e[FUSED_EXP_CHAINS];
        kvl zero[FUSED_EXP_CHAINS];
#pragma clang loop unroll(full)
        for (int h = 0; h < FUSED_EXP_CHAINS; h++) {
            shifted[h] = KFN(load)(wt + (c + h) * stride + g) - best;
            zero[h] = shifted[h] < -745.2;
            safe[h] = KFN(select)(zero[h], shifted[h], KV(0.0));
        }
        KFN(exp4_core_n)(FUSED_EXP_CHAINS, safe, e);
#pragma clang loop unroll(full)
        for (int h = 0; h < FUSED_EXP_CHAINS; h++) {
            e[h] = KFN(select)(zero[h], e[h], KV(0.0));
            const kvl at_max = shifted[h] == 0.0;
            sum += KFN(select)(at_max, e[h], KV(0.0));
            ties += KFN(select)(at_max, KV(0.0), KV(1.0));
            KFN(store)(wt + (c + h) * stride + g, e[h]);
        }
    }
    for (; c < k_count; c++) {
        const kvd shifted = KFN(load)(wt + c * stride + g) - best;
        const kvd e = KFN(exp4_nonpositive)(shifted);
        const kvl at_max = shifted == 0.0;
        sum += KFN(select)(at_max, e, KV(0.0));
        ties += KFN(select)(at_max, KV(0.0), KV(1.0));
        KFN(store)(wt + c * stride + g, e);
    }
    sum += ties;
    // log P(x) = m + log1p(Σ) after the sub-block (log1p's chain, three divisions deep, would
    // stall this one); a row of weight 0 adds nothing, whatever its density (as
    // ExpectationStep.accumulateRows), nor does an absent one.
    KFN(store)(lt + g, best);
    KFN(store)(lt + stride + g, sum);
    KFN(store)(lt + 2 * stride + g, KFN(select)(active & (wv != 0.0), KV(0.0), wv));
    const kvd scale = 1.0 / (1.0 + sum);
    if (!weighted) {
        for (c = 0; c < k_count; c++) {
            KFN(store)(wt + c * stride + g, KFN(load)(wt + c * stride + g) * scale);
        }
    } else {
        for (c = 0; c < k_count; c++) {
            KFN(store)(wt + c * stride + g, (KFN(load)(wt + c * stride + g) * scale) * wv);
        }
    }
}

/// fused_statistics for a compile-time d (≤ MIXTURE_FUSED_MAX): rows in
/// sub-blocks of MOMENT_SUB, KW rows at a time with one row per lane. Per group
/// of KW rows: every component's log-joint by substitute_rows (as
/// substitution_fixed computes it) into the component's row of `wt`
/// (K rows MOMENT_STRIDE apart), the lanes' maximum m, e_c = exp(v_c − m), Σ and ties exactly as
/// row_groups_fixed forms them, log P(x) = m + log1p(Σ) and
/// r_c = (e_c · 1/(1 + Σ)) · ω back into `wt`, the group's features into `xt`
/// (D rows MOMENT_STRIDE apart). Then per component the moment kernel's own sub-block step
/// (moment_component), so the moments are those of accumulate_moments given the
/// same responsibilities. Absent lanes of the last group repeat its first row
/// with weight 0. The log-likelihood's lanes go to *ll. Returns 1 as soon as a
/// present row's maximum is not finite (a NaN, or every component infinitely
/// far: the caller's exact path), else 0.
KINLINE int KFN(fused_fixed)(const ptrdiff_t D, const double *block, ptrdiff_t rows, ptrdiff_t k_count,
                             ptrdiff_t factor_count, const double *lower, const double *inverse_diagonal,
                             const double *means, const double *normalizers, const double *shifts,
                             const double *weights, double *lanes, double *xt, double *vt, double *wt, double *lt,
                             kvd *ll) {
    const ptrdiff_t per = 1 + D + D * (D + 1) / 2;
    kvd xs[16];
    for (ptrdiff_t start = 0; start < rows; start += MOMENT_SUB) {
        const ptrdiff_t n = rows - start < MOMENT_SUB ? rows - start : MOMENT_SUB;
        const ptrdiff_t padded = (n + KW - 1) / KW * KW;
        for (ptrdiff_t g = 0; g < padded; g += KW) {
            const ptrdiff_t r0 = start + g;
            const ptrdiff_t present = n - g < KW ? n - g : KW;
            kvd wv = KV(1.0);
            kvl active = (kvl)KV(0.0) == 0;   // all ones
            if (present == KW) {
                KFN(load_columns)(D, block + r0 * D, xs);
                if (weights != NULL) wv = KFN(load)(weights + r0);
            } else {
                for (ptrdiff_t j = 0; j < D; j++) {
                    kvd v;
                    for (int lane = 0; lane < KW; lane++) v[lane] = block[(r0 + (lane < present ? lane : 0)) * D + j];
                    xs[j] = v;
                }
                for (int lane = 0; lane < KW; lane++) {
                    wv[lane] = lane < present ? (weights != NULL ? weights[r0 + lane] : 1.0) : 0.0;
                    active[lane] = lane < present ? -1 : 0;
                }
            }
#pragma clang loop unroll(full)
            for (ptrdiff_t j = 0; j < D; j++) KFN(store)(xt + j * MOMENT_STRIDE + g, xs[j]);
            kvd best = KV(-INFINITY);
            kvl nan = (kvl)KV(0.0);
            for (ptrdiff_t c = 0; c < k_count; c++) {
                const ptrdiff_t f = factor_count == 1 ? 0 : c;
                const kvd v = KFN(substitute_rows)(D, xs, lower + f * D * D, inverse_diagonal + f * D, means + c * D,
                                                   normalizers[c]);
                KFN(store)(wt + c * MOMENT_STRIDE + g, v);
                best = KFN(select)(v > best, best, v);
                nan |= v != v;
            }
            if (KFN(any)((nan | ((best - best) != 0.0)) & active)) return 1;
            KFN(fused_normalize)(k_count, wt, lt, MOMENT_STRIDE, g, best, wv, active, weights != NULL || present < KW);
        }
        for (ptrdiff_t g = 0; g < padded; g += KW) {
            const kvd lse = KFN(load)(lt + g) + KFN(log1p4)(KFN(load)(lt + MOMENT_STRIDE + g));
            const kvd w = KFN(load)(lt + 2 * MOMENT_STRIDE + g);
            *ll += KFN(select)(w != 0.0, KV(0.0), weights != NULL ? w * lse : lse);
        }
        for (ptrdiff_t c = 0; c < k_count; c++) {
            KFN(moment_component)(D, padded, xt, vt, wt + c * MOMENT_STRIDE, shifts + c * D, lanes + KW * per * c);
        }
    }
    return 0;
}

static KTARGET int KFN(fused_statistics)(const double *block, ptrdiff_t rows, ptrdiff_t d, ptrdiff_t k_count,
                                         ptrdiff_t factor_count, const double *lower, const double *inverse_diagonal,
                                         const double *means, const double *normalizers, const double *shifts,
                                         const double *weights, double *counts, double *sums, double *moments,
                                         double *log_likelihood, double *scratch) {
    const ptrdiff_t per = 1 + d + d * (d + 1) / 2;
    double *acc = scratch, *xt = acc + KW * per * k_count, *vt = xt + MIXTURE_FUSED_MAX * MOMENT_STRIDE;
    double *lt = vt + MIXTURE_FUSED_MAX * MOMENT_STRIDE, *wt = lt + 3 * MOMENT_STRIDE;
    for (ptrdiff_t i = 0; i < KW * per * k_count; i++) acc[i] = 0;
    kvd ll = KV(0.0);
    int failed = 1;
#define KCASE(D)                                                                                                      \
    case D:                                                                                                           \
        failed = KFN(fused_fixed)(D, block, rows, k_count, factor_count, lower, inverse_diagonal, means, normalizers, \
                                  shifts, weights, acc, xt, vt, wt, lt, &ll);                                                     \
        break;
    switch (d) {
        FOR_1_TO_FUSED_MAX(KCASE)
    default: return 1;
    }
#undef KCASE
    if (failed) return 1;
    *log_likelihood = KFN(hsum)(ll);
    // Lanes added in a fixed order, then into the running statistics (as accumulate_moments).
    for (ptrdiff_t c = 0; c < k_count; c++) {
        const double *a = acc + KW * per * c;
        counts[c] += KFN(hsum)(KFN(load)(a));
        for (ptrdiff_t i = 0; i < d; i++) sums[c * d + i] += KFN(hsum)(KFN(load)(a + KW * (1 + i)));
        ptrdiff_t t = 1 + d;
        for (ptrdiff_t i = 0; i < d; i++) {
            for (ptrdiff_t j = i; j < d; j++, t++) moments[c * d * d + i * d + j] += KFN(hsum)(KFN(load)(a + KW * t));
        }
    }
    return 0;
}

/// fused_diagonal's log-joints for H components (H ≤ 8, a constant once inlined) and one
/// group of KW rows, column g of the transposed rows xt (feature j's row at xt + j·stride):
/// v_c = normalizers[c] − ½ Σ_j (x_j − μ_cj)² P_cj, the H sums' chains interleaved; each v_c
/// to column g of wt's row c, the lanes' maximum into *best and NaN lanes into *nan.
KINLINE void KFN(diagonal_log_joints)(const int H, ptrdiff_t d, const double *xt, ptrdiff_t stride, ptrdiff_t g,
                                      const double *means, const double *precisions, const double *normalizers,
                                      double *wt, kvd *best, kvl *nan) {
    kvd q[8];
#pragma clang loop unroll(full)
    for (int h = 0; h < H; h++) q[h] = KV(0.0);
    for (ptrdiff_t j = 0; j < d; j++) {
        const kvd x = KFN(load)(xt + j * stride + g);
#pragma clang loop unroll(full)
        for (int h = 0; h < H; h++) {
            const kvd v = x - means[h * d + j];
            q[h] = KFMA(v * precisions[h * d + j], v, q[h]);
        }
    }
#pragma clang loop unroll(full)
    for (int h = 0; h < H; h++) {
        const kvd v = normalizers[h] - 0.5 * q[h];
        KFN(store)(wt + h * stride + g, v);
        *best = KFN(select)(v > *best, *best, v);
        *nan |= v != v;
    }
}

/// fused_diagonal's moments of C components (C ≤ 2) for H features j0 … j0 + H − 1 (H ≤ 4)
/// over the `count` groups of KW rows listed in `groups` (their first rows): Σ w (x_j − s_j)
/// and Σ w (x_j − s_j)² added to each component's lane sums (count, d sums, d moments, KW
/// lanes each; component i's at acc + i·KW·per, its weights at wt + i·stride, its shift at
/// s + i·d), and Σ w too when `with_count` is set; 2·C·H accumulators in registers over
/// the sub-block, so that their chains overlap even at small d.
KINLINE void KFN(diagonal_moments)(const int C, const int H, ptrdiff_t d, const int32_t *groups, ptrdiff_t count,
                                   const double *xt, ptrdiff_t stride, ptrdiff_t j0, const double *wt,
                                   const double *s, int with_count, double *acc) {
    const ptrdiff_t per = 1 + 2 * d;
    kvd first[2][4], second[2][4], total[2];
#pragma clang loop unroll(full)
    for (int i = 0; i < C; i++) {
        total[i] = KV(0.0);
#pragma clang loop unroll(full)
        for (int h = 0; h < H; h++) first[i][h] = second[i][h] = KV(0.0);
    }
    for (ptrdiff_t n = 0; n < count; n++) {
        const ptrdiff_t r = groups[n];
        kvd x[4];
#pragma clang loop unroll(full)
        for (int h = 0; h < H; h++) x[h] = KFN(load)(xt + (j0 + h) * stride + r);
#pragma clang loop unroll(full)
        for (int i = 0; i < C; i++) {
            const kvd w = KFN(load)(wt + i * stride + r);
            if (with_count) total[i] += w;
#pragma clang loop unroll(full)
            for (int h = 0; h < H; h++) {
                const kvd v = x[h] - s[i * d + j0 + h];
                const kvd a = w * v;
                first[i][h] += a;
                second[i][h] = KFMA(a, v, second[i][h]);
            }
        }
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < C; i++) {
        double *a = acc + i * KW * per;
        if (with_count) KFN(store)(a, KFN(load)(a) + total[i]);
#pragma clang loop unroll(full)
        for (int h = 0; h < H; h++) {
            double *f = a + KW * (1 + j0 + h), *m = a + KW * (1 + d + j0 + h);
            KFN(store)(f, KFN(load)(f) + first[i][h]);
            KFN(store)(m, KFN(load)(m) + second[i][h]);
        }
    }
}

/// diagonal_moments for features j0 … j0 + H − 1 of every component: two components at a
/// time over the same groups (`all`: every group of the sub-block), or, with `kept` (per
/// component its `kept_count[c]` groups, MOMENT_SUB / 4 slots apart), one at a time over its own.
KINLINE void KFN(diagonal_moment_columns)(const int H, ptrdiff_t d, ptrdiff_t k_count, const int32_t *all,
                                          ptrdiff_t all_count, const int32_t *kept, const ptrdiff_t *kept_count,
                                          const double *xt, ptrdiff_t stride, ptrdiff_t j0, const double *wt,
                                          const double *shifts, double *acc) {
    const ptrdiff_t per = 1 + 2 * d;
    ptrdiff_t c = 0;
    if (kept != NULL) {
        for (; c < k_count; c++) {
            KFN(diagonal_moments)(1, H, d, kept + c * (MOMENT_SUB / 4), kept_count[c], xt, stride, j0,
                                  wt + c * stride, shifts + c * d, j0 == 0, acc + KW * per * c);
        }
        return;
    }
    for (; c + 2 <= k_count; c += 2) {
        KFN(diagonal_moments)(2, H, d, all, all_count, xt, stride, j0, wt + c * stride, shifts + c * d, j0 == 0,
                              acc + KW * per * c);
    }
    if (c < k_count) {
        KFN(diagonal_moments)(1, H, d, all, all_count, xt, stride, j0, wt + c * stride, shifts + c * d, j0 == 0,
                              acc + KW * per * c);
    }
}

/// The groups of a sub-block (`padded` rows, n present) in which component c's weights
/// wc keep a pair, by the M-step's negligible-responsibility rule (SufficientStatistics.swift,
/// as mixture_count_kept applies it): w kept when w ≠ 0 and w ≥ 2⁻⁵² Σw / n or
/// w ≥ (2⁻⁵² Σ w·s / n) · (1/s), s the row's spread (st, its inverse at st + stride). A group
/// is left out when none of its lanes keeps one. The kept pairs themselves, in row order, go
/// to pair_rows (the row) and pair_weights (its w), their number to *pairs. Returns how many
/// groups are listed.
KINLINE ptrdiff_t KFN(diagonal_kept)(ptrdiff_t padded, ptrdiff_t n, const double *wc, const double *st,
                                     ptrdiff_t stride, int32_t *groups, int32_t *pair_rows, double *pair_weights,
                                     ptrdiff_t *pairs) {
    kvd total = KV(0.0), spread_total = KV(0.0);
    for (ptrdiff_t g = 0; g < padded; g += KW) {
        const kvd w = KFN(load)(wc + g);
        total += w;
        spread_total = KFMA(w, KFN(load)(st + g), spread_total);
    }
    const double scale = 0x1p-52 / (double)n;
    const kvd threshold = KV(KFN(hsum)(total) * scale), spread_threshold = KV(KFN(hsum)(spread_total) * scale);
    ptrdiff_t count = 0, listed = 0;
    for (ptrdiff_t g = 0; g < padded; g += KW) {
        const kvd w = KFN(load)(wc + g);
        const kvl kept = (w != 0.0) & ((w >= threshold) | (w >= spread_threshold * KFN(load)(st + stride + g)));
        unsigned lanes = KMOVEMASK(kept);
        groups[count] = (int32_t)g;
        count += lanes != 0;
#if KW == 8
        // AVX-512's compressing stores: the kept lanes' rows and weights, packed, without a branch per lane.
        typedef int v8i __attribute__((vector_size(32)));
        const v8i row = (v8i){0, 1, 2, 3, 4, 5, 6, 7} + (int32_t)g;
        __builtin_ia32_compressstoresi256_mask((v8i *)(pair_rows + listed), row, (unsigned char)lanes);
        __builtin_ia32_compressstoredf512_mask((kvd *)(pair_weights + listed), w, (unsigned char)lanes);
        listed += __builtin_popcount(lanes);
#else
        for (; lanes != 0; lanes &= lanes - 1) {
            const int lane = __builtin_ctz(lanes);
            pair_rows[listed] = (int32_t)(g + lane);
            pair_weights[listed] = w[lane];
            listed++;
        }
#endif
    }
    *pairs = listed;
    return count;
}

/// Features per stretch in pair_moments: SPARSE_VECTORS vectors of each moment in
/// registers, with the centre's (three times four of the sixteen AVX2 registers).
#define SPARSE_VECTORS 4

/// Σ w, Σ w (x_j − s_j)² and Σ w (x_j − s_j), j < d, over the n rows `rows_at` of `block` (d
/// values each) with weights w, added in list order to *count, second[j] and first[j]
/// (sparse_moments, and fused_diagonal's sparse components): SPARSE_VECTORS four-double vectors of each sum in
/// registers per stretch of features while the rows go by; then one vector, then one value, at
/// a time (the same operations per feature, so the same bits whatever the stretch).
KINLINE void KFN(pair_moments)(const double *restrict block, ptrdiff_t d, const double *restrict centre,
                               const int32_t *restrict rows_at, const double *restrict w, ptrdiff_t n,
                               double *restrict count, double *restrict second, double *restrict first) {
    double total = *count;
    for (ptrdiff_t i = 0; i < n; i++) total += w[i];
    *count = total;
    ptrdiff_t j0 = 0;
    for (; j0 + 4 * SPARSE_VECTORS <= d; j0 += 4 * SPARSE_VECTORS) {
        v4d mid[SPARSE_VECTORS], sum2[SPARSE_VECTORS], sum1[SPARSE_VECTORS];
#pragma clang loop unroll(full)
        for (int v = 0; v < SPARSE_VECTORS; v++) {
            mid[v] = KFN(load4)(centre + j0 + 4 * v);
            sum2[v] = KFN(load4)(second + j0 + 4 * v);
            sum1[v] = KFN(load4)(first + j0 + 4 * v);
        }
        for (ptrdiff_t i = 0; i < n; i++) {
            const double *x = block + (ptrdiff_t)rows_at[i] * d + j0;
            const v4d wv = {w[i], w[i], w[i], w[i]};
#pragma clang loop unroll(full)
            for (int v = 0; v < SPARSE_VECTORS; v++) {
                const v4d t = KFN(load4)(x + 4 * v) - mid[v];
                sum2[v] = KFMA4(t * t, wv, sum2[v]);
                sum1[v] = KFMA4(t, wv, sum1[v]);
            }
        }
#pragma clang loop unroll(full)
        for (int v = 0; v < SPARSE_VECTORS; v++) {
            KFN(store4)(second + j0 + 4 * v, sum2[v]);
            KFN(store4)(first + j0 + 4 * v, sum1[v]);
        }
    }
    for (; j0 + 4 <= d; j0 += 4) {
        const v4d mid = KFN(load4)(centre + j0);
        v4d sum2 = KFN(load4)(second + j0), sum1 = KFN(load4)(first + j0);
        for (ptrdiff_t i = 0; i < n; i++) {
            const v4d t = KFN(load4)(block + (ptrdiff_t)rows_at[i] * d + j0) - mid;
            const v4d wv = {w[i], w[i], w[i], w[i]};
            sum2 = KFMA4(t * t, wv, sum2);
            sum1 = KFMA4(t, wv, sum1);
        }
        KFN(store4)(second + j0, sum2);
        KFN(store4)(first + j0, sum1);
    }
    for (; j0 < d; j0++) {
        double sum2 = second[j0], sum1 = first[j0];
        for (ptrdiff_t i = 0; i < n; i++) {
            const double t = block[(ptrdiff_t)rows_at[i] * d + j0] - centre[j0];
            sum2 = KFMA4(t * t, w[i], sum2)[0];
            sum1 = KFMA4(t, w[i], sum1)[0];
        }
        second[j0] = sum2;
        first[j0] = sum1;
    }
}

/// The diagonal and spherical families' E-step and statistics of a block in one pass
/// (mixture_fused_diagonal): rows in sub-blocks of `stride` rows (diagonal_sub_rows),
/// transposed once into xt (d×stride; absent rows of the last group repeat the
/// sub-block's first row, with weight 0). Per group of KW rows the K log-joints
/// (diagonal_log_joints, eight components at a time) and their normalisation
/// (fused_normalize, as fused_fixed); per sub-block log P(x) = m + log1p(Σ) into
/// the log-likelihood's lanes, and per component the moments around its shift
/// (diagonal_moments, four features at a time). From d = 8 on, a component's moments
/// in a sub-block skip what the M-step would leave out (diagonal_kept): where its kept
/// pairs are few (fewer than half the lanes of the groups that keep one), pair by pair
/// from the rows as they are (pair_moments, into plain per-component sums), else the
/// groups of KW rows that keep one. Lanes added in a fixed order at the end, then the
/// plain sums. Returns 1, with nothing written, when a present row's maximum is not
/// finite; else 0.
static KTARGET int KFN(fused_diagonal)(const double *block, ptrdiff_t rows, ptrdiff_t d, ptrdiff_t k_count,
                                       const double *means, const double *precisions, const double *normalizers,
                                       const double *shifts, const double *centre, const double *weights,
                                       double *counts, double *sums, double *moments, double *log_likelihood,
                                       double *scratch) {
    const ptrdiff_t per = 1 + 2 * d, stride = diagonal_sub_rows(d, k_count);
    double *acc = scratch, *plain = acc + KW * per * k_count, *xt = plain + per * k_count, *lt = xt + d * stride;
    double *st = lt + 3 * stride, *wt = st + 2 * stride, *pair_weights = wt + k_count * stride;
    int32_t *kept = (int32_t *)(pair_weights + stride), *all = kept + k_count * (MOMENT_SUB / 4);
    int32_t *pair_rows = all + MOMENT_SUB / 4;
    ptrdiff_t *kept_count = (ptrdiff_t *)(pair_rows + stride);
    // From d = 8 on, each component's moments skip what is negligible (diagonal_kept); below,
    // the pairs of components' chains over every group are worth more.
    const int skips = d >= 8;
    for (ptrdiff_t i = 0; i < (KW + 1) * per * k_count; i++) acc[i] = 0;
    kvd ll = KV(0.0);
    for (ptrdiff_t start = 0; start < rows; start += stride) {
        const ptrdiff_t n = rows - start < stride ? rows - start : stride;
        const ptrdiff_t padded = (n + KW - 1) / KW * KW;
        ptrdiff_t r = 0;
        if (d % 4 == 0) {
            // Four rows by four features at a time (4×4 transposes).
            for (; r + 4 <= n; r += 4) {
                const double *x = block + (start + r) * d;
                for (ptrdiff_t j = 0; j < d; j += 4) {
                    v4d t[4];
                    KFN(transpose4)(KFN(load4)(x + j), KFN(load4)(x + d + j), KFN(load4)(x + 2 * d + j),
                                    KFN(load4)(x + 3 * d + j), t);
                    for (int i = 0; i < 4; i++) KFN(store4)(xt + (j + i) * stride + r, t[i]);
                }
            }
        }
        for (; r < padded; r++) {
            const double *x = block + (start + (r < n ? r : 0)) * d;
            for (ptrdiff_t j = 0; j < d; j++) xt[j * stride + r] = x[j];
        }
        for (ptrdiff_t g = 0; g < padded; g += KW) {
            {
                // The next sub-block's rows, KW at a time, while this one computes: its transposition
                // otherwise waits on memory (a fifth of the kernel's time at d = 32, K = 16 on AMD
                // Zen 5; whole fits there 0.86× the CPU time with this).
                const ptrdiff_t ahead = start + stride + g;
                if (ahead + KW <= rows) {
                    const double *next = block + ahead * d;
                    for (ptrdiff_t p = 0; p < KW * d; p += 8) __builtin_prefetch(next + p);
                }
            }
            const ptrdiff_t present = n - g < KW ? n - g : KW;
            kvd wv = KV(1.0);
            kvl active = (kvl)KV(0.0) == 0;   // all ones
            if (present == KW) {
                if (weights != NULL) wv = KFN(load)(weights + start + g);
            } else {
                for (int lane = 0; lane < KW; lane++) {
                    wv[lane] = lane < present ? (weights != NULL ? weights[start + g + lane] : 1.0) : 0.0;
                    active[lane] = lane < present ? -1 : 0;
                }
            }
            if (skips) {
                // The rows' spreads s = max(1, max_j (x_j − c_j)²) around the centre, and 1/s.
                kvd spread = KV(1.0);
                for (ptrdiff_t j = 0; j < d; j++) {
                    const kvd v = KFN(load)(xt + j * stride + g) - centre[j];
                    spread = KFN(select)(v * v > spread, spread, v * v);
                }
                KFN(store)(st + g, spread);
                KFN(store)(st + stride + g, 1.0 / spread);
            }
            kvd best = KV(-INFINITY);
            kvl nan = (kvl)KV(0.0);
            ptrdiff_t c = 0;
            for (; c + 8 <= k_count; c += 8) {
                KFN(diagonal_log_joints)(8, d, xt, stride, g, means + c * d, precisions + c * d, normalizers + c,
                                         wt + c * stride, &best, &nan);
            }
            if (c + 4 <= k_count) {
                KFN(diagonal_log_joints)(4, d, xt, stride, g, means + c * d, precisions + c * d, normalizers + c,
                                         wt + c * stride, &best, &nan);
                c += 4;
            }
            for (; c < k_count; c++) {
                KFN(diagonal_log_joints)(1, d, xt, stride, g, means + c * d, precisions + c * d, normalizers + c,
                                         wt + c * stride, &best, &nan);
            }
            if (KFN(any)((nan | ((best - best) != 0.0)) & active)) return 1;
            KFN(fused_normalize)(k_count, wt, lt, stride, g, best, wv, active, weights != NULL || present < KW);
        }
        for (ptrdiff_t g = 0; g < padded; g += KW) {
            const kvd lse = KFN(load)(lt + g) + KFN(log1p4)(KFN(load)(lt + stride + g));
            const kvd w = KFN(load)(lt + 2 * stride + g);
            ll += KFN(select)(w != 0.0, KV(0.0), weights != NULL ? w * lse : lse);
        }
        ptrdiff_t groups = 0;
        for (ptrdiff_t g = 0; g < padded; g += KW) all[groups++] = (int32_t)g;
        if (skips) {
            for (ptrdiff_t c = 0; c < k_count; c++) {
                ptrdiff_t pairs = 0;
                kept_count[c] = KFN(diagonal_kept)(padded, n, wt + c * stride, st, stride,
                                                   kept + c * (MOMENT_SUB / 4), pair_rows, pair_weights, &pairs);
                // A pair costs d/4 operations on four lanes, a group of KW rows d on KW lanes (four per
                // feature): below half its groups' lanes kept, the component goes pair by pair.
                if (2 * pairs >= KW * kept_count[c]) continue;
                double *sums_c = plain + per * c;
                KFN(pair_moments)(block + start * d, d, shifts + c * d, pair_rows, pair_weights, pairs, sums_c,
                                  sums_c + 1 + d, sums_c + 1);
                kept_count[c] = 0;
            }
        }
        const int32_t *lists = skips ? kept : NULL;
        // Features outermost: four of their rows and all K of wt stay in the first-level cache.
        ptrdiff_t j = 0;
        for (; j + 4 <= d; j += 4) {
            KFN(diagonal_moment_columns)(4, d, k_count, all, groups, lists, kept_count, xt, stride, j, wt, shifts, acc);
        }
        switch (d - j) {
        case 3:
            KFN(diagonal_moment_columns)(3, d, k_count, all, groups, lists, kept_count, xt, stride, j, wt, shifts, acc);
            break;
        case 2:
            KFN(diagonal_moment_columns)(2, d, k_count, all, groups, lists, kept_count, xt, stride, j, wt, shifts, acc);
            break;
        case 1:
            KFN(diagonal_moment_columns)(1, d, k_count, all, groups, lists, kept_count, xt, stride, j, wt, shifts, acc);
            break;
        default: break;
        }
    }
    *log_likelihood = KFN(hsum)(ll);
    for (ptrdiff_t c = 0; c < k_count; c++) {
        const double *a = acc + KW * per * c, *p = plain + per * c;
        counts[c] += KFN(hsum)(KFN(load)(a)) + p[0];
        for (ptrdiff_t j = 0; j < d; j++) {
            sums[c * d + j] += KFN(hsum)(KFN(load)(a + KW * (1 + j))) + p[1 + j];
            moments[c * d + j] += KFN(hsum)(KFN(load)(a + KW * (1 + d + j))) + p[1 + d + j];
        }
    }
    return 0;
}

static KTARGET void KFN(subtract_rows)(const double *block, ptrdiff_t rows, ptrdiff_t d, const double *mean,
                                      double *out) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        const double *x = block + r * d;
        double *z = out + r * d;
        ptrdiff_t j = 0;
        for (; j + 4 <= d; j += 4) KFN(store4)(z + j, KFN(load4)(x + j) - KFN(load4)(mean + j));
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
            const v4d v = KFN(load4)(zr + j);
            q = KFMA4(v, v, q);
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
            const v4d v = KFN(load4)(x + j) - KFN(load4)(shift + j);
            KFN(store4)(y + j, v * root);
            KFN(store4)(sums + j, KFMA4(v, w, KFN(load4)(sums + j)));
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
            const v4d v = KFN(load4)(x + j) - KFN(load4)(centre + j);
            const v4d square = v * v;
            top = KFN(select4)(square > top, top, square);
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
    // A vector of components at a time over all the rows, its sums in registers
    // (the compiler cannot keep them there across rows itself: sums may alias resp).
    ptrdiff_t c = 0;
    for (; c + KW <= k_count; c += KW) {
        kvd plain = KV(0.0), scaled = KV(0.0);
        for (ptrdiff_t r = 0; r < rows; r++) {
            const kvd w = KFN(load)(resp + r * k_count + c);
            plain = plain + w;
            scaled = KFMA(w, spreads[r], scaled);
        }
        KFN(store)(sums + c, plain);
        KFN(store)(weighted + c, scaled);
    }
    for (; c < k_count; c++) {
        v4d plain = {0, 0, 0, 0}, scaled = {0, 0, 0, 0};
        for (ptrdiff_t r = 0; r < rows; r++) {
            const double w = resp[r * k_count + c];
            plain[0] += w;
            scaled = KFMA4(w, spreads[r], scaled);
        }
        sums[c] = plain[0];
        weighted[c] = scaled[0];
    }
}

/// Whether the M-step keeps w = resp[r, c] (see mixture_count_kept), KW
/// components at a time; `inverse` is 1/spreads[r]. The second test is
/// w ≥ t'_c / s_r rather than w s_r ≥ t'_c: w is often subnormal, and a
/// multiplication by a subnormal takes the slow path (measured: the whole
/// pass 3.7× slower).
KINLINE kvl KFN(kept_lanes)(const double *row, double inverse, const double *thresholds, ptrdiff_t k_count) {
    const kvd w = KFN(load)(row);
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
            for (; c + KW <= end; c += KW) {
                const kvl kept = KFN(kept_lanes)(row + c, inverse, thresholds + c, k_count);   // −1 where kept
                kvl n;
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

static KTARGET void KFN(sparse_moments)(const double *restrict block, ptrdiff_t rows, ptrdiff_t d,
                                        const double *restrict centres, ptrdiff_t centre_stride,
                                        const double *restrict resp,
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
        const double *centre = centres + c * centre_stride;
        KFN(pair_moments)(block, d, centre, rows_c, w_c, n, counts + c, second, first);
    }
}

#undef KINLINE
// The variant's own macros, so that the next variant defines its whole set afresh.
#undef KFN
#undef KTARGET
#undef KW
#undef kvd
#undef kvl
#undef kvu
#undef KV
#undef KFMA
#undef KFMA4
#undef KMOVEMASK
