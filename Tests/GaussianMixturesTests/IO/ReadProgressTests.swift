// DataFileReader.progress: a text file's read reports every 16384 rows and once
// at the end; the values read are the same with and without a handler.

import Foundation
import Testing
@testable import GaussianMixtures

/// The reports of one read, collected from the parsing thread.
private final class Reports: @unchecked Sendable {
    // @unchecked: the reader reports from the thread that calls it, one read at a time.
    var items: [ReadProgress] = []
}

@Suite("Data file reader progress")
struct ReadProgressTests {
    @Test("every 16384 rows and at the end, bytes growing to the file's size; same values as without", arguments: [false, true])
    func reports(_ withGaps: Bool) throws {
        var text = "a,b\n"
        for i in 0..<40_000 { text += i == 7 && withGaps ? "1,\n" : "\(i),\(i % 17)\n" }
        let bytes = Array(text.utf8)
        let reports = Reports()
        let handler = ReadProgressHandler { reports.items.append($0) }
        let read = try DataFileReader.$progress.withValue(handler) {
            try DataFileReader.read(bytes: bytes, displayName: "x.csv", format: .csv, missing: withGaps ? .allow : .reject)
        }
        let plain = try DataFileReader.read(bytes: bytes, displayName: "x.csv", format: .csv, missing: withGaps ? .allow : .reject)
        #expect(read.values.map(\.bitPattern) == plain.values.map(\.bitPattern))
        #expect(reports.items.map(\.rowCount) == [16384, 32768, 40_000])
        #expect(reports.items.map(\.isFinished) == [false, false, true])
        #expect(reports.items.allSatisfy { $0.displayName == "x.csv" && $0.byteCount == bytes.count })
        let read1 = reports.items.map(\.bytesRead)
        #expect(read1 == read1.sorted() && read1.last == bytes.count)
        // The bytes read after 16384 rows are those of the header and the first 16384 lines.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(read1[0] == lines.prefix(16385).map { $0.utf8.count + 1 }.reduce(0, +))
    }

    @Test("no handler bound: nothing is reported (and nothing is captured)")
    func unbound() throws {
        #expect(DataFileReader.progress == nil)
        _ = try DataFileReader.read(bytes: Array("a\n1\n".utf8), displayName: "y.csv", format: .csv)
    }
}
