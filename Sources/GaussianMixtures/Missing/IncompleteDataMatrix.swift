// Data with gaps. A missing cell is stored as NaN in the same row-major
// layout `DataMatrix` uses, so a matrix without gaps shares its storage with
// the complete `DataMatrix` it is (`complete`), and code that handles gaps can
// hand such data to the ordinary paths unchanged. Infinities are never
// "missing": they stay an error, as in `DataMatrix`.
//
// Validation happens here, once: a row with no observed value, or a column
// observed in no row, carries no information a mixture could use (and its
// marginal would be a zero-dimensional Gaussian), so both are errors.

/// A matrix of observations with gaps: one row per sample, one column per
/// feature, NaN where a value is missing.
///
/// Every row has at least one observed value and every column is observed in
/// at least one row; no value is infinite. Build one with `init(values:…)`,
/// `init(rows:…)`, from a complete `DataMatrix`, or with
/// `DataFileReader.read(path:columns:missing:)`.
public struct IncompleteDataMatrix: Sendable {
    /// Number of rows, `n`.
    public let sampleCount: Int
    /// Number of columns, `d`.
    public let featureCount: Int
    /// One name per column (`x0`, `x1`, … when the source had none).
    public let featureNames: [String]
    /// Number of missing cells.
    public let missingCount: Int
    /// Number of rows with at least one missing cell.
    public let incompleteRowCount: Int

    let storage: DataStorage

    /// Creates a matrix from row-major values, NaN marking a missing value.
    ///
    /// - Throws: `DataError.shapeMismatch` when `values.count != sampleCount * featureCount`;
    ///   `.nonFinite` for an infinite value; `.rowMissingEverywhere` and
    ///   `.columnMissingEverywhere` naming the first row or column without an observed value.
    public init(values: [Double], sampleCount: Int, featureCount: Int, featureNames: [String]? = nil) throws(DataError) {
        guard sampleCount >= 0, featureCount >= 1, values.count == sampleCount * featureCount else {
            throw .shapeMismatch(expected: sampleCount * max(featureCount, 0), actual: values.count)
        }
        try self.init(storage: DataStorage(copying: values), sampleCount: sampleCount, featureCount: featureCount,
                      featureNames: featureNames)
    }

    /// Creates a matrix from rows of equal length, NaN marking a missing value.
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

    /// The complete matrix `data`, without gaps (shares its storage).
    public init(_ data: DataMatrix) {
        storage = data.storage
        sampleCount = data.sampleCount
        featureCount = data.featureCount
        featureNames = data.featureNames
        missingCount = 0
        incompleteRowCount = 0
    }

    /// Wraps row-major storage; checks names, infinities and empty rows and columns.
    init(storage: DataStorage, sampleCount n: Int, featureCount d: Int, featureNames: [String]?) throws(DataError) {
        precondition(storage.count == n * d, "storage does not match the shape")
        let names = featureNames ?? (0..<d).map { "x\($0)" }
        guard names.count == d else { throw .shapeMismatch(expected: d, actual: names.count) }
        var observedInColumn = [Int](repeating: 0, count: d)
        var missing = 0
        var incompleteRows = 0
        let x = storage.base
        for i in 0..<n {
            var rowMissing = 0
            for j in 0..<d {
                let v = x[i &* d &+ j]
                if v.isNaN {
                    rowMissing &+= 1
                } else if !v.isFinite {
                    throw .nonFinite(row: i, column: j)
                } else {
                    observedInColumn[j] &+= 1
                }
            }
            if rowMissing == d { throw .rowMissingEverywhere(row: i) }
            missing &+= rowMissing
            if rowMissing > 0 { incompleteRows &+= 1 }
        }
        if n > 0, let j = observedInColumn.firstIndex(of: 0) {
            throw .columnMissingEverywhere(column: j, name: names[j])
        }
        self.storage = storage
        self.sampleCount = n
        self.featureCount = d
        self.featureNames = names
        self.missingCount = missing
        self.incompleteRowCount = incompleteRows
    }

    /// The value in row `i`, column `j`; NaN when it is missing.
    public subscript(i: Int, j: Int) -> Double {
        precondition(i >= 0 && i < sampleCount && j >= 0 && j < featureCount, "index out of range")
        return storage.base[i &* featureCount &+ j]
    }

    /// Whether the value in row `i`, column `j` is missing.
    public func isMissing(_ i: Int, _ j: Int) -> Bool { self[i, j].isNaN }

    /// Row `i` as an array, NaN where a value is missing.
    public func row(_ i: Int) -> [Double] {
        precondition(i >= 0 && i < sampleCount, "row out of range")
        return Array(UnsafeBufferPointer(start: storage.base + i * featureCount, count: featureCount))
    }

    /// All values, row-major, NaN where a value is missing.
    public var values: [Double] { Array(UnsafeBufferPointer(start: storage.base, count: storage.count)) }

    /// Whether some value is missing.
    public var hasGaps: Bool { missingCount > 0 }

    /// The same data as a `DataMatrix` when nothing is missing (same storage, no copy), else `nil`.
    public var complete: DataMatrix? {
        guard missingCount == 0 else { return nil }
        return DataMatrix(trusted: storage, sampleCount: sampleCount, featureCount: featureCount,
                          featureNames: featureNames)
    }

    /// The mean of the observed values of each column.
    public var observedColumnMeans: [Double] {
        let d = featureCount
        var sums = [Double](repeating: 0, count: d)
        var counts = [Int](repeating: 0, count: d)
        let x = storage.base
        for i in 0..<sampleCount {
            for j in 0..<d {
                let v = x[i &* d &+ j]
                if !v.isNaN {
                    sums[j] += v
                    counts[j] &+= 1
                }
            }
        }
        return (0..<d).map { sums[$0] / Double(max(counts[$0], 1)) }
    }

    /// The data with every gap replaced by `fill[j]` for its column (the column
    /// means of the observed values by default): "mean imputation".
    public func filled(with fill: [Double]? = nil) -> DataMatrix {
        let d = featureCount
        let values = fill ?? observedColumnMeans
        precondition(values.count == d && values.allSatisfy(\.isFinite), "one finite fill value per column")
        if missingCount == 0 { return complete! }
        let out = UnsafeMutablePointer<Double>.allocate(capacity: max(storage.count, 1))
        for idx in 0..<storage.count {
            let v = storage.base[idx]
            out[idx] = v.isNaN ? values[idx % d] : v
        }
        return DataMatrix(trusted: DataStorage(adopting: out, count: storage.count), sampleCount: sampleCount,
                          featureCount: d, featureNames: featureNames)
    }

    /// The rows without a missing value, as a complete matrix (copied); `nil` when every row has a gap.
    public func completeRows() -> DataMatrix? {
        let d = featureCount
        var kept: [Double] = []
        kept.reserveCapacity((sampleCount - incompleteRowCount) * d)
        var count = 0
        for i in 0..<sampleCount {
            let row = UnsafeBufferPointer(start: storage.base + i * d, count: d)
            if !row.contains(where: \.isNaN) {
                kept.append(contentsOf: row)
                count += 1
            }
        }
        guard count > 0 else { return nil }
        return DataMatrix(trusted: DataStorage(copying: kept), sampleCount: count, featureCount: d,
                          featureNames: featureNames)
    }

    /// The rows `range` as a new matrix (copied); the rows must keep every column observed somewhere.
    public func rows(_ range: Range<Int>) throws(DataError) -> IncompleteDataMatrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= sampleCount, "rows out of range")
        let slice = UnsafeBufferPointer(start: storage.base + range.lowerBound * featureCount,
                                        count: range.count * featureCount)
        return try IncompleteDataMatrix(storage: DataStorage(copying: Array(slice)), sampleCount: range.count,
                                        featureCount: featureCount, featureNames: featureNames)
    }
}
