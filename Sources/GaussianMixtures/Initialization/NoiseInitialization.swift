import Foundation

// The start of a fit with a noise component, as mclust's `Mclust(…,
// initialization = list(noise = …))` makes it: a first guess of which rows
// are noise, the usual start (hc, k-means, …) on the other rows, and the
// M-step of the responsibilities that puts each guessed noise row wholly in
// the noise. The Gaussian parameters are then those of the non-noise rows,
// and π₀ the noise rows' share of the total weight.
//
// The default guess is mclust's recommended one, Byers & Raftery's (1998)
// nearest-neighbour cleaning (`NNclean` in R's prabclus): for points of a
// Poisson process of intensity λ in d dimensions, Y = α_d D_k^d (the volume of
// the ball reaching the k-th nearest neighbour) is Gamma(k, λ). The Y of all
// rows is fitted as a two-part mixture p Gamma(k, λ₁) + (1 − p) Gamma(k, λ₂)
// by EM (closed form: λ_j = k Σ_i z_ij / Σ_i z_ij y_i), and a row is noise
// when the part of lower intensity has posterior > ½. α_d cancels out (it
// only rescales both λ), and Y is computed as (D/D̃)^d with D̃ the median
// distance, so it neither overflows nor underflows for moderate d. Distances
// are to the k-th nearest of at most `referenceLimit` reference rows (all rows
// when there are no more; otherwise a sample drawn with the restart's seed),
// so the cost is about n · min(n, 2000) · d.

/// How V is found when it is not given.
public enum NoiseVolumeRule: String, Sendable, Equatable, CaseIterable {
    /// The volume of the data's bounding box, Π_j (max_j − min_j) over the rows of positive weight.
    case boundingBox = "box"
    /// mclust's `hypvol` (its default `Vinv` = 1/V): the smaller of the bounding box's
    /// volume and that of the box around the principal-component scores (the data
    /// rotated onto the eigenvectors of its covariance). Sampling still draws the
    /// noise from the bounding box.
    case hypervolume = "hypvol"
}

/// How a fit with a noise component is set up.
public struct NoiseOptions: Sendable, Equatable {
    /// V, the noise density being 1/V; `nil`: by `volumeRule`.
    public var volume: Double?
    /// The rows guessed to be noise at the start; `nil`: the nearest-neighbour guess.
    /// Ignored when the start is given as responsibilities or a model.
    public var initialNoise: [Bool]?
    /// k of the nearest-neighbour guess (Byers & Raftery's k).
    public var neighbourCount: Int
    /// How V is found when `volume` is `nil`.
    public var volumeRule: NoiseVolumeRule

    /// Options with mclust's defaults: V the bounding box's volume, the starting noise
    /// rows guessed from the 5th nearest neighbours.
    public init(volume: Double? = nil, initialNoise: [Bool]? = nil, neighbourCount: Int = 5,
                volumeRule: NoiseVolumeRule = .boundingBox) {
        self.volume = volume
        self.initialNoise = initialNoise
        self.neighbourCount = neighbourCount
        self.volumeRule = volumeRule
    }

    func validate() throws(FitError) {
        if let volume, !(volume > 0 && volume.isFinite) {
            throw .invalidOption(name: "noise volume", reason: "must be a finite positive number, got \(volume)")
        }
        guard neighbourCount >= 1 else {
            throw .invalidOption(name: "noise neighbourCount", reason: "must be at least 1, got \(neighbourCount)")
        }
    }
}

enum NoiseInitialization {
    /// Most reference rows the nearest-neighbour guess measures distances to.
    static let referenceLimit = 2000

    /// The noise component (weight still to be set) of a fit of `data`: the bounding box and V.
    static func component(for data: DataMatrix, weights: [Double]?, options: NoiseOptions) throws(FitError)
        -> NoiseComponent {
        let box = NoiseComponent.boundingBox(of: data, weights: weights)
        var volume = options.volume ?? NoiseComponent.volume(lower: box.lower, upper: box.upper)
        if options.volume == nil, options.volumeRule == .hypervolume,
           let rotated = NoiseComponent.principalComponentVolume(of: data, weights: weights) {
            volume = min(volume, rotated)
        }
        guard volume > 0, volume.isFinite else {
            let flat = zip(box.lower, box.upper).enumerated().first { $0.element.0 == $0.element.1 }
            throw .invalidOption(name: "noise volume", reason: "the data's bounding box has volume \(volume)"
                + (flat.map { " (feature \($0.offset + 1) is constant)" } ?? "")
                + "; give the volume (--noise-volume) or rescale the data")
        }
        return NoiseComponent(trusted: 0.5, volume: volume, lower: box.lower, upper: box.upper)
    }

    /// The starting mixture with a noise component for one restart.
    static func startingModel(
        for data: DataMatrix, weights: [Double]?, options: FitOptions, random: GSLRandom
    ) throws(FitError) -> GaussianMixture {
        guard let noiseOptions = options.noise else { preconditionFailure("no noise asked for") }
        if case let .model(start) = options.initialization {
            return (try? start.renamingFeatures(data.featureNames)) ?? start
        }
        let template = try component(for: data, weights: weights, options: noiseOptions)
        var gaussianOptions = options
        gaussianOptions.noise = nil
        let kCount = options.componentCount
        if case let .responsibilities(table) = options.initialization {
            guard table.sampleCount == data.sampleCount else {
                throw .invalidOption(name: "initialization", reason: "has responsibilities for \(table.sampleCount) rows, "
                    + "but the data has \(data.sampleCount) rows")
            }
            // The first K columns start the Gaussians; the last is the noise's.
            let values = table.withUnsafeBufferPointer { z in
                (0..<data.sampleCount).flatMap { i in (0..<kCount).map { z[i * (kCount + 1) + $0] } }
            }
            let gaussian: DataMatrix
            do {
                gaussian = try DataMatrix(values: values, sampleCount: data.sampleCount, featureCount: kCount)
            } catch {
                preconditionFailure("cells of a valid matrix make a valid matrix")
            }
            gaussianOptions.initialization = .responsibilities(gaussian)
            var stats = try Initializer.startingStatistics(for: data, weights: weights, options: gaussianOptions,
                                                           random: random)
            stats.noiseCount = table.withUnsafeBufferPointer { z in
                (0..<data.sampleCount).reduce(0.0) { $0 + (weights?[$1] ?? 1) * z[$1 * (kCount + 1) + kCount] }
            }
            return try Initializer.maximize(stats, options: options, featureNames: data.featureNames, noise: template)
        }
        let isNoise: [Bool]
        if let given = noiseOptions.initialNoise {
            isNoise = given
        } else {
            isNoise = try nearestNeighbourGuess(of: data, weights: weights, neighbourCount: noiseOptions.neighbourCount,
                                                random: random)
        }
        guard isNoise.count == data.sampleCount else {
            throw .invalidOption(name: "initial noise", reason: "has \(isNoise.count) rows, but the data has "
                + "\(data.sampleCount) rows")
        }
        let kept = (0..<data.sampleCount).filter { !isNoise[$0] }
        let keptWeights = weights.map { w in kept.map { w[$0] } }
        let usable = keptWeights.map { w in w.filter { $0 > 0 }.count } ?? kept.count
        guard usable >= kCount else {
            throw .invalidOption(name: "initial noise", reason: "leaves \(usable) rows outside the noise, fewer than the "
                + "\(kCount) components")
        }
        let subset: DataMatrix
        do {
            subset = try DataMatrix(rows: kept.map { data.row($0) }, featureNames: data.featureNames)
        } catch {
            preconditionFailure("rows of a valid matrix make a valid matrix")
        }
        let start = try Initializer.startingModel(for: subset, weights: keptWeights, options: gaussianOptions,
                                                  random: random)
        // The M-step of z = (the subset's start on kept rows, noise 1 on the rest):
        // means and covariances the subset's, weights its share of the total.
        let total = weights?.reduce(0, +) ?? Double(data.sampleCount)
        let keptTotal = keptWeights?.reduce(0, +) ?? Double(kept.count)
        let floor = 10 * Double.ulpOfOne
        let noiseShare = (total - keptTotal + floor) / (total + floor)
        let scale = keptTotal / (total + floor)
        return start.withNoise(template.reweighted(noiseShare), weights: start.weights.map { $0 * scale })
    }

    /// Byers & Raftery's guess of the noise rows (this file's note); rows of weight 0 are never noise.
    static func nearestNeighbourGuess(
        of data: DataMatrix, weights: [Double]?, neighbourCount k: Int, random: GSLRandom
    ) throws(FitError) -> [Bool] {
        let n = data.sampleCount
        let d = data.featureCount
        let candidates = weights.map { w in (0..<n).filter { w[$0] > 0 } } ?? Array(0..<n)
        let reference = candidates.count <= referenceLimit ? candidates
            : random.sampleWithoutReplacement(count: referenceLimit, from: candidates.count).sorted().map { candidates[$0] }
        guard reference.count > k else {
            throw .invalidOption(name: "initial noise", reason: "the nearest-neighbour guess needs more than \(k) rows")
        }
        // D_k of each candidate: its k-th smallest distance to the reference rows other than itself.
        var distances = [Double](repeating: 0, count: candidates.count)
        data.withUnsafeBufferPointer { x in
            var nearest = [Double](repeating: .infinity, count: k)
            for (c, i) in candidates.enumerated() {
                for q in 0..<k { nearest[q] = .infinity }
                for r in reference where r != i {
                    var s = 0.0
                    for j in 0..<d {
                        let t = x[i * d + j] - x[r * d + j]
                        s += t * t
                    }
                    if s < nearest[k - 1] {
                        // Insert into the sorted k smallest.
                        var q = k - 1
                        while q > 0 && nearest[q - 1] > s {
                            nearest[q] = nearest[q - 1]
                            q -= 1
                        }
                        nearest[q] = s
                    }
                }
                distances[c] = nearest[k - 1].squareRoot()
            }
        }
        let lowIntensity = lowIntensityRows(distances: distances, dimension: d, shape: Double(k))
        var isNoise = [Bool](repeating: false, count: n)
        for (c, i) in candidates.enumerated() where lowIntensity[c] { isNoise[i] = true }
        return isNoise
    }

    /// The rows whose k-th neighbour distance belongs to the lower-intensity part of
    /// a two-part Gamma(k, λ) mixture of Y = (D/D̃)^d, fitted by EM.
    static func lowIntensityRows(distances: [Double], dimension d: Int, shape k: Double) -> [Bool] {
        let positive = distances.filter { $0 > 0 }.sorted()
        guard !positive.isEmpty else { return [Bool](repeating: false, count: distances.count) }
        let median = positive[positive.count / 2]
        let y = distances.map { pow($0 / median, Double(d)) }
        // Rows too far for a double are noise outright; the EM sees the rest.
        let finite = y.indices.filter { y[$0].isFinite }
        var result = y.map { !$0.isFinite }
        guard finite.count >= 2 else { return result }
        // Start: the top tenth of Y as the sparse part.
        let sorted = finite.map { y[$0] }.sorted()
        let cut = sorted[min(sorted.count - 1, (sorted.count * 9) / 10)]
        var z = finite.map { y[$0] >= cut && cut > sorted[0] ? 1.0 : 0.0 }
        var (p, lambdaSparse, lambdaDense) = (0.0, 0.0, 0.0)
        var previous = -Double.infinity
        for _ in 0..<1000 {
            // M-step.
            let sparseCount = z.reduce(0, +)
            let denseCount = Double(z.count) - sparseCount
            guard sparseCount > 0, denseCount > 0 else { return result }
            var sparseSum = 0.0, denseSum = 0.0
            for (t, i) in finite.enumerated() {
                sparseSum += z[t] * y[i]
                denseSum += (1 - z[t]) * y[i]
            }
            guard sparseSum > 0, denseSum > 0 else { return result }
            p = sparseCount / Double(z.count)
            lambdaSparse = k * sparseCount / sparseSum
            lambdaDense = k * denseCount / denseSum
            // E-step: log p_j + k log λ_j − λ_j y (the terms common to both parts cancel).
            var logLikelihood = 0.0
            for (t, i) in finite.enumerated() {
                let a = log(p) + k * log(lambdaSparse) - lambdaSparse * y[i]
                let b = log1p(-p) + k * log(lambdaDense) - lambdaDense * y[i]
                let m = max(a, b)
                let lse = m + log(exp(a - m) + exp(b - m))
                z[t] = exp(a - lse)
                logLikelihood += lse
            }
            if abs(logLikelihood - previous) <= 1e-10 * abs(logLikelihood) { break }
            previous = logLikelihood
        }
        guard lambdaSparse < lambdaDense else { return result }
        for (t, i) in finite.enumerated() where z[t] > 0.5 { result[i] = true }
        return result
    }
}
