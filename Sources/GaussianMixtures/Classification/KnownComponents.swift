import Foundation

// Semi-supervised EM (mclust's MclustSSC): some rows' components are known.
//
// A labelled row i of component k keeps r_ik = 1 (and 0 elsewhere) in every
// E-step, and adds its complete-data log-likelihood log w_k + log N(x_i | θ_k)
// to the total; an unlabelled row is an ordinary latent row, adding
// log Σ_k w_k N(x_i | θ_k). This objective is what the M-step maximises given
// the clamped responsibilities, so EM never lowers it (with no regulariser).
//
// The clamp is the only change to an E-step: the block's posterior is taken in
// log form, a labelled row's log P(c = k | x) + log P(x) is its log P(x, c = k)
// (no underflow however far the row lies from its component), and the rest are
// exponentiated as usual.

/// Which rows' components are known in a semi-supervised fit: one entry per
/// row, the 0-based component it belongs to, or `nil` when it is unknown.
public struct KnownComponents: Sendable, Equatable {
    /// Per row, the component, or −1 for an unknown one (4 bytes a row).
    let owners: [Int32]

    /// - Parameter components: per row, the 0-based component, or `nil` when unknown.
    /// - Precondition: every component is in 0 ..< 2³¹ − 1.
    public init(_ components: [Int?]) {
        owners = components.map { k in
            guard let k else { return -1 }
            precondition(k >= 0 && k < Int(Int32.max), "a component index out of range: \(k)")
            return Int32(k)
        }
    }

    /// The number of rows (labelled or not).
    public var rowCount: Int { owners.count }
    /// The number of rows whose component is known.
    public var labelledRowCount: Int { owners.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }
    /// The components some row is known to belong to, increasing.
    public var labelledComponents: [Int] { Array(Set(owners.filter { $0 >= 0 }.map(Int.init))).sorted() }

    /// The known component of row `i`, or `nil`.
    public subscript(i: Int) -> Int? { owners[i] >= 0 ? Int(owners[i]) : nil }

    /// The entries of rows `range`, as the known components of that slice of the data.
    public func rows(_ range: Range<Int>) -> KnownComponents { KnownComponents(owners: Array(owners[range])) }

    init(owners: [Int32]) { self.owners = owners }

    /// Checks the shape against the data and the model size.
    func validate(rows: Int, componentCount: Int) throws(FitError) {
        guard owners.count == rows else {
            throw .invalidOption(name: "knownComponents", reason: "has \(owners.count) entries but the data has \(rows) rows")
        }
        if let bad = owners.firstIndex(where: { $0 >= componentCount }) {
            throw .invalidOption(name: "knownComponents",
                                 reason: "row \(bad) is given component \(owners[bad]), but there are only \(componentCount) components")
        }
    }

    /// Turns a block's log P(c|x) (`values`, b×K) into the responsibilities of
    /// semi-supervised EM, and a labelled row's log P(x) (`logDensity`) into its
    /// complete-data log P(x, c = k): one-hot for a labelled row, P(c|x) for the rest.
    /// `row(r)` is the data row of block row r.
    func clamp(
        _ values: UnsafeMutablePointer<Double>, rows: Int, componentCount kCount: Int,
        logDensity: UnsafeMutablePointer<Double>, row: (Int) -> Int
    ) {
        for r in 0..<rows {
            let p = values + r &* kCount
            let owner = Int(owners[row(r)])
            if owner >= 0 {
                logDensity[r] += p[owner]
                for k in 0..<kCount { p[k] = k == owner ? 1 : 0 }
            } else {
                for k in 0..<kCount { p[k] = exp(p[k]) }
            }
        }
    }
}
