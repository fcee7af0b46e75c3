// Index convention used in every comment of this library:
//   i runs over samples (rows), j over features (columns), k over components;
//   n, d and K are the matching sizes. Data is row-major, one sample per row,
//   as in scikit-learn and `gsl_matrix`.

/// A matrix of observations: one row per sample, one column per feature.
///
/// Values are stored contiguously in row-major order, either in Swift-owned
/// memory or in a read-only memory mapping of a `.npy` file (no copy). Every
/// initialiser checks the shape and that every value is finite, so code that
/// receives a `DataMatrix` can rely on both.
public struct DataMatrix: Sendable {
    /// Number of rows, `n`.
    public let sampleCount: Int
    /// Number of columns, `d`.
    public let featureCount: Int
    /// One name per column (`x0`, `x1`, … when the source had none).
    public let featureNames: [String]

    let storage: DataStorage

    /// Creates a matrix from row-major values.
    ///
    /// - Throws: `DataError.shapeMismatch` when `values.count != sampleCount * featureCount`,
    ///   `DataError.nonFinite` naming the first bad cell.
    public init(values: [Double], sampleCount: Int, featureCount: Int, featureNames: [String]? = nil) throws(DataError) {
        guard sampleCount >= 0, featureCount >= 1, values.count == sampleCount * featureCount else {
            throw .shapeMismatch(expected: sampleCount * max(featureCount, 0), actual: values.count)
        }
        let storage = DataStorage(copying: values)
        try self.init(storage: storage, sampleCount: sampleCount, featureCount: featureCount, featureNames: featureNames)
    }

    /// Creates a matrix from rows of equal length.
    public init(rows: [[Double]], featureNames: [String]? = nil) throws(DataError) {
        let d = rows.first?.count ?? featureNames?.count ?? 0
        var values: [Double] = []
        values.reserveCapacity(rows.count * d)
        for (i, row) in rows.enumerated() {
            guard row.count == d else { throw .raggedRow(row: i, expected: d, actual: row.count) }
            values.append(contentsOf: row)
        }
        try self.init(values: values, sampleCount: rows.count, featureCount: d, featureNames: featureNames)
    }

    /// Wraps storage that is already laid out row-major; checks names and finiteness.
    init(storage: DataStorage, sampleCount: Int, featureCount: Int, featureNames: [String]?) throws(DataError) {
        precondition(storage.count == sampleCount * featureCount, "storage does not match the shape")
        let names = featureNames ?? (0..<featureCount).map { "x\($0)" }
        guard names.count == featureCount else {
            throw .shapeMismatch(expected: featureCount, actual: names.count)
        }
        if let bad = storage.firstNonFiniteIndex() {
            throw .nonFinite(row: bad / featureCount, column: bad % featureCount)
        }
        self.storage = storage
        self.sampleCount = sampleCount
        self.featureCount = featureCount
        self.featureNames = names
    }

    /// The value in row `i`, column `j`.
    public subscript(i: Int, j: Int) -> Double {
        precondition(i >= 0 && i < sampleCount && j >= 0 && j < featureCount, "index out of range")
        return storage.base[i &* featureCount &+ j]
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Double] {
        precondition(i >= 0 && i < sampleCount, "row out of range")
        return Array(UnsafeBufferPointer(start: storage.base + i * featureCount, count: featureCount))
    }

    /// All values, row-major.
    public var values: [Double] { Array(UnsafeBufferPointer(start: storage.base, count: storage.count)) }

    /// Calls `body` with the row-major values; the pointer is valid only inside `body`.
    public func withUnsafeBufferPointer<R, E: Error>(_ body: (UnsafeBufferPointer<Double>) throws(E) -> R) throws(E) -> R {
        try withExtendedLifetime(storage) { () throws(E) -> R in
            try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
        }
    }

    /// The rows `range` as a new matrix (copied).
    public func rows(_ range: Range<Int>) -> DataMatrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= sampleCount, "rows out of range")
        let slice = UnsafeBufferPointer(start: storage.base + range.lowerBound * featureCount,
                                        count: range.count * featureCount)
        return DataMatrix(trusted: DataStorage(copying: Array(slice)), sampleCount: range.count,
                          featureCount: featureCount, featureNames: featureNames)
    }

    /// Skips validation; for values this library produced itself.
    init(trusted storage: DataStorage, sampleCount: Int, featureCount: Int, featureNames: [String]) {
        self.storage = storage
        self.sampleCount = sampleCount
        self.featureCount = featureCount
        self.featureNames = featureNames
    }
}

extension DataMatrix: Equatable {
    public static func == (a: DataMatrix, b: DataMatrix) -> Bool {
        guard a.sampleCount == b.sampleCount, a.featureCount == b.featureCount, a.featureNames == b.featureNames else {
            return false
        }
        return a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.elementsEqual(y) } }
    }
}

/// Errors in building a `DataMatrix` from values (file errors are `DataFileError`).
public enum DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The number of values does not match rows × columns (or names × columns).
    case shapeMismatch(expected: Int, actual: Int)
    /// Row `row` has `actual` values where the first row had `expected`.
    case raggedRow(row: Int, expected: Int, actual: Int)
    /// A value is NaN or infinite (0-based row and column).
    case nonFinite(row: Int, column: Int)
    /// Every value of a row is missing (0-based row), in data with gaps.
    case rowMissingEverywhere(row: Int)
    /// A column is missing in every row (0-based column and its name), in data with gaps.
    case columnMissingEverywhere(column: Int, name: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(expected, actual): "expected \(expected) values, found \(actual)"
        case let .raggedRow(row, expected, actual): "row \(row + 1) has \(actual) values, expected \(expected)"
        case let .nonFinite(row, column): "row \(row + 1), column \(column + 1): value is not a finite number"
        case let .rowMissingEverywhere(row): "row \(row + 1): every value is missing"
        case let .columnMissingEverywhere(column, name): "column \(column + 1) (\(name)) is missing in every row"
        }
    }
}
