// mclust's fourteen covariance models (Celeux & Govaert 1995), named as mclust
// names them: Σ_k = λ_k D_k A_k D_kᵀ with volume λ_k (a scalar), shape A_k
// (diagonal, determinant 1) and orientation D_k (orthogonal). The three letters
// say whether volume, shape and orientation are Equal across components,
// Variable, or the Identity (I).

/// One of mclust's fourteen Gaussian covariance models.
enum MclustModelName: String, CaseIterable, Sendable {
    case EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV

    /// How one of volume, shape and orientation varies across components.
    enum Constraint: Sendable { case equal, variable, identity }

    private var letters: [Character] { Array(rawValue) }

    private static func constraint(_ letter: Character) -> Constraint {
        switch letter {
        case "E": .equal
        case "V": .variable
        default: .identity
        }
    }

    var volume: Constraint { Self.constraint(letters[0]) }
    var shape: Constraint { Self.constraint(letters[1]) }
    var orientation: Constraint { Self.constraint(letters[2]) }

    /// True for the six models whose covariances are diagonal (orientation I):
    /// their M-step takes, and their estimate holds, d variances per component.
    var isAxisAligned: Bool { orientation == .identity }

    /// True for the five models whose M-step has no closed form and iterates
    /// (VEI, VEE, EVE, VVE, VEV).
    var isIterative: Bool {
        switch self {
        case .VEI, .VEE, .EVE, .VVE, .VEV: true
        default: false
        }
    }

    /// Free covariance parameters of a K-component mixture in d dimensions:
    /// mclust's `nMclustParams(model, d, G)` less the K·d means and K − 1 weights.
    ///
    /// A volume costs 1 (E) or K (V); a shape d − 1 (E) or K(d − 1) (V), none
    /// for I; an orientation d(d − 1)/2 (E) or K·d(d − 1)/2 (V). VII and EII
    /// have no shape; the counts below are the sums.
    func covarianceParameterCount(componentCount K: Int, featureCount d: Int) -> Int {
        let rotation = d * (d - 1) / 2
        let volumeCount = volume == .variable ? K : 1
        let shapeCount: Int
        switch shape {
        case .identity: shapeCount = 0
        case .equal: shapeCount = d - 1
        case .variable: shapeCount = K * (d - 1)
        }
        let orientationCount: Int
        switch orientation {
        case .identity: orientationCount = 0
        case .equal: orientationCount = rotation
        case .variable: orientationCount = K * rotation
        }
        return volumeCount + shapeCount + orientationCount
    }
}
