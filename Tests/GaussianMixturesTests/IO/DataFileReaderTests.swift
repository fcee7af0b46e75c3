// The file-level behaviour of DataFileReader: format from the name, reading
// from disk, and the cannot-open errors the command line maps to exit 66.

import Testing
@testable import GaussianMixtures

@Suite("Data file reader")
struct DataFileReaderTests {
    @Test(arguments: [
        ("data.csv", DataFileFormat.csv), ("data.tsv", .tsv), ("DATA.TAB", .tsv), ("x/y.npy", .npy),
        ("-", .csv), ("data.txt", .csv), ("noextension", .csv), ("dir.npy/data", .csv), (".tsv", .tsv),
    ])
    func formatFollowsTheName(_ path: String, _ format: DataFileFormat) {
        #expect(DataFileFormat(path: path) == format)
    }

    @Test func readsFilesFromDisk() throws {
        let folder = TemporaryFolder()
        let csv = folder.file("a.csv", Array("a,b\n1,2\n".utf8))
        let tsv = folder.file("b.tsv", Array("a\tb\n3\t4".utf8))
        #expect(try DataFileReader.read(path: csv).values == [1, 2])
        #expect(try DataFileReader.read(path: tsv).values == [3, 4])
        let error = dataFileError { () throws(DataFileError) in
            try DataFileReader.read(path: folder.file("bad.csv", Array("a\nz\n".utf8)))
        }
        #expect(error?.description == folder.path + "/bad.csv:2:1: column \"a\": expected a number, found \"z\"; a text column cannot be a feature: pick the numeric columns with --columns")
    }

    @Test func missingFileAndFolderCannotBeOpened() {
        let folder = TemporaryFolder()
        let missing = dataFileError { () throws(DataFileError) in try DataFileReader.read(path: folder.path + "/missing.csv") }
        #expect(missing == .cannotOpen(path: folder.path + "/missing.csv", reason: "No such file or directory"))
        #expect(missing?.description == folder.path + "/missing.csv: cannot open: No such file or directory")
        let directory = dataFileError { () throws(DataFileError) in try DataFileReader.read(path: folder.path) }
        #expect(directory == .cannotOpen(path: folder.path, reason: "Is a directory"))
    }

    @Test func emptyFileOnDisk() {
        let folder = TemporaryFolder()
        let path = folder.file("empty.csv", [])
        #expect(dataFileError { () throws(DataFileError) in try DataFileReader.read(path: path) }
                == .malformed(path: path, line: nil, column: nil, message: "the file is empty"))
    }

    @Test func columnSelectorLists() {
        #expect(ColumnSelector.parseList("a,b,2") == [.name("a"), .name("b"), .index(2)])
        #expect(ColumnSelector.parseList(" x0 , 10,,-1, 2b") == [.name("x0"), .index(10), .name("-1"), .name("2b")])
        #expect(ColumnSelector.parseList("") == [])
    }
}
