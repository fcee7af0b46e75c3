// DecimalScanner must give exactly strtod's bits for every token it accepts,
// on every route (Clinger's fast path, the exact 128-bit route, the strtod
// fallback). Inputs are seeded random doubles printed several ways, random
// digit strings with random exponents, and hand-picked edge cases.

import Foundation
import Testing
@testable import GaussianMixtures

@Suite("Decimal scanner")
struct DecimalScannerTests {
    /// The scanner's value for `text`, requiring it to consume the whole token.
    private func scanned(_ text: String, _ scanner: inout DecimalScanner) -> Double? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer -> Double? in
            let start = buffer.baseAddress!
            guard let (value, next) = scanner.scan(start, start + buffer.count), next == start + buffer.count else { return nil }
            return value
        }
    }

    private func expectSameAsStrtod(_ texts: [String]) {
        var scanner = DecimalScanner()
        var mismatches: [String] = []
        for text in texts {
            let expected = strtod(text, nil)
            let actual = scanned(text, &scanner)
            if actual?.bitPattern != expected.bitPattern { mismatches.append(text) }
        }
        let mismatchCount = mismatches.count
        #expect(mismatchCount == 0, "differs from strtod: \(mismatches.prefix(10))")
    }

    @Test func edgeCasesMatchStrtod() {
        expectSameAsStrtod([
            "0", "-0", "+0", "0.0", "-0.0", "0e0", "-0e-999", "1e5", ".5", "-.5", "5.", "+3", "-3", "1E5", "1e+5", "1e-5",
            "123456789012345", "1234567890123456", "12345678901234567", "123456789012345678", "1234567890123456789",
            "12345678901234567890", "9007199254740993", "9007199254740992.5", "18446744073709551615", "18446744073709551616",
            "0.1", "0.2", "0.3", "0.30000000000000004", "2.2250738585072014e-308", "2.2250738585072011e-308",
            "4.9406564584124654e-324", "5e-324", "2e-324", "3e-324", "1e-400", "1.7976931348623157e308",
            "1.7976931348623158e308", "1.7976931348623159e308", "1e308", "1e309", "1e22", "1e23", "1e27", "1e28",
            "9.999999999999999e22", "8.589973e9", "0.000123", "000000123.4500000", "1.00000000000000000000000001",
            "3.14159265358979323846264338327950288", "100000000000000000000000", "0.0000000000000000000000001",
            "7.450580596923828125e-9", "1.5e-27", "1.5e27", "4.5e-28", "99999999999999999e-27", "1e-27", "1e-28",
        ])
    }

    @Test func randomDoublesPrintedSeveralWaysMatchStrtod() {
        var generator = TestGenerator(state: 42)
        var texts: [String] = []
        for n in 0..<6_000 {
            // Any finite double, subnormals included, and values on a human scale.
            var x = Double(bitPattern: generator.next())
            if !x.isFinite { x = 1.5 }
            let y = Double.random(in: -1000..<1000, using: &generator)
            let z = y * pow(10, Double(Int.random(in: -30...30, using: &generator)))
            let v = [x, y, z][n % 3]
            texts.append(v.description)
            texts.append(cFormat("%.17g", v))
            texts.append(cFormat("%.15g", v))
            texts.append(cFormat("%.6f", y))
            texts.append(cFormat("%.3e", v))
        }
        expectSameAsStrtod(texts)
    }

    @Test func randomDigitStringsMatchStrtod() {
        var generator = TestGenerator(state: 7)
        var texts: [String] = []
        for _ in 0..<20_000 {
            let digitCount = Int.random(in: 1...25, using: &generator)
            var digits = (0..<digitCount).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) }
            if Bool.random(using: &generator) {
                digits.insert(".", at: Int.random(in: 0...digitCount, using: &generator))
            }
            var text = String(digits)
            if text == "." { text = "0" }
            let exponent = Bool.random(using: &generator) ? Int.random(in: -30...30, using: &generator)
                                                           : Int.random(in: -345...330, using: &generator)
            text += "e\(exponent)"
            if Bool.random(using: &generator) { text = "-" + text }
            texts.append(text)
        }
        expectSameAsStrtod(texts)
    }

    #if arch(x86_64)
    /// The hard cases for rounding: decimals just below, at or just above the
    /// midpoint between two adjacent doubles. The midpoint is exact in `Float80`,
    /// and glibc prints it exactly rounded to 16–19 significant digits.
    @Test func nearHalfwayValuesMatchStrtod() {
        var generator = TestGenerator(state: 99)
        var texts: [String] = []
        for _ in 0..<4_000 {
            let x = Double.random(in: 1..<10, using: &generator) * pow(10, Double(Int.random(in: -8...40, using: &generator)))
            let midpoint = Float80(x) + (Float80(x.nextUp) - Float80(x)) / 2
            for digits in 15...18 {
                var buffer = [CChar](repeating: 0, count: 64)
                _ = buffer.withUnsafeMutableBufferPointer { out in
                    withVaList([midpoint]) { vsnprintf(out.baseAddress, 64, "%.\(digits)Le", $0) }
                }
                texts.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        // Exact midpoints that are integers: 2^53 + odd, times powers of two.
        for odd in stride(from: 1, to: 40, by: 2) {
            for shift in 0...10 {
                let n = (UInt64(1) << 53 + UInt64(odd)) << UInt64(shift)
                texts.append(String(n))
                texts.append(String(n - 1))
                texts.append(String(n + 1))
            }
        }
        expectSameAsStrtod(texts)
    }
    #endif

    @Test(arguments: ["", ".", "-", "+", "e5", ".e5", "abc", "nan", "inf", "-infinity", "0x1p3"])
    func rejectsNonNumbers(_ text: String) {
        var scanner = DecimalScanner()
        #expect(scanned(text, &scanner) == nil)
    }

    @Test func stopsBeforeAnIncompleteExponent() {
        var scanner = DecimalScanner()
        let bytes = Array("1e+,".utf8)
        bytes.withUnsafeBufferPointer { buffer in
            let start = buffer.baseAddress!
            let result = scanner.scan(start, start + buffer.count)
            #expect(result?.value == 1)
            #expect(result.map { $0.next - start } == 1)
        }
    }
}
