/// `count` values uniform on [0, 1) from a linear congruential generator: reproducible test
/// inputs for the kernel tests, independent of GSL's generators.
func uniforms(_ count: Int, seed: UInt64) -> [Double] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
}
