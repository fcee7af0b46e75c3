// The CSV/TSV rules of interface.md, "Data files": what is accepted without
// fuss, header detection, and the line/column/what-was-found of every error.

import Testing
@testable import GaussianMixtures

@Suite("CSV and TSV files")
struct DelimitedParserTests {
    // MARK: - Accepted without fuss

    @Test func headerRowNamesTheColumns() throws {
        let m = try parseCSV("a,b\n1,2\n3,4\n")
        #expect(m.featureNames == ["a", "b"])
        #expect(m.sampleCount == 2 && m.featureCount == 2)
        #expect(m.values == [1, 2, 3, 4])
    }

    @Test func allNumericFirstRowIsDataAndColumnsAreNamedX() throws {
        let m = try parseCSV("1,2\n3,4\n")
        #expect(m.featureNames == ["x0", "x1"])
        #expect(m.values == [1, 2, 3, 4])
    }

    @Test func oneTextCellMakesTheFirstRowAHeader() throws {
        let m = try parseCSV("1,b\n3,4\n")
        #expect(m.featureNames == ["1", "b"])
        #expect(m.values == [3, 4])
    }

    @Test func crlfLineEndings() throws {
        let m = try parseCSV("a,b\r\n1,2\r\n3,4\r\n")
        #expect(m.featureNames == ["a", "b"])
        #expect(m.values == [1, 2, 3, 4])
    }

    @Test func missingFinalNewline() throws {
        #expect(try parseCSV("a,b\n1,2\n3,4").values == [1, 2, 3, 4])
        #expect(try parseCSV("7").values == [7])
    }

    @Test func byteOrderMarkIsNotPartOfTheFirstName() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a,b\n1,2\n".utf8)
        let m = try DataFileReader.read(bytes: bytes, displayName: "data.csv", format: .csv)
        #expect(m.featureNames == ["a", "b"])
        let headerless: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("1,2\n".utf8)
        #expect(try DataFileReader.read(bytes: headerless, displayName: "data.csv", format: .csv).values == [1, 2])
    }

    @Test func spacesAroundNumbersAndNames() throws {
        let m = try parseCSV(" a , b \n  1 ,\t2\n-3.5 ,  +4e1  \n")
        #expect(m.featureNames == ["a", "b"])
        #expect(m.values == [1, 2, -3.5, 40])
    }

    @Test func numbersInDoubleQuotes() throws {
        let m = try parseCSV("\"a\",\"b\"\n\"1\",\" 2.5 \"\n3,\"4\"\n")
        #expect(m.featureNames == ["a", "b"])
        #expect(m.values == [1, 2.5, 3, 4])
    }

    @Test func quotedHeaderNamesAreUnquoted() throws {
        let m = try parseCSV("\"height, cm\",\"say \"\"hi\"\"\", \" padded \" \n1,2,3\n")
        #expect(m.featureNames == ["height, cm", "say \"hi\"", " padded "])
    }

    @Test func quotedNameWithALineBreakKeepsLineNumbersRight() {
        let error = dataFileError { () throws(DataFileError) in try parseCSV("\"two\nlines\",b\n1,2\n3,x\n") }
        #expect(error == .malformed(path: "data.csv", line: 4, column: 2,
                                    message: "column \"b\": expected a number, found \"x\"; a text column cannot be a feature: pick the numeric columns with --columns"))
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        let m = try parseCSV("\na,b\n\n1,2\n   \n\r\n3,4\n\n")
        #expect(m.values == [1, 2, 3, 4])
        let error = dataFileError { () throws(DataFileError) in try parseCSV("\na,b\n\n1,2\n  \n\n3,abc\n") }
        #expect(error == .malformed(path: "data.csv", line: 7, column: 2,
                                    message: "column \"b\": expected a number, found \"abc\"; a text column cannot be a feature: pick the numeric columns with --columns"))
    }

    @Test func tabSeparatedValues() throws {
        let m = try parseCSV("a\tb\n1\t2\n 3 \t 4\n", format: .tsv)
        #expect(m.featureNames == ["a", "b"])
        #expect(m.values == [1, 2, 3, 4])
        let commas = dataFileError { () throws(DataFileError) in try parseCSV("a\tb\n1,5\t2\n", format: .tsv) }
        #expect(commas == .malformed(path: "data.csv", line: 2, column: 1, message: "column \"a\": expected a number, found \"1,5\"; the file looks separated by commas, not by tabs: "
                                     + "read it with --delimiter ','"))
    }

    @Test func numberFormsAndExactValues() throws {
        let m = try parseCSV("1e5,.5,-0,+3,5.,0.1,1.7976931348623157e308,5e-324\n")
        #expect(m.values.map(\.bitPattern) == [1e5, 0.5, -0.0, 3, 5, 0.1, .greatestFiniteMagnitude, .leastNonzeroMagnitude].map(\.bitPattern))
    }

    @Test func manyRowsGrowTheBuffer() throws {
        var text = "only\n1\n"
        for i in 0..<5000 { text += "\(i)\n" }
        let m = try parseCSV(text)
        #expect(m.sampleCount == 5001)
        #expect(m[5000, 0] == 4999)
    }

    // MARK: - Errors: line, column and what was found

    @Test(arguments: [
        ("a,b\n1,\n", 2, 2, "expected a number, found an empty cell"),
        ("a,b\n1,\"\"\n", 2, 2, "expected a number, found an empty cell"),
        ("a,b\n1,  \n", 2, 2, "expected a number, found an empty cell"),
        ("a,b\n1,2\nNaN,4\n", 3, 1, "found \"NaN\": every value must be a finite number"),
        ("a,b\n1,inf\n", 2, 2, "found \"inf\": every value must be a finite number"),
        ("a,b\n1,-Infinity\n", 2, 2, "found \"-Infinity\": every value must be a finite number"),
        ("a,b\n1,1e999\n", 2, 2, "found \"1e999\": every value must be a finite number"),
        ("a,b\n1,2\n3,abc\n", 3, 2, "column \"b\": expected a number, found \"abc\"; a text column cannot be a feature: pick the numeric columns with --columns"),
        ("a,b\n1,2x\n", 2, 2, "column \"b\": expected a number, found \"2x\"; a text column cannot be a feature: pick the numeric columns with --columns"),
        ("a,b\n1,\"2\"x\n", 2, 2, "found text after the closing quote of a cell"),
        ("a,b\n1,\"2\n", 2, 2, "found a quote that is never closed"),
        ("1,NaN\n", 1, 2, "found \"NaN\": every value must be a finite number"),
        ("1,,3\n", 1, 2, "expected a number, found an empty cell"),
    ] as [(String, Int, Int, String)])
    func badCellsAreNamed(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        let error = dataFileError { () throws(DataFileError) in try parseCSV(text) }
        #expect(error == .malformed(path: "data.csv", line: line, column: column, message: message))
    }

    @Test func wrongCellCountNamesTheLine() {
        let tooMany = dataFileError { () throws(DataFileError) in try parseCSV("a,b\n1,2\n\n1,2,3\n") }
        #expect(tooMany == .malformed(path: "data.csv", line: 4, column: 3, message: "row has 3 cells, expected 2"))
        #expect(tooMany?.description == "data.csv:4:3: row has 3 cells, expected 2")
        let tooFew = dataFileError { () throws(DataFileError) in try parseCSV("1,2\n3\n") }
        #expect(tooFew == .malformed(path: "data.csv", line: 2, column: 2, message: "row has 1 cell, expected 2"))
        let trailingComma = dataFileError { () throws(DataFileError) in try parseCSV("1,2\n3,4,\n") }
        #expect(trailingComma == .malformed(path: "data.csv", line: 2, column: 3, message: "row has 3 cells, expected 2"))
    }

    @Test func emptyBlankAndHeaderOnlyFiles() {
        #expect(dataFileError { () throws(DataFileError) in try parseCSV("") }
                == .malformed(path: "data.csv", line: nil, column: nil, message: "the file is empty"))
        #expect(dataFileError { () throws(DataFileError) in try parseCSV("\n \r\n\n") }
                == .malformed(path: "data.csv", line: nil, column: nil, message: "the file has no rows, only blank lines"))
        #expect(dataFileError { () throws(DataFileError) in try parseCSV("\na,b\n\n") }
                == .malformed(path: "data.csv", line: 2, column: nil, message: "found a header row and no data rows"))
    }

    @Test func errorDescriptionsAreOneLine() {
        let error = dataFileError { () throws(DataFileError) in try parseCSV("a,b\n1,\"x\ny\"\n") }
        #expect(error?.description == "data.csv:2:2: column \"b\": expected a number, found \"x\\ny\"; a text column cannot be a feature: pick the numeric columns with --columns")
        let long = dataFileError { () throws(DataFileError) in try parseCSV("a\n" + String(repeating: "z", count: 100) + "\n") }
        #expect(long?.description == "data.csv:2:1: column \"a\": expected a number, found \"" + String(repeating: "z", count: 40) + "…\"; a text column cannot be a feature: pick the numeric columns with --columns")
    }

    // MARK: - Column selection

    @Test func columnsByNameAndIndexInTheOrderGiven() throws {
        let text = "a,b,c\n1,2,3\n4,5,6\n"
        let byName = try parseCSV(text, columns: [.name("c"), .name("a")])
        #expect(byName.featureNames == ["c", "a"])
        #expect(byName.values == [3, 1, 6, 4])
        let byIndex = try parseCSV(text, columns: ColumnSelector.parseList("2,b"))
        #expect(byIndex.featureNames == ["c", "b"])
        #expect(byIndex.values == [3, 2, 6, 5])
        let twice = try parseCSV(text, columns: [.index(1), .index(1)])
        #expect(twice.values == [2, 2, 5, 5])
    }

    @Test func unselectedColumnsMayHoldAnything() throws {
        let text = "id,x,label\nfirst,1.5,\"a, b\"\nsecond,2.5,\n,3.5,NaN\n"
        let m = try parseCSV(text, columns: [.name("x")])
        #expect(m.values == [1.5, 2.5, 3.5])
        #expect(m.featureNames == ["x"])
    }

    @Test func unselectedColumnsStillCountCells() {
        let error = dataFileError { () throws(DataFileError) in try parseCSV("id,x\na,1\nb\n", columns: [.name("x")]) }
        #expect(error == .malformed(path: "data.csv", line: 3, column: 2, message: "row has 1 cell, expected 2"))
    }

    @Test func indicesWorkWithoutAHeader() throws {
        let m = try parseCSV("1,2,3\n4,5,6\n", columns: [.index(2), .index(0)])
        #expect(m.values == [3, 1, 6, 4])
        #expect(m.featureNames == ["x2", "x0"])
        #expect(try parseCSV("1,2,3\n", columns: [.name("x1")]).values == [2])
    }

    @Test func unknownColumnsAreNamed() {
        let name = dataFileError { () throws(DataFileError) in try parseCSV("a,b\n1,2\n", columns: [.name("foo")]) }
        #expect(name == .unknownColumn(path: "data.csv", name: "foo", columns: ["a", "b"]))
        #expect(name?.description == "data.csv: no column named \"foo\" (columns: a, b)")
        let index = dataFileError { () throws(DataFileError) in try parseCSV("a,b\n1,2\n", columns: [.index(2)]) }
        #expect(index == .unknownColumn(path: "data.csv", name: "2", columns: ["a", "b"]))
        #expect(index?.description == "data.csv: no column 2 (the file has 2 columns, numbered from 0: a, b)")
        let none = dataFileError { () throws(DataFileError) in try parseCSV("a,b\n1,2\n", columns: []) }
        #expect(none == .malformed(path: "data.csv", line: nil, column: nil, message: "no columns were selected"))
    }

    @Test func unknownColumnMessageStaysOnOneLine() {
        let error = dataFileError { () throws(DataFileError) in try parseCSV("\"a\nb\",c\n1,2\n", columns: [.name("z")]) }
        #expect(error?.description == "data.csv: no column named \"z\" (columns: \"a\\nb\", c)")
    }

    @Test func badValuesInSelectedColumnsAreReportedAtTheirSourceColumn() {
        let error = dataFileError { () throws(DataFileError) in try parseCSV("a,b,c\n1,2,x\n", columns: [.name("c")]) }
        #expect(error == .malformed(path: "data.csv", line: 2, column: 3,
                                    message: "column \"c\": expected a number, found \"x\""))
    }
}
