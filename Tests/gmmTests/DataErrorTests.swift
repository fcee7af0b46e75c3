// Exit status 65 for data files: the error line names the file, the 1-based
// line and column where there is one, and what was found. Each bad file goes
// through fit, predict and score with an output file named, which must not appear.

import Testing

/// A data file that every command must refuse, and the facts its error line must mention.
struct BadData: CustomTestStringConvertible, Sendable {
    var label: String
    var name: String
    var bytes: [UInt8]
    var facts: [String]
    var testDescription: String { label }

    init(_ label: String, name: String = "bad.csv", text: String, facts: [String]) {
        self.init(label, name: name, bytes: Array(text.utf8), facts: facts)
    }

    init(_ label: String, name: String, bytes: [UInt8], facts: [String]) {
        self.label = label
        self.name = name
        self.bytes = bytes
        self.facts = facts
    }
}

/// The three commands that read data, each writing to `out`.
enum DataCommand: String, CaseIterable, Sendable {
    case fit, predict, score

    func args(data: String, model: String = "model.json") -> [String] {
        switch self {
        case .fit: ["fit", data, "-o", "out.json"]
        case .predict: ["predict", model, data, "--output", "out.csv"]
        case .score: ["score", model, data, "--output", "out.csv"]
        }
    }
}

@Suite("Exit 65: bad data")
struct DataErrorTests {
    static let badFiles: [BadData] = [
        BadData("text cell", text: "a,b\n1,2\n3,x y\n", facts: ["bad.csv:3:2", "x y"]),
        BadData("empty cell", text: "a,b\n1,2\n3,\n", facts: ["bad.csv:3:2", "empty"]),
        BadData("NaN", text: "a,b\n1,2\nNaN,3\n", facts: ["bad.csv:3:1", "NaN"]),
        BadData("inf", text: "a,b\n1,2\n3,inf\n", facts: ["bad.csv:3:2", "inf"]),
        BadData("ragged row", text: "a,b\n1,2\n3,4,5\n6,7\n", facts: ["bad.csv:3:", "3 cells"]),
        BadData("empty file", text: "", facts: ["bad.csv", "empty"]),
        BadData("header only", text: "a,b\n", facts: ["bad.csv:1", "header"]),
        BadData("blank lines only", text: "\n\n", facts: ["bad.csv"]),
        BadData("text cell, CRLF", text: "a,b\r\n1,2\r\n3,x y\r\n", facts: ["bad.csv:3:2", "\"x y\""]),
        BadData("quoted text with a line break", text: "a,b\n1,2\n3,\"x\ny\"\n", facts: ["bad.csv:3:2", "x"]),
        BadData("text cell, file name with a line break", name: "bad\nname.csv", text: "a,b\n1,2\n3,x y\n",
                facts: ["bad", "name.csv", "x y"]),
        BadData("text cell in TSV", name: "bad.tsv", text: "a\tb\n1\t2\n3\toops\n", facts: ["bad.tsv:3:2", "oops"]),
        BadData("big-endian .npy", name: "bad.npy",
                bytes: npyFile(descr: ">f8", shape: [2, 2], payload: float64Bytes([1, 2, 3, 4], bigEndian: true)),
                facts: ["bad.npy", "big-endian"]),
        BadData("3-D .npy", name: "bad.npy",
                bytes: npyFile(descr: "<f8", shape: [2, 2, 1], payload: float64Bytes([1, 2, 3, 4])),
                facts: ["bad.npy", "dimension"]),
        BadData("truncated .npy", name: "bad.npy",
                bytes: npyFile(descr: "<f8", shape: [3, 2], payload: float64Bytes([1, 2, 3, 4])),
                facts: ["bad.npy", "truncated"]),
        BadData("object .npy", name: "bad.npy",
                bytes: npyFile(descr: "|O", shape: [2, 2], payload: [UInt8](repeating: 0, count: 32)),
                facts: ["bad.npy"]),
    ]

    @Test(arguments: badFiles, DataCommand.allCases)
    func refusesBadData(_ bad: BadData, _ command: DataCommand) throws {
        let box = try Sandbox()
        try box.write(bad.name, bytes: bad.bytes)
        try box.write("model.json", modelJSON(featureNames: #"["a", "b"]"#))
        let before = try box.listing()

        let outcome = try box.run(command.args(data: bad.name))

        expectCleanFailure(outcome, status: 65, facts: bad.facts)
        #expect(try box.listing() == before, "no output or temporary file left")
    }

    @Test("bad data on standard input is named <stdin>", arguments: [DataCommand.predict, .score])
    func badStandardInput(_ command: DataCommand) throws {
        let box = try Sandbox()
        try box.write("model.json", modelJSON(featureNames: #"["a", "b"]"#))
        let before = try box.listing()

        let outcome = try box.run(command.args(data: "-"), stdin: "a,b\n1,2\n3,x y\n")

        expectCleanFailure(outcome, status: 65, facts: ["<stdin>:3:2", "x y"])
        #expect(try box.listing() == before)
    }

    @Test("an unknown --columns name is named", arguments: DataCommand.allCases)
    func unknownColumn(_ command: DataCommand) throws {
        let box = try Sandbox()
        try box.copyBundled("old-faithful.csv", as: "faithful.csv")
        try box.write("model.json", handModel)
        let before = try box.listing()

        let outcome = try box.run(command.args(data: "faithful.csv") + ["--columns", "eruptions,nope"])
        let index = try box.run(command.args(data: "faithful.csv") + ["--columns", "0,5"])

        expectCleanFailure(outcome, status: 65, facts: ["faithful.csv", "nope"])
        expectCleanFailure(index, status: 65, facts: ["faithful.csv", "5"])
        #expect(try box.listing() == before)
    }

    @Test("more components than rows")
    func moreComponentsThanRows() throws {
        let box = try Sandbox()
        try box.write("two.csv", "a,b\n1,2\n3,4\n")
        let before = try box.listing()

        let outcome = try box.run(["fit", "two.csv", "-k", "3", "-o", "out.json"])

        expectCleanFailure(outcome, status: 65, facts: ["two.csv", "3", "2 rows"])
        #expect(try box.listing() == before)
    }

    @Test("a covariance that cannot be factored is a data error, not a crash")
    func collapsedComponent() throws {
        let box = try Sandbox()
        try box.write("same.csv", "a,b\n1,2\n1,2\n1,2\n1,2\n")
        let before = try box.listing()

        let outcome = try box.run(["fit", "same.csv", "-k", "1", "--reg-covar", "0", "-o", "out.json"])

        expectCleanFailure(outcome, status: 65, facts: ["same.csv"])
        #expect(try box.listing() == before)
    }

    @Test("data columns that do not match the model", arguments: [DataCommand.predict, .score])
    func columnCountMismatch(_ command: DataCommand) throws {
        let box = try Sandbox()
        try box.copyBundled("iris.csv")
        try box.write("model.json", handModel)
        let before = try box.listing()

        let outcome = try box.run(command.args(data: "iris.csv"))

        expectCleanFailure(outcome, status: 65, facts: ["iris.csv", "4 columns", "2 features"])
        #expect(try box.listing() == before)
    }
}
