// The one place that configures process-wide state of the C libraries.
//
// GSL's default error handler prints and calls abort(); we switch it off once
// so every GSL function returns its status instead, and each wrapper in this
// folder turns that status into a Swift error. OpenBLAS is asked to use one
// thread: the EM engine works on cache-sized row blocks and gains nothing from
// OpenBLAS threads on such small products (they only add overhead), and
// results must not depend on a thread count picked by the environment.
internal import CGSL
#if canImport(Glibc)
import Glibc
#endif

enum GSLRuntime {
    /// Touch this before any GSL call; the initialiser runs exactly once.
    static let ready: Void = {
        _ = gsl_set_error_handler_off()
        typealias SetThreads = @convention(c) (Int32) -> Void
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "openblas_set_num_threads") {
            unsafeBitCast(symbol, to: SetThreads.self)(1)
        }
    }()

    /// GSL's version string, e.g. "2.7.1".
    static var version: String {
        _ = ready
        return String(cString: cgsl_version())
    }
}
