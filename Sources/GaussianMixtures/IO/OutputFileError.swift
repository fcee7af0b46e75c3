// Output failures are one case with the system's reason, because the user's
// remedy is the same for all of them (fix the path or the permissions) and the
// command line maps them all to exit 73.

/// Why an output file (or standard output) could not be written.
public enum OutputFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Writing `path` failed: a missing folder, a folder in the way, no
    /// permission, a full disk, … `reason` is the system's text.
    /// Standard output is shown as `<stdout>`.
    case cannotWrite(path: String, reason: String)

    /// One line such as `out/x.csv: cannot write: No such file or directory`.
    public var description: String {
        switch self {
        case let .cannotWrite(path, reason): "\(path): cannot write: \(reason)"
        }
    }
}
