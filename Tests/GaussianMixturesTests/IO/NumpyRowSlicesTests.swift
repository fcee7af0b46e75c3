// Reading a `.npy` file a slice of rows at a time: the slices, in order, are
// the whole array, for every element type and order; a truncated file fails
// only for the slices that reach past its end.

import Testing
@testable import GaussianMixtures

@Suite(".npy row slices")
struct NumpyRowSlicesTests {
    /// 7 rows × 3 columns, row-major.
    let values: [Double] = (0..<21).map { Double($0) * 1.5 - 4 }

    /// The whole array read by slices: one per part, in part order.
    private func bySlices(_ path: String, parts: Int, columns: [ColumnSelector]? = nil) throws -> [Double] {
        let file = try NumpyRowSlices(path: path)
        return try (0..<parts).flatMap { p in
            try file.rows(NumpyRowSlices.share(of: file.rowCount, part: p, of: parts), columns: columns).values
        }
    }

    @Test("slices in order are the whole array: <f8, <f4, <i4 and Fortran order, 1 to 8 parts")
    func slicesCoverTheArray() throws {
        let folder = TemporaryFolder()
        var columnMajor = [Double](repeating: 0, count: 21)
        for i in 0..<7 { for j in 0..<3 { columnMajor[j * 7 + i] = values[i * 3 + j] } }
        let files = [
            folder.file("f8.npy", numpyBytes(values, descr: "<f8", shape: "(7, 3)")),
            folder.file("f4.npy", numpyBytes(values.map(Float.init), descr: "<f4", shape: "(7, 3)")),
            folder.file("i4.npy", numpyBytes(values.map { Int32($0.rounded(.down)) }, descr: "<i4", shape: "(7, 3)")),
            folder.file("fortran.npy", numpyBytes(columnMajor, descr: "<f8", shape: "(7, 3)", fortran: true)),
        ]
        for path in files {
            let whole = try DataFileReader.read(path: path)
            for parts in 1...8 {
                #expect(try bySlices(path, parts: parts) == whole.values, "\(path), \(parts) parts")
                #expect(try bySlices(path, parts: parts, columns: [.index(2), .name("x0")])
                        == DataFileReader.read(path: path, columns: [.index(2), .name("x0")]).values)
            }
        }
    }

    @Test("shares: contiguous, in order, sizes differing by at most one")
    func shares() {
        for total in [0, 1, 5, 1001] {
            for parts in 1...7 {
                let ranges = (0..<parts).map { NumpyRowSlices.share(of: total, part: $0, of: parts) }
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == total)
                #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                #expect(ranges.map(\.count).max()! - ranges.map(\.count).min()! <= 1)
            }
        }
    }

    @Test("a truncated file: slices before the damage read, the one past the end names its rows")
    func truncated() throws {
        let folder = TemporaryFolder()
        let bytes = numpyBytes(values, descr: "<f8", shape: "(7, 3)")
        let path = folder.file("short.npy", Array(bytes.dropLast(8)))
        let file = try NumpyRowSlices(path: path)
        #expect(try file.rows(0..<4).values == Array(values[0..<12]))
        let error = dataFileError { () throws(DataFileError) in try file.rows(4..<7) }
        guard case let .malformed(name, nil, nil, message)? = error else {
            Issue.record("expected a malformed-file error, got \(String(describing: error))")
            return
        }
        #expect(name == path)
        #expect(message.hasPrefix("truncated: rows 5–7 of shape (7, 3) '<f8' need"))
    }

    @Test("a missing file is cannotOpen; a non-finite value names its row in the whole array")
    func errors() throws {
        let folder = TemporaryFolder()
        let missing = Result { () throws(DataFileError) in try NumpyRowSlices(path: folder.path + "/none.npy") }
        guard case .failure(.cannotOpen)? = Optional(missing) else {
            Issue.record("expected cannotOpen")
            return
        }
        var bad = values
        bad[5 * 3 + 1] = .nan
        let file = try NumpyRowSlices(path: folder.file("nan.npy", numpyBytes(bad, descr: "<f8", shape: "(7, 3)")))
        #expect(try file.rows(0..<5).sampleCount == 5)
        let error = dataFileError { () throws(DataFileError) in try file.rows(4..<7) }
        #expect(error?.description.hasSuffix("row 6, column 2: value is NaN; every value must be a finite number") == true)
    }
}
