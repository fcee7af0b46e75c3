import Foundation
import Testing
@testable import GaussianMixtures

// Kernels/ is the one door to the C kernels, and pointer access stays shallow:
// a worker or kernel owns its scratch memory (ScratchBuffer, KernelWorkspace)
// and hands out pointers, instead of nesting one `withUnsafe…` closure per array.

@Suite("Kernel boundary")
struct KernelBoundaryTests {
    /// Every Swift file under Sources/, by path relative to it.
    func sourceFiles() throws -> [(path: String, text: String)] {
        let root = repositoryRoot.appendingPathComponent("Sources")
        let paths = FileManager.default.enumerator(atPath: root.path)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }.sorted()
        return try paths.map { ($0, try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)) }
    }

    @Test("only files in GaussianMixtures/Kernels/ import CMixtureKernels")
    func onlyKernelsFolderImportsC() throws {
        let files = try sourceFiles()
        #expect(files.count > 100)
        var importers: [String] = []
        for (path, text) in files where text.contains("import CMixtureKernels") {
            importers.append(path)
            #expect(path.hasPrefix("GaussianMixtures/Kernels/"), "\(path) imports CMixtureKernels")
        }
        #expect(!importers.isEmpty)
    }

    @Test("no withUnsafe… closure nests more than two deep anywhere in Sources/")
    func shallowPointerAccess() throws {
        var deepest = (depth: 0, place: "")
        for (path, text) in try sourceFiles() {
            let (depth, line) = Self.deepestUnsafeNesting(text)
            #expect(depth <= 2, "\(path):\(line) nests \(depth) withUnsafe… closures")
            if depth > deepest.depth { deepest = (depth, "\(path):\(line)") }
        }
        #expect(deepest.depth == 2, "the scan finds nested closures at all (deepest: \(deepest))")
    }

    @Test("the nesting scan counts closures, not mentions")
    func nestingScan() {
        let nested = """
            a.withUnsafeBufferPointer { x in   // withUnsafe in a comment {
                b.withUnsafeMutableBufferPointer({ y in
                    let s = "withUnsafeBytes { {"
                    c.withUnsafeBytes { z in f(x, y, z) }
                })
            }
            if d.withUnsafeBytes(Array.init).isEmpty { e() }
            /* withUnsafeBufferPointer { */
            """
        let deepest = Self.deepestUnsafeNesting(nested)
        #expect(deepest.depth == 3 && deepest.line == 4, "\(deepest)")
        #expect(Self.deepestUnsafeNesting("f.withUnsafeBytes(Array.init)\nif x { g { h() } }").depth == 0)
    }

    @Test("the levels Swift sees are the header's: portable first, the active one among them, every name distinct")
    func levels() {
        let levels = supportedKernelLevels
        #expect(levels.first?.name == "portable")
        #expect(levels.contains(activeKernelLevel))
        #expect(Set(levels.map(\.name)).count == levels.count)
        #expect(LinearAlgebraBackend.vectorKernels == activeKernelLevel.name)
    }

    /// The deepest nesting of `withUnsafe…` closures in Swift source, and the line where
    /// it is reached; comments and string literals are skipped. A closure counts when it
    /// is the trailing closure of a `withUnsafe…` call or its first argument.
    static func deepestUnsafeNesting(_ text: String) -> (depth: Int, line: Int) {
        let c = Array(text.utf8)
        func at(_ i: Int, _ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard i + n <= c.count else { return false }
            let p = s.utf8Start
            for t in 0..<n where c[i + t] != p[t] { return false }
            return true
        }
        func isIdentifier(_ b: UInt8) -> Bool {
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95
        }
        var i = 0, line = 1, paren = 0, depth = 0
        var best = (depth: 0, line: 0)
        var braces: [Bool] = []     // per open brace: does it open a withUnsafe… closure?
        // withUnsafe… calls whose closure has not opened yet: their paren level, and
        // whether their argument list has closed.
        var pending: [(level: Int, argumentsClosed: Bool)] = []
        var previous: UInt8 = 32    // the last character that is not white space
        func open(_ isUnsafe: Bool) {
            braces.append(isUnsafe)
            if isUnsafe {
                depth += 1
                if depth > best.depth { best = (depth, line) }
            }
        }
        while i < c.count {
            if c[i] == 10 || c[i] == 32 || c[i] == 9 || c[i] == 13 {
                if c[i] == 10 { line += 1 }
                i += 1
                continue
            }
            if at(i, "//") {
                while i < c.count && c[i] != 10 { i += 1 }
                continue
            }
            if at(i, "/*") {
                var level = 0
                repeat {
                    if at(i, "/*") { level += 1; i += 2 } else if at(i, "*/") { level -= 1; i += 2 } else {
                        if c[i] == 10 { line += 1 }
                        i += 1
                    }
                } while level > 0 && i < c.count
                continue
            }
            // What follows a withUnsafe… call at its own level: its closure, its arguments, or neither.
            if let top = pending.last, top.level == paren {
                if c[i] == 123 {
                    pending.removeLast()
                    open(true)
                    previous = 123
                    i += 1
                    continue
                }
                if !(c[i] == 40 && !top.argumentsClosed) { pending.removeLast() }
            }
            if at(i, "\"\"\"") {
                i += 3
                while i < c.count && !at(i, "\"\"\"") {
                    if c[i] == 10 { line += 1 }
                    i += c[i] == 92 ? 2 : 1
                }
                i += 3
                previous = 34
                continue
            }
            if c[i] == 34 {
                i += 1
                while i < c.count && c[i] != 34 && c[i] != 10 { i += c[i] == 92 ? 2 : 1 }
                i += 1
                previous = 34
                continue
            }
            if at(i, "withUnsafe") && (i == 0 || !isIdentifier(c[i - 1])) {
                while i < c.count && isIdentifier(c[i]) { i += 1 }
                pending.append((paren, false))
                previous = 97
                continue
            }
            switch c[i] {
            case 40:   // (
                paren += 1
            case 41:   // )
                paren -= 1
                if let top = pending.last, top.level == paren { pending[pending.count - 1].argumentsClosed = true }
            case 123:  // {
                // A closure as the call's first argument: `withUnsafe…({ … })`.
                if let top = pending.last, top.level == paren - 1, !top.argumentsClosed, previous == 40 {
                    pending.removeLast()
                    open(true)
                } else {
                    open(false)
                }
            case 125:  // }
                if braces.popLast() == true { depth -= 1 }
            default: break
            }
            previous = c[i]
            i += 1
        }
        return best
    }
}
