// Contour lines by marching squares: each grid cell whose corners straddle
// the level gets one or two segments, their ends placed by linear
// interpolation along the cell's edges. Saddle cells are split by the value
// at the cell centre. Segments are not joined into long paths; one SVG path
// per level holds them all, which draws the same.

/// Values on a regular grid: `columns` × `rows`, row-major, row 0 at the bottom.
public struct GridValues: Sendable {
    /// Grid points per row, at least 2.
    public var columns: Int
    /// Grid rows, at least 2.
    public var rows: Int
    /// `columns × rows` values, row-major, row 0 at the bottom.
    public var values: [Double]

    /// A grid of `values` (row-major, `columns × rows` of them).
    public init(columns: Int, rows: Int, values: [Double]) {
        precondition(columns >= 2 && rows >= 2 && values.count == columns * rows)
        self.columns = columns
        self.rows = rows
        self.values = values
    }

    /// The value at grid point (`column`, `row`).
    public subscript(column: Int, row: Int) -> Double { values[row * columns + column] }
}

/// A segment in grid coordinates (column, row as fractional indices).
public struct Segment: Sendable, Equatable {
    /// The two ends, (`x1`, `y1`) and (`x2`, `y2`), as fractional column and row indices.
    public var x1: Double, y1: Double, x2: Double, y2: Double
}

/// The segments of the contour of `grid` at `level`, in grid coordinates.
public func contourSegments(_ grid: GridValues, level: Double) -> [Segment] {
    var out: [Segment] = []
    for r in 0..<(grid.rows - 1) {
        for c in 0..<(grid.columns - 1) {
            // Corners counter-clockwise from bottom left.
            let v = [grid[c, r], grid[c + 1, r], grid[c + 1, r + 1], grid[c, r + 1]]
            let p: [(Double, Double)] = [(Double(c), Double(r)), (Double(c + 1), Double(r)),
                                         (Double(c + 1), Double(r + 1)), (Double(c), Double(r + 1))]
            var index = 0
            for k in 0..<4 where v[k] >= level { index |= 1 << k }
            if index == 0 || index == 15 { continue }
            func crossing(_ edge: Int) -> (Double, Double) {
                let a = edge, b = (edge + 1) % 4
                let t = (level - v[a]) / (v[b] - v[a])
                return (p[a].0 + t * (p[b].0 - p[a].0), p[a].1 + t * (p[b].1 - p[a].1))
            }
            // Edges crossed: edge k joins corner k and k+1.
            let crossed = (0..<4).filter { k in (v[k] >= level) != (v[(k + 1) % 4] >= level) }
            if crossed.count == 2 {
                let (a, b) = (crossing(crossed[0]), crossing(crossed[1]))
                out.append(Segment(x1: a.0, y1: a.1, x2: b.0, y2: b.1))
            } else if crossed.count == 4 {
                let centre = v.reduce(0, +) / 4
                // Pair each edge with its neighbour so that the centre's side is respected.
                let centreSidesWithCorner0 = (centre >= level) == (v[0] >= level)
                let pairs = centreSidesWithCorner0 ? [(0, 1), (2, 3)] : [(3, 0), (1, 2)]
                for (e1, e2) in pairs {
                    let (a, b) = (crossing(e1), crossing(e2))
                    out.append(Segment(x1: a.0, y1: a.1, x2: b.0, y2: b.1))
                }
            }
        }
    }
    return out
}
