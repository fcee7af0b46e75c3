// Reading a `.npy` file a slice of rows at a time, for processes that share
// one file and must each hold only their own rows (MPI ranks).
//
// `open` reads the preamble and the header only (pread, no mapping of the
// data). `rows(_:)` then touches only the bytes of the slice: a `<f8` C-order
// slice of all columns is a private read-only mapping of the pages that hold
// it, borrowed without a copy like `NumpyFile` borrows whole files; anything
// else (`<f4`, `<i8`, `<i4`, Fortran order, a column selection) is read with
// pread — one run of bytes in C order, one run per column in Fortran order —
// and converted. A file too short for the slice is an error of that slice
// only: the rows before the damage stay readable, as `pread` would find them.

#if canImport(Glibc)
import Glibc
#endif

/// A `.npy` file whose rows are read in slices, so that no caller needs the whole array in memory.
///
/// The element types and orders are those `DataFileReader` accepts for
/// `.npy` (`<f8`, `<f4`, `<i8`, `<i4`, C or Fortran order, 1-D or 2-D);
/// columns are named `x0`, `x1`, ….
public final class NumpyRowSlices: @unchecked Sendable {
    // @unchecked: every stored property is immutable after `init`; reads use pread and mmap on a private descriptor.
    /// The file name used in errors.
    public let displayName: String
    /// Number of rows in the whole array, n.
    public let rowCount: Int
    /// Number of columns in the whole array, d.
    public let columnCount: Int
    /// `x0`, `x1`, …: the names `--columns` selects from.
    public var columnNames: [String] { (0..<columnCount).map { "x\($0)" } }

    private let header: NumpyHeader
    private let fd: Int32
    private let fileSize: Int

    /// Opens `path` and reads its header (not its data).
    ///
    /// - Throws: `DataFileError.cannotOpen` when the file is missing, unreadable or a
    ///   folder; `.malformed` for a header that is damaged or describes an unsupported array.
    public init(path: String, displayName: String? = nil) throws(DataFileError) {
        let name = displayName ?? path
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: name, reason: systemErrorText(errno)) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = systemErrorText(errno)
            close(fd)
            throw .cannotOpen(path: name, reason: reason)
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            close(fd)
            throw .cannotOpen(path: name, reason: systemErrorText(EISDIR))
        }
        do throws(DataFileError) {
            // The preamble (≤ 12 bytes) says how long the header is; then read both together.
            let preamble = try Self.read(fd, offset: 0, count: 12, displayName: name)
            var length = 10
            if preamble.count >= 10 {
                length = preamble[6] == 1 ? 10 + (Int(preamble[8]) | Int(preamble[9]) << 8)
                    : preamble.count >= 12 ? 12 + (Int(preamble[8]) | Int(preamble[9]) << 8 | Int(preamble[10]) << 16
                                                   | Int(preamble[11]) << 24) : 12
            }
            let bytes = try Self.read(fd, offset: 0, count: min(length, 1 << 24), displayName: name)
            let parsed = bytes.withUnsafeBytes { raw in
                Result { () throws(DataFileError) in try NumpyHeader(raw, displayName: name) }
            }
            header = try parsed.get()
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
        self.displayName = name
        fileSize = Int(info.st_size)
        rowCount = header.shape[0]
        columnCount = header.shape.count == 2 ? header.shape[1] : 1
    }

    deinit { close(fd) }

    /// The rows `range` (0-based, of the whole array) as a matrix, reading only their bytes.
    ///
    /// - Parameters:
    ///   - range: the rows to read, 0-based, within `0..<rowCount`.
    ///   - columns: 0-based indices or names `x0`, `x1`, … to keep, in order; `nil` keeps all.
    /// - Throws: `DataFileError.malformed` when the file is too short for these rows
    ///   or a value is not finite (naming the 1-based row of the whole array),
    ///   `.unknownColumn` for a bad selection.
    public func rows(_ range: Range<Int>, columns: [ColumnSelector]? = nil) throws(DataFileError) -> DataMatrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rowCount, "rows out of range")
        func fail(_ message: String) -> DataFileError {
            .malformed(path: displayName, line: nil, column: nil, message: message)
        }
        let n = rowCount, d = columnCount
        guard d > 0 else { throw fail("the array has no columns (shape \(NumpyHeader.format(header.shape)))") }
        let names = columnNames
        let selected = try columns.map { selectors throws(DataFileError) in
            try ColumnSelector.positions(of: selectors, in: names, displayName: displayName)
        } ?? Array(0..<d)
        let width = selected.count
        let featureNames = selected.map { names[$0] }
        let count = range.count
        if count == 0 {
            return DataMatrix(trusted: DataStorage(copying: []), sampleCount: 0, featureCount: width, featureNames: featureNames)
        }
        let item = header.elementType.byteCount
        let isColumnMajor = header.isFortranOrder && n > 1 && d > 1
        // The last byte the slice needs (overflow-checked: the header's shape is the file's word).
        let (lastElement, o1) = (isColumnMajor ? (d - 1) : 0).multipliedReportingOverflow(by: n)
        let (endElement, o2) = lastElement.addingReportingOverflow(isColumnMajor ? range.upperBound : range.upperBound * d)
        let (endByte, o3) = endElement.multipliedReportingOverflow(by: item)
        guard !o1, !o2, !o3, header.dataOffset + endByte <= fileSize else {
            throw fail("truncated: rows \(range.lowerBound + 1)–\(range.upperBound) of shape \(NumpyHeader.format(header.shape)) "
                       + "'\(header.elementType.rawValue)' need \(o1 || o2 || o3 ? "more bytes than can exist" : "\(header.dataOffset + endByte) bytes"), "
                       + "the file has \(fileSize)")
        }

        let storage: DataStorage
        if header.elementType == .float64, !isColumnMajor, selected == Array(0..<d), header.dataOffset % 8 == 0 {
            storage = try mapped(byteOffset: header.dataOffset + range.lowerBound * d * 8, count: count * d)
        } else {
            let values = UnsafeMutablePointer<Double>.allocate(capacity: count * width)
            do throws(DataFileError) {
                if isColumnMajor {
                    for (k, j) in selected.enumerated() {
                        let raw = try Self.read(fd, offset: header.dataOffset + (j * n + range.lowerBound) * item,
                                                count: count * item, displayName: displayName)
                        raw.withUnsafeBytes { src in
                            for r in 0..<count { values[r * width + k] = header.elementType.value(in: src.baseAddress!, at: r) }
                        }
                    }
                } else {
                    let raw = try Self.read(fd, offset: header.dataOffset + range.lowerBound * d * item,
                                            count: count * d * item, displayName: displayName)
                    raw.withUnsafeBytes { src in
                        for r in 0..<count {
                            for (k, j) in selected.enumerated() {
                                values[r * width + k] = header.elementType.value(in: src.baseAddress!, at: r * d + j)
                            }
                        }
                    }
                }
            } catch {
                values.deallocate()
                throw error
            }
            storage = DataStorage(adopting: values, count: count * width)
        }
        do throws(DataError) {
            return try DataMatrix(storage: storage, sampleCount: count, featureCount: width, featureNames: featureNames)
        } catch {
            guard case let .nonFinite(i, k) = error else { throw fail(error.description) }
            let value = storage.base[i * width + k]
            let what = value.isNaN ? "NaN" : (value < 0 ? "-infinity" : "infinity")
            throw fail("row \(range.lowerBound + i + 1), column \(selected[k] + 1): value is \(what); every value must be a finite number")
        }
    }

    /// The contiguous share of `total` rows that part `part` of `parts` reads:
    /// parts differ by at most one row, earlier parts take the extra rows, and
    /// the shares in part order cover 0..<total in order.
    public static func share(of total: Int, part: Int, of parts: Int) -> Range<Int> {
        precondition(parts >= 1 && part >= 0 && part < parts && total >= 0, "no such part")
        let base = total / parts, extra = total % parts
        let start = part * base + min(part, extra)
        return start..<(start + base + (part < extra ? 1 : 0))
    }

    /// `count` doubles at `byteOffset`, borrowed from a private read-only mapping of their pages.
    private func mapped(byteOffset: Int, count: Int) throws(DataFileError) -> DataStorage {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = byteOffset - byteOffset % page
        let length = byteOffset + count * 8 - start
        guard let mapping = mmap(nil, length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, off_t(start)),
              mapping != MAP_FAILED else {
            throw .cannotOpen(path: displayName, reason: systemErrorText(errno))
        }
        let base = (UnsafeRawPointer(mapping) + (byteOffset - start)).assumingMemoryBound(to: Double.self)
        nonisolated(unsafe) let region = mapping
        return DataStorage(borrowing: base, count: count, release: { munmap(region, length) })
    }

    /// `count` bytes at `offset` (fewer at the end of the file).
    private static func read(_ fd: Int32, offset: Int, count: Int, displayName: String) throws(DataFileError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n > 0 {
                done += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                throw .cannotOpen(path: displayName, reason: systemErrorText(errno))
            }
        }
        return Array(bytes.prefix(done))
    }
}
