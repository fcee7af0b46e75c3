// The model file's record of the conjugate prior a MAP fit used, so a refit
// or a resumed fit can use the same hyper-parameters:
//
//   "prior": {"shrinkage": 0.01, "mean": [...], "dof": 6, "scale": 0.66}        axis-aligned models
//   "prior": {"shrinkage": 0.01, "mean": [...], "dof": 6, "scale": [[...], ...]}  ellipsoidal models
//
// (mclust's names: `priorControl()`'s shrinkage, mean, dof and scale.) Numbers
// are written in shortest round-trip form, so reading gives the same doubles.
// Reading checks the member against the file's model and names the key at fault.

extension ModelFile {
    /// The `prior` member for `encode(_:summary:extra:)`'s `extra`.
    public static func priorMember(_ prior: ConjugatePrior) -> (String, String) {
        typealias W = JSONWriter
        let scale: String = switch prior.scale {
        case let .variance(v): W.number(v)
        case let .matrix(m): W.matrix(m, indent: "    ")
        }
        return ("prior", W.object([("shrinkage", W.number(prior.shrinkage)), ("mean", W.list(prior.mean)),
                                   ("dof", W.number(prior.degreesOfFreedom)), ("scale", scale)], indent: "  "))
    }

    /// The conjugate prior recorded in a model file, `nil` when it has none (a
    /// maximum-likelihood fit). The whole file is checked as `read(path:)` checks it.
    ///
    /// - Throws: `ModelFileError.invalid` naming the key (`prior.scale`, …) that is
    ///   malformed or does not fit the file's model.
    public static func prior(path: String) throws(ModelFileError) -> ConjugatePrior? {
        let root = try parse(contents(path: path), path: path)
        let (model, _) = try decode(root, path: path)
        guard case let .object(o) = root else { return nil }
        return try prior(in: Reader(path: path, object: o), kind: model.covarianceKind, featureCount: model.featureCount)
    }

    /// The `prior` member of a file whose model is of `kind` in `featureCount` dimensions.
    static func prior(in r: Reader, kind: CovarianceKind, featureCount d: Int) throws(ModelFileError) -> ConjugatePrior? {
        guard let raw = r.object["prior"] else { return nil }
        guard case let .object(o) = raw else { throw r.fail("prior", "expected an object, found \(raw.typeName)") }
        let p = Reader(path: r.path, object: o)
        func key(_ name: String) -> String { "prior.\(name)" }
        func number(_ name: String) throws(ModelFileError) -> Double {
            guard let v = o[name] else { throw r.fail(key(name), "missing") }
            return try p.finite(v, key: key(name))
        }
        let mean = try p.numbers(o["mean"], key: key("mean"))
        let scale: ConjugatePrior.Scale
        switch o["scale"] {
        case .number?: scale = .variance(try number("scale"))
        case .array?: scale = .matrix(try p.rows(o["scale"], key: key("scale")))
        case let other?: throw r.fail(key("scale"), "expected a number or a matrix, found \(other.typeName)")
        case nil: throw r.fail(key("scale"), "missing")
        }
        let prior = ConjugatePrior(shrinkage: try number("shrinkage"), mean: mean, degreesOfFreedom: try number("dof"), scale: scale)
        do {
            try prior.validate(featureCount: d, kind: kind)
        } catch {
            guard case let .invalidOption(name, reason) = error else { throw r.fail("prior", error.description) }
            // "prior scale" → key "prior.scale"; "prior" (an unsupported model) → "prior".
            throw r.fail(name.replacingOccurrences(of: "prior ", with: "prior."), reason)
        }
        return prior
    }
}
