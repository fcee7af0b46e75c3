// JSON strings. The common case in a model file (an ASCII key or name with no
// escapes) becomes a `String` straight from the input bytes. Otherwise the
// content is copied into a byte buffer as escapes are decoded, and every
// non-ASCII sequence is checked against Unicode's table of well-formed UTF-8
// (no overlong forms, no encoded surrogates, nothing above U+10FFFF), because
// `String(decoding:as:)` would silently replace bad bytes with U+FFFD.
// Surrogate pairs written as two \u escapes are joined; a lone surrogate has
// no code point to stand for and is an error.

extension JSONParser {
    /// Parses the string whose opening quote is at `p` and moves `p` past its closing quote.
    mutating func parseString() throws(JSONSyntaxError) -> String {
        let opening = p
        p += 1
        let contentStart = p
        while p < end {
            let c = p.pointee
            if c == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(start: contentStart, count: p - contentStart), as: UTF8.self)
                p += 1
                return text
            }
            if c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x80 { break }
            p += 1
        }
        var utf8 = [UInt8](UnsafeBufferPointer(start: contentStart, count: p - contentStart))
        while true {
            guard p < end else { throw endOfFileInString(opening) }
            let c = p.pointee
            if c == UInt8(ascii: "\"") {
                p += 1
                return String(decoding: utf8, as: UTF8.self)
            } else if c == UInt8(ascii: "\\") {
                try appendEscape(to: &utf8, opening: opening)
            } else if c < 0x20 {
                throw error(at: p, "control character (byte \(Self.hex(c))) inside a string; write it as an escape such as \\n or \\u00\(Self.hex(c).dropFirst(2))")
            } else if c < 0x80 {
                utf8.append(c)
                p += 1
            } else {
                switch Self.utf8Scalar(at: p, end: end) {
                case let .scalar(_, length):
                    utf8.append(contentsOf: UnsafeBufferPointer(start: p, count: length))
                    p += length
                case .truncated:
                    throw endOfFileInString(opening)
                case .invalid:
                    throw error(at: p, "invalid UTF-8 (a sequence starting with byte \(Self.hex(c))) inside a string")
                }
            }
        }
    }

    private func endOfFileInString(_ opening: UnsafePointer<UInt8>) -> JSONSyntaxError {
        error(at: end, "unexpected end of file inside a string started at \(place(opening))")
    }

    /// Decodes the escape at `p` (a backslash) into `utf8`.
    private mutating func appendEscape(to utf8: inout [UInt8], opening: UnsafePointer<UInt8>) throws(JSONSyntaxError) {
        let backslash = p
        p += 1
        guard p < end else { throw endOfFileInString(opening) }
        let c = p.pointee
        let simple: UInt8? = switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): c
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
        if let simple {
            utf8.append(simple)
            p += 1
            return
        }
        guard c == UInt8(ascii: "u") else {
            throw error(at: backslash, "invalid escape in a string: '\\' followed by \(found(p)) (JSON's escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
        }
        p += 1
        var code = try hexQuad(opening: opening)
        if code >= 0xD800 && code <= 0xDBFF {
            // A high surrogate: only a \u escape of a low surrogate may follow.
            if p == end || (p.pointee == UInt8(ascii: "\\") && p + 1 == end) { throw endOfFileInString(opening) }
            guard p.pointee == UInt8(ascii: "\\") && p[1] == UInt8(ascii: "u") else {
                throw loneSurrogate(code, at: backslash)
            }
            p += 2
            let low = try hexQuad(opening: opening)
            guard low >= 0xDC00 && low <= 0xDFFF else { throw loneSurrogate(code, at: backslash) }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if code >= 0xDC00 && code <= 0xDFFF {
            throw loneSurrogate(code, at: backslash)
        }
        Self.appendUTF8(code, to: &utf8)
    }

    private func loneSurrogate(_ code: UInt32, at q: UnsafePointer<UInt8>) -> JSONSyntaxError {
        let isHigh = code < 0xDC00
        return error(at: q, "lone surrogate \\u\(String(code, radix: 16, uppercase: true)) in a string: "
                     + (isHigh ? "a high surrogate must be followed by a \\u escape of a low one (DC00-DFFF)"
                               : "a low surrogate must follow a high one (D800-DBFF)"))
    }

    /// The four hex digits at `p`, moving `p` past them.
    private mutating func hexQuad(opening: UnsafePointer<UInt8>) throws(JSONSyntaxError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard p < end else { throw endOfFileInString(opening) }
            let c = p.pointee
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw error(at: p, "expected four hex digits after '\\u' in a string, found \(found(p))")
            }
            code = code << 4 | UInt32(digit)
            p += 1
        }
        return code
    }

    /// Appends the UTF-8 encoding of `code`, a Unicode scalar value (not a surrogate).
    private static func appendUTF8(_ code: UInt32, to utf8: inout [UInt8]) {
        switch code {
        case ..<0x80:
            utf8.append(UInt8(code))
        case ..<0x800:
            utf8.append(0xC0 | UInt8(code >> 6))
            utf8.append(0x80 | UInt8(code & 0x3F))
        case ..<0x10000:
            utf8.append(0xE0 | UInt8(code >> 12))
            utf8.append(0x80 | UInt8((code >> 6) & 0x3F))
            utf8.append(0x80 | UInt8(code & 0x3F))
        default:
            utf8.append(0xF0 | UInt8(code >> 18))
            utf8.append(0x80 | UInt8((code >> 12) & 0x3F))
            utf8.append(0x80 | UInt8((code >> 6) & 0x3F))
            utf8.append(0x80 | UInt8(code & 0x3F))
        }
    }

    /// One UTF-8 sequence: a scalar and its byte count, malformed, or cut off by the end of the input.
    enum UTF8Sequence {
        case scalar(Unicode.Scalar, length: Int)
        case invalid
        case truncated
    }

    /// The UTF-8 sequence at `q` (before `end`), checked against the Unicode
    /// standard's table of well-formed byte sequences (Table 3-7).
    static func utf8Scalar(at q: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> UTF8Sequence {
        let lead = q.pointee
        let length: Int
        var value: UInt32
        var secondLow: UInt8 = 0x80     // the second byte's allowed range, narrowed after
        var secondHigh: UInt8 = 0xBF    // E0, ED, F0 and F4 to rule out overlongs, surrogates and > U+10FFFF
        switch lead {
        case 0x00..<0x80: return .scalar(Unicode.Scalar(lead), length: 1)
        case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0: length = 3; value = 0; secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3; value = UInt32(lead & 0x0F)
        case 0xED: length = 3; value = 0x0D; secondHigh = 0x9F
        case 0xF0: length = 4; value = 0; secondLow = 0x90
        case 0xF1...0xF3: length = 4; value = UInt32(lead & 0x07)
        case 0xF4: length = 4; value = 4; secondHigh = 0x8F
        default: return .invalid
        }
        for n in 1..<length {
            guard q + n < end else { return .truncated }
            let c = q[n]
            let (low, high) = n == 1 ? (secondLow, secondHigh) : (0x80, 0xBF)
            guard c >= low && c <= high else { return .invalid }
            value = value << 6 | UInt32(c & 0x3F)
        }
        guard let scalar = Unicode.Scalar(value) else { return .invalid }     // unreachable after the table
        return .scalar(scalar, length: length)
    }
}
