// swift-tools-version: 6.1
//
// libFuzzer targets for the three readers of untrusted bytes: CSV/TSV,
// NumPy `.npy` and the JSON model file. A package of its own, depending on the
// main package by path and using only its public API, so the main build never
// needs the fuzzer runtime. Each target defines `LLVMFuzzerTestOneInput` and an
// `@main` that starts libFuzzer's driver (see CLibFuzzer.h for why not
// libFuzzer's own `main`). Build and run with `fuzz/run TARGET SECONDS` (see
// README.md), which passes `-sanitize=fuzzer,address` so that the library is
// instrumented too.
import PackageDescription

let fuzzTargetDependencies: [Target.Dependency] = [
    "CLibFuzzer", .product(name: "GaussianMixtures", package: "GaussianMixtures"),
]

let package = Package(
    name: "GaussianMixturesFuzz",
    platforms: [.macOS(.v13)],
    // MARK: - Products
    products: [
        .executable(name: "fuzz-delimited", targets: ["fuzz-delimited"]),
        .executable(name: "fuzz-npy", targets: ["fuzz-npy"]),
        .executable(name: "fuzz-model", targets: ["fuzz-model"]),
    ],
    dependencies: [
        .package(name: "GaussianMixtures", path: ".."),
    ],
    targets: [
        // MARK: - libFuzzer's driver, declared for Swift
        .target(name: "CLibFuzzer"),

        // MARK: - Fuzz targets
        .executableTarget(
            name: "fuzz-delimited",
            dependencies: fuzzTargetDependencies
        ),
        .executableTarget(
            name: "fuzz-npy",
            dependencies: fuzzTargetDependencies
        ),
        .executableTarget(
            name: "fuzz-model",
            dependencies: fuzzTargetDependencies
        ),
    ]
)
