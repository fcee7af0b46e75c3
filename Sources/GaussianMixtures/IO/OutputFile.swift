// Why write-then-rename: the contract promises that an error "leaves no partial
// output file behind" (interface.md, "Exit status"). The bytes go to a new,
// uniquely named file in the destination's own folder (same file system, so
// `rename` is atomic), which then replaces the destination in one step. Readers
// see the old file or the new one, never half of either; on any failure the
// temporary file is removed and the destination is untouched. A replaced file's
// permission bits are carried over; a symbolic link at the destination is
// replaced by the new file rather than followed.
//
// There is no `fsync`: it costs tens of milliseconds on real disks and protects
// only against power loss between write and rename, which is not the failure
// the contract is about. The temporary name (`.NAME.tmp-PID-RANDOM`) is created
// with O_EXCL, so two processes writing the same path cannot share it; the
// random part comes from the system generator and affects only the name.

#if canImport(Glibc)
import Glibc
#endif

/// Writes whole files atomically, and standard output completely.
public enum OutputFile {
    /// Replaces (or creates) the file at `path` with `bytes`, all or nothing.
    ///
    /// - Throws: `OutputFileError.cannotWrite` when the folder is missing, a folder
    ///   is in the way, permission is denied or the disk is full; `path` is then
    ///   left exactly as it was and no temporary file remains.
    public static func write(_ bytes: [UInt8], to path: String) throws(OutputFileError) {
        let sink = try OutputSink(path: path)
        try sink.write(bytes)
        try sink.commit()
    }

    /// Opens a uniquely named temporary file beside `path` (O_EXCL), carrying
    /// over the permission bits of a regular file already at `path`. The name is
    /// registered with `TemporaryFiles` before the file is created (its slot is
    /// returned), so a signal arriving at any moment after creation removes it.
    static func openTemporary(for path: String) throws(OutputFileError) -> (fd: Int32, temporaryPath: String, slot: Int?) {
        func fail(_ code: Int32) -> OutputFileError { .cannotWrite(path: path, reason: systemErrorText(code)) }
        guard !path.isEmpty else { throw .cannotWrite(path: path, reason: "the path is empty") }
        guard !path.hasSuffix("/") else { throw fail(EISDIR) }
        var existing = stat()
        let exists = stat(path, &existing) == 0
        if exists && existing.st_mode & S_IFMT == S_IFDIR { throw fail(EISDIR) }
        let (folder, name) = split(path)
        var temporaryPath = ""
        var fd: Int32 = -1
        var slot: Int?
        for _ in 0..<8 {
            let unique = String(UInt32.random(in: .min ... .max), radix: 16)
            temporaryPath = "\(folder)/.\(name.prefix(200)).tmp-\(getpid())-\(unique)"
            slot = TemporaryFiles.register(temporaryPath)
            fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 { break }
            let code = errno
            TemporaryFiles.unregister(slot)
            slot = nil
            errno = code
            if code != EEXIST { break }
        }
        guard fd >= 0 else { throw fail(errno) }
        if exists && existing.st_mode & S_IFMT == S_IFREG {
            _ = fchmod(fd, existing.st_mode & 0o7777)
        }
        return (fd, temporaryPath, slot)
    }

    /// Writes all of `bytes` to standard output, retrying short and interrupted writes.
    ///
    /// - Throws: `OutputFileError.cannotWrite(path: "<stdout>", …)`, e.g. when the
    ///   reader of a pipe has gone away (only if SIGPIPE is ignored; by default the
    ///   process is ended by the signal instead).
    public static func writeStandardOutput(_ bytes: [UInt8]) throws(OutputFileError) {
        guard writeAll(bytes, to: STDOUT_FILENO) else {
            throw .cannotWrite(path: "<stdout>", reason: systemErrorText(errno))
        }
    }

    /// `write` until every byte is out; `false` with `errno` set on failure.
    static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
        bytes.withUnsafeBytes { buffer in
            guard var p = buffer.baseAddress else { return true }
            var remaining = buffer.count
            while remaining > 0 {
                let n = Glibc.write(fd, p, remaining)
                if n > 0 {
                    p += n
                    remaining -= n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    if n == 0 { errno = EIO }
                    return false
                }
            }
            return true
        }
    }

    /// The folder (`.` when none is given) and the last component of `path`.
    private static func split(_ path: String) -> (folder: String, name: Substring) {
        guard let slash = path.lastIndex(of: "/") else { return (".", Substring(path)) }
        let folder = path[..<slash]
        return (folder.isEmpty ? "/" : String(folder), path[path.index(after: slash)...])
    }
}

/// An output written in pieces but published whole: a file appears at its
/// path only on `commit()` (write to a temporary file, then rename); standard
/// output is written as it comes. A sink dropped without `commit()` removes
/// its temporary file, so a failed command leaves nothing behind. This lets a
/// command stream a table of any length without holding it in memory.
public final class OutputSink {
    private let path: String?
    private var fd: Int32
    private var temporaryPath: String?
    private var isFinished = false

    /// A sink for the file at `path`, or for standard output when `path` is `nil` or `-`.
    ///
    /// A path that is, or leads through symbolic links to, a device, a pipe or
    /// anything under /dev or /proc (`/dev/stdout`, `/dev/null`, a FIFO) is
    /// written directly (appending): renaming over it would
    /// replace the device node or the link. A link to a regular file is followed,
    /// and the file it names is replaced atomically.
    public init(path: String?) throws(OutputFileError) {
        self.path = path == "-" ? nil : path
        guard let path, path != "-" else {
            fd = STDOUT_FILENO
            return
        }
        let resolved = realpath(path, nil).map { p in defer { free(p) }; return String(cString: p) }
        var info = stat()
        let isSpecial = path.hasPrefix("/dev/") || path.hasPrefix("/proc/")
            || resolved.map { $0.hasPrefix("/dev/") || $0.hasPrefix("/proc/") } == true
            || (stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG && (info.st_mode & S_IFMT) != S_IFDIR)
        if isSpecial {
            // Appending: /dev/stdout may lead to the very file the caller's shell
            // redirected standard output to; truncating it would erase earlier output.
            fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
            guard fd >= 0 else { throw .cannotWrite(path: path, reason: systemErrorText(errno)) }
            temporaryPath = nil
        } else {
            do {
                (fd, temporaryPath, signalSlot) = try OutputFile.openTemporary(for: resolved ?? path)
            } catch {
                // Name the path the user gave, not where its links lead.
                guard case let .cannotWrite(_, reason) = error else { throw error }
                throw .cannotWrite(path: path, reason: reason)
            }
            renameTarget = resolved ?? path
        }
    }

    /// This sink's entry in the table of temporary files removed on a signal.
    private var signalSlot: Int?

    /// Where the finished temporary file goes: the path, or the regular file a link leads to.
    private var renameTarget: String?

    private var displayPath: String { path ?? "<stdout>" }

    /// Appends `bytes`.
    public func write(_ bytes: [UInt8]) throws(OutputFileError) {
        precondition(!isFinished, "write after commit")
        guard OutputFile.writeAll(bytes, to: fd) else {
            let code = errno
            abandon()
            throw .cannotWrite(path: displayPath, reason: systemErrorText(code))
        }
    }

    /// Publishes the file at its path (atomically); for standard output, does nothing more.
    public func commit() throws(OutputFileError) {
        precondition(!isFinished, "commit twice")
        isFinished = true
        guard let path else { return }
        guard let temporaryPath else {
            // A device or pipe written in place.
            if close(fd) != 0 { throw .cannotWrite(path: path, reason: systemErrorText(errno)) }
            fd = -1
            return
        }
        var failure: Int32 = 0
        if close(fd) != 0 { failure = errno }
        fd = -1
        if failure == 0 && rename(temporaryPath, renameTarget ?? path) != 0 { failure = errno }
        if failure != 0 { unlink(temporaryPath) }
        TemporaryFiles.unregister(signalSlot)
        if failure != 0 { throw .cannotWrite(path: path, reason: systemErrorText(failure)) }
    }

    private func abandon() {
        isFinished = true
        if path != nil && fd >= 0 { close(fd) }
        fd = -1
        if let temporaryPath { unlink(temporaryPath) }
        TemporaryFiles.unregister(signalSlot)
    }

    deinit { if !isFinished { abandon() } }
}
