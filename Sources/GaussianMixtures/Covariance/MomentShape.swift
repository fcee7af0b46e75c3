// The two layouts of per-component second moments, and every operation that
// depends on the layout: re-centring moments on new shifts or means, packing
// the summable upper triangle for reductions, and the moments a model implies.
// EM code calls these and never asks which layout (or family) it holds; a
// family chooses its layout through `CovarianceFamily.momentShape`.
//
// Notation: M_k = Σ_i r_ik (x_i − s_k)(x_i − s_k)ᵀ around a shift s_k, sums
// a_k = Σ_i r_ik (x_i − s_k), soft count R_k, and δ the change of centre.
// Each operation keeps the floating-point order of the code it came from, so
// results are the same to the bit.

/// Which per-component second moments the M-step of a family needs.
enum MomentShape: Sendable {
    /// d×d matrices Σ_i r_ik (x_i − s_k)(x_i − s_k)ᵀ (full, tied).
    case matrix
    /// d-vectors Σ_i r_ik (x_i − s_k)² (diagonal, spherical).
    case diagonal

    /// Number of values per component for `d` features.
    func count(featureCount d: Int) -> Int {
        switch self {
        case .matrix: d * d
        case .diagonal: d
        }
    }
}

extension MomentShape {
    /// The moments of component k around its new mean m_k = s_k + δ, M − δ aᵀ − a δᵀ + R δ δᵀ,
    /// written to `centred` (a `.matrix` block in full, both triangles from the upper).
    func centre(moments: [Double], sums: [Double], component k: Int, softCount rk: Double, delta: [Double],
                featureCount d: Int, into centred: inout [Double]) {
        let m = count(featureCount: d)
        switch self {
        case .matrix:
            for r in 0..<d {
                for c in r..<d {
                    let raw = moments[k * m + r * d + c]
                    let v = raw - delta[r] * sums[k * d + c] - sums[k * d + r] * delta[c] + rk * delta[r] * delta[c]
                    centred[k * m + r * d + c] = v
                    centred[k * m + c * d + r] = v
                }
            }
        case .diagonal:
            for j in 0..<d {
                let raw = moments[k * m + j]
                centred[k * m + j] = raw - 2 * delta[j] * sums[k * d + j] + rk * delta[j] * delta[j]
            }
        }
    }

    /// The moments of component k moved to new shifts s_k + δ, written to `out`
    /// (upper triangle only for `.matrix`, as the accumulator keeps it).
    func recentre(moments: [Double], sums: [Double], component k: Int, softCount rk: Double, delta: [Double],
                  featureCount d: Int, into out: inout [Double]) {
        let m = count(featureCount: d)
        switch self {
        case .matrix:
            for r in 0..<d {
                for c in r..<d {
                    out[k * m + r * d + c] = moments[k * m + r * d + c]
                        - sums[k * d + r] * delta[c] - delta[r] * sums[k * d + c] + rk * delta[r] * delta[c]
                }
            }
        case .diagonal:
            for j in 0..<d {
                out[k * m + j] = moments[k * m + j] - 2 * sums[k * d + j] * delta[j] + rk * delta[j] * delta[j]
            }
        }
    }

    /// Summable values per component when packed: d(d+1)/2 (upper triangle) or d.
    func packedCount(featureCount d: Int) -> Int {
        switch self {
        case .matrix: d * (d + 1) / 2
        case .diagonal: d
        }
    }

    /// K moment blocks packed: the upper triangle of each matrix row by row, or the diagonals as they are.
    func packed(_ moments: [Double], componentCount kCount: Int, featureCount d: Int) -> [Double] {
        switch self {
        case .matrix:
            var out = [Double]()
            out.reserveCapacity(kCount * packedCount(featureCount: d))
            for k in 0..<kCount {
                for r in 0..<d {
                    for c in r..<d { out.append(moments[k * d * d + r * d + c]) }
                }
            }
            return out
        case .diagonal:
            return moments
        }
    }

    /// The inverse of `packed` (a matrix's strict lower triangle left 0, as the accumulator keeps it).
    func unpacked(_ values: ArraySlice<Double>, componentCount kCount: Int, featureCount d: Int) -> [Double] {
        switch self {
        case .matrix:
            var moments = [Double](repeating: 0, count: kCount * d * d)
            var at = values.startIndex
            for k in 0..<kCount {
                for r in 0..<d {
                    for c in r..<d {
                        moments[k * d * d + r * d + c] = values[at]
                        at += 1
                    }
                }
            }
            return moments
        case .diagonal:
            return Array(values)
        }
    }

    /// R_k (Σ_k − reg·I) for component k (upper triangle, or the diagonal), written to `moments`.
    func implied(softCount rk: Double, covariance sigma: (Int, Int) -> Double, regularization: Double,
                 component k: Int, featureCount d: Int, into moments: inout [Double]) {
        let m = count(featureCount: d)
        switch self {
        case .matrix:
            for r in 0..<d {
                for c in r..<d {
                    moments[k * m + r * d + c] = rk * (sigma(r, c) - (r == c ? regularization : 0))
                }
            }
        case .diagonal:
            for j in 0..<d { moments[k * m + j] = rk * (sigma(j, j) - regularization) }
        }
    }
}
