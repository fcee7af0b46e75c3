// Distribution functions from GSL's `gsl_cdf` module.
internal import CGSL

enum GSLDistributions {
    /// Upper tail Q(x) = P(X > x) of a chi-square distribution with `degrees` degrees of freedom.
    static func chiSquareUpperTail(_ x: Double, degrees: Double) -> Double {
        if x == .infinity { return 0 }
        _ = GSLRuntime.ready
        return gsl_cdf_chisq_Q(x, degrees)
    }
}

extension GSLDistributions {
    /// P(X ≤ x) for a Gaussian with mean 0 and standard deviation `sigma`.
    static func gaussianLowerTail(_ x: Double, sigma: Double) -> Double {
        _ = GSLRuntime.ready
        return gsl_cdf_gaussian_P(x, sigma)
    }
}
