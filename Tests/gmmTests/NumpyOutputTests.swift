import Foundation
import Testing

// `-o FILE.npy`: a table written as a float64 `.npy` array holds exactly the
// numbers of the CSV table (which are printed in shortest round-trip form),
// integer labels included, and nothing is left behind when the command fails.

/// The shape and values of a version-1.0, `<f8`, C-order `.npy` file, checked by hand.
private func readNumpy(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws -> (shape: [Int], values: [Double]) {
    try #require(bytes.count >= 10 && bytes[0] == 0x93 && Array(bytes[1...5]) == Array("NUMPY".utf8), sourceLocation: sourceLocation)
    #expect(bytes[6] == 1 && bytes[7] == 0, "version 1.0", sourceLocation: sourceLocation)
    let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
    #expect((10 + headerLength) % 64 == 0, "data aligned to 64 bytes", sourceLocation: sourceLocation)
    let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
    #expect(header.contains("'descr': '<f8'") && header.contains("'fortran_order': False"), sourceLocation: sourceLocation)
    let shapeText = try #require(header.split(separator: "(").dropFirst().first?.split(separator: ")").first,
                                 sourceLocation: sourceLocation)
    let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    let body = Array(bytes[(10 + headerLength)...])
    try #require(body.count == shape.reduce(1, *) * 8, "data size matches the shape", sourceLocation: sourceLocation)
    let values = stride(from: 0, to: body.count, by: 8).map { offset in
        Double(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(body[offset + $1]) << (8 * UInt64($1)) })
    }
    return (shape, values)
}

@Suite("-o FILE.npy: tables as NumPy arrays")
struct NumpyOutputTests {
    @Test("predict, predict --probabilities, --details, score and sample: the CSV's numbers, bit for bit",
          arguments: [["predict"], ["predict", "--probabilities"], ["predict", "--details"], ["predict", "--probabilities", "--log"],
                      ["score"]])
    func sameNumbersAsCSV(_ command: [String]) throws {
        let box = try Sandbox()
        try box.fitFaithful()
        let csv = Table(try box.succeed(command + ["m.json", "old-faithful.csv"]).stdout)
        try box.succeed(command + ["m.json", "old-faithful.csv", "-o", "out.npy"])
        let (shape, values) = try readNumpy(try #require(box.bytes("out.npy")))
        #expect(shape == [272, csv.rows[0].count])
        #expect(values.map(\.bitPattern) == csv.numbers.flatMap { $0 }.map(\.bitPattern))
    }

    @Test("sample -o FILE.npy holds the same draws as the CSV, labels as numbers")
    func sample() throws {
        let box = try Sandbox()
        try box.fitFaithful()
        let csv = Table(try box.succeed(["sample", "m.json", "-n", "1000", "--seed", "3", "--labels"]).stdout)
        try box.succeed(["sample", "m.json", "-n", "1000", "--seed", "3", "--labels", "-o", "s.npy"])
        let (shape, values) = try readNumpy(try #require(box.bytes("s.npy")))
        #expect(shape == [1000, 3])
        #expect(values.map(\.bitPattern) == csv.numbers.flatMap { $0 }.map(\.bitPattern))
    }

    @Test("a failing command leaves no .npy file")
    func nothingLeftOnFailure() throws {
        let box = try Sandbox()
        try box.fitFaithful()
        try box.write("bad.csv", "eruptions,waiting\n1,2\n3,x\n")
        expectCleanFailure(try box.run(["predict", "m.json", "bad.csv", "-o", "out.npy"]), status: 65, facts: ["bad.csv:3:2"])
        #expect(box.bytes("out.npy") == nil)
    }
}
