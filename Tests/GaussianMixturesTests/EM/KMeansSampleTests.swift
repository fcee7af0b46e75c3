import Foundation
import Testing
@testable import GaussianMixtures

@Suite("k-means start from a sample (large data)")
struct KMeansSampleTests {
    @Test("the sample is whole distinct granules in file order; sampled seeds map back to the same rows")
    func sampleAndSeeds() throws {
        let (data, _) = try syntheticData(seed: 8, count: 40_000)
        let (rows, _, ranges) = KMeans.sample(of: data, weights: nil, random: GSLRandom(seed: 1))
        #expect(rows.sampleCount == min(40_000, KMeans.sampleRows))
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound <= $1.lowerBound })
        #expect(ranges.allSatisfy { $0.lowerBound % KMeans.sampleGranule == 0 })
        let seeds = KMeans.sampledPlusPlusSeeds(of: data, weights: nil, clusterCount: 5, random: GSLRandom(seed: 2))
        #expect(Set(seeds).count == 5 && seeds.allSatisfy { $0 >= 0 && $0 < data.sampleCount })
        // The same draws on the sample itself give sample positions of the same rows.
        let again = KMeans.sample(of: data, weights: nil, random: GSLRandom(seed: 2))
        let local = KMeans.plusPlusSeeds(of: again.rows, weights: nil, clusterCount: 5, random: {
            let random = GSLRandom(seed: 2)
            _ = KMeans.sample(of: data, weights: nil, random: random)
            return random
        }())
        #expect(local.map { again.rows.row($0) } == seeds.map { data.row($0) })
    }

    @Test("every row goes to its nearest centre, ties to the lower index")
    func nearest() throws {
        let (data, _) = try syntheticData(seed: 9, count: 500)
        let centres: [Double] = [0, 0, 4, 1, 4, 1, -2, 3]      // centres 1 and 2 coincide
        var resp = [Double](repeating: -1, count: 500 * 4)
        data.withUnsafeBufferPointer { x in
            resp.withUnsafeMutableBufferPointer { r in
                KMeans.assignNearest(x.baseAddress!, rows: 500, featureCount: 2, centres: centres, clusterCount: 4,
                                     into: r.baseAddress!)
            }
        }
        for i in 0..<500 {
            let distances = (0..<4).map { k in (0..<2).map { j in pow(data[i, j] - centres[k * 2 + j], 2) }.reduce(0, +) }
            let best = distances.firstIndex(of: distances.min()!)!
            #expect(resp[(i * 4)..<(i * 4 + 4)].elementsEqual((0..<4).map { $0 == best ? 1.0 : 0.0 }))
            #expect(resp[i * 4 + 2] == 0)
        }
    }
}
