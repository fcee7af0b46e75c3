import Testing
@testable import GaussianMixturesPlot

@Suite("Axis ticks")
struct TicksTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var low: Double, high: Double, lower: Double, upper: Double, step: Double
        var testDescription: String { "\(low)…\(high)" }
    }

    static let cases = [
        Case(low: 0, high: 10, lower: 0, upper: 10, step: 2),
        Case(low: 1.6, high: 5.1, lower: 1.5, upper: 5.5, step: 0.5),
        Case(low: 43, high: 96, lower: 40, upper: 100, step: 10),
        Case(low: -4.2, high: -3.1, lower: -4.2, upper: -3.0, step: 0.2),
        Case(low: 2314.99, high: 2800, lower: 2300, upper: 2800, step: 100),
        Case(low: 0.001, high: 0.0042, lower: 0.001, upper: 0.0045, step: 0.0005),
    ]

    @Test(arguments: cases)
    func niceRange(_ c: Case) {
        let ticks = AxisTicks(covering: c.low, c.high)
        #expect(abs(ticks.step - c.step) < 1e-12 * c.step)
        #expect(abs(ticks.lower - c.lower) < 1e-9 * c.step)
        #expect(abs(ticks.upper - c.upper) < 1e-9 * c.step)
    }

    @Test(arguments: cases)
    func ticksCoverTheDataAtEvenSteps(_ c: Case) {
        let ticks = AxisTicks(covering: c.low, c.high)
        #expect(ticks.lower <= c.low && ticks.upper >= c.high)
        #expect(ticks.values.first == ticks.lower && abs(ticks.values.last! - ticks.upper) < 1e-9 * ticks.step)
        #expect((3...12).contains(ticks.values.count))
        for (a, b) in zip(ticks.values, ticks.values.dropFirst()) { #expect(abs(b - a - ticks.step) < 1e-9 * ticks.step) }
        // The step is 1, 2 or 5 times a power of ten.
        let mantissa = ticks.step / pow10(ticks.step)
        #expect([1, 2, 5].contains { abs(mantissa - Double($0)) < 1e-9 })
    }

    @Test func labelsHaveJustEnoughDecimals() {
        let half = AxisTicks(covering: 1.6, 5.1)
        #expect(half.values.map(half.label) == ["1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5", "5.0", "5.5"])
        let tens = AxisTicks(covering: 43, 96)
        #expect(tens.values.map(tens.label) == ["40", "50", "60", "70", "80", "90", "100"])
        let fifths = AxisTicks(covering: -4.2, -3.1)
        #expect(fifths.label(fifths.values[0]) == "-4.2")
        #expect(AxisTicks(covering: -1, 1).label(0) == "0.0")
        #expect(AxisTicks(covering: -3, 7).label(-0.0) == "0")
        #expect(!AxisTicks(covering: -1e-9, 1e-9).values.map { AxisTicks(covering: -1e-9, 1e-9).label($0) }.contains("0.000"))
    }

    @Test func degenerateAndNonFiniteRanges() {
        let single = AxisTicks(covering: 5, 5)
        #expect(single.lower < 5 && single.upper > 5)
        let zero = AxisTicks(covering: 0, 0)
        #expect(zero.lower < 0 && zero.upper > 0)
        let broken = AxisTicks(covering: .nan, .infinity)
        #expect(broken.lower == 0 && broken.upper == 1)
    }

    private func pow10(_ x: Double) -> Double {
        var p = 1.0
        while p * 10 <= x * (1 + 1e-12) { p *= 10 }
        while p > x * (1 + 1e-12) { p /= 10 }
        return p
    }
}
