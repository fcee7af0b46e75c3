import Foundation
import Testing
@testable import GaussianMixtures

/// mclust 6.0.0's choices, written by Tests/Fixtures/mclust/generate.R.
struct MclustReference: Decodable {
    struct Choice: Decodable {
        let family: String
        let components: Int
    }
    let best_bic: Choice
    let best_icl: Choice

    static func load(_ name: String) throws -> MclustReference {
        try JSONDecoder().decode(MclustReference.self, from: Data(contentsOf: repositoryRoot.appendingPathComponent("Tests/Fixtures/mclust/\(name).json")))
    }
}

@Suite("Model selection")
struct ModelSearchTests {
    @Test("BIC and ICL pick what mclust picks (VVV, VVI, VII, EEE; K = 1…8)", arguments: ["old-faithful", "iris"])
    func agreesWithMclust(_ name: String) throws {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/\(name).csv").path)
        let reference = try MclustReference.load(name)
        let search = ModelSearch.run(data, componentCounts: Array(1...8), kinds: CovarianceKind.scikitLearnKinds,
                                     options: FitOptions(initializationCount: 5), criterion: .bic)
        for (criterion, choice) in [(SelectionCriterion.bic, reference.best_bic), (.icl, reference.best_icl)] {
            let table = search.ranked(by: criterion)
            let best = try #require(table.best)
            #expect(best.covarianceKind.rawValue == choice.family && best.componentCount == choice.components,
                    "\(criterion): ours \(best.covarianceKind.rawValue) K=\(best.componentCount), mclust \(choice.family) K=\(choice.components)")
            #expect(table.rows.count == 32)
        }
    }

    @Test("the table is sorted by the criterion and its numbers are consistent")
    func table() throws {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/iris.csv").path)
        let table = ModelSearch.run(data, componentCounts: [1, 2, 3], kinds: [.full, .diagonal], options: FitOptions(), criterion: .aic)
        let values = table.rows.compactMap(\.aic)
        #expect(values == values.sorted())
        for row in table.rows {
            let fit = try #require(row.fit)
            #expect(abs(row.logLikelihood! - fit.report.meanLogLikelihood * 150) < 1e-9)
            #expect(abs(row.bic! - (-2 * row.logLikelihood! + Double(row.parameterCount) * log(150))) < 1e-9)
            #expect(row.icl! >= row.bic! - 1e-9)  // ICL adds a non-negative entropy term
        }
    }

    @Test("a candidate that cannot be fitted is a row with its reason, not a failure of the search")
    func failedCandidate() throws {
        let rows = (0..<12).map { i -> [Double] in [[0, 0], [1, 1], [2, 0]][i % 3] }
        let data = try DataMatrix(rows: rows)
        let table = ModelSearch.run(data, componentCounts: [1, 4], kinds: [.full],
                                    options: FitOptions(initialization: .randomResponsibilities, tolerance: 0, covarianceRegularization: 0),
                                    criterion: .bic)
        #expect(table.rows.count == 2)
        #expect(table.best?.componentCount == 1)
        #expect(table.rows.last?.failure?.contains("collapsed") == true)
    }

    @Test("the search is the same whatever the concurrency")
    func deterministic() throws {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/old-faithful.csv").path)
        let a = ModelSearch.run(data, componentCounts: [1, 2, 3], kinds: CovarianceKind.allCases, options: FitOptions(), criterion: .bic, concurrency: 1)
        let b = ModelSearch.run(data, componentCounts: [1, 2, 3], kinds: CovarianceKind.allCases, options: FitOptions(), criterion: .bic, concurrency: 2)
        #expect(a.rows.map(\.bic) == b.rows.map(\.bic))
        #expect(a.rows.map { $0.fit!.model } == b.rows.map { $0.fit!.model })
    }
}

@Suite("Latent assignments")
struct AssignmentDetailTests {
    let faithful: DataMatrix = try! DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/old-faithful.csv").path)

    @Test("details agree with responsibilities, densities and the chi-square tail")
    func details() throws {
        let model = try ExpectationMaximization.fit(faithful, options: FitOptions(componentCount: 2)).model
        let details = try model.assignmentDetails(for: faithful)
        let resp = try model.responsibilities(for: faithful)
        let density = try model.logDensities(of: faithful)
        let labels = try model.labels(for: faithful)
        for i in 0..<faithful.sampleCount {
            let d = details[i]
            #expect(d.component == labels[i])
            #expect(abs(d.probability - resp[i, d.component]) < 1e-12)
            #expect(abs(d.logDensity - density[i]) <= 1e-12 * abs(density[i]))
            let entropy = resp.row(i).filter { $0 > 0 }.reduce(0) { $0 - $1 * log($1) }
            #expect(abs(d.entropy - entropy) < 1e-12)
            // In 2-D, P(χ²₂ > q) = exp(−q/2).
            #expect(abs(d.tailProbability - exp(-d.mahalanobisSquared / 2)) < 1e-12)
            let cov = model.covarianceMatrix(component: d.component)
            let x = faithful.row(i), mu = model.means[d.component]
            let det = cov[0][0] * cov[1][1] - cov[0][1] * cov[1][0]
            let (a, b) = (x[0] - mu[0], x[1] - mu[1])
            let q = (cov[1][1] * a * a - 2 * cov[0][1] * a * b + cov[0][0] * b * b) / det
            #expect(abs(d.mahalanobisSquared - q) <= 1e-9 * max(q, 1))
        }
    }

    @Test("log P(c|x) stays finite for a row far from every component")
    func farRow() throws {
        let model = try ExpectationMaximization.fit(faithful, options: FitOptions(componentCount: 2)).model
        let far = try DataMatrix(rows: [[100, 1000]])
        let detail = try model.assignmentDetails(for: far)[0]
        #expect(detail.logProbability.isFinite && detail.logDensity.isFinite)
        #expect(detail.tailProbability < 1e-100)
    }

    @Test("canonical orders", arguments: ComponentOrder.allCases)
    func ordering(_ order: ComponentOrder) throws {
        let model = try ExpectationMaximization.fit(faithful, options: FitOptions(componentCount: 3, seed: 2)).model
        let sorted = model.reordered(by: order)
        switch order {
        case .weight: #expect(sorted.weights == sorted.weights.sorted(by: >))
        case .mean: #expect(sorted.means.map { $0[0] } == sorted.means.map { $0[0] }.sorted())
        }
        #expect(try sorted.logDensities(of: faithful) == model.logDensities(of: faithful))
    }
}

@Suite("Model selection: variational candidates")
struct VariationalSelectionTests {
    @Test("ranked by the evidence bound: too few components rank below enough, every family fits")
    func ranksByEvidence() throws {
        let data = try separatedData(seed: 21, count: 300, featureCount: 2)
        let table = ModelSearch.runVariational(
            data, componentCounts: [1, 2, 3, 6], kinds: CovarianceKind.scikitLearnKinds,
            options: VariationalFitOptions(fit: FitOptions(maxIterations: 300)))
        #expect(table.criterion == .elbo)
        #expect(table.rows.count == 16 && table.rows.allSatisfy(\.succeeded))
        let bounds = table.rows.compactMap(\.evidenceLowerBound)
        #expect(bounds == bounds.sorted(by: >), "highest bound first")
        let best = try #require(table.best)
        #expect(best.componentCount >= 3)
        #expect(best.variationalFit?.posterior.effectiveComponents().count == 3)
        // For each family, K = 3 beats K = 1 and K = 2: the data have three components.
        for kind in CovarianceKind.scikitLearnKinds {
            func bound(_ k: Int) -> Double {
                table.rows.first { $0.covarianceKind == kind && $0.componentCount == k }!.evidenceLowerBound!
            }
            #expect(bound(3) > bound(2) && bound(2) > bound(1), "\(kind.rawValue)")
        }
        // Each row's bound is that candidate's own fit's.
        for row in table.rows {
            let fit = try #require(row.variationalFit)
            #expect(row.evidenceLowerBound == fit.posterior.evidenceLowerBound(
                lowerBound: fit.report.lowerBound, totalWeight: Double(data.sampleCount)))
        }
    }

    @Test("EM criteria do not rank variational rows and the ELBO does not rank EM rows")
    func criteriaBelongToTheirMethod() throws {
        let data = try separatedData(seed: 4, count: 120, featureCount: 2)
        let em = ModelSearch.run(data, componentCounts: [1, 2], kinds: [.full], options: FitOptions(), criterion: .bic)
        #expect(em.ranked(by: .elbo).best == nil)
        let vb = ModelSearch.runVariational(data, componentCounts: [1, 2], kinds: [.full],
                                            options: VariationalFitOptions(fit: FitOptions()))
        #expect(vb.ranked(by: .bic).best == nil && vb.best != nil)
    }
}
