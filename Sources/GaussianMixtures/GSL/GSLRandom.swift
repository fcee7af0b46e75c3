// Seeded random numbers from GSL's Mersenne Twister (`gsl_rng_mt19937`).
//
// One generator per stream of work; a generator is not shared between
// threads. Same seed, same sequence, on every machine.
internal import CGSL

final class GSLRandom {
    private let rng: UnsafeMutablePointer<gsl_rng>

    /// A Mersenne Twister seeded with `seed` (GSL maps seed 0 to its default 4357).
    init(seed: UInt64) {
        _ = GSLRuntime.ready
        guard let r = gsl_rng_alloc(cgsl_rng_mt19937()) else { fatalError("gsl_rng_alloc: out of memory") }
        rng = r
        gsl_rng_set(r, UInt(truncatingIfNeeded: seed))
    }

    deinit { gsl_rng_free(rng) }

    /// Uniform on [0, 1).
    func uniform() -> Double { gsl_rng_uniform(rng) }

    /// Uniform on (0, 1): never exactly 0.
    func uniformPositive() -> Double { gsl_rng_uniform_pos(rng) }

    /// Uniform integer in 0..<n.
    func integer(below n: Int) -> Int {
        precondition(n > 0 && UInt64(n) <= UInt64(UInt32.max), "range out of gsl_rng_uniform_int's reach")
        return Int(gsl_rng_uniform_int(rng, UInt(n)))
    }

    /// Fills `buffer` with independent standard normal draws (Marsaglia–Tsang ziggurat).
    func fillStandardNormal(_ buffer: UnsafeMutableBufferPointer<Double>) {
        for idx in buffer.indices { buffer[idx] = gsl_ran_gaussian_ziggurat(rng, 1.0) }
    }

    /// Counts of `trials` draws from a categorical distribution with `probabilities`.
    func multinomial(trials: Int, probabilities: [Double]) -> [Int] {
        var counts = [UInt32](repeating: 0, count: probabilities.count)
        gsl_ran_multinomial(rng, probabilities.count, UInt32(trials), probabilities, &counts)
        return counts.map(Int.init)
    }

    /// A uniformly random permutation of `values` (Fisher–Yates, `gsl_ran_shuffle`).
    func shuffle(_ values: inout [Int]) {
        // gsl_ran_shuffle counts down from n − 1 in a size_t: n = 0 would wrap around.
        guard values.count > 1 else { return }
        values.withUnsafeMutableBufferPointer { p in
            gsl_ran_shuffle(rng, p.baseAddress, p.count, MemoryLayout<Int>.stride)
        }
    }

    /// `count` distinct indices from 0..<n, in random order.
    func sampleWithoutReplacement(count: Int, from n: Int) -> [Int] {
        precondition(count <= n, "cannot draw more than n distinct indices")
        var chosen = [Int](repeating: 0, count: count)
        var all = Array(0..<n)
        all.withUnsafeMutableBufferPointer { src in
            chosen.withUnsafeMutableBufferPointer { dst in
                _ = gsl_ran_choose(rng, dst.baseAddress, count, src.baseAddress, n, MemoryLayout<Int>.stride)
            }
        }
        shuffle(&chosen)
        return chosen
    }
}
