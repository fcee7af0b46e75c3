import GaussianMixtures
import GaussianMixturesCommandLine

// The warnings a fit can end with. Every fitting command (fit in all its
// methods, select, classify fit) collects them while it works and prints them
// after its summary and table, so they are the last lines on standard error,
// where they are seen. They are printed with -q too (-q silences notes and
// summaries, never warnings). Each is one line, `gmm: warning: …`, naming the
// remedy.
//
// More components than usable rows is an error before any work in every path
// (`FitError.tooFewSamples`, exit 65); exactly as many components as rows, or
// at least as many as the total frequency weight, is allowed but degenerate:
// it is the warning here.

/// The warnings of one fitting command, in the order they were found.
struct FitWarnings {
    private(set) var lines: [String] = []

    /// Adds `gmm: warning: text`.
    mutating func add(_ text: String) { lines.append("gmm: warning: " + text) }

    /// Prints every warning on standard error, one line each.
    func print() {
        for line in lines { printError(line) }
    }

    /// Warns when K components are fitted to no more rows than K (rows of positive
    /// weight), or to a total frequency weight of at most K: at most one row per
    /// component. `what` names the fit ("", or "the best candidate: ").
    mutating func checkComponentCount(_ kCount: Int, rows: Int, weights: [Double]?, what: String = "") {
        let usable = weights.map { $0.filter { $0 > 0 }.count } ?? rows
        let total = weights?.reduce(0, +)
        if kCount >= usable {
            add("\(what)\(kCount) component\(kCount == 1 ? "" : "s") for \(usable) row\(usable == 1 ? "" : "s")"
                + (weights == nil ? "" : " of positive weight") + ": at most one row per component, a degenerate fit "
                + "(each covariance is little more than --reg-covar); use fewer components")
        } else if let total, Double(kCount) >= total {
            add("\(what)\(kCount) component\(kCount == 1 ? "" : "s") for a total weight of \(readable(total)): at most one "
                + "row's weight per component, a degenerate fit; use fewer components")
        }
    }

    /// Warns about columns whose observed values are all equal.
    mutating func checkConstantColumns(_ data: DataMatrix) {
        let constant = constantColumns(data)
        guard !constant.isEmpty else { return }
        let one = constant.count == 1
        add("\(one ? "column" : "columns") \(nameList(constant.map { "\"\($0)\"" })) \(one ? "is" : "are") constant: every "
            + "variance along \(one ? "it" : "them") is the regulariser (--reg-covar) alone; leave \(one ? "it" : "them") "
            + "out with --columns")
    }

    /// Warns about each component that holds almost no data (it has collapsed onto next to nothing).
    mutating func checkEmptyComponents(_ model: GaussianMixture, effectiveSampleSize n: Double, what: String = "") {
        for k in 0..<model.componentCount where model.weights[k] * n < 1e-3 {
            add("\(what)component \(k) holds almost no data (weight \(model.weights[k])); fewer components may describe "
                + "the data as well")
        }
    }

    /// Warns when EM stopped at --max-iter (not when it was asked to run exactly that many).
    mutating func checkConvergence(_ hasConverged: Bool, em: EMParameters, method: String = "EM", change: String = "change",
                                   what: String = "") {
        guard !hasConverged && em.maxIterations > 0 && em.tol > 0 else { return }
        add("\(what)\(method) did not converge in \(em.maxIterations) iterations (last \(change) above --tol \(em.tol)); "
            + "raise --max-iter or --tol")
    }
}
