// swift-tools-version: 6.1
//
// GaussianMixtures: Gaussian-mixture latent-variable models on GNU GSL.
//
// GSL is a system library found without pkg-config on purpose: pkg-config's
// `gsl` flags put `-lgslcblas` on the link line first, and the dynamic loader
// would then bind GSL's `cblas_*` calls to the slow reference CBLAS. Linking
// OpenBLAS directly into every executable puts it ahead of the `libgslcblas`
// that libgsl pulls in, so `gsl_blas_*` runs OpenBLAS kernels.
import PackageDescription

let package = Package(
    name: "GaussianMixtures",
    platforms: [.macOS(.v13)],
    // MARK: - Products
    products: [
        .library(name: "GaussianMixtures", targets: ["GaussianMixtures"]),
        .executable(name: "gmm", targets: ["gmm"]),
        // What `gmm` and mpi/'s `gmm-mpi` share of their command lines.
        .library(name: "GaussianMixturesCommandLine", targets: ["GaussianMixturesCommandLine"]),
    ],
    // MARK: - Traits
    traits: [
        // On by default. Costs nothing at run time; needs Debian's libopenblas-dev
        // at link time. `--disable-default-traits` falls back to libgslcblas.
        .trait(name: "OpenBLAS", description: "GSL's cblas_* calls are served by OpenBLAS instead of libgslcblas"),
        .default(enabledTraits: ["OpenBLAS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Only for `swift package generate-documentation` (scripts/check-docs); nothing links it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // MARK: - Implementation details
        .systemLibrary(name: "CGSL", path: "Sources/CGSL"),
        // The E-step's innermost loops in C, compiled for the baseline CPU and for
        // AVX2 + FMA, picked at load time (Swift has no per-function CPU targets).
        .target(name: "CMixtureKernels"),

        // MARK: - Public library
        .target(
            name: "GaussianMixtures",
            dependencies: ["CGSL", "CMixtureKernels"],
            linkerSettings: [.linkedLibrary("openblas", .when(traits: ["OpenBLAS"]))]
        ),

        // Figures as SVG: the drawing code in its own module; the library never depends on it.
        .target(name: "GaussianMixturesPlot", dependencies: ["GaussianMixtures"]),
        // `gmm report`'s self-contained HTML page, built on the figures' geometry; the library never depends on it.
        .target(name: "GaussianMixturesReport", dependencies: ["GaussianMixtures", "GaussianMixturesPlot"]),

        // MARK: - Command line
        // The flags, argument types and error output `gmm` and mpi/'s `gmm-mpi` share.
        .target(
            name: "GaussianMixturesCommandLine",
            dependencies: ["GaussianMixtures", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "gmm",
            dependencies: [
                "GaussianMixtures",
                "GaussianMixturesCommandLine",
                "GaussianMixturesPlot",
                "GaussianMixturesReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Benchmarks and examples (compiled by every build, so they cannot rot)
        .executableTarget(name: "gmm-bench", dependencies: ["GaussianMixtures"], path: "bench/gmm-bench"),
        .executableTarget(
            name: "old-faithful",
            dependencies: ["GaussianMixtures", "GaussianMixturesPlot"],
            path: "notebooks-as-scripts/old-faithful"
        ),
        .executableTarget(
            name: "latent-variables",
            dependencies: ["GaussianMixtures"],
            path: "notebooks-as-scripts/latent-variables"
        ),
        .executableTarget(
            name: "choosing-k",
            dependencies: ["GaussianMixtures", "GaussianMixturesPlot"],
            path: "notebooks-as-scripts/choosing-k",
            exclude: ["iris-species.csv"]
        ),
        .executableTarget(
            name: "synthetic-data",
            dependencies: ["GaussianMixtures", "GaussianMixturesPlot"],
            path: "notebooks-as-scripts/synthetic-data"
        ),
        .executableTarget(
            name: "density-and-outliers",
            dependencies: ["GaussianMixtures", "GaussianMixturesPlot"],
            path: "notebooks-as-scripts/density-and-outliers"
        ),

        // MARK: - Tests
        .testTarget(
            name: "GaussianMixturesTests",
            dependencies: ["GaussianMixtures"],
            exclude: []
        ),
        // GaussianMixturesCommandLine too: the progress display's text and throttle are tested directly.
        .testTarget(name: "gmmTests", dependencies: ["gmm", "GaussianMixturesCommandLine"]),
        // Writes reports with the built gmm and loads them in headless Chromium (which must be installed).
        .testTarget(name: "GaussianMixturesReportTests", dependencies: ["GaussianMixtures", "GaussianMixturesReport", "gmm"]),
        .testTarget(
            name: "GaussianMixturesPlotTests",
            // The notebooks too: NotebookTests runs the executables this build makes.
            dependencies: ["GaussianMixturesPlot", "gmm", "old-faithful", "latent-variables", "choosing-k", "synthetic-data",
                           "density-and-outliers"]
        ),
    ]
)
