// Why `.npy` files are borrowed rather than read: a `<f8` C-order array is
// already the row-major `Double` layout `DataMatrix` uses, so the matrix can
// point into the read-only private mapping of the file and keep the mapping
// alive until the storage is released (unmapping it then). Loading a 64 MB file
// is then the cost of mapping it plus the finiteness check, which touches every
// value once — several GB/s instead of a copy through `Data` (~650 MB/s).
//
// Everything else a user is likely to hand us is converted into a Swift-owned
// buffer: `<f4`, `<i8`, `<i4`, Fortran (column-major) order, and any
// `--columns` selection other than all columns in order. `<i8` values beyond
// 2^53 are rounded to the nearest `Double`, as NumPy's `astype(float)` does.
// Data that does not start on an 8-byte boundary (only hand-made headers do
// that) is also copied, with unaligned loads.

/// Turns the bytes of a `.npy` file into a `DataMatrix`.
enum NumpyFile {
    /// Reads a matrix from `file`, a whole `.npy` file.
    ///
    /// The result borrows `file`'s memory (and keeps `file` alive) when the data
    /// is `<f8` in C order, 8-byte aligned, and all columns are kept in order;
    /// otherwise the values are converted into new storage.
    ///
    /// - Parameters:
    ///   - displayName: the file name used in errors.
    ///   - columns: 0-based indices (or names `x0`, `x1`, …) to keep, in order; `nil` keeps all.
    /// - Throws: `DataFileError.malformed` (line `nil`) for an unsupported or damaged
    ///   file and for a non-finite value, `.unknownColumn` for a bad selection.
    static func matrix(from file: FileBytes, displayName: String, columns: [ColumnSelector]?) throws(DataFileError) -> DataMatrix {
        func fail(_ message: String) -> DataFileError {
            .malformed(path: displayName, line: nil, column: nil, message: message)
        }
        let (storage, n, selected, names) = try load(file, displayName: displayName, columns: columns)
        do throws(DataError) {
            return try DataMatrix(storage: storage, sampleCount: n, featureCount: selected.count,
                                  featureNames: selected.map { names[$0] })
        } catch {
            guard case let .nonFinite(i, k) = error else { throw fail(error.description) }
            let value = storage.base[i * selected.count + k]
            let what = value.isNaN ? "NaN" : (value < 0 ? "-infinity" : "infinity")
            throw fail("row \(i + 1), column \(selected[k] + 1): value is \(what); every value must be a finite number")
        }
    }

    /// Reads a matrix that may have gaps: with `.allow`, NaN is a missing value
    /// (infinities are still errors); with `.reject`, as `matrix(from:displayName:columns:)`.
    static func incompleteMatrix(from file: FileBytes, displayName: String, columns: [ColumnSelector]?,
                                 missing: MissingValuePolicy) throws(DataFileError) -> IncompleteDataMatrix {
        guard missing == .allow else {
            return IncompleteDataMatrix(try matrix(from: file, displayName: displayName, columns: columns))
        }
        func fail(_ message: String) -> DataFileError {
            .malformed(path: displayName, line: nil, column: nil, message: message)
        }
        let (storage, n, selected, names) = try load(file, displayName: displayName, columns: columns)
        do throws(DataError) {
            return try IncompleteDataMatrix(storage: storage, sampleCount: n, featureCount: selected.count,
                                            featureNames: selected.map { names[$0] })
        } catch {
            switch error {
            case let .nonFinite(i, k):
                let what = storage.base[i * selected.count + k] < 0 ? "-infinity" : "infinity"
                throw fail("row \(i + 1), column \(selected[k] + 1): value is \(what); every value must be a finite number or NaN (missing)")
            case let .rowMissingEverywhere(i):
                throw fail("row \(i + 1): every value is missing (NaN): a row needs at least one observed value")
            case let .columnMissingEverywhere(k, _):
                throw fail("column \(selected[k] + 1) is missing (NaN) in every row")
            default:
                throw fail(error.description)
            }
        }
    }

    /// The selected columns' values (borrowed or converted), the row count, the selection and the column names.
    private static func load(_ file: FileBytes, displayName: String, columns: [ColumnSelector]?)
        throws(DataFileError) -> (storage: DataStorage, rowCount: Int, selected: [Int], names: [String]) {
        func fail(_ message: String) -> DataFileError {
            .malformed(path: displayName, line: nil, column: nil, message: message)
        }
        let header = try NumpyHeader(file.bytes, displayName: displayName)
        let n = header.shape[0]
        let d = header.shape.count == 2 ? header.shape[1] : 1
        let shapeText = NumpyHeader.format(header.shape)
        guard d > 0 else { throw fail("the array has no columns (shape \(shapeText))") }
        guard n > 0 else { throw fail("the array has no data rows (shape \(shapeText))") }

        let itemSize = header.elementType.byteCount
        let (count, countOverflow) = n.multipliedReportingOverflow(by: d)
        let (byteCount, byteOverflow) = count.multipliedReportingOverflow(by: itemSize)
        let available = file.count - header.dataOffset
        guard !countOverflow, !byteOverflow, byteCount <= available else {
            let needed = countOverflow || byteOverflow ? "more bytes than can exist" : "\(byteCount) bytes"
            throw fail("truncated: shape \(shapeText) of '\(header.elementType.rawValue)' needs \(needed) of data, the file has \(max(available, 0))")
        }

        let names = (0..<d).map { "x\($0)" }
        let selected = try columns.map { selectors throws(DataFileError) in
            try ColumnSelector.positions(of: selectors, in: names, displayName: displayName)
        } ?? Array(0..<d)
        let data = file.base + header.dataOffset
        // One row or one column reads the same in either order.
        let isColumnMajor = header.isFortranOrder && n > 1 && d > 1

        let storage: DataStorage
        if header.elementType == .float64, !isColumnMajor, selected == Array(0..<d), Int(bitPattern: data) % 8 == 0 {
            storage = DataStorage(borrowing: data.assumingMemoryBound(to: Double.self), count: count,
                                  isMemoryMapped: file.isMemoryMapped,
                                  release: { withExtendedLifetime(file) {} })
        } else {
            storage = converted(data, type: header.elementType, rowCount: n, columnCount: d,
                                isColumnMajor: isColumnMajor, selected: selected)
        }

        return (storage, n, selected, names)
    }

    /// The selected columns of `data` as new row-major `Double` storage.
    private static func converted(_ data: UnsafeRawPointer, type: NumpyHeader.ElementType, rowCount n: Int,
                                  columnCount d: Int, isColumnMajor: Bool, selected: [Int]) -> DataStorage {
        let width = selected.count
        let values = UnsafeMutablePointer<Double>.allocate(capacity: n * width)
        // Element (i, j) is at position i*d + j (C order) or j*n + i (Fortran order).
        let rowStride = isColumnMajor ? 1 : d
        let columnStride = isColumnMajor ? n : 1
        for (k, j) in selected.enumerated() {
            var source = j * columnStride
            var target = k
            for _ in 0..<n {
                values[target] = type.value(in: data, at: source)
                source &+= rowStride
                target &+= width
            }
        }
        return DataStorage(adopting: values, count: n * width)
    }
}
