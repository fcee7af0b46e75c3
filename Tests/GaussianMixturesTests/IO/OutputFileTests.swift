// OutputFile writes all or nothing: on failure neither the destination nor a
// temporary file may be left behind.

import Foundation
import Testing
@testable import GaussianMixtures

@Suite("Output file")
struct OutputFileTests {
    private func outputError(_ body: () throws(OutputFileError) -> Void) -> OutputFileError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    @Test func writesAndReplacesFiles() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/out.csv"
        try OutputFile.write(Array("first\n".utf8), to: path)
        try OutputFile.write(Array("second\n".utf8), to: path)
        #expect(FileManager.default.contents(atPath: path) == Data("second\n".utf8))
        #expect(folder.listing() == ["out.csv"])
        try OutputFile.write([], to: path)
        #expect(FileManager.default.contents(atPath: path) == Data())
    }

    @Test func keepsTheReplacedFilesPermissions() throws {
        let folder = TemporaryFolder()
        let path = folder.file("out.csv", Array("old".utf8))
        chmod(path, 0o640)
        try OutputFile.write(Array("new".utf8), to: path)
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o640)
    }

    @Test func missingFolderLeavesNothing() {
        let folder = TemporaryFolder()
        let path = folder.path + "/missing/out.csv"
        let error = outputError { () throws(OutputFileError) in try OutputFile.write(Array("x".utf8), to: path) }
        #expect(error == .cannotWrite(path: path, reason: "No such file or directory"))
        #expect(error?.description == path + ": cannot write: No such file or directory")
        #expect(folder.listing().isEmpty)
    }

    @Test func folderInTheWayLeavesNoTemporaryFile() throws {
        let folder = TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.path + "/out.csv", withIntermediateDirectories: false)
        let path = folder.path + "/out.csv"
        let error = outputError { () throws(OutputFileError) in try OutputFile.write(Array("x".utf8), to: path) }
        #expect(error == .cannotWrite(path: path, reason: "Is a directory"))
        #expect(folder.listing() == ["out.csv"])
        #expect(folder.listing("out.csv").isEmpty)
        let slash = outputError { () throws(OutputFileError) in try OutputFile.write([], to: folder.path + "/new/") }
        #expect(slash == .cannotWrite(path: folder.path + "/new/", reason: "Is a directory"))
    }

    @Test func fileInPlaceOfAFolder() {
        let folder = TemporaryFolder()
        let blocker = folder.file("data", Array("x".utf8))
        let path = blocker + "/out.csv"
        let error = outputError { () throws(OutputFileError) in try OutputFile.write(Array("x".utf8), to: path) }
        #expect(error == .cannotWrite(path: path, reason: "Not a directory"))
        #expect(folder.listing() == ["data"])
    }
}
