// The format is chosen from the file name alone, never by sniffing the content,
// so that the same name always means the same parser (see interface.md,
// "Data files"). The extension comparison ignores case: `DATA.CSV` is CSV.

/// The layout of a data file.
public enum DataFileFormat: Sendable {
    /// Comma-separated values; a first row that is not all numbers is a header.
    case csv
    /// Tab-separated values, same header rule as CSV.
    case tsv
    /// A NumPy `.npy` array: 2-D (or 1-D, one feature), little-endian
    /// `f8`, `f4`, `i8` or `i4`, C or Fortran order.
    case npy

    /// The format a path names: `.tsv` and `.tab` are TSV, `.npy` is NumPy, and
    /// anything else — including `-`, standard input — is CSV.
    public init(path: String) {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last ?? Substring(path)
        guard let dot = name.lastIndex(of: ".") else {
            self = .csv
            return
        }
        switch name[name.index(after: dot)...].lowercased() {
        case "tsv", "tab": self = .tsv
        case "npy": self = .npy
        default: self = .csv
        }
    }
}
