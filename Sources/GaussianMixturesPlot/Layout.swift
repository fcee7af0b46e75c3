// One layout for every figure: 800×600, title band on top, legend column on
// the right, room for tick labels and axis titles at the left and bottom.

/// Where the parts of a figure go, in pixels.
enum Layout {
    static let width = 800.0
    static let height = 600.0
    static let plotLeft = 80.0
    static let plotTop = 72.0
    static let plotRight = 590.0
    static let plotBottom = 530.0
    static let legendLeft = 608.0
    static let legendTop = 84.0

    static var plotWidth: Double { plotRight - plotLeft }
    static var plotHeight: Double { plotBottom - plotTop }
}
