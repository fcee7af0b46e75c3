import Foundation

// Numbers for people and numbers for programs.
//
// Files and tables that programs read (model files; CSV, TSV and .npy tables on
// standard output or -o; select's --output-table) hold every Double in its
// shortest round-trip form, so reading one back gives the same bits. Summaries
// for people (fit's and score's lines on standard error, `gmm info`, select's
// table, classify's report, condition's table; gmm-mpi's summary) round, by one
// rule:
//
// - parameters and per-row quantities (weights, means, covariances, volumes,
//   shapes, the mean log-likelihood, rates, shares): 6 significant digits,
//   `readable(x)`;
// - totals on the log-likelihood scale that are compared between fits (BIC, AIC,
//   ICL, the log-likelihood, the ELBO and evidence bound): one decimal,
//   `readableTotal(x)`. What matters in them is the difference in absolute units
//   (a BIC difference under 2 is no evidence), whatever their size, so a count of
//   significant digits would hide differences between large totals;
// - durations: 3 significant digits (2 in select's table) and the unit " s", last
//   on their line, so `scripts/examples` can recognise and ignore them.
//
// So a summary does not show the last bits of a Double, which differ between
// CPUs' kernels; the progress lines on a terminal show 10 digits, to watch EM move.

/// A number for people: up to `digits` significant digits (`%g`; exponent form
/// below 1e-4 and from 1e9).
public func readable(_ x: Double, digits: Int = 6) -> String {
    if x == 0 { return "0" }
    if x.isNaN || x.isInfinite { return "\(x)" }
    let magnitude = abs(x)
    if magnitude >= 1e-4 && magnitude < 1e9 {
        var s = String(format: "%.\(digits)g", x)
        if s.contains("e") { s = String(format: "%.\(max(digits - 1, 0))e", x) }
        return s
    }
    return String(format: "%.\(max(digits - 1, 0))e", x)
}

/// A total on the log-likelihood scale (BIC, AIC, ICL, log-likelihood, ELBO) for
/// people: one decimal, whatever its size (`2322.2`, `-1234567.9`).
public func readableTotal(_ x: Double) -> String {
    if x.isNaN || x.isInfinite { return "\(x)" }
    let s = String(format: "%.1f", x)
    return s == "-0.0" ? "0.0" : s
}

/// A duration for people: `0.0102 s` (`digits` significant digits and the unit).
public func readableSeconds(_ seconds: Double, digits: Int = 3) -> String {
    readable(seconds, digits: digits) + " s"
}
