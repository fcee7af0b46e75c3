// JSONWriter: every finite double it writes reads back to the same bits
// (random bit patterns, subnormals, the extremes, negative zero), whole model
// files of every covariance kind round-trip to the bit, and the buffered
// writer produces exactly the text of the String-joining writer it replaced
// (list, matrix, full covariances, object, a nested checkpoint member), so
// files written before and after the change are byte-identical.

import Foundation
import Testing
@testable import GaussianMixtures

@Suite("JSON writer")
struct JSONWriterTests {
    // MARK: - The writer this one replaced, kept here as the format's reference

    /// The former JSONWriter, one `String` per number joined level by level.
    enum Legacy {
        static func list(_ xs: [Double]) -> String { "[" + xs.map(\.description).joined(separator: ", ") + "]" }
        static func matrix(_ rows: [[Double]], indent: String) -> String {
            if rows.isEmpty { return "[]" }
            return "[\n" + rows.map { indent + "  " + list($0) }.joined(separator: ",\n") + "\n" + indent + "]"
        }
        /// How `ModelFile.encode` wrote full covariances.
        static func fullCovariances(_ m: [[[Double]]]) -> String {
            "[\n" + m.map { "    " + matrix($0, indent: "    ") }.joined(separator: ",\n") + "\n  ]"
        }
        static func object(_ members: [(String, String)], indent: String = "") -> String {
            "{\n" + members.map { indent + "  " + JSONWriter.string($0.0) + ": " + $0.1 }.joined(separator: ",\n")
                + "\n" + indent + "}"
        }
        /// How checkpoints nested a finished restart's file.
        static func indenting(_ text: [UInt8], by indent: String) -> String {
            String(decoding: text, as: UTF8.self).replacingOccurrences(of: "\n", with: "\n" + indent)
        }
    }

    /// Finite doubles of every kind: random bit patterns (all exponents), subnormals,
    /// the extremes and their neighbours, both zeros, and values near powers of ten.
    static func awkwardDoubles(count: Int, seed: UInt64) -> [Double] {
        var generator = TestGenerator(state: seed)
        var values: [Double] = [
            0.0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude,
            Double.leastNormalMagnitude.nextDown, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            Double.greatestFiniteMagnitude.nextDown, 1, 1.0.nextUp, 1.0.nextDown, 0.1, 0.3, 1e23, 9007199254740992,
            2.2250738585072014e-308, 1e-5, 1e16, 123456789012345680, 1e21, 1e22, 0.30000000000000004,
        ]
        while values.count < count {
            let bits = generator.next()
            let x: Double
            switch bits % 4 {
            case 0: x = Double(bitPattern: generator.next())                               // any exponent
            case 1: x = Double(bitPattern: generator.next() & 0x800F_FFFF_FFFF_FFFF)       // subnormal or zero
            case 2: x = Double.random(in: -100..<100, using: &generator)                     // model-like, 17 digits
            default: x = pow(10, Double(Int((bits >> 8) % 600) - 300)) * (bits & 4 == 0 ? 1 : -1)  // near powers of ten
            }
            if x.isFinite { values.append(x) }
        }
        return values
    }

    private func numbers(_ value: JSONValue) -> [Double]? {
        guard case let .array(items) = value else { return nil }
        var out: [Double] = []
        for item in items {
            guard case let .number(x) = item else { return nil }
            out.append(x)
        }
        return out
    }

    // MARK: - Round trips

    @Test("every finite double written reads back to the same bits", arguments: [1 as UInt64, 2, 3])
    func numbersRoundTrip(_ seed: UInt64) throws {
        let values = Self.awkwardDoubles(count: 20_000, seed: seed)
        let text = JSONWriter.list(values)
        let back = try #require(numbers(try JSONParser.parse(Array(text.utf8))))
        #expect(back.count == values.count)
        let mismatches = zip(values, back).filter { $0.bitPattern != $1.bitPattern }
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(5))")
        // Each number is also written alone exactly as in a list.
        for x in values.prefix(500) { #expect(JSONWriter.number(x) == x.description) }
    }

    @Test("a model of any kind with awkward parameters survives encode and decode to the bit",
          arguments: CovarianceKind.scikitLearnKinds)   // mclust's ten: MclustModelsTests
    func modelRoundTrip(_ kind: CovarianceKind) throws {
        var generator = TestGenerator(state: 41)
        let d = 5, kCount = 4
        let awkward = Self.awkwardDoubles(count: 400, seed: 7).filter { abs($0) < 1e150 }
        var next = 0
        func anyDouble() -> Double {
            next += 1
            return awkward[next % awkward.count]
        }
        func positive() -> Double { Double.random(in: 0.5..<3, using: &generator) }
        func spd() -> [[Double]] {
            let a = (0..<d).map { _ in (0..<d).map { _ in Double.random(in: -1..<1, using: &generator) } }
            return (0..<d).map { r in (0..<d).map { c in (0..<d).reduce(r == c ? positive() : 0) { $0 + a[r][$1] * a[c][$1] } } }
        }
        let raw = (0..<kCount).map { _ in positive() }
        let weights = raw.map { $0 / raw.reduce(0, +) }
        let means = (0..<kCount).map { _ in (0..<d).map { _ in anyDouble() } }
        let covariances: CovarianceParameters = switch kind {
        case .full: .full((0..<kCount).map { _ in spd() })
        case .diagonal: .diagonal((0..<kCount).map { _ in (0..<d).map { _ in positive() } })
        case .spherical: .spherical((0..<kCount).map { _ in positive() })
        case .tied: .tied(spd())
        default: preconditionFailure("scikit-learn's four kinds only")
        }
        let model = try GaussianMixture(weights: weights, means: means, covariances: covariances,
                                        featureNames: ["a", "b \"quoted\"", "c\\d", "é", "tab\there"])
        let summary = FitSummary(hasConverged: false, iterationCount: 3, sampleCount: 10, meanLogLikelihood: -0.0,
                                 bic: .greatestFiniteMagnitude, aic: .leastNonzeroMagnitude,
                                 logLikelihoodTrace: Array(awkward.prefix(50)), totalWeight: .leastNonzeroMagnitude)
        let bytes = ModelFile.encode(model, summary: summary)
        let (back, backSummary) = try ModelFile.decode(bytes, path: "m.json")
        func bits(_ m: GaussianMixture) -> [UInt64] {
            let c = m.covariances.flattened
            return (m.weights + m.means.flatMap { $0 } + c).map(\.bitPattern)
        }
        #expect(bits(back) == bits(model))
        #expect(back.featureNames == model.featureNames)
        let s = try #require(backSummary)
        #expect(s.meanLogLikelihood.bitPattern == (-0.0).bitPattern)
        #expect(s.bic == .greatestFiniteMagnitude && s.aic == .leastNonzeroMagnitude && s.totalWeight == .leastNonzeroMagnitude)
        #expect(s.logLikelihoodTrace?.map(\.bitPattern) == summary.logLikelihoodTrace?.map(\.bitPattern))
        #expect(ModelFile.encode(back, summary: backSummary) == bytes)
    }

    // MARK: - Same text as before

    @Test("lists, matrices, objects and nesting are written exactly as the former writer wrote them")
    func sameTextAsBefore() {
        let values = Self.awkwardDoubles(count: 3_000, seed: 5)
        var at = 0
        func take(_ n: Int) -> [Double] {
            defer { at += n }
            return (0..<n).map { values[(at + $0) % values.count] }
        }
        for n in [0, 1, 2, 7] {
            let xs = take(n)
            #expect(JSONWriter.list(xs) == Legacy.list(xs))
        }
        for (rowCount, d) in [(0, 3), (1, 1), (3, 4), (6, 2)] {
            let rows = (0..<rowCount).map { _ in take(d) }
            for indent in ["", "  ", "    "] {
                #expect(JSONWriter.matrix(rows, indent: indent) == Legacy.matrix(rows, indent: indent))
            }
        }
        for (kCount, d) in [(1, 1), (3, 4)] {
            let blocks = (0..<kCount).map { _ in (0..<d).map { _ in take(d) } }
            #expect(JSONWriter.matrices(blocks, indent: "  ") == Legacy.fullCovariances(blocks))
        }
        let members = [("format", JSONWriter.string("gmm-model")), ("a \"b\"", JSONWriter.list(take(3))),
                       ("m", JSONWriter.matrix([take(2), take(2)], indent: "  ")), ("e", "[]")]
        #expect(JSONWriter.object(members) == Legacy.object(members))
        #expect(JSONWriter.object(members, indent: "    ") == Legacy.object(members, indent: "    "))
        #expect(JSONWriter.object([]) == Legacy.object([]))
        let document = Array((JSONWriter.object(members) + "\n").utf8)
        #expect(JSONWriter.indenting(document.dropLast(), by: "    ") == Legacy.indenting(Array(document.dropLast()), by: "    "))
    }
}
