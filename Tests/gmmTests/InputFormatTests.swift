// The same data in every accepted form gives the same output: TSV, `.npy`
// (C and Fortran order), a wider file read with --columns, and the CSV
// variations the contract accepts without fuss.

import Testing

@Suite("Input formats")
struct InputFormatTests {
    /// The outputs compared between formats: labels and log densities.
    static func outputs(_ box: Sandbox, data: String, extra: [String] = []) throws -> [String] {
        [
            try box.succeed(["predict", "m.json", data] + extra).stdout,
            try box.succeed(["score", "m.json", data] + extra).stdout,
        ]
    }

    @Test("TSV gives the same predictions as CSV", arguments: ["faithful.tsv", "faithful.tab"])
    func tsv(_ name: String) throws {
        let box = try Sandbox()
        try box.fitFaithful()
        try box.write(name, try #require(box.text("old-faithful.csv")).replacingOccurrences(of: ",", with: "\t"))

        #expect(try Self.outputs(box, data: name) == Self.outputs(box, data: "old-faithful.csv"))
    }

    @Test(".npy <f8 gives the same predictions as CSV", arguments: [false, true])
    func npy(_ fortranOrder: Bool) throws {
        let box = try Sandbox()
        try box.fitFaithful()
        let rows = try faithfulRows()
        try #require(rows.count == 272)
        let values = fortranOrder ? [rows.map { $0[0] }, rows.map { $0[1] }].flatMap { $0 } : rows.flatMap { $0 }
        try box.write("faithful.npy", bytes: npyFile(descr: "<f8", shape: [272, 2], fortranOrder: fortranOrder,
                                                     payload: float64Bytes(values)))

        #expect(try Self.outputs(box, data: "faithful.npy") == Self.outputs(box, data: "old-faithful.csv"))
    }

    /// Old Faithful's waiting times (whole minutes) as `.npy` payloads of every accepted element type.
    static let npyKinds: [(descr: String, shape: [Int])] = [
        ("<f8", [272]), ("<f8", [272, 1]), ("<f4", [272]), ("<i8", [272]), ("<i4", [272, 1]),
    ]

    @Test("1-D and one-column .npy of f8, f4, i8, i4 equal a one-column CSV", arguments: npyKinds)
    func npyElementTypes(_ descr: String, _ shape: [Int]) throws {
        let box = try Sandbox()
        let waiting = try faithfulRows().map { $0[1] }
        try #require(waiting.count == 272 && waiting.allSatisfy { $0 == $0.rounded() })
        try box.write("waiting.csv", "waiting\n" + waiting.map { "\(Int($0))\n" }.joined())
        try box.succeed(["fit", "waiting.csv", "-k", "2", "-o", "m.json"])
        let payload: [UInt8] = switch descr {
        case "<f8": float64Bytes(waiting)
        case "<f4": waiting.flatMap { withUnsafeBytes(of: Float($0).bitPattern.littleEndian) { Array($0) } }
        case "<i8": waiting.flatMap { withUnsafeBytes(of: Int64($0).littleEndian) { Array($0) } }
        default: waiting.flatMap { withUnsafeBytes(of: Int32($0).littleEndian) { Array($0) } }
        }
        try box.write("waiting.npy", bytes: npyFile(descr: descr, shape: shape, payload: payload))

        #expect(try Self.outputs(box, data: "waiting.npy") == Self.outputs(box, data: "waiting.csv"))
    }

    @Test("--columns picks from a wider file and ignores a text column",
          arguments: [nil, "eruptions,waiting", "3,1"] as [String?])
    func columns(_ columns: String?) throws {
        let box = try Sandbox()
        try box.fitFaithful()
        var wide = "id,waiting,note,eruptions\n"
        for (i, row) in try faithfulRows().enumerated() {
            wide += "\(i),\(row[1]),row \(i) has text,\(row[0])\n"
        }
        try box.write("wide.csv", wide)

        let extra = columns.map { ["--columns", $0] } ?? []
        #expect(try Self.outputs(box, data: "wide.csv", extra: extra) == Self.outputs(box, data: "old-faithful.csv"))
    }

    @Test("fit with --columns on a wider file equals fit on the narrow one")
    func fitColumns() throws {
        let box = try Sandbox()
        try box.fitFaithful(to: "narrow.json")
        var wide = "note,eruptions,waiting\n"
        for row in try faithfulRows() { wide += "text,\(row[0]),\(row[1])\n" }
        try box.write("wide.csv", wide)

        try box.succeed(["fit", "wide.csv", "--columns", "eruptions,waiting", "-k", "2", "-o", "wide.json", "--seed", "0"])

        #expect(try ModelJSON.read("wide.json", in: box) == ModelJSON.read("narrow.json", in: box))
    }

    static let plain = "eruptions,waiting\n3.6,79\n1.8,54\n3.333,74\n2.283,62\n4.533,85\n"

    static let variants: [(String, String)] = [
        ("CRLF", plain.replacingOccurrences(of: "\n", with: "\r\n")),
        ("no final newline", String(plain.dropLast())),
        ("byte order mark", "\u{FEFF}" + plain),
        ("spaces around numbers", "eruptions,waiting\n 3.6 , 79\n1.8 ,54\n3.333, 74\n2.283,62\n4.533,85\n"),
        ("quoted numbers", "eruptions,waiting\n\"3.6\",79\n1.8,\"54\"\n3.333,74\n2.283,62\n4.533,85\n"),
        ("blank lines", "eruptions,waiting\n\n3.6,79\n1.8,54\n\n3.333,74\n2.283,62\n4.533,85\n\n"),
        ("no header", "3.6,79\n1.8,54\n3.333,74\n2.283,62\n4.533,85\n"),
    ]

    @Test("CSV variations are accepted without fuss", arguments: variants)
    func csvVariations(_ label: String, _ text: String) throws {
        let box = try Sandbox()
        try box.fitFaithful()
        try box.write("plain.csv", Self.plain)
        try box.write("variant.csv", text)

        #expect(try Self.outputs(box, data: "variant.csv") == Self.outputs(box, data: "plain.csv"), "\(label)")
    }
}
