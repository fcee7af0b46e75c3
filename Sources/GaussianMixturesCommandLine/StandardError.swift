#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `text` and a newline to standard error.
public func printError(_ text: String) {
    let line = Array((text + "\n").utf8)
    line.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
            if written <= 0 { if errno == EINTR { continue }; return }
            offset += written
        }
    }
}
