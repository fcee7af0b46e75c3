import ArgumentParser
import GaussianMixtures

extension CovarianceKind: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument) }
}

/// The `--init` choices, spelled as scikit-learn's `init_params`.
enum InitChoice: String, CaseIterable, ExpressibleByArgument {
    case kmeans
    case kmeansPlusPlus = "k-means++"
    case random
    case randomFromData = "random-from-data"

    var method: InitializationMethod {
        switch self {
        case .kmeans: .kMeans
        case .kmeansPlusPlus: .kMeansPlusPlus
        case .random: .randomResponsibilities
        case .randomFromData: .randomSamples
        }
    }
}
