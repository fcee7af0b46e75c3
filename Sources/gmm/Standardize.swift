import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine

// `--standardize` for fit and select, and `--init-means FILE` for fit. The
// maths (the affine map back to the original units, which family holds the
// result) is the library's `Standardization`; here are the flags, the checks
// and what the model file and the summary say.

/// `--standardize`.
struct StandardizeOption: ParsableArguments {
    @Flag(help: ArgumentHelp(
        "Fit on standardised columns, (x − mean) / sd with the population sd (divisor n; with frequency weights, "
            + "weighted), and write the model in the original units: means m + s·μ, covariances S Σ S, log-densities "
            + "lower by Σ log sd; P(c|x) unchanged. --reg-covar then acts on the standardised scale. Per-column "
            + "scaling keeps full, tied and diag; spherical and mclust's EII, EEI, VEI, EVI are written as diag, its "
            + "VEE, EVE, VVE, EEV, VEV, EVV as full (exact parameters, wider family name); BIC and AIC count the "
            + "fitted model's parameters."))
    var standardize = false
}

/// A fit's standardisation: the data the fit sees, and how its result goes back.
struct StandardizedFit {
    let standardization: Standardization

    /// The training log-likelihood per row in original units is the standardised one minus this.
    var shift: Double { standardization.logScale }

    /// The summary of the fit in original units: log-likelihoods lower by Σ log s per row; BIC and AIC
    /// keep the fitted (standardised) model's parameter count.
    func summary(_ fitted: FitSummary, effectiveSampleSize n: Double) -> FitSummary {
        var s = fitted
        s.meanLogLikelihood -= shift
        s.bic += 2 * n * shift
        s.aic += 2 * n * shift
        s.logLikelihoodTrace = s.logLikelihoodTrace?.map { $0 - shift }
        return s
    }

    /// The model file's `standardization` member.
    func modelFileMember(fitted: GaussianMixture) -> (String, String) {
        func list(_ xs: [Double]) -> String { "[" + xs.map(\.description).joined(separator: ", ") + "]" }
        return ("standardization", "{\"means\": \(list(standardization.means)), \"deviations\": \(list(standardization.deviations)), "
            + "\"fitted_covariance_type\": \"\(fitted.covarianceKind.rawValue)\", \"fitted_n_parameters\": \(fitted.parameterCount)}")
    }

    /// A summary line saying what was fitted and what is written.
    func summaryLine(fitted: GaussianMixture, written: GaussianMixture) -> String {
        let widened = fitted.covarianceKind == written.covarianceKind ? ""
            : ", written as \(written.covarianceKind.rawValue) (the constraint does not survive scaling)"
        return "standardized:        fitted \(fitted.covarianceKind.rawValue) on standardised columns\(widened); "
            + "BIC and AIC count \(fitted.parameterCount) parameters"
    }
}

/// Refuses `--standardize` with what it cannot be combined with.
func checkStandardizeCombinations(online: Bool, variational: Bool, initModel: String?, labels: String?,
                                  checkpoint: String?, resume: String?, marginalize: Bool) throws {
    let conflict: String? = online ? "--online" : variational ? "--method variational" : initModel != nil ? "--init-model"
        : labels != nil ? "--labels" : checkpoint != nil ? "--checkpoint" : resume != nil ? "--resume"
        : marginalize ? "--missing marginalize" : nil
    if let conflict { throw ValidationError("--standardize cannot be used with \(conflict)") }
}

/// A one-line hint when the columns' scales differ by more than 10³ and `--standardize` is absent.
func hintStandardizeIfScalesDiffer(_ data: DataMatrix, weights: [Double]?) {
    let s = Standardization(of: data, weights: weights)
    let constant = Set(constantColumns(data))
    let spread = (0..<data.featureCount).filter { !constant.contains(data.featureNames[$0]) }
    guard let hi = spread.max(by: { s.deviations[$0] < s.deviations[$1] }),
          let lo = spread.min(by: { s.deviations[$0] < s.deviations[$1] }),
          s.deviations[hi] > 1e3 * s.deviations[lo] else { return }
    printError("gmm: hint: column scales differ by \(readable(s.deviations[hi] / s.deviations[lo], digits: 2))× (sd of "
        + "\"\(data.featureNames[hi])\" \(readable(s.deviations[hi], digits: 3)), of \"\(data.featureNames[lo])\" "
        + "\(readable(s.deviations[lo], digits: 3))); --standardize fits on standardised columns and writes the model in original units")
}

/// `--init-means FILE`: K rows of d numbers (a header naming the data's features may order them). Each data row of `data` (the data the fit sees) goes to its
/// nearest mean (Euclidean; in standardised units under `--standardize`), giving one-hot responsibilities
/// for a first M-step. Errors name the file and line; a mean that is nobody's nearest is a data error.
func initialResponsibilities(fromMeans path: String, data: DataMatrix, components: Int?,
                             standardization: Standardization?) throws -> DataMatrix {
    let table: DataMatrix
    do {
        // A header naming every feature picks them in the data's order; otherwise the columns are taken as they come.
        table = try DataFileReader.read(path: path, preferringColumns: data.featureNames)
    } catch {
        // A means file has no columns to leave out: the reader's hint about them does not apply.
        guard case let .malformed(file, line, column, message) = error, let hint = message.range(of: "; a text column") else {
            throw error
        }
        throw DataFileError.malformed(path: file, line: line, column: column, message: String(message[..<hint.lowerBound]))
    }
    let (n, d, kCount) = (data.sampleCount, data.featureCount, table.sampleCount)
    guard table.featureCount == d else {
        throw CommandFailure(message: "\(path): has \(table.featureCount) columns but the data has \(d) features (\(nameList(data.featureNames)))",
                             status: ExitStatus.dataError)
    }
    if let components, components != kCount {
        throw ValidationError("-k \(components) disagrees with --init-means \(path), which has \(kCount) means")
    }
    let means = (0..<kCount).map { k in standardization?.standardize(row: table.row(k)) ?? table.row(k) }
    var nearest = [Int](repeating: 0, count: n)
    var counts = [Int](repeating: 0, count: kCount)
    data.withUnsafeBufferPointer { x in
        for i in 0..<n {
            var best = 0, bestDistance = Double.infinity
            for k in 0..<kCount {
                var distance = 0.0
                for j in 0..<d {
                    let e = x[i * d + j] - means[k][j]
                    distance += e * e
                }
                if distance < bestDistance { (best, bestDistance) = (k, distance) }
            }
            nearest[i] = best
            counts[best] += 1
        }
    }
    if let empty = counts.firstIndex(of: 0) {
        let line = DataFileReader.line(ofDataRow: empty, path: path).map { ":\($0)" } ?? ": row \(empty + 1)"
        throw CommandFailure(message: "\(path)\(line): mean \(empty) is the nearest mean of no data row; move it or leave it out",
                             status: ExitStatus.dataError)
    }
    var values = [Double](repeating: 0, count: n * kCount)
    for i in 0..<n { values[i * kCount + nearest[i]] = 1 }
    return try DataMatrix(values: values, sampleCount: n, featureCount: kCount)
}
