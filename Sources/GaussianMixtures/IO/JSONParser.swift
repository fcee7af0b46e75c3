// Why a hand-written JSON parser: model files used to go through Foundation's
// `JSONDecoder` into `JSONValue`. It said only "The given data was not valid
// JSON" for a syntax error, leaked `DecodingError` text for a number out of
// range, and was slow: `ModelFile.read` of a 2.9 MB model file (K = 32, d = 64,
// full covariances) ran at 9–16 MB/s. With this parser the same read runs at
// 180–210 MB/s (release build, median of 21 reads; 90–135 MB/s while another
// build shared the two cores), and errors say where:
// `line 7, column 14: 1e400 is beyond the range of a double`.
//
// It is a single-pass recursive descent over the bytes. Numbers are checked
// against JSON's grammar while their digits are accumulated, then converted by
// `DecimalScanner`'s routes (bit-identical to strtod). A list's items are collected on one
// shared stack and copied out once, at the exact size, when the list closes.
// Nesting is limited to `maximumDepth`, so hostile input such as a million
// `[` cannot overflow the thread's stack.

/// Parses JSON text (RFC 8259) into a `JSONValue`.
///
/// It accepts exactly RFC 8259's grammar (whitespace is space, tab, LF and CR)
/// plus one UTF-8 byte order mark at the very start, which is skipped, as
/// editors on Windows write one. On top of the grammar it refuses what a model
/// file cannot mean: a number beyond the range of a `Double` (`1e400`; numbers
/// too small become 0 or subnormal, as with strtod), a key repeated within one
/// object, invalid UTF-8, a lone surrogate escape, and nesting deeper than
/// `maximumDepth`.
struct JSONParser: ~Copyable {
    /// The deepest nesting of lists and objects accepted.
    static let maximumDepth = 512

    /// The first byte of the text (after a byte order mark), for error positions.
    let start: UnsafePointer<UInt8>
    /// One past the last byte.
    let end: UnsafePointer<UInt8>
    /// The next byte to read.
    var p: UnsafePointer<UInt8>
    /// Offsets of the `[` and `{` still open, innermost last.
    var openContainers: [Int] = []
    /// The items of the lists being read, innermost list's last.
    private var pendingItems: [JSONValue] = []
    private var scanner = DecimalScanner()

    private init(start: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) {
        self.start = start
        self.end = end
        self.p = start
        openContainers.reserveCapacity(16)
        pendingItems.reserveCapacity(1024)
    }

    /// The value of the JSON text in `bytes`.
    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try bytes.withUnsafeBytes { raw in Result { () throws(JSONSyntaxError) in try parse(raw) } }.get()
    }

    /// The value of the JSON text in `bytes`.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONValue {
        var text = bytes
        if text.count >= 3 && text[0] == 0xEF && text[1] == 0xBB && text[2] == 0xBF {
            text = UnsafeRawBufferPointer(rebasing: text[3...])
        }
        guard let base = text.baseAddress, !text.isEmpty else {
            throw JSONSyntaxError(line: 1, column: 1, message: "expected a value, found end of file")
        }
        let first = base.assumingMemoryBound(to: UInt8.self)
        var parser = JSONParser(start: first, end: first + text.count)
        let locale = CLocaleScope()
        defer { withExtendedLifetime(locale) {} }
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.p == parser.end else {
            throw parser.error(at: parser.p, "expected the end of the file after the top-level value, found \(parser.found(parser.p))")
        }
        return value
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while p < end {
            let c = p.pointee
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            p += 1
        }
    }

    /// Parses the value starting at `p` (no whitespace before it).
    mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard p < end else { throw unexpected("a value") }
        switch p.pointee {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        default: throw unexpected("a value")
        }
    }

    /// `value` when the word at `p` is exactly `word`.
    private mutating func parseLiteral(_ word: StaticString, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        let letters = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        var q = p
        for letter in letters {
            guard q < end else {
                p = end     // a truncated "tru": say the file ended
                throw unexpected("a value")
            }
            guard q.pointee == letter else { throw unexpected("a value") }
            q += 1
        }
        // "truex" is one wrong word, not "true" followed by an 'x'.
        guard q == end || !Self.isWordByte(q.pointee) else { throw unexpected("a value") }
        p = q
        return value
    }

    /// Checks the number at `p` against JSON's grammar,
    /// `-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?`, and converts it.
    ///
    /// One pass: the digits are accumulated while the grammar is checked, exactly
    /// as `DecimalScanner.scan` accumulates them (the first 19 significant digits
    /// and a power of ten), and `DecimalScanner.value` converts them; only numbers
    /// its fast routes cannot round (more than 19 digits, huge or tiny exponents)
    /// go to its strtod route on the token. Checking first and scanning again
    /// read every number twice; numbers are nearly all of a model file.
    private mutating func parseNumber() throws(JSONSyntaxError) -> Double {
        let first = p
        var isNegative = false
        if p.pointee == UInt8(ascii: "-") {
            isNegative = true
            p += 1
        }
        guard p < end && Self.isDigit(p.pointee) else { throw unexpected("a digit after '-'") }
        var mantissa: UInt64 = 0
        var digitCount = 0          // significant digits (leading zeros excluded)
        var exponent10 = 0          // value = mantissa * 10^exponent10
        if p.pointee == UInt8(ascii: "0") {
            p += 1
            if p < end && Self.isDigit(p.pointee) {
                throw error(at: first, "\(numberText(from: first)) has a leading zero, which JSON does not allow")
            }
        } else {
            repeat {
                let digit = p.pointee &- UInt8(ascii: "0")
                if digitCount < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                } else {
                    exponent10 &+= 1
                }
                digitCount &+= 1
                p += 1
            } while p < end && Self.isDigit(p.pointee)
        }
        if p < end && p.pointee == UInt8(ascii: ".") {
            p += 1
            guard p < end && Self.isDigit(p.pointee) else { throw unexpected("a digit after '.' in a number") }
            repeat {
                let digit = p.pointee &- UInt8(ascii: "0")
                if mantissa == 0 && digit == 0 {
                    exponent10 &-= 1                // a leading zero of the fraction
                } else if digitCount < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    digitCount &+= 1
                    exponent10 &-= 1
                } else {
                    digitCount &+= 1
                }
                p += 1
            } while p < end && Self.isDigit(p.pointee)
        }
        if p < end && (p.pointee | 0x20) == UInt8(ascii: "e") {
            p += 1
            var exponentIsNegative = false
            if p < end && (p.pointee == UInt8(ascii: "+") || p.pointee == UInt8(ascii: "-")) {
                exponentIsNegative = p.pointee == UInt8(ascii: "-")
                p += 1
            }
            guard p < end && Self.isDigit(p.pointee) else { throw unexpected("a digit in the exponent of a number") }
            var explicit = 0
            repeat {
                if explicit < 100_000 { explicit = explicit &* 10 &+ Int(p.pointee &- UInt8(ascii: "0")) }
                p += 1
            } while p < end && Self.isDigit(p.pointee)
            exponent10 &+= exponentIsNegative ? -explicit : explicit
        }
        let value = DecimalScanner.value(mantissa: mantissa, digitCount: digitCount, exponent10: exponent10,
                                         isNegative: isNegative) ?? scanner.strtodFallback(first, p)
        guard value.isFinite else {
            throw error(at: first, "\(numberText(from: first)) is beyond the range of a double")
        }
        return value
    }

    /// The number-like text at `q`, shortened to 40 characters, for messages.
    private func numberText(from q: UnsafePointer<UInt8>) -> String {
        var r = q
        while r < end, Self.isDigit(r.pointee) || [UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                                                   UInt8(ascii: "e"), UInt8(ascii: "E")].contains(r.pointee) {
            r += 1
        }
        let text = String(decoding: UnsafeBufferPointer(start: q, count: r - q), as: UTF8.self)
        return text.count > 40 ? String(text.prefix(37)) + "…" : text
    }

    @inline(__always)
    private static func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

    /// Notes the list or object opening at `p`, refusing it when it is nested too deep.
    private mutating func open() throws(JSONSyntaxError) {
        guard openContainers.count < Self.maximumDepth else {
            throw error(at: p, "nesting deeper than \(Self.maximumDepth) levels")
        }
        openContainers.append(p - start)
        p += 1
        skipWhitespace()
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try open()
        defer { openContainers.removeLast() }
        if p < end && p.pointee == UInt8(ascii: "]") {
            p += 1
            return .array([])
        }
        let base = pendingItems.count
        while true {
            pendingItems.append(try parseValue())
            skipWhitespace()
            guard p < end else { throw unexpected("',' or ']' after a list item") }
            if p.pointee == UInt8(ascii: ",") {
                p += 1
                skipWhitespace()
            } else if p.pointee == UInt8(ascii: "]") {
                p += 1
                break
            } else {
                throw unexpected("',' or ']' after a list item")
            }
        }
        let items = Array(pendingItems[base...])
        pendingItems.removeSubrange(base...)
        return .array(items)
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try open()
        defer { openContainers.removeLast() }
        var members: [String: JSONValue] = [:]
        if p < end && p.pointee == UInt8(ascii: "}") {
            p += 1
            return .object(members)
        }
        while true {
            guard p < end && p.pointee == UInt8(ascii: "\"") else {
                throw unexpected(members.isEmpty ? "a string key or '}'" : "a string key after ','")
            }
            let keyStart = p
            let key = try parseString()
            skipWhitespace()
            guard p < end && p.pointee == UInt8(ascii: ":") else { throw unexpected("':' after an object key") }
            p += 1
            skipWhitespace()
            if members.updateValue(try parseValue(), forKey: key) != nil {
                // A model file with two "weights" has no single meaning.
                throw error(at: keyStart, "duplicate key \(DataFileError.quoted(key)) in an object")
            }
            skipWhitespace()
            guard p < end else { throw unexpected("',' or '}' after an object member") }
            if p.pointee == UInt8(ascii: ",") {
                p += 1
                skipWhitespace()
            } else if p.pointee == UInt8(ascii: "}") {
                p += 1
                break
            } else {
                throw unexpected("',' or '}' after an object member")
            }
        }
        return .object(members)
    }
}
