// Which shared library serves the `cblas_dgemm` that libgsl calls.
//
// libgsl.so lists libgslcblas.so as a dependency, so the reference CBLAS is
// always loaded; the dynamic loader binds libgsl's `cblas_*` references to the
// first definition in global search order. Linking OpenBLAS into the
// executable (see Package.swift) puts it first. `RTLD_DEFAULT` lookup follows
// that same order, and /proc/self/maps names the file holding the address.
#if canImport(Glibc)
import Glibc
#endif

/// Facts about the linear-algebra libraries this process runs on.
public enum LinearAlgebraBackend {
    /// Path of the shared library that provides `cblas_dgemm` to GSL, for
    /// example `/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0`;
    /// `nil` if it cannot be determined.
    public static var cblasLibraryPath: String? {
        _ = GSLRuntime.ready
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "cblas_dgemm") else { return nil }
        return mappedFile(containing: UInt(bitPattern: symbol))
    }

    /// OpenBLAS's name for the kernel set it chose at start-up ("Haswell",
    /// "SkylakeX", …), or `nil` when OpenBLAS is not loaded.
    public static var openBLASCoreName: String? {
        typealias CoreName = @convention(c) () -> UnsafeMutablePointer<CChar>?
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "openblas_get_corename"),
              let name = unsafeBitCast(symbol, to: CoreName.self)() else { return nil }
        return String(cString: name)
    }

    /// GSL's version string.
    public static var gslVersion: String { GSLRuntime.version }

    private static func mappedFile(containing address: UInt) -> String? {
        guard let file = fopen("/proc/self/maps", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6 else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let lo = UInt(bounds[0], radix: 16), let hi = UInt(bounds[1], radix: 16) else { continue }
            if address >= lo && address < hi {
                return fields[5...].joined(separator: " ").trimmingCharacters(in: " \n")
            }
        }
        return nil
    }
}

private extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}

// MARK: - Choosing OpenBLAS kernels
//
// Debian's OpenBLAS 0.3.21 reads OPENBLAS_CORETYPE once, when it is loaded,
// and on processors it does not know it silently falls back to its SSE3
// "Prescott" kernels (measured 10–13 GFLOP/s instead of 50–66 on an AVX-512
// Xeon). A library cannot change that after start-up, so the `gmm` command
// asks `kernelOverride()` first thing and, when it names a core type,
// re-executes itself once with OPENBLAS_CORETYPE set. A value the user has
// set is never overridden.

extension LinearAlgebraBackend {
    /// OpenBLAS kernel sets older than AVX2: the fallbacks of an unrecognised CPU.
    static let fallbackCores: Set<String> = [
        "Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai", "Coppermine", "Northwood",
        "Banias", "Opteron", "Opteron_SSE3", "Barcelona", "Bobcat", "Sandybridge", "Bulldozer", "Piledriver",
    ]

    /// The core type OpenBLAS should be told to use, or `nil` to leave it alone.
    ///
    /// - Parameters:
    ///   - currentCore: what `openblas_get_corename()` reports (`nil`: OpenBLAS not loaded).
    ///   - cpuFlags: the processor's feature flags (`/proc/cpuinfo`'s `flags`).
    ///   - userSetting: the environment's OPENBLAS_CORETYPE, if any: always respected.
    public static func preferredCoreType(currentCore: String?, cpuFlags: Set<String>, userSetting: String?) -> String? {
        guard userSetting == nil, let core = currentCore, fallbackCores.contains(core) else { return nil }
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"].allSatisfy(cpuFlags.contains) { return "SkylakeX" }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { return "Haswell" }
        return nil
    }

    /// The processor's feature flags from /proc/cpuinfo (empty when unreadable).
    public static var cpuFlags: Set<String> {
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 1 << 14)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("flags") {
                return Set(text.split(separator: ":", maxSplits: 1).last?.split(separator: " ").map(String.init) ?? [])
            }
        }
        return []
    }

    /// For this process: the OPENBLAS_CORETYPE to restart with, or `nil`.
    public static func kernelOverride() -> String? {
        let environment = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        return preferredCoreType(currentCore: openBLASCoreName, cpuFlags: cpuFlags, userSetting: environment)
    }
}
