// The planes the report's scatter can show: the two features themselves for
// 2-D data; otherwise the data's two leading principal directions, or any two
// features the reader picks (FeaturePairs). Each fixed view is a `PlaneProjection` from
// GaussianMixturesPlot, so the page's script only maps plane coordinates to
// pixels: the ticks, the projected means and the projected 2×2 covariances
// (A Σ Aᵀ, exact for a linear view) are computed here, once.

import GaussianMixtures
import GaussianMixturesPlot

/// One plane of the scatter, ready for the page's script.
struct ScatterView {
    var name: String
    var projection: PlaneProjection
    var xTicks: AxisTicks
    var yTicks: AxisTicks
    /// Each component's mean on the plane.
    var means: [(x: Double, y: Double)]
    /// Each component's covariance on the plane, as (a, b, c) of [[a, b], [b, c]].
    var covariances: [(Double, Double, Double)]

    /// The fixed views of `model` over `data`: its two features, or the principal directions.
    /// (Pairs of features, when there are more than two, are `FeaturePairs`.)
    static func all(model: GaussianMixture, data: DataMatrix, drawn: [[Double]]) -> [ScatterView] {
        let names = model.featureNames
        if model.featureCount == 2 {
            return [ScatterView(name: "\(names[0]) × \(names[1])", projection: .features(0, 1, names: names), model: model, drawn: drawn)]
        }
        return [ScatterView(name: "principal directions", projection: .principal(of: data), model: model, drawn: drawn)]
    }

    init(name: String, projection: PlaneProjection, model: GaussianMixture, drawn: [[Double]]) {
        self.name = name
        self.projection = projection
        means = model.means.map { projection.project($0) }
        covariances = (0..<model.componentCount).map { k in
            let m = projection.project(covariance: model.covarianceMatrix(component: k))
            return (m[0][0], (m[0][1] + m[1][0]) / 2, m[1][1])
        }
        // The axes hold every drawn row and every 2σ ellipse's bounding box.
        let points = drawn.map { projection.project($0) }
        let reach = MixtureFigure.ellipseRadii[1]
        var xs = points.map(\.x), ys = points.map(\.y)
        for (mean, cov) in zip(means, covariances) {
            xs += [mean.x - reach * cov.0.squareRoot(), mean.x + reach * cov.0.squareRoot()]
            ys += [mean.y - reach * cov.2.squareRoot(), mean.y + reach * cov.2.squareRoot()]
        }
        // Principal directions keep equal aspect in the page's plot area.
        (xTicks, yTicks) = AxisTicks.view(xLow: xs.min() ?? 0, xHigh: xs.max() ?? 1, yLow: ys.min() ?? 0, yHigh: ys.max() ?? 1,
                                          width: Self.areaWidth, height: Self.areaHeight, equalAspect: projection.isPrincipal)
    }

    /// The scatter's plot area in the page, in pixels (the script's `area`).
    static let areaWidth = 650.0, areaHeight = 470.0

    /// The view as a JSON object for the page's script.
    var json: JSON {
        .object([
            ("name", .string(name)), ("x_label", .string(projection.xLabel)), ("y_label", .string(projection.yLabel)),
            ("note", .string(projection.note ?? "")),
            ("axes", .array(projection.axes.map { .numbers($0) })), ("origin", .numbers(projection.origin)),
            ("x_ticks", Self.ticks(xTicks, labelled: xTicks.labelledValues(axisLength: Self.areaWidth, vertical: false))),
            ("y_ticks", Self.ticks(yTicks, labelled: yTicks.labelledValues(axisLength: Self.areaHeight, vertical: true))),
            ("means", .array(means.map { .numbers([$0.x, $0.y]) })),
            ("covariances", .array(covariances.map { .numbers([$0.0, $0.1, $0.2]) })),
        ])
    }

    /// Ticks for the script: every value gets a grid line, those in `labelled` a label (the others an empty one),
    /// so labels never collide.
    static func ticks(_ t: AxisTicks, labelled: [Double]) -> JSON {
        let kept = Set(labelled)
        return .object([("lower", .number(t.lower)), ("upper", .number(t.upper)),
                        ("values", .numbers(t.values)), ("labels", .array(t.values.map { .string(kept.contains($0) ? t.label($0) : "") }))])
    }
}

/// What the script needs to draw any two features against each other: each
/// feature's ticks (covering the drawn rows and every component's 2σ extent
/// along it, so they suit any partner) and the components' covariance
/// matrices, whose 2×2 sub-blocks are the ellipses (a feature pair is a
/// coordinate plane, so A Σ Aᵀ is just the sub-block).
struct FeaturePairs {
    /// Features offered at most: the covariances cost K·d² numbers in the page.
    static let featureLimit = 64

    let featureCount: Int
    let ticks: [AxisTicks]
    let covariances: [[[Double]]]
    let means: [[Double]]

    init(model: GaussianMixture, drawn: [[Double]]) {
        let f = min(model.featureCount, Self.featureLimit)
        featureCount = f
        let reach = MixtureFigure.ellipseRadii[1]
        let full = (0..<model.componentCount).map { model.covarianceMatrix(component: $0) }
        covariances = full.map { c in (0..<f).map { i in Array(c[i].prefix(f)) } }
        means = model.means.map { Array($0.prefix(f)) }
        ticks = (0..<f).map { j in
            var low = drawn.map { $0[j] }.min() ?? 0, high = drawn.map { $0[j] }.max() ?? 1
            for (mean, c) in zip(model.means, full) {
                low = min(low, mean[j] - reach * c[j][j].squareRoot())
                high = max(high, mean[j] + reach * c[j][j].squareRoot())
            }
            return AxisTicks(padding: low, high)
        }
    }

    var json: JSON {
        // A feature can be drawn across or up: label only the ticks that fit both ways.
        .object([("ticks", .array(ticks.map { t in
                    let across = Set(t.labelledValues(axisLength: ScatterView.areaWidth, vertical: false))
                    return ScatterView.ticks(t, labelled: t.labelledValues(axisLength: ScatterView.areaHeight, vertical: true).filter(across.contains))
                 })),
                 ("means", .array(means.map { .numbers($0) })),
                 ("covariances", .array(covariances.map { .array($0.map { .numbers($0) }) }))])
    }
}
