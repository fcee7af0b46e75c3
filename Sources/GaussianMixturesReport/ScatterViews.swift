// The planes the report's scatter can show: the two features themselves for
// 2-D data; otherwise the data's two leading principal directions, then every
// pair of the first few features. Each view is a `PlaneProjection` from
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

    /// Features offered in the pair views at most (d(d−1)/2 views).
    static let pairFeatureLimit = 8

    /// The views of `model` over `data`; `drawn` are the rows whose extent the axes must cover.
    static func all(model: GaussianMixture, data: DataMatrix, drawn: [[Double]]) -> [ScatterView] {
        let names = model.featureNames
        var projections: [(String, PlaneProjection)] = []
        if model.featureCount == 2 {
            projections.append(("\(names[0]) × \(names[1])", .features(0, 1, names: names)))
        } else {
            projections.append(("principal directions", .principal(of: data)))
            let shown = min(model.featureCount, pairFeatureLimit)
            for i in 0..<shown { for j in (i + 1)..<shown {
                projections.append(("\(names[i]) × \(names[j])", .features(i, j, names: names)))
            } }
        }
        return projections.map { name, projection in
            ScatterView(name: name, projection: projection, model: model, drawn: drawn)
        }
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
        xTicks = AxisTicks(covering: xs.min() ?? 0, xs.max() ?? 1)
        yTicks = AxisTicks(covering: ys.min() ?? 0, ys.max() ?? 1)
    }

    /// The view as a JSON object for the page's script.
    var json: JSON {
        .object([
            ("name", .string(name)), ("x_label", .string(projection.xLabel)), ("y_label", .string(projection.yLabel)),
            ("note", .string(projection.note ?? "")),
            ("axes", .array(projection.axes.map { .numbers($0) })), ("origin", .numbers(projection.origin)),
            ("x_ticks", Self.ticks(xTicks)), ("y_ticks", Self.ticks(yTicks)),
            ("means", .array(means.map { .numbers([$0.x, $0.y]) })),
            ("covariances", .array(covariances.map { .numbers([$0.0, $0.1, $0.2]) })),
        ])
    }

    private static func ticks(_ t: AxisTicks) -> JSON {
        .object([("lower", .number(t.lower)), ("upper", .number(t.upper)),
                 ("values", .numbers(t.values)), ("labels", .array(t.values.map { .string(t.label($0)) }))])
    }
}
