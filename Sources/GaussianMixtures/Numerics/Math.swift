import Foundation

/// Natural logarithm, for files that do not import Foundation.
@inline(__always) func _logNatural(_ x: Double) -> Double { log(x) }
