// A public door to GSL's chi-square quantile, for code outside the library
// (the plot module draws probability ellipses with it) that must not call GSL.

/// The chi-square distribution's quantile function.
public enum ChiSquare {
    /// The value x with P(X ≤ x) = `probability` when X is chi-square with
    /// `degrees` degrees of freedom.
    ///
    /// A Gaussian in d dimensions puts mass `probability` inside the ellipsoid of
    /// squared Mahalanobis radius `quantile(probability:degrees: d)`; with d = 2
    /// this is `-2 log(1 - probability)`. Computed by GSL's `gsl_cdf_chisq_Pinv`.
    ///
    /// - Precondition: `probability` in [0, 1) and `degrees` > 0.
    public static func quantile(probability: Double, degrees: Double) -> Double {
        precondition(probability >= 0 && probability < 1, "probability must be in [0, 1), got \(probability)")
        precondition(degrees > 0, "degrees of freedom must be positive, got \(degrees)")
        return GSLQuantiles.chiSquareLowerQuantile(probability, degrees: degrees)
    }
}
