// The legend: a column of entries at the right of the figure, each a small
// sample of how something is drawn and a line of text.

/// How one legend entry's sample is drawn.
public enum LegendMark: Sendable {
    /// A filled dot of the colour at the opacity.
    case dot(color: String, opacity: Double)
    /// A line segment, dashed when `dash` is given.
    case line(color: String, width: Double, dash: String?)
    /// A mean marker: a dot with a dark outline.
    case marker(color: String)
    /// A ring around a point (the chosen model).
    case ring
    /// No sample: a heading, in bold.
    case none
    /// No sample: a plain note.
    case note
}

/// One legend line.
public struct LegendEntry: Sendable {
    /// What is drawn before the text.
    public var mark: LegendMark
    /// The line's text.
    public var text: String

    /// A legend line: `mark`, then `text`.
    public init(_ mark: LegendMark, _ text: String) {
        self.mark = mark
        self.text = text
    }
}

/// The legend's elements, top left at (`left`, `top`), one entry every 20 pixels.
func legend(_ entries: [LegendEntry], left: Double, top: Double) -> SVGElement {
    var children: [SVGElement] = []
    for (i, entry) in entries.enumerated() {
        let y = top + Double(i) * 20
        let sample: SVGElement?
        switch entry.mark {
        case let .dot(color, opacity):
            sample = SVGElement("circle", [("cx", svgNumber(left + 9)), ("cy", svgNumber(y)), ("r", "4"),
                                           ("fill", color), ("fill-opacity", svgNumber(opacity))])
        case let .line(color, width, dash):
            sample = line(left, y, left + 18, y, stroke: color, width: width, dash: dash)
        case let .marker(color):
            sample = SVGElement("circle", [("cx", svgNumber(left + 9)), ("cy", svgNumber(y)), ("r", "5"),
                                           ("fill", color), ("stroke", "#111111"), ("stroke-width", "1.5")])
        case .ring:
            sample = SVGElement("circle", [("cx", svgNumber(left + 9)), ("cy", svgNumber(y)), ("r", "7"),
                                           ("fill", "none"), ("stroke", "#111111"), ("stroke-width", "2")])
        case .none, .note:
            sample = nil
        }
        if let sample { children.append(sample) }
        let bold = { if case .none = entry.mark { return true } else { return false } }()
        var attributes = [("x", svgNumber(left + (sample == nil ? 0 : 26))), ("y", svgNumber(y + 4)), ("font-size", "12")]
        if bold { attributes.append(("font-weight", "bold")) }
        children.append(SVGElement("text", attributes, text: entry.text))
    }
    return SVGElement("g", [("class", "legend")], children: children)
}

/// Categorical colours: Tableau 10, distinguishable in print and for most
/// colour vision, then its ten lighter partners (Tableau 20), so up to twenty
/// components never share a colour.
///
/// Component k of a model is drawn in `color(k)` in every figure of it (the
/// mixture, pairs and density figures and the report), so a colour names the
/// same component wherever it appears.
public enum Palette {
    /// The twenty colours, as SVG hex strings: Tableau 10, then its lighter partners.
    public static let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
                                "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
                                "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"]

    /// The colour of category `index` (cycling after twenty); a negative index (rows assigned to a noise component) is grey.
    public static func color(_ index: Int) -> String { index < 0 ? noiseColor : colors[index % colors.count] }

    /// The colour of rows assigned to a noise component.
    public static let noiseColor = "#8c8c8c"
}
