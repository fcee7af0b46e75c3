// Quantile functions (inverse distribution functions) from GSL's `gsl_cdf` module.
internal import CGSL

enum GSLQuantiles {
    /// The x with P(X ≤ x) = `probability` for a chi-square distribution with
    /// `degrees` degrees of freedom (`gsl_cdf_chisq_Pinv`).
    static func chiSquareLowerQuantile(_ probability: Double, degrees: Double) -> Double {
        _ = GSLRuntime.ready
        return gsl_cdf_chisq_Pinv(probability, degrees)
    }
}
