#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `text` and a newline to standard error.
///
/// A progress line being redrawn in place is erased first (`ProgressMeter`).
public func printError(_ text: String) {
    OpenProgressLine.shared.erase()
    writeStandardError(Array((text + "\n").utf8))
}
