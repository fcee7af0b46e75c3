import Foundation

extension GaussianMixture {
    /// Bayesian information criterion on `data`: −2·log L + p·ln n (lower is better).
    /// Matches scikit-learn's `bic`.
    public func bic(on data: DataMatrix) throws(ModelError) -> Double {
        let mean = try meanLogLikelihood(of: data)
        return Self.bic(meanLogLikelihood: mean, sampleCount: data.sampleCount, parameterCount: parameterCount)
    }

    /// Akaike information criterion on `data`: −2·log L + 2p (lower is better).
    /// Matches scikit-learn's `aic`.
    public func aic(on data: DataMatrix) throws(ModelError) -> Double {
        let mean = try meanLogLikelihood(of: data)
        return Self.aic(meanLogLikelihood: mean, sampleCount: data.sampleCount, parameterCount: parameterCount)
    }

    /// BIC from a mean log-likelihood over `sampleCount` rows.
    public static func bic(meanLogLikelihood: Double, sampleCount: Int, parameterCount: Int) -> Double {
        bic(meanLogLikelihood: meanLogLikelihood, sampleSize: Double(sampleCount), parameterCount: parameterCount)
    }

    /// BIC from a mean log-likelihood over a sample of size `sampleSize`
    /// (the total frequency weight of a weighted fit).
    public static func bic(meanLogLikelihood: Double, sampleSize n: Double, parameterCount: Int) -> Double {
        -2 * meanLogLikelihood * n + Double(parameterCount) * log(n)
    }

    /// AIC from a mean log-likelihood over `sampleCount` rows.
    public static func aic(meanLogLikelihood: Double, sampleCount: Int, parameterCount: Int) -> Double {
        aic(meanLogLikelihood: meanLogLikelihood, sampleSize: Double(sampleCount), parameterCount: parameterCount)
    }

    /// AIC from a mean log-likelihood over a sample of size `sampleSize`.
    public static func aic(meanLogLikelihood: Double, sampleSize n: Double, parameterCount: Int) -> Double {
        -2 * meanLogLikelihood * n + 2 * Double(parameterCount)
    }
}
