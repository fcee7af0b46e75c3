// swift-tools-version: 6.1
//
// The optional MPI part of GaussianMixtures: the command `gmm-mpi`, which fits,
// predicts and scores with rows spread over MPI ranks.
//
// A package of its own so that the main package never sees MPI: `swift build`
// at the top builds and tests with no MPI installed. This one depends on the
// main package by path and uses only its public API. Open MPI's `mpi.h` is not
// on the default include path, so CMPI is found through pkg-config (`ompi-c`);
// `scripts/setup-mpi` installs the Debian packages.
import PackageDescription

let package = Package(
    name: "GaussianMixturesMPI",
    platforms: [.macOS(.v13)],
    // MARK: - Products
    products: [
        .executable(name: "gmm-mpi", targets: ["gmm-mpi"]),
        .library(name: "GaussianMixturesMPI", targets: ["GaussianMixturesMPI"]),
    ],
    dependencies: [
        .package(name: "GaussianMixtures", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Only for `swift package generate-documentation` (scripts/check-docs --mpi); nothing links it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // MARK: - Implementation details
        // mpi.h plus static inline accessors for the handles Open MPI defines as
        // macros (MPI_COMM_WORLD, MPI_DOUBLE, MPI_SUM, …), which Swift cannot import.
        .systemLibrary(
            name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]
        ),

        // MARK: - Library: the communicator, the Allreduce reducer, reading a rank's rows
        .target(
            name: "GaussianMixturesMPI",
            dependencies: ["CMPI", .product(name: "GaussianMixtures", package: "GaussianMixtures")]
        ),

        // MARK: - Command line
        .executableTarget(
            name: "gmm-mpi",
            dependencies: [
                "GaussianMixturesMPI",
                .product(name: "GaussianMixtures", package: "GaussianMixtures"),
                .product(name: "GaussianMixturesCommandLine", package: "GaussianMixtures"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Benchmark (bench/MPI.md): per-iteration time and the Allreduce share, run under mpirun
        .executableTarget(
            name: "gmm-mpi-bench",
            dependencies: ["GaussianMixturesMPI", .product(name: "GaussianMixtures", package: "GaussianMixtures")]
        ),

        // MARK: - Tests
        // Run gmm-mpi under mpirun with 1, 2 and 3 ranks against the single-process `gmm`
        // (found through GMM_BINARY, or ../.build/debug/gmm); scripts/test-mpi sets it up.
        .testTarget(
            name: "GaussianMixturesMPITests",
            dependencies: ["gmm-mpi", .product(name: "GaussianMixtures", package: "GaussianMixtures")]
        ),
    ]
)
