import Foundation
import Testing
@testable import GaussianMixtures

// The full evidence lower bound (scikit-learn's bound plus the normalisers it
// leaves out) is a bound on log P(data) that can be compared across K and
// families. With one component, a Dirichlet prior and no regulariser the
// mean-field posterior is the exact Normal–Wishart posterior, so the bound
// must equal the closed-form marginal likelihood of that conjugate model
// (Murphy 2007, "Conjugate Bayesian analysis of the Gaussian distribution",
// eq. 266) — a check of every constant that is independent of our derivation.

/// log P(X) of the Normal–inverse-Wishart model Σ ~ IW(ν₀, Ψ₀), μ | Σ ~ N(m₀, Σ/β₀).
private func normalWishartLogEvidence(_ rows: [[Double]], m0: [Double], beta0: Double, nu0: Double,
                                      psi0: [Double]) -> Double {
    let n = Double(rows.count)
    let d = m0.count
    let mean = (0..<d).map { j in rows.reduce(0) { $0 + $1[j] } / n }
    var psiN = psi0
    for r in 0..<d {
        for c in 0..<d {
            psiN[r * d + c] += rows.reduce(0) { $0 + ($1[r] - mean[r]) * ($1[c] - mean[c]) }
                + beta0 * n / (beta0 + n) * (mean[r] - m0[r]) * (mean[c] - m0[c])
        }
    }
    func logMultivariateGamma(_ a: Double) -> Double {
        (0..<d).reduce(Double(d * (d - 1)) / 4 * log(Double.pi)) { $0 + lgamma(a - Double($1) / 2) }
    }
    func logDet(_ m: [Double]) -> Double {
        // Cholesky by hand: an independent check of the library's factor.
        var l = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in 0...i {
                var s = m[i * d + j]
                for k in 0..<j { s -= l[i * d + k] * l[j * d + k] }
                l[i * d + j] = i == j ? s.squareRoot() : s / l[j * d + j]
            }
        }
        return (0..<d).reduce(0) { $0 + 2 * log(l[$1 * d + $1]) }
    }
    let nuN = nu0 + n
    return -n * Double(d) / 2 * log(Double.pi) + logMultivariateGamma(nuN / 2) - logMultivariateGamma(nu0 / 2)
        + nu0 / 2 * logDet(psi0) - nuN / 2 * logDet(psiN) + Double(d) / 2 * log(beta0 / (beta0 + n))
}

@Suite("Variational: the full evidence lower bound")
struct VariationalEvidenceTests {
    @Test("one full component: the bound is the exact Normal–Wishart marginal likelihood", arguments: [1, 2, 3])
    func exactForOneComponent(_ d: Int) throws {
        let rows: [[Double]] = (0..<40).map { (i: Int) -> [Double] in
            (0..<d).map { (j: Int) -> Double in
                let phase = Double(i * (j + 3)) * 0.7
                return sin(phase) * Double(j + 1) + Double(j)
            }
        }
        let data = try DataMatrix(rows: rows)
        let priors = VariationalPriors(weightConcentration: 0.5, meanPrecision: 0.3, mean: (0..<d).map { Double($0) / 2 },
                                       degreesOfFreedom: Double(d) + 1.5,
                                       covariance: (0..<(d * d)).map { $0 % (d + 1) == 0 ? 2.0 : 0.25 })
        let fit = try VariationalInference.fit(data, options: VariationalFitOptions(
            fit: FitOptions(componentCount: 1, maxIterations: 2, tolerance: 0, covarianceRegularization: 0),
            weightPrior: .dirichlet, priors: priors))
        let bound = fit.posterior.evidenceLowerBound(lowerBound: fit.report.lowerBound, totalWeight: 40)
        let exact = normalWishartLogEvidence(rows, m0: priors.mean!, beta0: 0.3, nu0: Double(d) + 1.5,
                                             psi0: priors.covariance!)
        let gap: Double = Swift.abs(bound - exact)
        #expect(gap <= 1e-10 * Swift.abs(exact), "d = \(d): bound \(bound), exact \(exact)")
    }

    @Test("the prior normalisers add exactly K copies of each prior term")
    func normalisersScaleWithComponents() throws {
        let data = try separatedData(seed: 2, count: 120, featureCount: 2)
        var previous: Double?
        for prior in WeightPrior.allCases {
            for k in [2, 3] {
                let options = VariationalFitOptions(
                    fit: FitOptions(componentCount: k, maxIterations: 3, tolerance: 0),
                    weightPrior: prior, priors: VariationalPriors(weightConcentration: 0.7))
                let posterior = try VariationalInference.fit(data, options: options).posterior
                let n = Double(data.sampleCount)
                // What does not depend on the weight prior or K: the data term.
                let dataTerm = -0.5 * n * 2 * log(2 * Double.pi)
                let perComponent = (posterior.priorNormalizers(totalWeight: n) - dataTerm - weightTerm(prior, k, 0.7))
                    / Double(k)
                if let previous { #expect(abs(perComponent - previous) < 1e-12 * abs(previous)) }
                previous = perComponent
            }
        }
    }

    private func weightTerm(_ prior: WeightPrior, _ k: Int, _ gamma: Double) -> Double {
        switch prior {
        case .dirichletProcess: Double(k) * log(gamma)  // −K log Beta(1, γ)
        case .dirichlet: lgamma(Double(k) * gamma) - Double(k) * lgamma(gamma)
        }
    }
}

@Suite("Variational: threads")
struct VariationalThreadTests {
    @Test("the fit and the responsibilities are the same to the bit on 1, 2 and 3 threads", arguments: CovarianceKind.scikitLearnKinds)
    func threadCountDoesNotMatter(_ kind: CovarianceKind) throws {
        let data = try separatedData(seed: 8, count: 9_000, featureCount: 2)  // three blocks of ≤ 4096 rows: three chunks
        var files: [[UInt8]] = []
        var responsibilities: [[Double]] = []
        for threads in [1, 2, 3] {
            let fit = try VariationalInference.fit(data, options: VariationalFitOptions(
                fit: FitOptions(componentCount: 4, covarianceKind: kind, maxIterations: 4, tolerance: 0,
                                threadCount: threads)))
            files.append(ModelFile.encode(fit.posterior, summary: VariationalFitSummary(report: fit.report)))
            responsibilities.append(fit.posterior.expectationPass(data, weights: nil, keepingResponsibilities: true,
                                                                  threads: threads).responsibilities)
        }
        #expect(files[0] == files[1] && files[1] == files[2])
        #expect(responsibilities[0] == responsibilities[1] && responsibilities[1] == responsibilities[2])
        #expect(responsibilities[0].count == 9_000 * 4)
    }
}
