import Foundation
import Testing
@testable import GaussianMixtures

@Suite("NumPy writer and memory-mapped passes")
struct NumpyWriterTests {
    @Test("headers are NumPy's: version 1.0, '<f8', C order, data at a multiple of 64 bytes", arguments: [
        (1, 1), (3, 2), (272, 2), (10_000_000, 8), (123_456_789_012, 1000),
    ])
    func header(_ n: Int, _ d: Int) throws {
        let bytes = NumpyWriter.header(rowCount: n, columnCount: d)
        #expect(bytes.count % 64 == 0)
        #expect(bytes.last == UInt8(ascii: "\n"))
        let parsed = try bytes.withUnsafeBytes { try NumpyHeader($0, displayName: "h.npy") }
        #expect(parsed.elementType == .float64 && !parsed.isFortranOrder)
        #expect(parsed.shape == [n, d] && parsed.dataOffset == bytes.count)
        // NumPy's own header for (3, 2), as `np.save` writes it.
        if n == 3 && d == 2 {
            let numpy = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }"
            #expect(Array(bytes[10...]) == Array((numpy + String(repeating: " ", count: 128 - 10 - numpy.utf8.count - 1) + "\n").utf8))
        }
    }

    @Test("a written file reads back, memory-mapped, to the same bits; dropping its pages changes no value")
    func roundTripAndDroppedPages() throws {
        let folder = TemporaryFolder()
        let (data, truth) = try syntheticData(seed: 3, count: 50_000)
        let path = folder.path + "/x.npy"
        let sink = try OutputSink(path: path)
        try NumpyWriter.write(data, to: sink)
        try sink.commit()
        let read = try DataFileReader.read(path: path)
        #expect(read.storage.isMemoryMapped)
        #expect(read.values.map(\.bitPattern) == data.values.map(\.bitPattern))
        let first = ExpectationStep.statistics(of: read, under: truth, threads: 2)
        // A file this small keeps its pages between passes; unmap them anyway.
        #expect(!read.storage.dropsPagesBehind)
        read.storage.unmapPages(elements: 0..<read.values.count, outward: true)
        let second = ExpectationStep.statistics(of: read, under: truth, threads: 2)
        #expect(first == second)
        #expect(first == ExpectationStep.statistics(of: data, under: truth, threads: 2))
        // Gathering scattered rows copies exactly those rows.
        let gathered = read.gathering([40_000..<40_003, 7..<9])
        #expect(gathered.values == data.rows(40_000..<40_003).values + data.rows(7..<9).values)
        #expect(!gathered.storage.isMemoryMapped)
    }
}
