import Foundation
import Testing
@testable import GaussianMixtures

// Every kernel on every variant this CPU runs, against plain Swift. The exp,
// log1p, row-normalisation, forward-substitution and moment kernels are checked
// the same way in EM/KernelTests.swift; these are the rest. Where the header
// specifies the order of a sum (each over the rows in order), the result is
// compared to the bit: with a fused multiply-add or without one (variants
// differ in that, and only in that), so each value must equal one of the two
// chains a plain loop gives.

@Suite("Kernel variants")
struct KernelVariantTests {
    /// The kernel variants this CPU runs, by raw value.
    static let levels = supportedKernelLevels.map(\.rawValue)

    /// Responsibilities as a fitted mixture has them: a few sizeable, the rest tiny, subnormal or 0.
    func separated(rows n: Int, componentCount kCount: Int, seed: UInt64) -> [Double] {
        let u = uniforms(n * kCount, seed: seed)
        return (0..<(n * kCount)).map { i in
            let r = i / kCount, k = i % kCount
            if k == r % kCount || k == (r * 7 + 3) % kCount { return 0.2 + u[i] }
            if i % 11 == 0 { return 0 }
            if i % 13 == 0 { return Double.leastNormalMagnitude / 1024 * (1 + u[i]) }
            return 1e-25 * u[i]
        }
    }

    /// a·b + c rounded once (fused) or twice.
    func multiplyAdd(_ a: Double, _ b: Double, _ c: Double, fused: Bool) -> Double {
        fused ? c.addingProduct(a, b) : a * b + c
    }

    /// The M-step's test: w is kept when nonzero and w ≥ t or w ≥ t'·(1/s).
    func isKept(_ w: Double, threshold: Double, spreadThreshold: Double, spread: Double) -> Bool {
        w != 0 && (w >= threshold || w >= spreadThreshold * (1 / spread))
    }

    @Test("subtractRows is exact; halfSquaredNorms within a few ulp, into every stride-th value", arguments: levels)
    func centreAndNorm(_ raw: UInt32) {
        let level = KernelLevel(rawValue: raw)
        for d in [1, 3, 4, 5, 8, 13] {
            let rows = 37
            let x = uniforms(rows * d, seed: UInt64(d)).map { 1000 + 8 * ($0 - 0.5) }
            let mean = uniforms(d, seed: 99).map { 1000 + $0 }
            var z = [Double](repeating: .nan, count: rows * d)
            subtractRows(block: x, rows: rows, featureCount: d, mean: mean, into: &z, level: level)
            #expect(z == (0..<(rows * d)).map { x[$0] - mean[$0 % d] }, "d = \(d)")

            let stride = 3, constant = -2.5
            var out = [Double](repeating: .nan, count: rows * stride)
            halfSquaredNorms(z, rows: rows, featureCount: d, constant: constant, into: &out, stride: stride, level: level)
            for r in 0..<rows {
                var sum = 0.0
                for j in 0..<d { sum += z[r * d + j] * z[r * d + j] }
                let expected = constant - 0.5 * sum
                // Any order of the sum of d squares: a relative error of d·ε in it.
                #expect(abs(out[r * stride] - expected) <= Double(d) * 0x1p-52 * (0.5 * sum) + 2 * expected.ulp,
                        "d = \(d), row \(r): \(out[r * stride]) vs \(expected)")
                #expect(out[r * stride + 1].isNaN && out[r * stride + 2].isNaN, "only every \(stride)rd value is written")
            }
        }
    }

    @Test("rowSpreads is exact: max(1, max_j (x_j − c_j)²)", arguments: levels)
    func spreads(_ raw: UInt32) {
        let level = KernelLevel(rawValue: raw)
        for d in [1, 2, 4, 5, 9, 19] {
            let rows = 41
            // Rows within 1 of the centre (spread 1) and rows far from it.
            let x: [Double] = uniforms(rows * d, seed: 7 + UInt64(d)).enumerated().map { (i: Int, u: Double) -> Double in
                (i / d) % 3 == 0 ? 10 + 0.5 * u : 10 + 100 * (u - 0.5)
            }
            let centre = uniforms(d, seed: 3).map { 10 + 0.1 * $0 }
            var spreads = [Double](repeating: .nan, count: rows)
            rowSpreads(block: x, rows: rows, featureCount: d, centre: centre, into: &spreads, level: level)
            let expected = (0..<rows).map { r in
                (0..<d).reduce(1.0) { m, j in max(m, (x[r * d + j] - centre[j]) * (x[r * d + j] - centre[j])) }
            }
            #expect(spreads == expected, "d = \(d)")
            #expect(spreads.contains(1) && spreads.contains { $0 > 1 })
        }
    }

    @Test("sumColumns sums every column in row order, to the bit", arguments: levels)
    func columns(_ raw: UInt32) {
        let level = KernelLevel(rawValue: raw)
        for kCount in [1, 3, 4, 5, 9, 16] {
            let rows = 53
            let resp = separated(rows: rows, componentCount: kCount, seed: UInt64(kCount))
            let spreads = uniforms(rows, seed: 5).map { (u: Double) -> Double in 1 + 1e6 * u * u }
            var sums = [Double](repeating: .nan, count: 2 * kCount)
            sumColumns(responsibilities: resp, rows: rows, componentCount: kCount, spreads: spreads, into: &sums,
                       level: level)
            for k in 0..<kCount {
                var plain = 0.0, fused = 0.0, unfused = 0.0
                for r in 0..<rows {
                    let w = resp[r * kCount + k]
                    plain += w
                    fused = multiplyAdd(w, spreads[r], fused, fused: true)
                    unfused = multiplyAdd(w, spreads[r], unfused, fused: false)
                }
                #expect(sums[k] == plain, "K = \(kCount), k = \(k)")
                #expect(sums[kCount + k] == fused || sums[kCount + k] == unfused,
                        "K = \(kCount), k = \(k): \(sums[kCount + k]) vs \(fused) / \(unfused)")
            }
        }
    }

    /// Thresholds that keep some of `resp`'s tiny values and leave out others.
    func thresholds(componentCount kCount: Int) -> [Double] {
        let plain: [Double] = (0..<kCount).map { k in 1e-20 * Double(1 + k % 3) }
        let spread: [Double] = (0..<kCount).map { k in 1e-18 * Double(1 + k % 2) }
        return plain + spread
    }

    @Test("countKept counts and marks exactly the kept responsibilities, mask words included", arguments: levels)
    func kept(_ raw: UInt32) {
        let level = KernelLevel(rawValue: raw)
        for kCount in [1, 3, 4, 5, 63, 64, 67, 130] {
            let rows = 29
            let resp = separated(rows: rows, componentCount: kCount, seed: 11 + UInt64(kCount))
            let spreads = uniforms(rows, seed: 13).map { (u: Double) -> Double in 1 + 1e9 * u * u * u }
            let t = thresholds(componentCount: kCount)
            let words = maskWordCount(componentCount: kCount)
            #expect(words == (kCount + 63) / 64)
            var perComponent = [Int](repeating: -1, count: kCount)
            var masks = [UInt64](repeating: .max, count: rows * words)
            let total = countKept(responsibilities: resp, rows: rows, componentCount: kCount, spreads: spreads,
                                  thresholds: t, perComponent: &perComponent, masks: &masks, level: level)
            var expectedCounts = [Int](repeating: 0, count: kCount)
            var expectedMasks = [UInt64](repeating: 0, count: rows * words)
            for r in 0..<rows {
                for k in 0..<kCount where isKept(resp[r * kCount + k], threshold: t[k], spreadThreshold: t[kCount + k],
                                                 spread: spreads[r]) {
                    expectedCounts[k] += 1
                    expectedMasks[r * words + k / 64] |= 1 << UInt64(k % 64)
                }
            }
            #expect(perComponent == expectedCounts, "K = \(kCount)")
            #expect(masks == expectedMasks, "K = \(kCount)")
            #expect(total == expectedCounts.reduce(0, +))
            let all = rows * kCount
            #expect(total > 0 && (total < all || kCount == 1))
        }
    }

    @Test("sparseMoments sums the kept pairs of each component in row order, to the bit, around one centre or one per component",
          arguments: levels)
    func sparse(_ raw: UInt32) {
        let level = KernelLevel(rawValue: raw)
        for (d, kCount, ownCentres) in [(1, 3, false), (4, 5, false), (5, 4, true), (16, 7, false), (16, 7, true),
                                          (19, 67, false), (19, 67, true)] {
            let rows = 31
            let x = uniforms(rows * d, seed: 17 + UInt64(d)).map { 50 + 20 * ($0 - 0.5) }
            let centre = uniforms(d, seed: 19).map { 50 + $0 }
            // Around each component's own centre (centreStride d), or the shared one (stride 0).
            let centres = ownCentres ? uniforms(kCount * d, seed: 20).map { 50 + 4 * $0 } : centre
            let stride = ownCentres ? d : 0
            let resp = separated(rows: rows, componentCount: kCount, seed: 23 + UInt64(kCount))
            let spreads = (0..<rows).map { r in
                (0..<d).reduce(1.0) { m, j in max(m, (x[r * d + j] - centre[j]) * (x[r * d + j] - centre[j])) }
            }
            let t = thresholds(componentCount: kCount)
            let words = maskWordCount(componentCount: kCount)
            var perComponent = [Int](repeating: 0, count: kCount)
            var masks = [UInt64](repeating: 0, count: rows * words)
            let kept = countKept(responsibilities: resp, rows: rows, componentCount: kCount, spreads: spreads,
                                 thresholds: t, perComponent: &perComponent, masks: &masks, level: level)
            // Start from nonzero sums: the kernel adds to them.
            let startProducts = uniforms(kCount * 2 * d, seed: 29), startCounts = uniforms(kCount, seed: 31)
            var products = startProducts, counts = startCounts
            var positions = [Int](repeating: 0, count: kCount)
            var keptRows = [Int32](repeating: 0, count: max(kept, 1))
            var keptWeights = [Double](repeating: 0, count: max(kept, 1))
            sparseMoments(block: x, rows: rows, featureCount: d, centres: centres, centreStride: stride,
                          responsibilities: resp,
                          componentCount: kCount, masks: masks, perComponent: perComponent, products: &products,
                          counts: &counts, positions: &positions, keptRows: &keptRows, keptWeights: &keptWeights,
                          level: level)
            for k in 0..<kCount {
                var count = startCounts[k]
                var chains = [true, false].map { _ in Array(startProducts[(k * 2 * d)..<((k + 1) * 2 * d)]) }
                for r in 0..<rows where isKept(resp[r * kCount + k], threshold: t[k], spreadThreshold: t[kCount + k],
                                               spread: spreads[r]) {
                    let w = resp[r * kCount + k]
                    count += w
                    for (c, fused) in [true, false].enumerated() {
                        for j in 0..<d {
                            let v = x[r * d + j] - centres[k * stride + j]
                            chains[c][j] = multiplyAdd(v * v, w, chains[c][j], fused: fused)
                            chains[c][d + j] = multiplyAdd(v, w, chains[c][d + j], fused: fused)
                        }
                    }
                }
                #expect(counts[k] == count, "d = \(d), K = \(kCount), k = \(k)")
                for j in 0..<(2 * d) {
                    let got = products[k * 2 * d + j]
                    #expect(got == chains[0][j] || got == chains[1][j], "d = \(d), K = \(kCount), k = \(k), j = \(j)")
                }
            }
        }
    }

    @Test("scaledDeviations: the kept rows' √w (x − s) in order, their weights and weighted sums, to the bit",
          arguments: levels)
    func deviations(_ raw: UInt32) {
        let level = KernelLevel(rawValue: raw)
        for d in [1, 3, 4, 5, 9, 17] {
            let rows = 43, kCount = 3, k = 1
            let x = uniforms(rows * d, seed: 37 + UInt64(d)).map { 1000 + 10 * ($0 - 0.5) }
            let shift = uniforms(d, seed: 41).map { 1000 + $0 }
            let resp = separated(rows: rows, componentCount: kCount, seed: 43)
            let spreads = uniforms(rows, seed: 47).map { (u: Double) -> Double in 1 + 1e9 * u * u * u }
            let threshold = 1e-20, spreadThreshold = 1e-17
            let startSums = uniforms(d, seed: 53)
            var sums = startSums, total = 0.25
            var out = [Double](repeating: .nan, count: rows * d)
            let written = resp.withUnsafeBufferPointer { w in
                scaledDeviations(block: x, rows: rows, featureCount: d, shift: shift, weights: w.baseAddress! + k,
                                 weightStride: kCount, spreads: spreads, threshold: threshold,
                                 spreadThreshold: spreadThreshold, into: &out, sums: &sums, total: &total, level: level)
            }
            var expectedTotal = 0.25, expectedRows: [Double] = []
            var chains = [startSums, startSums]
            for r in 0..<rows {
                let w = resp[r * kCount + k]
                guard isKept(w, threshold: threshold, spreadThreshold: spreadThreshold, spread: spreads[r]) else { continue }
                expectedTotal += w
                for j in 0..<d {
                    let v = x[r * d + j] - shift[j]
                    expectedRows.append(w.squareRoot() * v)
                    chains[0][j] = multiplyAdd(v, w, chains[0][j], fused: true)
                    chains[1][j] = multiplyAdd(v, w, chains[1][j], fused: false)
                }
            }
            #expect(written * d == expectedRows.count && written > 0 && written < rows, "d = \(d)")
            #expect(Array(out[0..<(written * d)]) == expectedRows, "d = \(d)")
            #expect(total == expectedTotal, "d = \(d)")
            for j in 0..<d { #expect(sums[j] == chains[0][j] || sums[j] == chains[1][j], "d = \(d), j = \(j)") }
        }
    }
}
