// BIC, AIC and ICL against the number of components, one panel per criterion
// (lower is better), one line per covariance family, and in each panel a ring
// round that criterion's own best candidate, named in the panel's corner (the
// three often disagree: AIC penalises parameters least and picks larger K).
// The input is the table `gmm select --output-table` writes, or the library's
// `SelectionTable`.

import Foundation
import GaussianMixtures

/// One candidate of a model search: its size, family and criteria.
public struct SelectionPoint: Sendable, Equatable {
    /// K.
    public var componentCount: Int
    /// The covariance family's name (one line per family).
    public var covariance: String
    /// The candidate's BIC.
    public var bic: Double
    /// The candidate's AIC.
    public var aic: Double
    /// The candidate's ICL.
    public var icl: Double
    /// Whether this is the candidate the search chose.
    public var isBest: Bool

    /// A candidate with its criteria.
    public init(componentCount: Int, covariance: String, bic: Double, aic: Double, icl: Double, isBest: Bool) {
        self.componentCount = componentCount
        self.covariance = covariance
        self.bic = bic
        self.aic = aic
        self.icl = icl
        self.isBest = isBest
    }

    /// The fitted candidates of a library search (failed ones have no criteria and are left out).
    public static func points(of table: SelectionTable) -> [SelectionPoint] {
        let best = table.best
        return table.rows.compactMap { row in
            guard let bic = row.bic, let aic = row.aic, let icl = row.icl else { return nil }
            return SelectionPoint(componentCount: row.componentCount, covariance: row.covarianceKind.rawValue, bic: bic, aic: aic,
                                  icl: icl, isBest: best.map { $0.componentCount == row.componentCount && $0.covarianceKind == row.covarianceKind } ?? false)
        }
    }
}

/// Reads the CSV that `gmm select --output-table` writes.
public enum SelectionTableFile {
    static let required = ["components", "covariance", "bic", "aic", "icl", "best"]

    /// The fitted candidates of the table at `path` (rows of failed candidates,
    /// with empty criteria, are skipped).
    ///
    /// - Throws: `DataFileError.cannotOpen` when the file cannot be read;
    ///   `.malformed` naming the line and column when a column is missing or a
    ///   cell is not what the column holds, or when no candidate has numbers.
    public static func read(path: String) throws(DataFileError) -> [SelectionPoint] {
        let bytes: [UInt8]
        do {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                throw DataFileError.cannotOpen(path: path, reason: "Is a directory")
            }
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch let error as DataFileError {
            throw error
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "Permission denied" : "No such file or directory"
            throw .cannotOpen(path: path, reason: reason)
        }
        return try parse(String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// The fitted candidates in `text`, a selection table; `path` names it in errors.
    public static func parse(_ text: String, path: String) throws(DataFileError) -> [SelectionPoint] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
        if lines.first?.hasPrefix("\u{FEFF}") == true { lines[0] = lines[0].dropFirst() }
        guard let headerLine = lines.first, !headerLine.isEmpty else {
            throw .malformed(path: path, line: 1, column: nil, message: "empty file; expected the table gmm select --output-table writes")
        }
        let header = splitCSV(headerLine).map { $0.trimmingCharacters(in: .whitespaces) }
        var column: [String: Int] = [:]
        for name in required {
            guard let index = header.firstIndex(of: name) else {
                throw .malformed(path: path, line: 1, column: nil,
                                 message: "no column \"\(name)\"; expected the table gmm select --output-table writes (components,covariance,…,bic,aic,icl,…,best)")
            }
            column[name] = index
        }
        var points: [SelectionPoint] = []
        for (offset, line) in lines.enumerated().dropFirst() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let lineNumber = offset + 1
            let cells = splitCSV(line).map { $0.trimmingCharacters(in: .whitespaces) }
            func cell(_ name: String) throws(DataFileError) -> String {
                let index = column[name]!
                guard index < cells.count else {
                    throw .malformed(path: path, line: lineNumber, column: nil,
                                     message: "expected \(header.count) cells, found \(cells.count)")
                }
                return cells[index]
            }
            guard let k = Int(try cell("components")), k >= 1 else {
                throw .malformed(path: path, line: lineNumber, column: column["components"]! + 1,
                                 message: "expected a component count, found \"\(try cell("components"))\"")
            }
            var criteria: [Double] = []
            for name in ["bic", "aic", "icl"] {
                let text = try cell(name)
                if text.isEmpty { break }
                guard let value = Double(text), value.isFinite else {
                    throw .malformed(path: path, line: lineNumber, column: column[name]! + 1,
                                     message: "expected a number, found \"\(text)\"")
                }
                criteria.append(value)
            }
            guard criteria.count == 3 else { continue }  // a candidate that could not be fitted
            points.append(SelectionPoint(componentCount: k, covariance: try cell("covariance"), bic: criteria[0], aic: criteria[1],
                                         icl: criteria[2], isBest: try cell("best") == "1"))
        }
        guard !points.isEmpty else {
            throw .malformed(path: path, line: nil, column: nil, message: "no candidate in the table has BIC, AIC and ICL values")
        }
        return points
    }

    /// The cells of one CSV line; double quotes protect commas, `""` is a quote.
    static func splitCSV(_ line: Substring) -> [String] {
        var cells: [String] = [], current = "", quoted = false
        var chars = line.makeIterator()
        while let ch = chars.next() {
            if quoted {
                if ch == "\"" {
                    // A doubled quote stays; a single one closes.
                    var lookahead = chars
                    if lookahead.next() == "\"" { current.append("\""); chars = lookahead } else { quoted = false }
                } else {
                    current.append(ch)
                }
            } else if ch == "\"" {
                quoted = true
            } else if ch == "," {
                cells.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        cells.append(current)
        return cells
    }
}

/// Three stacked panels (BIC, AIC, ICL) against K, one line per covariance family.
public struct SelectionFigure {
    /// The candidates drawn; failed ones are left out by the caller.
    public var points: [SelectionPoint]
    /// The figure's title.
    public var title: String
    /// A line under the title, if any.
    public var subtitle: String?

    /// A figure of `points`; at least one.
    public init(points: [SelectionPoint], title: String = "Choosing K: BIC, AIC and ICL (lower is better)", subtitle: String? = nil) {
        precondition(!points.isEmpty)
        self.points = points
        self.title = title
        self.subtitle = subtitle
    }

    static let familyOrder = ["full", "diag", "spherical", "tied"]

    /// The families in a fixed order (the four built-in ones first), each with its colour.
    var families: [(name: String, color: String)] {
        let present = Set(points.map(\.covariance))
        let ordered = Self.familyOrder.filter(present.contains) + present.subtracting(Self.familyOrder).sorted()
        return ordered.map { name in (name, Palette.color(Self.familyOrder.firstIndex(of: name) ?? (4 + ordered.firstIndex(of: name)!))) }
    }

    /// The figure as an SVG document.
    public func render() -> SVGDocument {
        var document = SVGDocument(title: title)
        let chosen = points.first(where: \.isBest)
        let note = subtitle ?? chosen.map { "chosen: \($0.covariance), \($0.componentCount) component\($0.componentCount == 1 ? "" : "s")" }
        document.append(contentsOf: heading(title, subtitle: note, width: Layout.width))
        let ks = points.map(\.componentCount)
        var xTicks = AxisTicks(covering: Double(ks.min()!), Double(ks.max()!), count: min(Set(ks).count, 10))
        if xTicks.step < 1 { xTicks = AxisTicks(integersFrom: ks.min()!, to: ks.max()!) }
        let criteria: [(String, KeyPath<SelectionPoint, Double>)] = [("BIC", \.bic), ("AIC", \.aic), ("ICL", \.icl)]
        let gap = 24.0
        let panelHeight = (Layout.plotHeight - 2 * gap) / 3
        for (index, (name, key)) in criteria.enumerated() {
            let values = points.map { $0[keyPath: key] }
            var area = PlotArea(left: Layout.plotLeft, top: Layout.plotTop + Double(index) * (panelHeight + gap), width: Layout.plotWidth,
                                height: panelHeight, xTicks: xTicks, yTicks: AxisTicks(padding: values.min()!, values.max()!, margin: 0.1, count: 4))
            // Half a step of margin either side, so end points are not on the frame.
            area.xTicks.lower -= 0.5
            area.xTicks.upper += 0.5
            let axes = area.axes(xLabel: index == 2 ? "number of components K" : "", yLabel: name, showsXTickLabels: index == 2)
            document.append(SVGElement("g", [("class", "panel"), ("data-criterion", name.lowercased())], children: axes + panel(area, key)))
        }
        var entries = [LegendEntry(.none, "covariance family")]
        for family in families { entries.append(LegendEntry(.line(color: family.color, width: 2, dash: nil), family.name)) }
        entries.append(LegendEntry(.ring, "best in its panel"))
        document.append(legend(entries, left: Layout.legendLeft, top: Layout.legendTop))
        return document
    }

    /// The lines, dots and the ring of one criterion's panel.
    private func panel(_ area: PlotArea, _ key: KeyPath<SelectionPoint, Double>) -> [SVGElement] {
        var out: [SVGElement] = []
        for family in families {
            let mine = points.filter { $0.covariance == family.name }.sorted { $0.componentCount < $1.componentCount }
            let pixels = mine.map { area.pixel(Double($0.componentCount), $0[keyPath: key]) }
            if pixels.count > 1 {
                out.append(SVGElement("polyline", [("class", "family-line"), ("data-family", family.name),
                                                   ("points", pixels.map { "\(svgNumber($0.x)),\(svgNumber($0.y))" }.joined(separator: " ")),
                                                   ("fill", "none"), ("stroke", family.color), ("stroke-width", "2")]))
            }
            for p in pixels {
                out.append(SVGElement("circle", [("class", "candidate"), ("cx", svgNumber(p.x)), ("cy", svgNumber(p.y)), ("r", "3"),
                                                 ("fill", family.color)]))
            }
        }
        // This criterion's best (the lowest value; ties go to the smaller K, then the family order).
        let order = families.map(\.name)
        let best = points.min { a, b in
            (a[keyPath: key], a.componentCount, order.firstIndex(of: a.covariance) ?? 0)
                < (b[keyPath: key], b.componentCount, order.firstIndex(of: b.covariance) ?? 0)
        }!
        let p = area.pixel(Double(best.componentCount), best[keyPath: key])
        out.append(SVGElement("circle", [("class", "best"), ("data-components", String(best.componentCount)),
                                         ("data-covariance", best.covariance), ("cx", svgNumber(p.x)), ("cy", svgNumber(p.y)),
                                         ("r", "7"), ("fill", "none"), ("stroke", "#111111"), ("stroke-width", "2")]))
        out.append(SVGElement("text", [("class", "best-label"), ("x", svgNumber(area.left + area.width - 6)),
                                       ("y", svgNumber(area.top + 15)), ("text-anchor", "end"), ("font-size", "12"),
                                       ("stroke", "white"), ("stroke-width", "4"), ("paint-order", "stroke")],
                              text: "best: \(best.covariance), K = \(best.componentCount)"))
        return out
    }
}

extension AxisTicks {
    /// Every integer from `first` to `last` as a tick.
    init(integersFrom first: Int, to last: Int) {
        self.init(covering: Double(first), Double(max(last, first + 1)))
        step = 1
        lower = Double(first)
        upper = Double(max(last, first + 1))
        values = (first...max(last, first + 1)).map(Double.init)
    }
}
