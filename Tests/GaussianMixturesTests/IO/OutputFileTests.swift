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

@Suite("Output to devices and links")
struct OutputDeviceTests {
    func isCharacterDevice(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR
    }

    @Test("a device is written in place, never replaced by a regular file")
    func devices() throws {
        try OutputFile.write(Array("x\n".utf8), to: "/dev/null")
        #expect(isCharacterDevice("/dev/null"))
        #expect(throws: OutputFileError.self) { try OutputFile.write(Array("x\n".utf8), to: "/dev/full") }
        #expect(isCharacterDevice("/dev/full"))
    }

    @Test("a link to a regular file is followed: the file is replaced, the link stays")
    func links() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gmm-link-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("target.csv").path
        let link = folder.appendingPathComponent("link.csv").path
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        try OutputFile.write(Array("new\n".utf8), to: link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["link.csv", "target.csv"])
    }
}
