// Missing values: reading gaps, the Ghahramani–Jordan EM, P(c | x_o) and
// log P(x_o), and imputation. The EM is checked against the complete-data EM
// (bit for bit without gaps), against its own guarantee (the observed-data
// log-likelihood never decreases), against independent computations of the
// marginal (a mixture built on the observed features only) and of the
// conditional (`ConditionalMap`), and on data drawn from a known mixture
// against two common shortcuts.

import Foundation
import Testing
@testable import GaussianMixtures

/// A 3-component mixture in 4-D with correlated full covariances.
let missingTruth = try! GaussianMixture(
    weights: [0.5, 0.3, 0.2],
    means: [[0, 0, 0, 0], [3, 3, -2, 1], [-3, 2, 2, -2]],
    covariances: .full([
        [[1.0, 0.6, 0.3, 0.0], [0.6, 1.0, 0.5, 0.2], [0.3, 0.5, 1.0, 0.4], [0.0, 0.2, 0.4, 1.0]],
        [[1.0, -0.5, 0.2, 0.3], [-0.5, 0.8, 0.0, -0.2], [0.2, 0.0, 0.6, 0.1], [0.3, -0.2, 0.1, 0.9]],
        [[0.7, 0.3, -0.3, 0.2], [0.3, 1.2, 0.4, 0.0], [-0.3, 0.4, 0.9, -0.3], [0.2, 0.0, -0.3, 0.8]],
    ]),
    featureNames: ["a", "b", "c", "d"])


/// `data` with each cell removed independently with probability `rate` (MCAR),
/// never the last observed cell of a row.
func removingCells(_ data: DataMatrix, rate: Double, seed: UInt64) throws -> IncompleteDataMatrix {
    var random = TestGenerator(state: seed)
    var values = data.values
    let d = data.featureCount
    for i in 0..<data.sampleCount {
        var left = d
        for j in 0..<d where Double.random(in: 0..<1, using: &random) < rate && left > 1 {
            values[i * d + j] = .nan
            left -= 1
        }
    }
    return try IncompleteDataMatrix(values: values, sampleCount: data.sampleCount, featureCount: d,
                                    featureNames: data.featureNames)
}

/// The mixture over the observed features of `row` only (full covariances), and those values.
func marginalModel(_ model: GaussianMixture, row: [Double]) throws -> (GaussianMixture, DataMatrix) {
    let o = row.indices.filter { !row[$0].isNaN }
    let means = model.means.map { mu in o.map { mu[$0] } }
    let covs = (0..<model.componentCount).map { k in
        let s = model.covarianceMatrix(component: k)
        return o.map { r in o.map { c in s[r][c] } }
    }
    return (try GaussianMixture(weights: model.weights, means: means, covariances: .full(covs)),
            try DataMatrix(rows: [o.map { row[$0] }]))
}

/// log P(x_o) computed independently: the density of the mixture over the observed features only.
func marginalLogDensity(_ model: GaussianMixture, row: [Double]) throws -> Double {
    let (sub, values) = try marginalModel(model, row: row)
    return try sub.logDensities(of: values)[0]
}

@Suite("Missing data")
struct MissingDataTests {
    // MARK: - Reading gaps

    @Test("empty cells and NA/NaN/nan/NAN tokens are NaN under .allow; other text is still an error")
    func readsGaps() throws {
        let text = "a,b,c\n1,,3\nNA,2,\"\"\n 4 , NaN ,nan\nNAN,5,6\n"
        let data = try DataFileReader.read(bytes: Array(text.utf8), displayName: "gaps.csv", format: .csv, missing: .allow)
        #expect(data.featureNames == ["a", "b", "c"])
        #expect(data.sampleCount == 4 && data.missingCount == 6 && data.incompleteRowCount == 4)
        #expect(data.row(0)[0] == 1 && data[0, 1].isNaN && data[0, 2] == 3)
        #expect(data[1, 0].isNaN && data[1, 1] == 2 && data[1, 2].isNaN)
        #expect(data[2, 0] == 4 && data[2, 1].isNaN && data[2, 2].isNaN)
        #expect(data[3, 0].isNaN && data[3, 1] == 5)

        // Other words and infinities keep their errors.
        let bad = { (text: String) -> DataFileError? in
            do throws(DataFileError) {
                _ = try DataFileReader.read(bytes: Array(text.utf8), displayName: "x.csv", format: .csv, missing: .allow)
                return nil
            } catch { return error }
        }
        #expect(bad("a,b\n1,missing\n") == .malformed(path: "x.csv", line: 2, column: 2,
                                                       message: "column \"b\": expected a number, found \"missing\"; a text column cannot be a feature: pick the numeric columns with --columns"))
        #expect(bad("a,b\n1,inf\n")?.description.contains("x.csv:2:2") == true)
        // Without the policy, the old messages.
        do {
            _ = try DataFileReader.read(bytes: Array("a,b\n1,\n".utf8), displayName: "x.csv", format: .csv)
            Issue.record("an empty cell must be an error by default")
        } catch {
            #expect(error.description == "x.csv:2:2: expected a number, found an empty cell")
        }
        let strict = try DataFileReader.read(bytes: Array("a,b\n1,2\n".utf8), displayName: "x.csv", format: .csv,
                                             missing: .reject)
        let expected = try DataMatrix(rows: [[1, 2]], featureNames: ["a", "b"])
        #expect(!strict.hasGaps && strict.complete == expected)
    }

    @Test("a first row of numbers and gaps is data, not a header; TSV and quoted cells too")
    func headerDetection() throws {
        let data = try DataFileReader.read(bytes: Array("1\tNA\n\t2\n".utf8), displayName: "x.tsv", format: .tsv,
                                           missing: .allow)
        #expect(data.sampleCount == 2 && data.featureNames == ["x0", "x1"])
        #expect(data[0, 0] == 1 && data[0, 1].isNaN && data[1, 0].isNaN && data[1, 1] == 2)
    }

    @Test("a row or a column with no observed value is an error naming it")
    func emptyRowsAndColumns() throws {
        func message(_ text: String, columns: [ColumnSelector]? = nil) -> String {
            do {
                _ = try DataFileReader.read(bytes: Array(text.utf8), displayName: "g.csv", format: .csv, columns: columns,
                                            missing: .allow)
                return ""
            } catch { return error.description }
        }
        #expect(message("a,b\n1,2\n\n,NA\n3,4\n") == "g.csv:4: every value is missing: a row needs at least one observed value")
        #expect(message("a,b\n1,\n3,NA\n") == "g.csv: column 2 (\"b\") is missing in every row")
        // Only the selected columns count.
        #expect(message("a,b,c\n1,,x\n,2,y\n", columns: [.name("a"), .name("b")]) == "")
        #expect(message("a,b,c\n1,,x\n,2,y\n", columns: [.name("b"), .name("c")]).contains("expected a number"))
        #expect(throws: DataError.rowMissingEverywhere(row: 1)) {
            try IncompleteDataMatrix(rows: [[1, 2], [.nan, .nan]])
        }
        #expect(throws: DataError.columnMissingEverywhere(column: 0, name: "x0")) {
            try IncompleteDataMatrix(rows: [[.nan, 2], [.nan, 1]])
        }
        #expect(throws: DataError.nonFinite(row: 0, column: 1)) { try IncompleteDataMatrix(rows: [[1, .infinity]]) }
    }

    @Test("NaN in a .npy file is missing under .allow; infinity is not")
    func numpyGaps() throws {
        func npy(_ values: [Double], rows: Int) -> [UInt8] {
            let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows), \(values.count / rows)), }"
            let padded = header + String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
            let payload = values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
            return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(padded.utf8.count & 0xFF), UInt8(padded.utf8.count >> 8)]
                + Array(padded.utf8) + payload
        }
        let data = try DataFileReader.read(bytes: npy([1, .nan, 3, 4], rows: 2), displayName: "g.npy", format: .npy,
                                           missing: .allow)
        #expect(data.missingCount == 1 && data[0, 1].isNaN && data[1, 1] == 4)
        #expect(throws: DataFileError.self) {
            try DataFileReader.read(bytes: npy([1, .nan, 3, 4], rows: 2), displayName: "g.npy", format: .npy)
        }
        do {
            _ = try DataFileReader.read(bytes: npy([.nan, .nan, 3, 4], rows: 2), displayName: "g.npy", format: .npy,
                                        missing: .allow)
            Issue.record("an all-NaN row must be an error")
        } catch {
            #expect(error.description == "g.npy: row 1: every value is missing (NaN): a row needs at least one observed value")
        }
        #expect(throws: DataFileError.self) {
            try DataFileReader.read(bytes: npy([1, .infinity, 3, 4], rows: 2), displayName: "g.npy", format: .npy,
                                    missing: .allow)
        }
    }

    // MARK: - EM

    @Test("without gaps the missing-data EM is the ordinary EM, bit for bit", arguments: CovarianceKind.allCases)
    func noGapsIsOrdinaryEM(_ kind: CovarianceKind) throws {
        let data = missingTruth.sample(count: 300, seed: 4).samples
        let options = FitOptions(componentCount: 3, covarianceKind: kind, initializationCount: 2, seed: 7)
        let ordinary = try ExpectationMaximization.fit(data, options: options)
        let viaGaps = try ExpectationMaximization.fit(IncompleteDataMatrix(data), options: options)
        #expect(ordinary.model == viaGaps.model)
        #expect(ordinary.report == viaGaps.report)
    }

    @Test("the observed-data log-likelihood never decreases", arguments: CovarianceKind.allCases)
    func monotone(_ kind: CovarianceKind) throws {
        let data = try removingCells(missingTruth.sample(count: 250, seed: 11).samples, rate: 0.3, seed: 5)
        let options = FitOptions(componentCount: 3, covarianceKind: kind, maxIterations: 30, tolerance: 0,
                                 covarianceRegularization: 0, seed: 3)
        let fit = try ExpectationMaximization.fit(data, options: options)
        let trace = fit.report.logLikelihoodTrace + [fit.report.meanLogLikelihood]
        #expect(trace.count == 31)
        for (t, (a, b)) in zip(trace, trace.dropFirst()).enumerated() {
            #expect(b >= a - 1e-12 * abs(a), "iteration \(t + 1): \(a) → \(b)")
        }
        #expect(trace.last! > trace.first! + 0.01, "EM improved the fit: \(trace.first!) → \(trace.last!)")
    }

    @Test("the reported log-likelihood is that of the observed data under the returned model; threads do not change bits")
    func reportedLikelihood() throws {
        let data = try removingCells(missingTruth.sample(count: 300, seed: 2).samples, rate: 0.2, seed: 9)
        let one = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 3, seed: 1, threadCount: 1))
        let four = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 3, seed: 1, threadCount: 4))
        #expect(one.model == four.model && one.report == four.report)
        let densities = try one.model.logDensities(of: data)
        let mean = densities.reduce(0, +) / Double(densities.count)
        #expect(abs(mean - one.report.meanLogLikelihood) <= 1e-12 * abs(mean))
    }

    @Test("weights act as repeated rows with gaps too")
    func weights() throws {
        let data = try removingCells(missingTruth.sample(count: 60, seed: 21).samples, rate: 0.25, seed: 4)
        let doubled = try IncompleteDataMatrix(values: (0..<60).flatMap { i in data.row(i) + data.row(i) },
                                               sampleCount: 120, featureCount: 4)
        let options = FitOptions(componentCount: 2, initialization: .model(try GaussianMixture(
            weights: [0.5, 0.5], means: [[0, 0, 0, 0], [2, 2, 0, 0]],
            covariances: .full(Array(repeating: (0..<4).map { r in (0..<4).map { $0 == r ? 2.0 : 0 } }, count: 2)))),
            maxIterations: 10, tolerance: 0)
        let weighted = try ExpectationMaximization.fit(data, weights: Array(repeating: 2, count: 60), options: options)
        let repeated = try ExpectationMaximization.fit(doubled, options: options)
        for k in 0..<2 {
            for j in 0..<4 { #expect(abs(weighted.model.means[k][j] - repeated.model.means[k][j]) < 1e-9) }
        }
    }

    /// Tests/Fixtures/missing/missing.json, written by its generate.py (a row-by-row numpy transcription).
    struct Reference: Decodable {
        struct Parameters: Decodable {
            let weights: [Double]
            let means: [[Double]]
            let covariances: JSONValue
        }
        struct Case: Decodable {
            let covariance_type: String
            let start: Parameters
            let trace: [Double]
            let weights: [Double]
            let means: [[Double]]
            let covariances: JSONValue
            let mean_log_likelihood: Double
        }
        let reg_covar: Double
        let iterations: Int
        let rows: [[Double?]]
        let start_log_density: [Double]
        let start_responsibilities: [[Double]]
        let full_imputed: [[Double]]
        let cases: [Case]

        static func load() throws -> Reference {
            let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/missing/missing.json")
            return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        }

        func data() throws -> IncompleteDataMatrix {
            try IncompleteDataMatrix(rows: rows.map { $0.map { $0 ?? .nan } })
        }
    }

    @Test("EM trajectories, final parameters and scores agree with a numpy transcription", arguments: CovarianceKind.scikitLearnKinds)
    func agreesWithReference(_ kind: CovarianceKind) throws {
        let reference = try Reference.load()
        let data = try reference.data()
        let expected = try #require(reference.cases.first { $0.covariance_type == kind.rawValue })
        let start = try GaussianMixture(
            weights: expected.start.weights, means: expected.start.means,
            covariances: covarianceParameters(kind, expected.start.covariances, components: 2, features: 3))
        let fit = try ExpectationMaximization.fit(data, options: FitOptions(
            componentCount: 2, covarianceKind: kind, initialization: .model(start), maxIterations: reference.iterations,
            tolerance: 0, covarianceRegularization: reference.reg_covar))
        let trace = worstRelativeError(fit.report.logLikelihoodTrace, expected.trace, floor: 1)
        #expect(trace.error < 1e-12, "trace, iteration \(trace.index + 1)")
        #expect(abs(fit.report.meanLogLikelihood - expected.mean_log_likelihood) < 1e-12 * abs(expected.mean_log_likelihood))
        let weights = worstRelativeError(fit.model.weights, expected.weights, floor: 1e-3)
        let means = worstRelativeError(fit.model.means.flatMap { $0 }, expected.means.flatMap { $0 }, floor: 1e-3)
        let covariances = worstRelativeError(fit.model.covariances.flattened, expected.covariances.numbers, floor: 1e-3)
        #expect(weights.error < 1e-10 && means.error < 1e-10 && covariances.error < 1e-10,
                "weights \(weights), means \(means), covariances \(covariances)")
        guard kind == .full else { return }
        // Scoring under the starting model and imputation under the fitted one.
        let (resp, densities) = try start.marginalPosterior(of: data)
        #expect(worstRelativeError(densities, reference.start_log_density, floor: 1).error < 1e-12)
        #expect(worstRelativeError(resp.values, reference.start_responsibilities.flatMap { $0 }, floor: 1e-6).error < 1e-10)
        let filled = try fit.model.imputed(data)
        #expect(worstRelativeError(filled.values, reference.full_imputed.flatMap { $0 }, floor: 1).error < 1e-10)
    }

    // MARK: - Inference

    @Test("log P(x_o) is the density of the marginal mixture; P(c | x_o) is ConditionalMap's weights",
          arguments: CovarianceKind.allCases)
    func marginalScoring(_ kind: CovarianceKind) throws {
        let model = try ExpectationMaximization.fit(missingTruth.sample(count: 300, seed: 8).samples,
                                                    options: FitOptions(componentCount: 3, covarianceKind: kind)).model
        let data = try removingCells(missingTruth.sample(count: 40, seed: 9).samples, rate: 0.35, seed: 1)
        let (resp, densities) = try model.marginalPosterior(of: data)
        let labels = try model.labels(for: data)
        let details = try model.assignmentDetails(for: data)
        for i in 0..<data.sampleCount {
            let row = data.row(i)
            let expected = try marginalLogDensity(model, row: row)
            #expect(abs(densities[i] - expected) <= 1e-10 * abs(expected), "row \(i)")
            // Details: those of the marginal mixture (Mahalanobis on the observed values, |o| degrees of freedom).
            let (sub, values) = try marginalModel(model, row: row)
            var reference: [AssignmentDetail] = []
            try sub.assignmentDetails(for: values) { _, rows in reference += rows }
            #expect(details[i].component == reference[0].component && abs(details[i].logDensity - expected) <= 1e-10 * abs(expected))
            #expect(abs(details[i].mahalanobisSquared - reference[0].mahalanobisSquared) <= 1e-8 * max(1, reference[0].mahalanobisSquared))
            #expect(abs(details[i].tailProbability - reference[0].tailProbability) <= 1e-8)
            #expect(abs(details[i].entropy - reference[0].entropy) <= 1e-8)
            let o = row.indices.filter { !row[$0].isNaN }
            let weights: [Double]
            if o.count == row.count {
                weights = Array(try model.responsibilities(for: DataMatrix(rows: [row])).row(0))
            } else {
                weights = try ConditionalMap(model: model, given: o).weightsAndMeans(at: o.map { row[$0] }).weights
            }
            for k in 0..<3 { #expect(abs(resp[i, k] - weights[k]) <= 1e-10, "row \(i) component \(k)") }
            #expect(labels[i] == (0..<3).max { resp[i, $0] < resp[i, $1] }!)
        }
    }

    @Test("single imputation is the conditional mixture's mean; observed values are kept",
          arguments: [CovarianceKind.full, .tied, .diagonal])
    func conditionalMean(_ kind: CovarianceKind) throws {
        let model = try ExpectationMaximization.fit(missingTruth.sample(count: 300, seed: 8).samples,
                                                    options: FitOptions(componentCount: 3, covarianceKind: kind)).model
        let data = try removingCells(missingTruth.sample(count: 30, seed: 19).samples, rate: 0.4, seed: 2)
        let filled = try model.imputed(data)
        for i in 0..<data.sampleCount {
            let row = data.row(i)
            let o = row.indices.filter { !row[$0].isNaN }
            guard o.count < row.count else {
                #expect(filled.row(i) == row)
                continue
            }
            let map = try ConditionalMap(model: model, given: o)
            let (weights, means) = map.weightsAndMeans(at: o.map { row[$0] })
            for j in o { #expect(filled[i, j] == row[j]) }
            for (t, j) in map.targetFeatures.enumerated() {
                let expected = zip(weights, means).reduce(0.0) { $0 + $1.0 * $1.1[t] }
                #expect(abs(filled[i, j] - expected) <= 1e-10 * max(1, abs(expected)), "row \(i) feature \(j)")
            }
        }
    }

    @Test("imputation draws have the conditional mixture's mean and covariance")
    func drawMoments() throws {
        let model = missingTruth
        // Two rows with different gaps, one where the components compete.
        let data = try IncompleteDataMatrix(rows: [[1.5, .nan, .nan, 0.5], [.nan, 2.5, 0.0, .nan], [0, 1, 2, 3]])
        let count = 4000
        let draws = try model.imputationDraws(of: data, count: count, seed: 42)
        #expect(draws.count == count)
        #expect(draws.allSatisfy { $0.row(2) == [0, 1, 2, 3] && $0[0, 0] == 1.5 && $0[1, 2] == 0 })
        for i in 0..<2 {
            let row = data.row(i)
            let o = row.indices.filter { !row[$0].isNaN }
            let conditional = try model.conditional(given: Dictionary(uniqueKeysWithValues: o.map { ($0, row[$0]) }))
            let m = (0..<4).filter { row[$0].isNaN }
            // Mean and covariance of the conditional mixture.
            let mean = (0..<m.count).map { t in (0..<3).reduce(0.0) { $0 + conditional.weights[$1] * conditional.means[$1][t] } }
            var cov = [[Double]](repeating: [Double](repeating: 0, count: m.count), count: m.count)
            for k in 0..<3 {
                let c = conditional.covarianceMatrix(component: k)
                for a in 0..<m.count {
                    for b in 0..<m.count {
                        cov[a][b] += conditional.weights[k] * (c[a][b] + (conditional.means[k][a] - mean[a]) * (conditional.means[k][b] - mean[b]))
                    }
                }
            }
            let samples = draws.map { draw in m.map { draw[i, $0] } }
            let n = Double(count)
            for a in 0..<m.count {
                let sampleMean = samples.reduce(0.0) { $0 + $1[a] } / n
                #expect(abs(sampleMean - mean[a]) < 5 * (cov[a][a] / n).squareRoot(), "row \(i) mean \(a)")
                for b in 0..<m.count {
                    let sampleMeanB = samples.reduce(0.0) { $0 + $1[b] } / n
                    let sampleCov = samples.reduce(0.0) { $0 + ($1[a] - sampleMean) * ($1[b] - sampleMeanB) } / (n - 1)
                    // Standard error of a covariance estimate: about sqrt((σ_aa σ_bb + σ_ab²) / n) for a Gaussian;
                    // a mixture has heavier tails, so allow 6 of them.
                    let se = ((cov[a][a] * cov[b][b] + cov[a][b] * cov[a][b]) / n).squareRoot()
                    #expect(abs(sampleCov - cov[a][b]) < 6 * se, "row \(i) cov[\(a)][\(b)]: \(sampleCov) vs \(cov[a][b])")
                }
            }
        }
        // Same seed, same draws.
        #expect(try model.imputationDraws(of: data, count: 3, seed: 42) == Array(draws.prefix(3)))
    }

    // MARK: - Against the truth and two shortcuts

    /// Held-out mean log-likelihood of three fits on `n` rows with 20 % of cells removed.
    static func heldOutComparison(n: Int) throws -> (marginalised: Double, completeRows: Double, meanImputed: Double,
                                                     truth: Double, meanError: Double) {
        let full = missingTruth.sample(count: n, seed: UInt64(n)).samples
        let data = try removingCells(full, rate: 0.2, seed: UInt64(n) + 1)
        let test = missingTruth.sample(count: 5000, seed: 99).samples
        let options = FitOptions(componentCount: 3, seed: 0)
        let marginalised = try ExpectationMaximization.fit(data, options: options).model
        let completeRows = try ExpectationMaximization.fit(try #require(data.completeRows()), options: options).model
        let meanImputed = try ExpectationMaximization.fit(data.filled(), options: options).model
        // Parameter error: the worst mean distance after matching components by weight order.
        let fitted = marginalised.reordered(by: .weight)
        var meanError = 0.0
        for k in 0..<3 {
            let distance = zip(fitted.means[k], missingTruth.means[k]).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
            meanError = max(meanError, distance)
        }
        return (try marginalised.meanLogLikelihood(of: test), try completeRows.meanLogLikelihood(of: test),
                try meanImputed.meanLogLikelihood(of: test), try missingTruth.meanLogLikelihood(of: test), meanError)
    }

    @Test("on a known mixture with 20 % of cells missing, marginalising beats complete rows and mean imputation")
    func beatsBaselines() throws {
        let small = try Self.heldOutComparison(n: 400)
        let large = try Self.heldOutComparison(n: 2000)
        for (n, r) in [(400, small), (2000, large)] {
            print("missing-data EM, n = \(n), 20 % MCAR cells: held-out mean log-likelihood marginalised \(r.marginalised), "
                  + "complete rows \(r.completeRows), mean-imputed \(r.meanImputed), truth \(r.truth); "
                  + "worst mean error \(r.meanError)")
            #expect(r.marginalised > r.completeRows, "n = \(n)")
            #expect(r.marginalised > r.meanImputed, "n = \(n)")
            #expect(r.marginalised < r.truth + 0.01, "n = \(n): held-out fit cannot beat the truth by much")
        }
        // More data: closer to the truth.
        #expect(large.truth - large.marginalised < small.truth - small.marginalised)
        #expect(large.meanError < small.meanError)
        #expect(large.truth - large.marginalised < 0.02)
    }
}
