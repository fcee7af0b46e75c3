// TableWriter output must read back to the very same Doubles (the contract's
// "printed so that they read back to the same Double").

import Testing
@testable import GaussianMixtures

@Suite("Table writer")
struct TableWriterTests {
    @Test func formatsHeaderAndRows() {
        var table = TableWriter(header: ["a", "b"])
        table.append([1, -0.5])
        table.append([1e-7, 123456789012345680])
        #expect(String(decoding: table.bytes, as: UTF8.self) == "a,b\n1.0,-0.5\n1e-07,1.2345678901234568e+17\n")
        #expect(table.rowCount == 2)
    }

    @Test func integerColumns() {
        var labels = TableWriter(header: ["component"])
        for label in [0, 7, 12, -3, Int.max, Int.min] { labels.append(integers: [label]) }
        #expect(String(decoding: labels.bytes, as: UTF8.self)
                == "component\n0\n7\n12\n-3\n9223372036854775807\n-9223372036854775808\n")
        var sampled = TableWriter(header: ["x0", "x1", "component"])
        [2.5, 3.0].withUnsafeBufferPointer { sampled.append(row: $0, label: 1) }
        #expect(String(decoding: sampled.bytes, as: UTF8.self) == "x0,x1,component\n2.5,3.0,1\n")
    }

    @Test("leading text columns go in front of every kind of row, quoted when needed, repeating for stacked copies")
    func leadingColumns() {
        var table = TableWriter(header: ["component", "p"], leadingColumns: ["id", "label"], cells: [["a", "x,y"], ["b", ""]])
        table.append(integers: [0, 1])
        [0.5].withUnsafeBufferPointer { table.append(row: $0, label: 2) }
        table.append(label: 3, values: [0.25])
        [1.0, 2.0].withUnsafeBufferPointer { table.append(row: $0) }
        table.append([3, 4])
        #expect(String(decoding: table.bytes, as: UTF8.self)
                == "id,label,component,p\na,\"x,y\",0,1\nb,,0.5,2\na,\"x,y\",3,0.25\nb,,1.0,2.0\na,\"x,y\",3.0,4.0\n")
        #expect(table.columnCount == 4 && table.rowCount == 5)
    }

    @Test func headerNamesThatNeedQuotesRoundTrip() throws {
        let names = ["plain", "with, comma", "say \"hi\"", " spaced ", "two\nlines"]
        var table = TableWriter(header: names)
        table.append([1, 2, 3, 4, 5])
        let m = try DataFileReader.read(bytes: table.bytes, displayName: "t.csv", format: .csv)
        #expect(m.featureNames == names)
    }

    @Test func randomValuesRoundTripBitForBit() throws {
        var generator = TestGenerator(state: 2024)
        var values: [Double] = [0, -0.0, Double.leastNonzeroMagnitude, -2.2250738585072014e-308, .greatestFiniteMagnitude,
                                -.greatestFiniteMagnitude, 0.1, 1e22, 1e23, 123456789, -1]
        while values.count < 3 * 4000 {
            var x = Double(bitPattern: generator.next())
            if !x.isFinite { x = Double.random(in: -1...1, using: &generator) }
            values.append(values.count % 2 == 0 ? x : Double.random(in: -100..<100, using: &generator))
        }
        var table = TableWriter(header: ["a", "b", "c"], reservingRows: values.count / 3)
        values.withUnsafeBufferPointer { buffer in
            for i in stride(from: 0, to: buffer.count, by: 3) {
                table.append(row: UnsafeBufferPointer(rebasing: buffer[i ..< i + 3]))
            }
        }
        let m = try DataFileReader.read(bytes: table.bytes, displayName: "t.csv", format: .csv)
        #expect(m.sampleCount == values.count / 3)
        #expect(m.values.map(\.bitPattern) == values.map(\.bitPattern))
    }
}
