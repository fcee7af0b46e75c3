// Special functions from GSL's `gsl_sf` module, for the variational mixture:
// digamma for expected log weights and expected log determinants, log-gamma
// and log-beta for the Dirichlet, Beta and Wishart normalisers.
//
// GSL's error handler is off (GSLRuntime), so an argument outside a function's
// domain (a pole of Γ) gives NaN rather than an abort; callers only pass
// positive arguments.
internal import CGSL

enum GSLSpecialFunctions {
    /// ψ(x) = d/dx log Γ(x) (`gsl_sf_psi`).
    static func digamma(_ x: Double) -> Double {
        _ = GSLRuntime.ready
        var result = gsl_sf_result()
        guard gsl_sf_psi_e(x, &result) == GSL_SUCCESS else { return .nan }
        return result.val
    }

    /// log |Γ(x)| (`gsl_sf_lngamma`).
    static func logGamma(_ x: Double) -> Double {
        _ = GSLRuntime.ready
        var result = gsl_sf_result()
        guard gsl_sf_lngamma_e(x, &result) == GSL_SUCCESS else { return .nan }
        return result.val
    }

    /// log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b) for a, b > 0 (`gsl_sf_lnbeta`).
    static func logBeta(_ a: Double, _ b: Double) -> Double {
        _ = GSLRuntime.ready
        var result = gsl_sf_result()
        guard gsl_sf_lnbeta_e(a, b, &result) == GSL_SUCCESS else { return .nan }
        return result.val
    }
}
