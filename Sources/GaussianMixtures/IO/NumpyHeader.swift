// The `.npy` header, after NumPy's format description (numpy/lib/format.py):
//
//   "\x93NUMPY", major, minor,
//   header length: little-endian u16 at offset 8 (v1) or u32 (v2, v3),
//   header: a Python dict literal such as
//     {'descr': '<f8', 'fortran_order': False, 'shape': (1000, 8), }
//   padded with spaces and a newline so that the data starts at a multiple of 64.
//
// The dict is read with a small parser for exactly the literals NumPy writes
// (strings, True/False, integers, tuples, and lists for structured dtypes)
// rather than by searching for substrings, so that key order, spacing and
// quote style do not matter. Every rejection says what was found.

/// The layout of a `.npy` file's data, read from its header.
struct NumpyHeader: Equatable {
    /// The element types this library reads, all little-endian.
    enum ElementType: String, Equatable {
        case float64 = "<f8"
        case float32 = "<f4"
        case int64 = "<i8"
        case int32 = "<i4"

        /// Element `index` of an array of this type at `data`, as a `Double`.
        @inline(__always)
        func value(in data: UnsafeRawPointer, at index: Int) -> Double {
            switch self {
            case .float64: data.loadUnaligned(fromByteOffset: index &* 8, as: Double.self)
            case .float32: Double(data.loadUnaligned(fromByteOffset: index &* 4, as: Float.self))
            case .int64: Double(data.loadUnaligned(fromByteOffset: index &* 8, as: Int64.self))
            case .int32: Double(data.loadUnaligned(fromByteOffset: index &* 4, as: Int32.self))
            }
        }

        var byteCount: Int {
            switch self {
            case .float64, .int64: 8
            case .float32, .int32: 4
            }
        }
    }

    var elementType: ElementType
    /// True when the data is column-major (NumPy's `fortran_order`).
    var isFortranOrder: Bool
    /// NumPy's `shape`: one or two sizes.
    var shape: [Int]
    /// Byte offset of the first value from the start of the file.
    var dataOffset: Int

    /// Reads the header at the start of `bytes`.
    ///
    /// - Throws: `DataFileError.malformed` (line `nil`) naming what is wrong or unsupported.
    init(_ bytes: UnsafeRawBufferPointer, displayName: String) throws(DataFileError) {
        func fail(_ message: String) -> DataFileError {
            .malformed(path: displayName, line: nil, column: nil, message: message)
        }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]     // "\x93NUMPY"
        guard bytes.count >= 10, bytes.prefix(6).elementsEqual(magic) else {
            throw fail(bytes.isEmpty ? "the file is empty" : "not a NumPy .npy file (the file does not start with \"\\x93NUMPY\")")
        }
        let major = bytes[6]
        let headerStart: Int
        let headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header") }
            headerStart = 12
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        default:
            throw fail("unsupported .npy format version \(major).\(bytes[7])")
        }
        guard headerStart + headerLength <= bytes.count else {
            throw fail("truncated header: it should be \(headerLength) bytes, the file has \(bytes.count - headerStart) after the preamble")
        }
        let text = Array(bytes[headerStart ..< headerStart + headerLength])
        var reader = PythonLiteralReader(text)
        guard let dictionary = reader.readDictionary() else {
            throw fail("unreadable header \(DataFileError.quoted(String(decoding: text, as: UTF8.self)))")
        }

        // descr
        guard let descr = dictionary["descr"] else { throw fail("the header has no 'descr'") }
        guard case .string(let typeCode) = descr else {
            throw fail("structured arrays (several fields per element) are not supported")
        }
        if let elementType = ElementType(rawValue: typeCode) {
            self.elementType = elementType
        } else if typeCode.hasPrefix(">") {
            throw fail("big-endian '\(typeCode)' arrays are not supported")
        } else if typeCode.dropFirst().hasPrefix("O") {
            throw fail("object arrays ('\(typeCode)') are not supported")
        } else {
            throw fail("'\(typeCode)' arrays are not supported (use <f8, <f4, <i8 or <i4)")
        }

        // fortran_order
        guard case .boolean(let isFortranOrder)? = dictionary["fortran_order"] else {
            throw fail("the header has no True/False 'fortran_order'")
        }
        self.isFortranOrder = isFortranOrder

        // shape
        guard case .tuple(let sizes)? = dictionary["shape"] else { throw fail("the header has no 'shape' tuple") }
        var shape: [Int] = []
        for size in sizes {
            guard case .integer(let n) = size, n >= 0 else { throw fail("the shape holds something other than sizes") }
            shape.append(n)
        }
        guard shape.count == 1 || shape.count == 2 else {
            throw fail("\(shape.count)-dimensional arrays (shape \(Self.format(shape))) are not supported; use 1 or 2 dimensions")
        }
        self.shape = shape
        self.dataOffset = headerStart + headerLength
    }

    /// `(3, 4)` or `(5,)`, as NumPy prints shapes.
    static func format(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}

/// The Python literals that appear in a `.npy` header.
private enum PythonLiteral: Equatable {
    case string(String)
    case boolean(Bool)
    case integer(Int)
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case none
}

/// A reader for `{'key': literal, …}` over the header bytes.
private struct PythonLiteralReader {
    private let bytes: [UInt8]
    private var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func readDictionary() -> [String: PythonLiteral]? {
        guard consume(UInt8(ascii: "{")) else { return nil }
        var result: [String: PythonLiteral] = [:]
        while !consume(UInt8(ascii: "}")) {
            guard case .string(let key)? = readLiteral(), consume(UInt8(ascii: ":")),
                  let value = readLiteral() else { return nil }
            result[key] = value
            if !consume(UInt8(ascii: ",")) {
                guard consume(UInt8(ascii: "}")) else { return nil }
                break
            }
        }
        return result
    }

    private mutating func readLiteral() -> PythonLiteral? {
        skipSpaces()
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            let quote = bytes[i]
            i += 1
            let start = i
            while i < bytes.count && bytes[i] != quote { i += 1 }
            guard i < bytes.count else { return nil }
            defer { i += 1 }
            return .string(String(decoding: bytes[start..<i], as: UTF8.self))
        case UInt8(ascii: "("), UInt8(ascii: "["):
            let close = bytes[i] == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "]")
            let isTuple = close == UInt8(ascii: ")")
            i += 1
            var items: [PythonLiteral] = []
            while !consume(close) {
                guard let item = readLiteral() else { return nil }
                items.append(item)
                if !consume(UInt8(ascii: ",")) {
                    guard consume(close) else { return nil }
                    break
                }
            }
            return isTuple ? .tuple(items) : .list(items)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            var n = 0
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
                let (product, overflow1) = n.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = product.addingReportingOverflow(Int(bytes[i] - UInt8(ascii: "0")))
                guard !overflow1 && !overflow2 else { return nil }
                n = sum
                i += 1
            }
            if i < bytes.count && bytes[i] == UInt8(ascii: "L") { i += 1 }   // Python 2 long
            return .integer(n)
        default:
            for (word, value) in [("True", PythonLiteral.boolean(true)), ("False", .boolean(false)), ("None", .none)]
            where bytes[i...].starts(with: word.utf8) {
                i += word.utf8.count
                return value
            }
            return nil
        }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        skipSpaces()
        guard i < bytes.count && bytes[i] == byte else { return false }
        i += 1
        return true
    }

    private mutating func skipSpaces() {
        while i < bytes.count && (bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x09 || bytes[i] == 0x0D) { i += 1 }
    }
}
