// .npy files are built byte by byte here (preamble, dict header, payload), so
// the tests need no Python and can make the damaged files NumPy never writes.

import Testing
@testable import GaussianMixtures

/// The bytes of a `.npy` file with `header` (the dict text) and `payload`.
func numpyBytes(header: String, payload: [UInt8], version: UInt8 = 1, alignTo: Int = 64) -> [UInt8] {
    let preamble = version == 1 ? 10 : 12
    var text = header
    while (preamble + text.utf8.count + 1) % alignTo != 0 { text += " " }
    text += "\n"
    let length = text.utf8.count
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    if version == 1 {
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
    } else {
        bytes += [UInt8(length & 0xFF), UInt8((length >> 8) & 0xFF), UInt8((length >> 16) & 0xFF), UInt8(length >> 24)]
    }
    return bytes + Array(text.utf8) + payload
}

/// A `.npy` file of `values` stored as `descr` with `shape`.
func numpyBytes<T>(_ values: [T], descr: String, shape: String, fortran: Bool = false, version: UInt8 = 1) -> [UInt8] {
    let header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
    return numpyBytes(header: header, payload: values.withUnsafeBytes { Array($0) }, version: version)
}

private func readNumpy(_ bytes: [UInt8], columns: [ColumnSelector]? = nil) throws(DataFileError) -> DataMatrix {
    try DataFileReader.read(bytes: bytes, displayName: "data.npy", format: .npy, columns: columns)
}

private func numpyError(_ bytes: [UInt8], columns: [ColumnSelector]? = nil) -> DataFileError? {
    dataFileError { () throws(DataFileError) in try readNumpy(bytes, columns: columns) }
}

private func malformed(_ message: String) -> DataFileError {
    .malformed(path: "data.npy", line: nil, column: nil, message: message)
}

@Suite(".npy files")
struct NumpyFileTests {
    let rowMajor: [Double] = [1, 2, 3, 4, 5, 6]       // 3 rows x 2 columns

    @Test func readsEveryElementType() throws {
        let f8 = try readNumpy(numpyBytes(rowMajor, descr: "<f8", shape: "(3, 2)"))
        #expect(f8.sampleCount == 3 && f8.featureCount == 2)
        #expect(f8.values == rowMajor)
        #expect(f8.featureNames == ["x0", "x1"])
        #expect(try readNumpy(numpyBytes(rowMajor.map(Float.init), descr: "<f4", shape: "(3, 2)")).values == rowMajor)
        #expect(try readNumpy(numpyBytes(rowMajor.map { Int64($0) }, descr: "<i8", shape: "(3, 2)")).values == rowMajor)
        #expect(try readNumpy(numpyBytes(rowMajor.map { Int32($0) }, descr: "<i4", shape: "(3, 2)")).values == rowMajor)
    }

    @Test func fortranOrderIsTransposed() throws {
        let columnMajor: [Double] = [1, 3, 5, 2, 4, 6]
        #expect(try readNumpy(numpyBytes(columnMajor, descr: "<f8", shape: "(3, 2)", fortran: true)).values == rowMajor)
        let ints = columnMajor.map { Int32($0) }
        #expect(try readNumpy(numpyBytes(ints, descr: "<i4", shape: "(3, 2)", fortran: true)).values == rowMajor)
    }

    @Test func oneDimensionalArrayIsOneFeature() throws {
        let m = try readNumpy(numpyBytes([1.5, 2.5, 3.5], descr: "<f8", shape: "(3,)"))
        #expect(m.sampleCount == 3 && m.featureCount == 1)
        #expect(m.values == [1.5, 2.5, 3.5])
    }

    @Test func headerVersionsAndSpellings() throws {
        #expect(try readNumpy(numpyBytes(rowMajor, descr: "<f8", shape: "(3, 2)", version: 2)).values == rowMajor)
        #expect(try readNumpy(numpyBytes(rowMajor, descr: "<f8", shape: "(3, 2)", version: 3)).values == rowMajor)
        let reordered = numpyBytes(header: "{\"shape\":(3L,2L),\"fortran_order\":False,\"descr\":\"<f8\"}",
                                   payload: rowMajor.withUnsafeBytes { Array($0) })
        #expect(try readNumpy(reordered).values == rowMajor)
    }

    @Test func columnSelectionCopiesTheChosenColumns() throws {
        let bytes = numpyBytes(rowMajor, descr: "<f8", shape: "(3, 2)")
        let m = try readNumpy(bytes, columns: [.index(1), .name("x0")])
        #expect(m.values == [2, 1, 4, 3, 6, 5])
        #expect(m.featureNames == ["x1", "x0"])
        #expect(numpyError(bytes, columns: [.name("a")]) == .unknownColumn(path: "data.npy", name: "a", columns: ["x0", "x1"]))
        #expect(numpyError(bytes, columns: [.index(2)]) == .unknownColumn(path: "data.npy", name: "2", columns: ["x0", "x1"]))
    }

    @Test func unsupportedArraysSayWhatTheyAre() {
        let eight = [UInt8](repeating: 0, count: 48)
        #expect(numpyError(numpyBytes(header: "{'descr': '>f8', 'fortran_order': False, 'shape': (3, 2), }", payload: eight))
                == malformed("big-endian '>f8' arrays are not supported"))
        #expect(numpyError(numpyBytes(header: "{'descr': '|O', 'fortran_order': False, 'shape': (3, 2), }", payload: eight))
                == malformed("object arrays ('|O') are not supported"))
        #expect(numpyError(numpyBytes(header: "{'descr': '<i2', 'fortran_order': False, 'shape': (3, 2), }", payload: eight))
                == malformed("'<i2' arrays are not supported (use <f8, <f4, <i8 or <i4)"))
        #expect(numpyError(numpyBytes(header: "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,), }", payload: eight))
                == malformed("structured arrays (several fields per element) are not supported"))
        #expect(numpyError(numpyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3, 2), }", payload: eight))
                == malformed("3-dimensional arrays (shape (1, 3, 2)) are not supported; use 1 or 2 dimensions"))
        #expect(numpyError(numpyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", payload: eight))
                == malformed("0-dimensional arrays (shape ()) are not supported; use 1 or 2 dimensions"))
    }

    @Test func damagedFilesSayWhatIsWrong() {
        let full = numpyBytes(rowMajor, descr: "<f8", shape: "(3, 2)")
        #expect(numpyError(Array(full.dropLast(8)))
                == malformed("truncated: shape (3, 2) of '<f8' needs 48 bytes of data, the file has 40"))
        #expect(numpyError(Array(full.prefix(40))) == malformed("truncated header: it should be 118 bytes, the file has 30 after the preamble"))
        #expect(numpyError(Array("a,b\n1,2\n".utf8)) == malformed("not a NumPy .npy file (the file does not start with \"\\x93NUMPY\")"))
        #expect(numpyError([]) == malformed("the file is empty"))
        #expect(numpyError(numpyBytes(header: "{'descr': '<f8', 'shape': (3, 2)}", payload: []))
                == malformed("the header has no True/False 'fortran_order'"))
        #expect(numpyError(numpyBytes(header: "not a dict", payload: []))?.description.hasPrefix("data.npy: unreadable header") == true)
    }

    @Test func emptyArraysAreRejected() {
        #expect(numpyError(numpyBytes([Double](), descr: "<f8", shape: "(0, 3)"))
                == malformed("the array has no data rows (shape (0, 3))"))
        #expect(numpyError(numpyBytes([Double](), descr: "<f8", shape: "(0,)"))
                == malformed("the array has no data rows (shape (0,))"))
        #expect(numpyError(numpyBytes([Double](), descr: "<f8", shape: "(4, 0)"))
                == malformed("the array has no columns (shape (4, 0))"))
    }

    @Test func nonFiniteValuesNameRowAndColumn() {
        var values = rowMajor
        values[3] = .nan                                      // row 2, column 2
        let error = numpyError(numpyBytes(values, descr: "<f8", shape: "(3, 2)"))
        #expect(error?.description == "data.npy: row 2, column 2: value is NaN; every value must be a finite number")
        let floats: [Float] = [1, 2, 3, 4, -.infinity, 6]
        #expect(numpyError(numpyBytes(floats, descr: "<f4", shape: "(3, 2)"))?.description
                == "data.npy: row 3, column 1: value is -infinity; every value must be a finite number")
        let selected = numpyError(numpyBytes(values, descr: "<f8", shape: "(3, 2)"), columns: [.index(1)])
        #expect(selected?.description == "data.npy: row 2, column 2: value is NaN; every value must be a finite number")
    }

    @Test func float64FileIsUsedInPlaceWithoutCopying() throws {
        let folder = TemporaryFolder()
        let path = folder.file("m.npy", numpyBytes(rowMajor, descr: "<f8", shape: "(3, 2)"))
        let file = try FileBytes.open(path: path, displayName: path)
        #expect(file.isMemoryMapped)
        let m = try NumpyFile.matrix(from: file, displayName: path, columns: nil)
        let dataStart = file.base + 128
        #expect(m.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) } == dataStart)
        #expect(m.values == rowMajor)

        let converted = try NumpyFile.matrix(from: file, displayName: path, columns: [.index(1)])
        #expect(converted.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) } != dataStart)
        #expect(try DataFileReader.read(path: path) == m)
    }

    @Test func misalignedDataIsCopied() throws {
        let m = try readNumpy(numpyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }",
                                         payload: rowMajor.withUnsafeBytes { Array($0) }, alignTo: 4))
        #expect(m.values == rowMajor)
    }
}
