// The smallest SVG writer that does the job: elements with attributes and
// text, escaped, numbers rounded to 1/100 of a pixel. No scripts, no external
// fonts or styles (text uses the generic `sans-serif` family), so a figure
// renders the same in any browser and diffs stay small.

import Foundation

/// One SVG element: a name, attributes in the order given, and text or children.
public struct SVGElement: Sendable, Equatable {
    /// The element's name, such as `circle` or `path`.
    public var name: String
    /// Attribute names and values, written in this order (values escaped).
    public var attributes: [(String, String)]
    /// The element's text content, if any (escaped); it takes the place of `children`.
    public var text: String?
    /// The elements inside this one.
    public var children: [SVGElement]

    /// An element `name` with `attributes`, and `text` or `children`.
    public init(_ name: String, _ attributes: [(String, String)] = [], text: String? = nil, children: [SVGElement] = []) {
        self.name = name
        self.attributes = attributes
        self.text = text
        self.children = children
    }

    /// Whether two elements have the same name, attributes in the same order, text and children.
    public static func == (a: SVGElement, b: SVGElement) -> Bool {
        a.name == b.name && a.text == b.text && a.children == b.children
            && a.attributes.map { $0.0 + "=" + $0.1 } == b.attributes.map { $0.0 + "=" + $0.1 }
    }

    func render(into out: inout String, indent: Int) {
        out += String(repeating: "  ", count: indent) + "<" + name
        for (key, value) in attributes { out += " \(key)=\"\(escapeXML(value))\"" }
        if let text {
            out += ">" + escapeXML(text) + "</\(name)>\n"
        } else if children.isEmpty {
            out += "/>\n"
        } else {
            out += ">\n"
            for child in children { child.render(into: &out, indent: indent + 1) }
            out += String(repeating: "  ", count: indent) + "</\(name)>\n"
        }
    }
}

/// A whole SVG figure of a fixed size in pixels.
public struct SVGDocument: Sendable {
    /// The width in pixels.
    public let width: Double
    /// The height in pixels.
    public let height: Double
    /// A one-line description, written as the document's `<title>`.
    public var title: String
    /// The top-level elements, drawn in order.
    public var elements: [SVGElement] = []

    /// An empty document of `width` × `height` pixels.
    public init(width: Double = 800, height: Double = 600, title: String) {
        self.width = width
        self.height = height
        self.title = title
    }

    /// Adds `element` on top of what is drawn.
    public mutating func append(_ element: SVGElement) { elements.append(element) }
    /// Adds `more`, in order, on top of what is drawn.
    public mutating func append(contentsOf more: [SVGElement]) { elements.append(contentsOf: more) }

    /// The document as text: an XML declaration, then the `<svg>` element.
    public var text: String {
        let root = SVGElement("svg", [
            ("xmlns", "http://www.w3.org/2000/svg"), ("version", "1.1"),
            ("width", svgNumber(width)), ("height", svgNumber(height)),
            ("viewBox", "0 0 \(svgNumber(width)) \(svgNumber(height))"),
            ("font-family", "sans-serif"), ("font-size", "13"),
        ], children: [SVGElement("title", text: title),
                      SVGElement("rect", [("x", "0"), ("y", "0"), ("width", svgNumber(width)),
                                          ("height", svgNumber(height)), ("fill", "white")])] + elements)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        root.render(into: &out, indent: 0)
        return out
    }

    /// The document as UTF-8 bytes, ready for `OutputFile.write`.
    public var bytes: [UInt8] { Array(text.utf8) }
}

/// `text` with the five XML special characters escaped and control characters dropped.
func escapeXML(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        case "\t", "\n", "\r": out += " "
        default:
            if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// A coordinate in pixels: at most two decimals, no trailing zeros, never `-0`.
func svgNumber(_ x: Double) -> String {
    guard x.isFinite else { return "0" }
    let rounded = (x * 100).rounded() / 100
    if rounded == 0 { return "0" }
    if rounded == rounded.rounded() && abs(rounded) < 1e15 { return String(Int64(rounded)) }
    var s = String(format: "%.2f", rounded)
    while s.hasSuffix("0") { s.removeLast() }
    return s
}
