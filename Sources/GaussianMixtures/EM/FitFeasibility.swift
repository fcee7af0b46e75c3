#if canImport(Glibc)
import Glibc
#endif

// What every fit checks before its first pass: that the data can support the
// request and that this machine can hold the model. Without it a request such
// as a full covariance of 10⁶ features (a line of a million cells) asked the
// allocator for 8 TB and crashed, and 3 rows of 10⁴ features spent gigabytes
// and minutes on covariances that only the regulariser keeps invertible.

extension ExpectationMaximization {
    /// How many copies of the covariance parameters a fit holds at once: the
    /// current model, its Cholesky factors, the new estimate, the reduced
    /// moments and one set of moments per pass worker.
    static func parameterCopies(threads: Int) -> Int { 4 + threads }

    /// Refuses, before any work, a fit that cannot succeed or cannot fit in memory.
    ///
    /// - Parameters:
    ///   - usableRows: rows of positive weight (over every party).
    ///   - featureCount: d.
    /// - Throws: `FitError.tooFewSamples` when there are fewer usable rows than
    ///   components; `.infeasible` when a full or tied covariance has no more rows
    ///   than features (it cannot be estimated), or when the model's working copies
    ///   need more memory than the machine has.
    static func checkFeasible(usableRows: Int, featureCount d: Int, options: FitOptions) throws(FitError) {
        let kCount = options.componentCount
        guard usableRows >= kCount else { throw .tooFewSamples(samples: usableRows, components: kCount) }
        let kind = options.covarianceKind
        // A covariance with correlations (full, tied) has rank below d from d rows or fewer.
        if kind.family.momentShape == .matrix, usableRows <= d {
            throw .infeasible(reason: "\(usableRows) row\(usableRows == 1 ? "" : "s") cannot estimate a \(kind.rawValue) covariance of \(d) features: "
                + "it needs more rows than features (try --covariance diag or spherical, or fewer columns)")
        }
        // What the family keeps (matrices are stored whole), plus the means.
        let values = kind.family.storedValueCount(componentCount: kCount, featureCount: d) + Double(kCount) * Double(d)
        let needed = 8 * values * Double(parameterCopies(threads: options.resolvedThreadCount))
        let available = physicalMemoryBytes()
        if needed > available {
            throw .infeasible(reason: "a \(kind.rawValue) model of \(kCount) component\(kCount == 1 ? "" : "s") and "
                + "\(d) features needs about \(byteText(needed)) of memory to fit, more than this machine's "
                + "\(byteText(available)) (try --covariance diag or spherical, or fewer columns)")
        }
    }
}

extension ExpectationMaximization {
    /// Refuses values whose squares would overflow the moments EM sums: with every
    /// |x| ≤ L = √(max double / (4·n)), Σ w (x − μ)² stays finite for n the total
    /// weight (or row count, if larger). Without it a row near 1e155 made every
    /// covariance infinite and the fit failed as a misleading "collapse".
    ///
    /// - Parameter values: row-major rows of `featureCount` values; NaN gaps are skipped.
    static func checkMagnitudes(
        _ values: UnsafeBufferPointer<Double>, featureCount d: Int, totalWeight: Double
    ) throws(FitError) {
        guard totalWeight.isFinite else { return }   // the weights' own check reports that
        let limit = (Double.greatestFiniteMagnitude / (4 * max(totalWeight, Double(values.count / max(d, 1)), 1))).squareRoot()
        guard let bad = values.firstIndex(where: { abs($0) > limit }) else { return }
        throw .infeasible(reason: "data row \(bad / d + 1), column \(bad % d + 1) holds \(values[bad]): beyond "
            + "\(String(format: "%.3g", limit)) in magnitude the squared deviations EM adds up overflow a double; "
            + "rescale the data (divide by a constant)")
    }
}

/// The machine's physical memory in bytes (infinity when it cannot be read).
func physicalMemoryBytes() -> Double {
    let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
    return pages > 0 && size > 0 ? Double(pages) * Double(size) : .infinity
}

/// A byte count for people: "23.5 GiB", "8 TiB".
func byteText(_ bytes: Double) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var value = bytes, unit = 0
    while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
    return unit == 0 ? "\(Int(value)) bytes" : String(format: value < 10 ? "%.1f %@" : "%.0f %@", value, units[unit])
}
