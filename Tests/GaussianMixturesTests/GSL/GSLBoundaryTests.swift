import Foundation
import Testing
@testable import GaussianMixtures

@Suite("GSL boundary")
struct GSLBoundaryTests {
    @Test("GSL's BLAS calls are served by OpenBLAS, not the reference libgslcblas")
    func openBLAS() throws {
        let path = try #require(LinearAlgebraBackend.cblasLibraryPath)
        #expect(path.contains("libopenblas"), "cblas_dgemm comes from \(path)")
    }

    @Test("only files in GSL/ import the C module")
    func onlyGSLFolderImportsC() throws {
        let root = repositoryRoot.appendingPathComponent("Sources/GaussianMixtures")
        let files = FileManager.default.enumerator(atPath: root.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty)
        for file in files where !file.hasPrefix("GSL/") {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains("import CGSL"), "\(file) imports CGSL")
        }
    }

    @Test("a matrix that is not positive definite is an error, not an abort")
    func choleskyFailure() {
        #expect(throws: GSLStatus.domain) { try CholeskyFactor(factoring: [1, 2, 2, 1], dimension: 2) }
    }

    @Test("Cholesky factor rebuilds the matrix: L Lᵀ = Σ")
    func choleskyIdentity() throws {
        let sigma: [Double] = [4, 2, 0.4, 2, 5, 1, 0.4, 1, 3]
        let f = try CholeskyFactor(factoring: sigma, dimension: 3)
        for r in 0..<3 {
            for c in 0..<3 {
                let v = (0..<3).map { f.lower[r * 3 + $0] * f.lower[c * 3 + $0] }.reduce(0, +)
                #expect(abs(v - sigma[r * 3 + c]) <= 1e-14 * 5)
            }
        }
        #expect(abs(f.logDeterminant - log(4 * (5 * 3 - 1) - 2 * (2 * 3 - 0.4) + 0.4 * (2 - 5 * 0.4))) < 1e-13)
    }

    @Test("a 2-D Gaussian density at hand-checked points")
    func handChecked() throws {
        // N(x | 0, diag(1, 4)) at (0,0) is 1/(2π·2); at (1, 2) it is that times e^{-1}.
        let model = try GaussianMixture(weights: [1], means: [[0, 0]], covariances: .full([[[1, 0], [0, 4]]]))
        let data = try DataMatrix(rows: [[0, 0], [1, 2]])
        let values = try model.logDensities(of: data)
        #expect(abs(values[0] - (-log(4 * Double.pi))) < 1e-15)
        #expect(abs(values[1] - (-log(4 * Double.pi) - 1)) < 1e-15)
    }
}

@Suite("OpenBLAS kernel choice")
struct KernelChoiceTests {
    let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]

    @Test("a fallback kernel on an AVX-512 processor is upgraded to SkylakeX, on AVX2 to Haswell")
    func upgrades() {
        #expect(LinearAlgebraBackend.preferredCoreType(currentCore: "Prescott", cpuFlags: avx512, userSetting: nil) == "SkylakeX")
        #expect(LinearAlgebraBackend.preferredCoreType(currentCore: "Prescott", cpuFlags: ["avx2", "fma"], userSetting: nil) == "Haswell")
    }

    @Test("a recognised processor, an old processor, or the user's own setting is left alone")
    func leftAlone() {
        #expect(LinearAlgebraBackend.preferredCoreType(currentCore: "Zen", cpuFlags: avx512, userSetting: nil) == nil)
        #expect(LinearAlgebraBackend.preferredCoreType(currentCore: "SkylakeX", cpuFlags: avx512, userSetting: nil) == nil)
        #expect(LinearAlgebraBackend.preferredCoreType(currentCore: "Prescott", cpuFlags: ["sse3"], userSetting: nil) == nil)
        #expect(LinearAlgebraBackend.preferredCoreType(currentCore: "Prescott", cpuFlags: avx512, userSetting: "Prescott") == nil)
        #expect(LinearAlgebraBackend.preferredCoreType(currentCore: nil, cpuFlags: avx512, userSetting: nil) == nil)
    }

    @Test("this process runs OpenBLAS kernels and can read the CPU flags")
    func thisMachine() {
        #expect(LinearAlgebraBackend.openBLASCoreName != nil)
        #expect(!LinearAlgebraBackend.cpuFlags.isEmpty)
    }
}
