// The whole input file as one contiguous run of bytes. A regular file is
// memory-mapped (PROT_READ, MAP_PRIVATE), so a 150 MB CSV costs no copy and a
// `.npy` file's values can be used in place. Pipes, terminals, `/proc` files and
// standard input cannot be mapped (or report size 0), so they are read whole
// into a growing heap buffer instead. The parsers only see `bytes`.

#if canImport(Glibc)
import Glibc
#endif

/// The bytes of an input, mapped or read; unmapped or freed on `deinit`.
final class FileBytes {
    /// Start of the bytes; never dereferenced when `count == 0`.
    let base: UnsafeRawPointer
    /// Number of bytes.
    let count: Int
    /// True when `base` is a read-only private mapping of the file.
    let isMemoryMapped: Bool

    private init(base: UnsafeRawPointer, count: Int, isMemoryMapped: Bool) {
        self.base = base
        self.count = count
        self.isMemoryMapped = isMemoryMapped
    }

    deinit {
        if isMemoryMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), count)
        } else {
            base.deallocate()
        }
    }

    /// The bytes as a buffer, valid while `self` is alive.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// A copy of `array`'s bytes (for `DataFileReader.read(bytes:…)`).
    convenience init(copying array: [UInt8]) {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(array.count, 1), alignment: 16)
        array.withUnsafeBytes { if let s = $0.baseAddress { p.copyMemory(from: s, byteCount: $0.count) } }
        self.init(base: UnsafeRawPointer(p), count: array.count, isMemoryMapped: false)
    }

    /// Maps or reads the file at `path`.
    ///
    /// - Parameters:
    ///   - displayName: the name used in errors.
    ///   - populate: read the whole file in when mapping it (`MAP_POPULATE`), right for a
    ///     text file parsed at once; a `.npy` file is instead faulted in block by block as
    ///     passes reach it (see DataMatrix+Residency.swift).
    /// - Throws: `DataFileError.cannotOpen` when the file is missing, unreadable or a folder.
    static func open(path: String, displayName: String, populate: Bool = true) throws(DataFileError) -> FileBytes {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: displayName, reason: systemErrorText(errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .cannotOpen(path: displayName, reason: systemErrorText(errno)) }
        if info.st_mode & S_IFMT == S_IFDIR {
            throw .cannotOpen(path: displayName, reason: systemErrorText(EISDIR))
        }
        if info.st_mode & S_IFMT == S_IFREG && info.st_size > 0 {
            let size = Int(info.st_size)
            if let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE | (populate ? MAP_POPULATE : 0), fd, 0),
               mapping != MAP_FAILED {
                return FileBytes(base: UnsafeRawPointer(mapping), count: size, isMemoryMapped: true)
            }
        }
        return try readAll(fd: fd, displayName: displayName)
    }

    /// Reads standard input to its end.
    static func standardInput() throws(DataFileError) -> FileBytes {
        try readAll(fd: STDIN_FILENO, displayName: "<stdin>")
    }

    /// Reads `fd` to its end into a heap buffer that doubles as it fills.
    ///
    /// A stream has no size to check up front (`/dev/zero` and `/dev/urandom` never
    /// end), so two limits apply as it arrives: a NUL byte ends the read at once (a
    /// text table never holds one; binary data always soon does), and so does a
    /// stream larger than half the machine's memory, which could not be parsed anyway.
    private static func readAll(fd: Int32, displayName: String) throws(DataFileError) -> FileBytes {
        var capacity = 1 << 16
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        var count = 0
        let limit = min(Double(Int.max), physicalMemoryBytes() / 2)
        while true {
            if count == capacity {
                guard Double(capacity) * 2 <= limit else {
                    buffer.deallocate()
                    throw .malformed(path: displayName, line: nil, column: nil,
                                     message: "the input is larger than half this machine's memory (\(byteText(limit)))"
                                        + "; convert it to .npy with `gmm convert` and read that")
                }
                let larger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
                larger.copyMemory(from: buffer, byteCount: count)
                buffer.deallocate()
                buffer = larger
                capacity *= 2
            }
            let n = read(fd, buffer + count, capacity - count)
            if n > 0 {
                let bytes = UnsafeRawBufferPointer(start: buffer, count: count + n)
                if let nul = bytes[count...].firstIndex(of: 0) {
                    let (line, column) = position(of: nul, in: bytes)
                    buffer.deallocate()
                    throw .malformed(path: displayName, line: line, column: column,
                                     message: "found a NUL byte: binary data, not a text table")
                }
                count += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                let reason = systemErrorText(errno)
                buffer.deallocate()
                throw .cannotOpen(path: displayName, reason: reason)
            }
        }
        return FileBytes(base: UnsafeRawPointer(buffer), count: count, isMemoryMapped: false)
    }

    /// The 1-based line and cell of byte `offset` (cells split at commas and tabs).
    private static func position(of offset: Int, in bytes: UnsafeRawBufferPointer) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for byte in bytes[..<offset] {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 }
            else if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\t") { column += 1 }
        }
        return (line, column)
    }
}

/// The C library's text for an `errno` value ("No such file or directory").
func systemErrorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}
