import Foundation

// mclust's uniform noise component (Banfield & Raftery 1993; Fraley & Raftery
// 2002, section 5): one more mixture component with weight π₀ and the
// constant density 1/V, V the volume of a region holding the data. With it
//   P(x) = π₀ / V + Σ_k π_k N(x | μ_k, Σ_k),   π₀ + Σ_k π_k = 1,
// and the E-step's log-joint gains the column log π₀ − log V. Its
// responsibility z₀ takes no part in the means and covariances; the M-step
// sets π₀ = Σ_i w_i z_i0 / Σ_i w_i (mclust's `mstep` with `Vinv`).
// The box [lower, upper] is kept so that sampling can draw the noise exactly.

/// The uniform noise component of a mixture: weight π₀, density 1/V over a box.
public struct NoiseComponent: Sendable, Equatable {
    /// The mixing weight π₀ = P(noise); the Gaussian weights sum to 1 − π₀.
    public let weight: Double
    /// V: the noise density is 1/V wherever x is (mclust's `Vinv` = 1/V).
    public let volume: Double
    /// The box sampling draws the noise from (uniformly): per-feature lower and upper bounds.
    /// By default its volume is V; with a volume given by the user it need not be.
    public let lower: [Double]
    /// The box's upper bounds, one per feature.
    public let upper: [Double]

    /// log π₀ − log V: the noise column of the E-step's log-joint.
    var logJoint: Double { log(weight) - log(volume) }

    /// Creates a noise component, checking every value.
    ///
    /// - Throws: `ModelError` naming the `noise.…` key that is wrong: a weight
    ///   not in (0, 1), a volume that is not a finite positive number, bounds of
    ///   another length than `featureCount` or with lower > upper.
    public init(weight: Double, volume: Double, lower: [Double], upper: [Double], featureCount: Int) throws(ModelError) {
        guard weight > 0, weight < 1 else {
            throw .invalid(key: "noise.weight", reason: "must be between 0 and 1 (exclusive), found \(weight)")
        }
        guard volume > 0, volume.isFinite else {
            throw .invalid(key: "noise.volume", reason: "must be a finite positive number, found \(volume)")
        }
        guard lower.count == featureCount else {
            throw .invalid(key: "noise.lower", reason: "expected \(featureCount) numbers, found \(lower.count)")
        }
        guard upper.count == featureCount else {
            throw .invalid(key: "noise.upper", reason: "expected \(featureCount) numbers, found \(upper.count)")
        }
        for j in 0..<featureCount {
            guard lower[j].isFinite, upper[j].isFinite, lower[j] <= upper[j] else {
                throw .invalid(key: "noise.upper[\(j)]", reason: "the box needs finite bounds with lower ≤ upper, "
                    + "found [\(lower[j]), \(upper[j])]")
            }
        }
        self.init(trusted: weight, volume: volume, lower: lower, upper: upper)
    }

    init(trusted weight: Double, volume: Double, lower: [Double], upper: [Double]) {
        self.weight = weight
        self.volume = volume
        self.lower = lower
        self.upper = upper
    }

    /// The same component with another weight (the M-step's).
    func reweighted(_ weight: Double) -> NoiseComponent {
        NoiseComponent(trusted: weight, volume: volume, lower: lower, upper: upper)
    }

    /// The bounding box of the rows of positive weight: per-feature minimum and maximum.
    public static func boundingBox(of data: DataMatrix, weights: [Double]? = nil) -> (lower: [Double], upper: [Double]) {
        let d = data.featureCount
        var lower = [Double](repeating: .infinity, count: d)
        var upper = [Double](repeating: -.infinity, count: d)
        data.withUnsafeBufferPointer { x in
            for i in 0..<data.sampleCount where weights == nil || weights![i] > 0 {
                for j in 0..<d {
                    lower[j] = min(lower[j], x[i * d + j])
                    upper[j] = max(upper[j], x[i * d + j])
                }
            }
        }
        return (lower, upper)
    }

    /// The volume of a box, Π_j (upper_j − lower_j) (mclust's `hypvol` without its PCA alternative).
    public static func volume(lower: [Double], upper: [Double]) -> Double {
        zip(lower, upper).reduce(1.0) { $0 * ($1.1 - $1.0) }
    }

    /// The volume of the box around the principal-component scores of the rows of
    /// positive weight (each row counted once, as R's `princomp`): Π_j of the range of
    /// x·v_j over the rows, v_j the eigenvectors of the covariance; `nil` when the
    /// eigendecomposition fails.
    public static func principalComponentVolume(of data: DataMatrix, weights: [Double]? = nil) -> Double? {
        let d = data.featureCount
        let rows = (0..<data.sampleCount).filter { weights == nil || weights![$0] > 0 }
        guard !rows.isEmpty else { return nil }
        var mean = [Double](repeating: 0, count: d)
        var scatter = [Double](repeating: 0, count: d * d)
        data.withUnsafeBufferPointer { x in
            for i in rows { for j in 0..<d { mean[j] += x[i * d + j] } }
            for j in 0..<d { mean[j] /= Double(rows.count) }
            for i in rows {
                for r in 0..<d {
                    let a = x[i * d + r] - mean[r]
                    for c in 0...r { scatter[r * d + c] += a * (x[i * d + c] - mean[c]) }
                }
            }
        }
        guard let (_, vectors) = try? GSLLinearAlgebra.symmetricEigen(scatter, dimension: d) else { return nil }
        var volume = 1.0
        data.withUnsafeBufferPointer { x in
            for j in 0..<d {
                var (low, high) = (Double.infinity, -Double.infinity)
                for i in rows {
                    var score = 0.0
                    for r in 0..<d { score += (x[i * d + r] - mean[r]) * vectors[r * d + j] }
                    low = min(low, score)
                    high = max(high, score)
                }
                volume *= high - low
            }
        }
        return volume
    }
}
