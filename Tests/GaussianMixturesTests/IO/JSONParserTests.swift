// JSONParser: RFC 8259 documents parse to the expected values (numbers to
// strtod's bits), every kind of error names its line, column and what was
// found, hostile input (deep nesting, every truncation) throws instead of
// crashing, and real model files parse exactly as Foundation's JSONDecoder
// parsed them before.

import Foundation
import Testing
@testable import GaussianMixtures

@Suite("JSON parser")
struct JSONParserTests {
    private func parsed(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    private func syntaxError(_ bytes: [UInt8]) -> JSONSyntaxError? {
        do {
            _ = try JSONParser.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    /// Equal, with numbers compared bit for bit (so -0 is not 0).
    private func identical(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case let (.number(x), .number(y)): x.bitPattern == y.bitPattern
        case let (.array(xs), .array(ys)): xs.count == ys.count && zip(xs, ys).allSatisfy { identical($0, $1) }
        case let (.object(xs), .object(ys)):
            xs.count == ys.count && xs.allSatisfy { key, x in ys[key].map { identical(x, $0) } ?? false }
        default: a == b
        }
    }

    // MARK: - Valid documents

    @Test(arguments: [
        ("{}", JSONValue.object([:])),
        ("[]", .array([])),
        (" \t\r\n[ ]\n", .array([])),
        ("[[], {}, [[]]]", .array([.array([]), .object([:]), .array([.array([])])])),
        (#"{"a": [1, {"b": null}], "c": true, "d": false, "e": "x"}"#,
         .object(["a": .array([.number(1), .object(["b": .null])]), "c": .bool(true), "d": .bool(false), "e": .string("x")])),
        (#""\"\\\/\b\f\n\r\t""#, .string("\"\\/\u{8}\u{C}\n\r\t")),
        (#""\u00e9\u20AC \u0000""#, .string("é€ \u{0}")),
        (#""\ud83d\ude00 and \uD834\uDD1E""#, .string("😀 and 𝄞")),
        (#""é😀, raw""#, .string("é😀, raw")),
        (#"{"x": 1, "y": {"x": 2}}"#, .object(["x": .number(1), "y": .object(["x": .number(2)])])),
        ("0", .number(0)),
        ("-1.5e+3", .number(-1500)),
        ("[1E2, 2e-2, 0.5, 10]", .array([.number(100), .number(0.02), .number(0.5), .number(10)])),
        ("\"\"", .string("")),
        ("null", .null),
    ])
    func validDocument(_ text: String, _ expected: JSONValue) throws {
        #expect(identical(try parsed(text), expected))
    }

    @Test func numbersHaveStrtodsBits() throws {
        #expect(try parsed("-0") == .number(0))
        guard case let .number(negativeZero) = try parsed("-0"), case let .number(tiny) = try parsed("1e-320"),
              case let .number(underflow) = try parsed("1e-400") else {
            Issue.record("not numbers")
            return
        }
        #expect(negativeZero.bitPattern == (-0.0).bitPattern)
        #expect(tiny == Double("1e-320")! && tiny.isSubnormal)
        #expect(underflow == 0)
        // Shortest round-trip output (up to 17 digits), and longer digit strings.
        var generator = TestGenerator(state: 11)
        var texts = ["0.1", "1.7976931348623157e308", "5e-324", "2.2250738585072014e-308", "123456789012345678901234567890",
                     "0.30000000000000004", "9007199254740993"]
        for _ in 0..<2_000 {
            let x = Double(bitPattern: generator.next())
            if x.isFinite { texts.append(x.description.replacingOccurrences(of: "e+", with: "e")) }
        }
        let document = "[" + texts.joined(separator: ",") + "]"
        guard case let .array(items) = try parsed(document) else {
            Issue.record("not a list")
            return
        }
        let mismatches = zip(texts, items).filter { text, item in item != .number(Double(text)!) || Double(text)!.sign != item.sign }
        #expect(items.count == texts.count)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    /// Random JSON numbers of every shape the parser's own digit loop meets: up to 40
    /// digits before and after the point (so past the 19 it accumulates), leading
    /// zeros in the fraction, exponents from -400 to 400, either sign. Each must have
    /// strtod's bits, or be refused as beyond a double exactly when strtod overflows.
    @Test func longAndOddNumbersHaveStrtodsBits() throws {
        var generator = TestGenerator(state: 2026)
        func digits(_ count: Int, first nonZero: Bool) -> String {
            String((0..<count).map { i in
                Character(String(i == 0 && nonZero ? Int.random(in: 1...9, using: &generator) : Int.random(in: 0...9, using: &generator)))
            })
        }
        for _ in 0..<4_000 {
            var text = Bool.random(using: &generator) ? "-" : ""
            let integerDigits = Int.random(in: 0...40, using: &generator)
            text += integerDigits == 0 ? "0" : digits(integerDigits, first: true)
            if Bool.random(using: &generator) {
                text += "." + String(repeating: "0", count: Int.random(in: 0...25, using: &generator))
                    + digits(Int.random(in: 1...40, using: &generator), first: false)
            }
            if Int.random(in: 0..<3, using: &generator) > 0 {
                text += ["e", "E", "e+", "e-", "E-"].randomElement(using: &generator)!
                    + String(Int.random(in: 0...400, using: &generator))
            }
            let expected = strtod(text, nil)
            do {
                let value = try parsed(text)
                #expect(expected.isFinite && value == .number(expected), "\(text)")
                if case let .number(x) = value { #expect(x.bitPattern == expected.bitPattern, "\(text)") }
            } catch {
                #expect(!expected.isFinite && error.message.contains("beyond the range of a double"), "\(text): \(error)")
            }
        }
    }

    @Test func byteOrderMarkIsSkippedAndNotCountedInColumns() throws {
        #expect(try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("{\"a\": 1}".utf8)) == .object(["a": .number(1)]))
        #expect(syntaxError([0xEF, 0xBB, 0xBF] + Array("[x]".utf8)) == JSONSyntaxError(line: 1, column: 2, message: "expected a value, found 'x'"))
        // Only at the very start.
        #expect(syntaxError(Array("[\u{FEFF}1]".utf8))?.message == "expected a value, found U+FEFF")
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let depth = JSONParser.maximumDepth
        let text = String(repeating: "[", count: depth - 1) + "{\"a\": 1}" + String(repeating: "]", count: depth - 1)
        var value = try parsed(text)
        for _ in 0..<(depth - 1) {
            guard case let .array(items) = value, items.count == 1 else {
                Issue.record("wrong shape")
                return
            }
            value = items[0]
        }
        #expect(value == .object(["a": .number(1)]))
    }

    // MARK: - Errors: line, column (in bytes) and what was found

    @Test(arguments: [
        ("", 1, 1, "expected a value, found end of file"),
        (" \n  ", 2, 3, "expected a value, found end of file"),
        ("{\"a\": 1 x}", 1, 9, "expected ',' or '}' after an object member, found 'x'"),
        ("{\n  \"weights\": [1, 2],\n  \"means\" 3\n}", 3, 11, "expected ':' after an object key, found '3'"),
        ("{\r\n\"a\": x}", 2, 6, "expected a value, found 'x'"),
        ("[\"é\", x]", 1, 8, "expected a value, found 'x'"),
        ("{\n   \"abc", 2, 8, "unexpected end of file inside a string started at line 2, column 4"),
        ("[1, 2", 1, 6, "unexpected end of file inside a list started at line 1, column 1"),
        ("[1, {\"a\": tr", 1, 13, "unexpected end of file inside an object started at line 1, column 5"),
        ("{\"a\":\n [1e400]}", 2, 3, "1e400 is beyond the range of a double"),
        ("[-1E+400]", 1, 2, "-1E+400 is beyond the range of a double"),
        ("[1" + String(repeating: "0", count: 400) + "]", 1, 2, "1" + String(repeating: "0", count: 36) + "… is beyond the range of a double"),
        ("[01]", 1, 2, "01 has a leading zero, which JSON does not allow"),
        ("[-00.5]", 1, 2, "-00.5 has a leading zero, which JSON does not allow"),
        ("[+1]", 1, 2, "expected a value, found '+' (a JSON number starts with '-' or a digit)"),
        ("[.5]", 1, 2, "expected a value, found '.' (a JSON number starts with '-' or a digit)"),
        ("[1.]", 1, 4, "expected a digit after '.' in a number, found ']'"),
        ("[1.e5]", 1, 4, "expected a digit after '.' in a number, found 'e5'"),
        ("[1e]", 1, 4, "expected a digit in the exponent of a number, found ']'"),
        ("[1e+]", 1, 5, "expected a digit in the exponent of a number, found ']'"),
        ("[-]", 1, 3, "expected a digit after '-', found ']'"),
        ("[NaN]", 1, 2, "expected a value, found 'NaN' (JSON has no NaN or infinity)"),
        ("[Infinity]", 1, 2, "expected a value, found 'Infinity' (JSON has no NaN or infinity)"),
        ("[-Infinity]", 1, 3, "expected a digit after '-', found 'Infinity'"),
        ("[tru]", 1, 2, "expected a value, found 'tru'"),
        ("[truex]", 1, 2, "expected a value, found 'truex'"),
        ("[True]", 1, 2, "expected a value, found 'True'"),
        ("{\"a\": 1,}", 1, 9, "expected a string key after ',', found '}'"),
        ("{a: 1}", 1, 2, "expected a string key or '}', found 'a'"),
        ("[1,]", 1, 4, "expected a value, found ']'"),
        ("['x']", 1, 2, "expected a value, found \"'\" (JSON strings are in double quotes)"),
        ("[1 2]", 1, 4, "expected ',' or ']' after a list item, found '2'"),
        ("{} x", 1, 4, "expected the end of the file after the top-level value, found 'x'"),
        ("{}{}", 1, 3, "expected the end of the file after the top-level value, found '{'"),
        ("[\"a\tb\"]", 1, 4, "control character (byte 0x09) inside a string; write it as an escape such as \\n or \\u0009"),
        ("[\"a\nb\"]", 1, 4, "control character (byte 0x0A) inside a string; write it as an escape such as \\n or \\u000A"),
        ("[\"\\x\"]", 1, 3,
         "invalid escape in a string: '\\' followed by 'x' (JSON's escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"),
        ("[\"\\u12G4\"]", 1, 7, "expected four hex digits after '\\u' in a string, found 'G4'"),
        ("[\"\\uD800\"]", 1, 3, "lone surrogate \\uD800 in a string: a high surrogate must be followed by a \\u escape of a low one (DC00-DFFF)"),
        ("[\"\\uD800\\u0041\"]", 1, 3, "lone surrogate \\uD800 in a string: a high surrogate must be followed by a \\u escape of a low one (DC00-DFFF)"),
        ("[\"\\udc00\"]", 1, 3, "lone surrogate \\uDC00 in a string: a low surrogate must follow a high one (D800-DBFF)"),
        ("[\u{0}]", 1, 2, "expected a value, found byte 0x00"),
        ("[1,\u{C}2]", 1, 4, "expected a value, found byte 0x0C"),
        ("[é]", 1, 2, "expected a value, found 'é' (U+00E9)"),
        ("[\u{A0}1]", 1, 2, "expected a value, found U+00A0"),
        ("[- 1]", 1, 3, "expected a digit after '-', found a space"),
        ("{\"weights\": [1], \"weights\": [2]}", 1, 18, "duplicate key \"weights\" in an object"),
        ("[{\"a\": 1}, {\"b\": {\"c\": 1, \"c\": 2}}]", 1, 27, "duplicate key \"c\" in an object"),
    ] as [(String, Int, Int, String)])
    func errorIsPlaced(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        #expect(syntaxError(Array(text.utf8)) == JSONSyntaxError(line: line, column: column, message: message))
    }

    @Test(arguments: [
        ([0x5B, 0x22, 0xFF, 0x22, 0x5D], 3, "invalid UTF-8 (a sequence starting with byte 0xFF) inside a string"),
        ([0x5B, 0x22, 0xC0, 0x80, 0x22, 0x5D], 3, "invalid UTF-8 (a sequence starting with byte 0xC0) inside a string"),
        ([0x5B, 0x22, 0xE0, 0x80, 0x80, 0x22, 0x5D], 3, "invalid UTF-8 (a sequence starting with byte 0xE0) inside a string"),
        ([0x5B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x5D], 3, "invalid UTF-8 (a sequence starting with byte 0xED) inside a string"),
        ([0x5B, 0x22, 0xF4, 0x90, 0x80, 0x80, 0x22, 0x5D], 3, "invalid UTF-8 (a sequence starting with byte 0xF4) inside a string"),
        ([0x5B, 0x22, 0x61, 0xC3, 0x22, 0x5D], 4, "invalid UTF-8 (a sequence starting with byte 0xC3) inside a string"),
        ([0x5B, 0xFE, 0x5D], 2, "expected a value, found byte 0xFE (not UTF-8)"),
    ] as [([UInt8], Int, String)])
    func invalidUTF8IsRefused(_ bytes: [UInt8], _ column: Int, _ message: String) {
        #expect(syntaxError(bytes) == JSONSyntaxError(line: 1, column: column, message: message))
    }

    @Test func nestingDeeperThanTheLimitIsRefused() {
        let limit = JSONParser.maximumDepth
        let justOver = Array(String(repeating: "[", count: limit + 1).utf8) + Array(String(repeating: "]", count: limit + 1).utf8)
        #expect(syntaxError(justOver) == JSONSyntaxError(line: 1, column: limit + 1, message: "nesting deeper than 512 levels"))
        let objects = Array(String(repeating: "{\"a\":", count: limit + 1).utf8)
        #expect(syntaxError(objects)?.message == "nesting deeper than 512 levels")
        // A million brackets: an error, not a stack overflow.
        #expect(syntaxError([UInt8](repeating: UInt8(ascii: "["), count: 1_000_000))?.message == "nesting deeper than 512 levels")
    }

    @Test func errorDescriptionIsOneLine() {
        let error = syntaxError(Array("{\n\"a\": [1,\n 2 \u{1}]}".utf8))
        #expect(error?.description == "line 3, column 4: expected ',' or ']' after a list item, found byte 0x01")
    }

    // MARK: - Truncation and real model files

    /// Documents with every construct: escapes, surrogates, raw UTF-8, literals, numbers, nesting.
    private func sampleDocuments() throws -> [[UInt8]] {
        let data = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/old-faithful.csv").path)
        let fit = try ExpectationMaximization.fit(data, options: FitOptions(componentCount: 2, seed: 1))
        return [
            ModelFile.encode(fit.model, summary: FitSummary(report: fit.report, model: fit.model)),
            Array(#"{"s": "a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00 é😀", "n": [-0, 1.5e-3, 10, -2E+2, true, false, null], "o": {"": [{}]}}"#.utf8),
        ]
    }

    @Test func everyTruncationThrowsAtTheEndOfFile() throws {
        for document in try sampleDocuments() {
            #expect(throws: Never.self) { try JSONParser.parse(document) }
            // Every cut before the last non-blank byte (a model file ends with a line feed).
            let contentEnd = try #require(document.lastIndex { ![0x20, 0x0A].contains($0) }) + 1
            for length in 0..<contentEnd {
                guard let error = syntaxError(Array(document[..<length])) else {
                    Issue.record("a prefix of \(length) bytes parsed")
                    continue
                }
                #expect(error.message.contains("end of file"), "\(length) bytes: \(error)")
            }
        }
    }

    @Test("model files parse exactly as Foundation's JSONDecoder parsed them", arguments: CovarianceKind.allCases)
    func sameAsFoundation(_ kind: CovarianceKind) throws {
        let iris = try DataFileReader.read(path: repositoryRoot.appendingPathComponent("Data/iris.csv").path)
        let fit = try ExpectationMaximization.fit(iris, options: FitOptions(componentCount: 3, covarianceKind: kind, seed: 4))
        var files = [
            ModelFile.encode(fit.model, summary: FitSummary(report: fit.report, model: fit.model)),
            ModelFile.encode(fit.model, summary: nil),
        ]
        if CovarianceKind.scikitLearnKinds.contains(kind) {  // variational fits take only these
            let variational = try variationalFit(iris, k: 3, kind: kind)
            files.append(ModelFile.encode(variational.posterior, summary: VariationalFitSummary(report: variational.report)))
        }
        for bytes in files {
            let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
            #expect(identical(try JSONParser.parse(bytes), foundation))
        }
    }

    @Test("a model file's syntax error names the file, line and column")
    func modelFileMessage() {
        let text = "{\n  \"format\": \"gmm-model\",\n  \"version\": 1,\n  \"covariance_type\": \"spherical\",\n"
            + "  \"weights\": [1],\n  \"covariances\": [1],\n  \"means\": [[1e400]]\n}\n"
        #expect(throws: ModelFileError.notJSON(path: "m.json", reason: "line 7, column 14: 1e400 is beyond the range of a double")) {
            try ModelFile.decode(Array(text.utf8), path: "m.json")
        }
        let twice = #"{"weights": [1], "weights": [1]}"#
        #expect(throws: ModelFileError.notJSON(path: "m.json", reason: "line 1, column 18: duplicate key \"weights\" in an object")) {
            try ModelFile.decode(Array(twice.utf8), path: "m.json")
        }
    }
}

private extension JSONValue {
    var sign: FloatingPointSign? {
        if case let .number(x) = self { x.sign } else { nil }
    }
}
