// What the mclust M-steps do with input they cannot use, and how the inner
// loop's control and warm start behave.

import Foundation
import Testing
@testable import GaussianMixtures

@Suite("mclust M-steps: bad input, inner control, warm start")
struct MclustMStepErrorTests {
    /// Iris under the fitted responsibilities of the msteps fixture: n_k and W_k.
    static func irisScatter() throws -> (scatter: WeightedScatter, d: Int) {
        let fixture = try MclustMStepFixture.load("iris")
        let data = try fixture.data()
        let z = try #require(fixture.cases.first { $0.z_kind == "fitted" }).z
        return (WeightedScatter(values: data.values, sampleCount: fixture.n, featureCount: fixture.d, z: z), fixture.d)
    }

    private func estimate(_ model: MclustModelName, _ scatter: [Double], _ counts: [Double], _ d: Int,
                          control: MclustInnerControl = .mclustDefault,
                          previous: MclustCovarianceEstimate? = nil) throws(CovarianceError) -> MclustCovarianceEstimate {
        try MclustMStep.estimate(model: model, scatter: scatter, softCounts: counts, featureCount: d,
                                 control: control, previous: previous)
    }

    @Test("scatters, counts or a previous estimate of the wrong size are refused", arguments: MclustModelName.allCases)
    func wrongShapes(model: MclustModelName) throws {
        let (s, d) = try Self.irisScatter()
        let scatter = s.scatter(for: model, featureCount: d)
        #expect(throws: CovarianceError.self) { try estimate(model, Array(scatter.dropLast()), s.softCounts, d) }
        #expect(throws: CovarianceError.self) { try estimate(model, scatter, Array(s.softCounts.dropLast()), d) }
        #expect(throws: CovarianceError.self) { try estimate(model, scatter, [], d) }
        let other: MclustModelName = model.isAxisAligned ? .VVV : .VVI
        let wrong = try estimate(other, s.scatter(for: other, featureCount: d), s.softCounts, d)
        do {
            _ = try estimate(model, scatter, s.softCounts, d, previous: wrong)
            Issue.record("\(model.rawValue) accepted a previous \(other.rawValue) estimate")
        } catch {
            guard case .wrongShape = error else { Issue.record("\(error)"); return }
        }
    }

    @Test("a non-finite scatter or count, or an empty component, is named", arguments: MclustModelName.allCases)
    func nonFiniteAndEmpty(model: MclustModelName) throws {
        let (s, d) = try Self.irisScatter()
        var scatter = s.scatter(for: model, featureCount: d)
        let blockSize = model.isAxisAligned ? d : d * d
        scatter[blockSize + 1] = .nan
        #expect(throws: CovarianceError.nonFinite(component: 1)) { try estimate(model, scatter, s.softCounts, d) }
        var counts = s.softCounts
        counts[2] = .infinity
        #expect(throws: CovarianceError.nonFinite(component: 2)) {
            try estimate(model, s.scatter(for: model, featureCount: d), counts, d)
        }
        counts[2] = 0
        #expect(throws: CovarianceError.notPositiveDefinite(component: 2)) {
            try estimate(model, s.scatter(for: model, featureCount: d), counts, d)
        }
    }

    @Test("a singular covariance throws, naming the component when it has its own")
    func singular() throws {
        let (s, d) = try Self.irisScatter()
        // Component 1's scatter of rank one: every model with its own shape or
        // orientation for component 1 cannot use it.
        var rankOne = s.full
        let v = (0..<d).map { Double($0 + 1) }
        for r in 0..<d { for c in 0..<d { rankOne[d * d + r * d + c] = v[r] * v[c] } }
        for model in [MclustModelName.VVV, .EVV, .EVE, .VVE] {
            #expect(throws: CovarianceError.notPositiveDefinite(component: 1), "\(model.rawValue)") {
                try estimate(model, rankOne, s.softCounts, d)
            }
        }
        // Feature 2 without spread in any component: the shared shape is singular.
        var flat = s.full
        for k in 0..<3 { for j in 0..<d { flat[k * d * d + 2 * d + j] = 0; flat[k * d * d + j * d + 2] = 0 } }
        for model in [MclustModelName.EEE, .EEV, .VEV, .VEE] {
            #expect(throws: CovarianceError.notPositiveDefinite(component: nil), "\(model.rawValue)") {
                try estimate(model, flat, s.softCounts, d)
            }
        }
        let flatDiagonal = (0..<3).flatMap { k in (0..<d).map { j in flat[k * d * d + j * d + j] } }
        for model in [MclustModelName.EEI, .VEI] {
            #expect(throws: CovarianceError.notPositiveDefinite(component: nil), "\(model.rawValue)") {
                try estimate(model, flatDiagonal, s.softCounts, d)
            }
        }
        // Only component 0 without spread in feature 2: its own shape is singular.
        var oneFlat = s.diagonal(featureCount: d)
        oneFlat[2] = 0
        for model in [MclustModelName.VVI, .EVI] {
            #expect(throws: CovarianceError.notPositiveDefinite(component: 0), "\(model.rawValue)") {
                try estimate(model, oneFlat, s.softCounts, d)
            }
        }
        // No spread at all in component 2: its volume is zero.
        var empty = s.diagonal(featureCount: d)
        for j in 0..<d { empty[2 * d + j] = 0 }
        #expect(throws: CovarianceError.notPositiveDefinite(component: 2)) { try estimate(.VII, empty, s.softCounts, d) }
    }

    @Test("the inner loop stops at maxIterations and reports its last change", arguments: MclustModelName.allCases.filter(\.isIterative))
    func iterationLimit(model: MclustModelName) throws {
        let (s, d) = try Self.irisScatter()
        let scatter = s.scatter(for: model, featureCount: d)
        let full = try estimate(model, scatter, s.softCounts, d)
        #expect(full.innerIterations > 1 && full.innerError <= MclustInnerControl.mclustDefault.tolerance)
        let one = try estimate(model, scatter, s.softCounts, d, control: MclustInnerControl(tolerance: 1e-8, maxIterations: 1))
        #expect(one.innerIterations == 1 && one.innerError > 1e-8)
        let loose = try estimate(model, scatter, s.softCounts, d, control: MclustInnerControl(tolerance: 1e-3, maxIterations: 1000))
        #expect(loose.innerIterations <= full.innerIterations && loose.innerError <= 1e-3)
    }

    @Test("closed-form models make no inner iterations and ignore the control",
          arguments: MclustModelName.allCases.filter { !$0.isIterative })
    func closedForm(model: MclustModelName) throws {
        let (s, d) = try Self.irisScatter()
        let scatter = s.scatter(for: model, featureCount: d)
        let a = try estimate(model, scatter, s.softCounts, d)
        let b = try estimate(model, scatter, s.softCounts, d, control: MclustInnerControl(tolerance: 1, maxIterations: 1), previous: a)
        #expect(a == b && a.innerIterations == 0 && a.innerError == 0)
    }

    @Test("warm start: from its own converged estimate an iterative M-step stops at once, at the same covariances",
          arguments: MclustModelName.allCases.filter(\.isIterative))
    func warmStartFromConverged(model: MclustModelName) throws {
        let (s, d) = try Self.irisScatter()
        let scatter = s.scatter(for: model, featureCount: d)
        let tight = MclustInnerControl(tolerance: 1e-14, maxIterations: 100_000)
        let cold = try estimate(model, scatter, s.softCounts, d, control: tight)
        let warm = try estimate(model, scatter, s.softCounts, d, control: tight, previous: cold)
        // The MM algorithms of EVE and VVE converge linearly, and near the optimum the objective moves by
        // the square of a step: an objective settled to 1e-14 leaves the orientation settled to about 1e-7.
        let tolerance = model == .EVE || model == .VVE ? 1e-6 : 1e-10
        for (a, b) in zip(warm.covariances, cold.covariances) { #expect(abs(a - b) <= tolerance * max(abs(b), 1e-3)) }
        if model == .VEE {
            // mclust restarts VEE's volumes at 1 in every EM iteration: a previous estimate changes nothing.
            #expect(warm == cold)
        } else {
            #expect(warm.innerIterations <= 3, "\(model.rawValue): \(warm.innerIterations) inner iterations from a converged start")
            #expect(warm.innerIterations < cold.innerIterations)
        }
    }

    @Test("a full scatter is symmetrised before use")
    func symmetrises() throws {
        let (s, d) = try Self.irisScatter()
        var skewed = s.full
        skewed[1] += 0.01
        skewed[d] -= 0.01
        for model in MclustModelName.allCases where !model.isAxisAligned {
            #expect(try estimate(model, skewed, s.softCounts, d) == estimate(model, s.full, s.softCounts, d), "\(model.rawValue)")
        }
    }
}

@Suite("mclust M-steps: edge sizes")
struct MclustMStepEdgeTests {
    @Test("one feature: every model is EII (E-volume) or VII (V-volume)", arguments: MclustModelName.allCases)
    func oneFeature(model: MclustModelName) throws {
        let counts = [3.0, 5.0, 2.0], scatter = [6.0, 2.5, 8.0]
        let e = try MclustMStep.estimate(model: model, scatter: scatter, softCounts: counts, featureCount: 1,
                                         control: .mclustDefault, previous: nil)
        let expected = model.volume == .variable ? [2.0, 0.5, 4.0] : [Double](repeating: 16.5 / 10, count: 3)
        for k in 0..<3 {
            #expect(abs(e.covariances[k] - expected[k]) <= 1e-12 * expected[k], "\(model.rawValue): Σ_\(k) = \(e.covariances[k])")
            #expect(e.shapes[k] == 1)
            if let o = e.orientations { #expect(o[k] == 1) }
        }
    }

    @Test("axis-aligned models accept variances of any ratio", arguments: MclustModelName.allCases.filter(\.isAxisAligned))
    func wideRatios(model: MclustModelName) throws {
        let scatter = [1e-13, 1e7, 2e-13, 3e7], counts = [1.0, 1.0]
        let e = try MclustMStep.estimate(model: model, scatter: scatter, softCounts: counts, featureCount: 2,
                                         control: .mclustDefault, previous: nil)
        #expect(e.covariances.allSatisfy { $0 > 0 && $0.isFinite })
    }

    @Test("one component: every full-type model is VVV, every axis-aligned one VVI or its spherical or equal-shape case",
          arguments: MclustModelName.allCases)
    func oneComponent(model: MclustModelName) throws {
        let (s, d) = try MclustMStepErrorTests.irisScatter()
        let w = Array(s.full[0..<(d * d)]), n = s.softCounts[0]
        let scatter = model.isAxisAligned ? (0..<d).map { w[$0 * d + $0] } : w
        // mclust's MM loop for EVE and VVE stops on its objective, which settles long before the
        // orientation does (the D = I start is far from W's axes): run it to 1e-14 here.
        let control = model == .EVE || model == .VVE ? MclustInnerControl(tolerance: 1e-14, maxIterations: 1_000_000)
                                                     : .mclustDefault
        let e = try MclustMStep.estimate(model: model, scatter: scatter, softCounts: [n], featureCount: d,
                                         control: control, previous: nil)
        if model.isAxisAligned {
            let spherical = model.shape == .identity
            let mean = (0..<d).reduce(0) { $0 + w[$1 * d + $1] } / Double(d) / n
            for j in 0..<d {
                let expected = spherical ? mean : w[j * d + j] / n
                #expect(abs(e.covariances[j] - expected) <= 1e-10 * expected, "\(model.rawValue)[\(j)]")
            }
        } else {
            for r in 0..<d {
                for c in 0..<d {
                    let scale = (w[r * d + r] * w[c * d + c]).squareRoot() / n
                    let tolerance = model.isIterative ? 1e-6 : 1e-10
                    #expect(abs(e.covariances[r * d + c] - w[r * d + c] / n) <= tolerance * scale,
                            "\(model.rawValue)[\(r),\(c)]: \(e.covariances[r * d + c]) against \(w[r * d + c] / n)")
                }
            }
        }
    }
}
