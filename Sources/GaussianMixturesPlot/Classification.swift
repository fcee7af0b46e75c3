// What every figure of data under a model shares: which rows are drawn (all
// of them, or every n-th of a large file), each drawn row's most probable
// component (its colour, `Palette.color(k)`, the same in every figure of the
// model) and how sure the model is of it (max P(c|x), its opacity).

import GaussianMixtures

/// The drawn rows of a data set and their MAP components under a model.
struct Classification {
    /// The rows drawn.
    let shown: DataMatrix
    /// Every n-th row is drawn (1: all of them).
    let stride: Int
    /// Each drawn row's most probable component; −1 when a noise component is more
    /// probable than every Gaussian one (drawn in `Palette.noiseColor`).
    let labels: [Int]
    /// Each drawn row's max P(c|x), the noise included.
    let certainty: [Double]

    /// Classifies `data` under `model`, thinned to at most `maxPoints` rows.
    init(model: GaussianMixture, data: DataMatrix, maxPoints: Int) throws {
        if data.sampleCount > maxPoints {
            stride = (data.sampleCount + maxPoints - 1) / maxPoints
            let rows = Swift.stride(from: 0, to: data.sampleCount, by: stride).map { data.row($0) }
            shown = (try? DataMatrix(rows: rows, featureNames: data.featureNames)) ?? data
        } else {
            stride = 1
            shown = data
        }
        let posterior = try model.responsibilities(for: shown)
        let k = model.componentCount
        let noise = model.noise == nil ? nil : try model.noiseResponsibilities(for: shown)
        labels = (0..<shown.sampleCount).map { i in
            let best = (0..<k).reduce(0) { best, c in posterior[i, c] > posterior[i, best] ? c : best }
            return noise.map { $0[i] > posterior[i, best] ? -1 : best } ?? best
        }
        certainty = (0..<shown.sampleCount).map { max(posterior.row($0).max()!, noise?[$0] ?? 0) }
    }

    /// A note for the subtitle when rows were thinned ("; every 3th row drawn"), else "".
    var thinningNote: String { stride > 1 ? "; every \(ordinal(stride)) row drawn" : "" }

    /// Dot opacity for a certainty in [`floor`, 1] (`floor` = 1/K): 0.12 at a tie, 0.9 when sure.
    static func opacity(_ certainty: Double, floor: Double) -> Double {
        guard floor < 1 else { return 0.9 }
        let t = min(max((certainty - floor) / (1 - floor), 0), 1)
        return 0.12 + 0.78 * t
    }
}

/// 2 → "2nd", 3 → "3rd", 11 → "11th".
func ordinal(_ n: Int) -> String {
    let suffix = (11...13).contains(n % 100) ? "th" : [1: "st", 2: "nd", 3: "rd"][n % 10] ?? "th"
    return "\(n)\(suffix)"
}
