import Foundation

// Checks that parameters from elsewhere (a model file, a caller) are a model of
// the kind they claim: Σ_k = λ_k D_k A_k D_kᵀ with
//   volumes λ_k > 0, equal across components for E?? models;
//   shapes A_k > 0 with product 1, equal for ?E? models, all 1 for ?I? (EII);
//   orientations D_k orthonormal (D_kᵀ D_k = I), equal for ??E models, absent or
//   the identity for ??I models;
//   covariances[k] equal to λ_k D_k A_k D_kᵀ.
// "Equal" means within `constraintTolerance` relative to the largest magnitude
// compared; an orientation's entries are compared absolutely (they are at most 1).

enum MclustConstraints {
    /// The estimate the parameters describe, or the key whose values break the model.
    static func check(
        model: MclustModelName, covariances: [[[Double]]], decomposition parts: CovarianceDecomposition,
        componentCount kCount: Int, featureCount d: Int
    ) throws(CovarianceError) -> MclustCovarianceEstimate {
        func broken(_ key: String, _ reason: String) -> CovarianceError { .brokenConstraint(key: key, reason: reason) }
        let tol = constraintTolerance
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= tol * max(abs(a), abs(b)) }
        guard covariances.count == kCount, covariances.allSatisfy({ $0.count == d && $0.allSatisfy { $0.count == d } }) else {
            throw .wrongShape(expected: "\(kCount) lists of \(d) lists of \(d) numbers")
        }
        guard parts.volumes.count == kCount else { throw broken("volume", "expected \(kCount) volumes, found \(parts.volumes.count)") }
        guard parts.shapes.count == kCount, parts.shapes.allSatisfy({ $0.count == d }) else {
            throw broken("shape", "expected \(kCount) lists of \(d) numbers")
        }
        for (k, v) in parts.volumes.enumerated() {
            guard v.isFinite, v > 0 else { throw broken("volume[\(k)]", "a volume must be a finite number > 0, found \(v)") }
            if model.volume == .equal, !close(v, parts.volumes[0]) {
                throw broken("volume[\(k)]", "\(model.rawValue) has equal volumes, but \(v) differs from \(parts.volumes[0])")
            }
        }
        for (k, row) in parts.shapes.enumerated() {
            guard row.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw broken("shape[\(k)]", "shapes must be finite numbers > 0") }
            let logProduct = row.reduce(0.0) { $0 + log($1) }
            guard abs(logProduct) <= tol else {
                throw broken("shape[\(k)]", "a shape's product must be 1, found \(exp(logProduct))")
            }
            if model.shape == .identity, let j = row.firstIndex(where: { !close($0, 1) }) {
                throw broken("shape[\(k)][\(j)]", "\(model.rawValue) has the identity shape, found \(row[j])")
            }
            if model.shape == .equal, let j = row.indices.first(where: { !close(row[$0], parts.shapes[0][$0]) }) {
                throw broken("shape[\(k)][\(j)]", "\(model.rawValue) has equal shapes, but \(row[j]) differs from \(parts.shapes[0][j])")
            }
        }
        var orientations: [Double]?
        if let o = parts.orientations {
            guard o.count == kCount, o.allSatisfy({ $0.count == d && $0.allSatisfy { $0.count == d } }) else {
                throw broken("orientation", "expected \(kCount) lists of \(d) lists of \(d) numbers")
            }
            for k in 0..<kCount {
                let m = o[k]
                guard m.allSatisfy({ $0.allSatisfy(\.isFinite) }) else { throw broken("orientation[\(k)]", "entries must be finite numbers") }
                for r in 0..<d {
                    for c in 0..<d {
                        var dot = 0.0
                        for j in 0..<d { dot += m[j][r] * m[j][c] }
                        guard abs(dot - (r == c ? 1 : 0)) <= tol else {
                            throw broken("orientation[\(k)]", "an orientation must be orthonormal (DᵀD = I within \(tol)), entry (\(r), \(c)) of DᵀD is \(dot)")
                        }
                        if model.orientation == .identity, abs(m[r][c] - (r == c ? 1 : 0)) > tol {
                            throw broken("orientation[\(k)]", "\(model.rawValue) is axis-aligned: its orientation is the identity")
                        }
                        if model.orientation == .equal, abs(m[r][c] - o[0][r][c]) > tol {
                            throw broken("orientation[\(k)]", "\(model.rawValue) has equal orientations, but entry (\(r), \(c)) differs from component 0's")
                        }
                    }
                }
            }
            if !model.isAxisAligned { orientations = o.flatMap { $0.flatMap { $0 } } }
        } else if !model.isAxisAligned {
            throw broken("orientation", "missing (\(model.rawValue) needs one d×d orientation per component)")
        }
        for k in 0..<kCount {
            let sigma = covariances[k]
            guard sigma.allSatisfy({ $0.allSatisfy(\.isFinite) }) else { throw .nonFinite(component: k) }
            let scale = sigma.reduce(0.0) { max($0, $1.reduce(0.0) { max($0, abs($1)) }) }
            for r in 0..<d {
                for c in 0..<d {
                    var expected = 0.0
                    if let o = parts.orientations, !model.isAxisAligned {
                        for j in 0..<d { expected += o[k][r][j] * parts.shapes[k][j] * o[k][c][j] }
                    } else if r == c {
                        expected = parts.shapes[k][r]
                    }
                    expected *= parts.volumes[k]
                    guard abs(sigma[r][c] - expected) <= tol * scale else {
                        throw broken("covariances[\(k)]", "entry (\(r), \(c)) is \(sigma[r][c]) but volume × orientation × shape × orientationᵀ gives \(expected)")
                    }
                }
            }
        }
        let flatCovariances = model.isAxisAligned
            ? covariances.flatMap { m in (0..<d).map { m[$0][$0] } }
            : covariances.flatMap { $0.flatMap { $0 } }
        return MclustCovarianceEstimate(volumes: parts.volumes, shapes: parts.shapes.flatMap { $0 },
                                        orientations: orientations, covariances: flatCovariances, innerIterations: 0)
    }
}
