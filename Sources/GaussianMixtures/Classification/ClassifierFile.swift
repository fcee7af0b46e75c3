// The `gmm-classifier` JSON file (version 1): a MixtureClassifier.
//
//   {
//     "format": "gmm-classifier", "version": 1,
//     "model_type": "MclustDA" | "EDDA",
//     "feature_names": [...],
//     "classes": [{"name": "setosa", "prior": 0.333…, "n_samples": 50, "mixture": 0, "components": [0, 1]}, …],
//     "mixtures": [ <a gmm-model object, as `gmm fit -o` writes>, … ],
//     … extra members (e.g. "selection", the BIC of every candidate)
//   }
//
// A class's density is mixture `mixture`'s components `components`, renormalised
// (see MixtureClassifier.swift). Each mixture is read with the model-file reader,
// so every check and message of a model file applies, under "mixtures[i].".

/// Reads and writes the `gmm-classifier` file.
public enum ClassifierFile {
    /// The file's `"format"` value.
    public static let formatName = "gmm-classifier"
    /// The file's `"version"` value; reading refuses other versions.
    public static let version = 1

    /// The file's bytes; `extra` members (key, JSON text) go at the end.
    public static func encode(_ classifier: MixtureClassifier, extra: [(String, String)] = []) -> [UInt8] {
        typealias W = JSONWriter
        let classes = classifier.classNames.indices.map { c in
            "    " + W.object([
                ("name", W.string(classifier.classNames[c])),
                ("prior", W.number(classifier.priors[c])),
                ("n_samples", String(classifier.classSampleCounts[c])),
                ("mixture", String(classifier.classDensities[c].mixture)),
                ("components", "[" + classifier.classDensities[c].components.map(String.init).joined(separator: ", ") + "]"),
            ], indent: "    ")
        }
        let mixtures = classifier.mixtures.map { mixture in
            let text = String(decoding: ModelFile.encode(mixture, summary: nil), as: UTF8.self)
            return "    " + text.trimmingCharacters(in: .newlines).split(separator: "\n", omittingEmptySubsequences: false)
                .joined(separator: "\n    ")
        }
        let members: [(String, String)] = [
            ("format", W.string(formatName)),
            ("version", String(version)),
            ("model_type", W.string(classifier.modelType.rawValue)),
            ("feature_names", "[" + classifier.featureNames.map(W.string).joined(separator: ", ") + "]"),
            ("classes", "[\n" + classes.joined(separator: ",\n") + "\n  ]"),
            ("mixtures", "[\n" + mixtures.joined(separator: ",\n") + "\n  ]"),
        ] + extra
        return Array((W.object(members) + "\n").utf8)
    }

    /// The `selection` member: every candidate of the model search, with its BIC (null where the fit failed).
    public static func selectionMember(_ candidates: [ClassifierCandidate]) -> (String, String) {
        typealias W = JSONWriter
        let items = candidates.map { c in
            "{\"class\": \(c.className.map(W.string) ?? "null"), \"covariance_type\": \(W.string(c.covarianceKind.rawValue)), "
                + "\"n_components\": \(c.componentCount), \"bic\": \(c.bic.map(W.number) ?? "null")}"
        }
        return ("selection", "[\n    " + items.joined(separator: ",\n    ") + "\n  ]")
    }

    /// Reads a classifier file from disk.
    public static func read(path: String) throws(ModelFileError) -> MixtureClassifier {
        try decode(ModelFile.contents(path: path), path: path)
    }

    /// Parses and checks a classifier file's bytes; `path` is used in messages.
    public static func decode(_ bytes: [UInt8], path: String) throws(ModelFileError) -> MixtureClassifier {
        let root = try ModelFile.parse(bytes, path: path)
        guard case let .object(o) = root else { throw .notJSON(path: path, reason: "the top level is not an object") }
        func fail(_ key: String, _ reason: String) -> ModelFileError { .invalid(path: path, key: key, reason: reason) }
        guard case .string(formatName)? = o["format"] else {
            if case .string(ModelFile.formatName)? = o["format"] {
                throw fail("format", "this is a mixture model file (\"\(ModelFile.formatName)\"), not a classifier; make one with `gmm classify fit`")
            }
            throw fail("format", "expected \"\(formatName)\"")
        }
        guard case let .number(v)? = o["version"], v == Double(version) else {
            throw fail("version", "expected \(version)")
        }
        guard case let .string(typeName)? = o["model_type"], let modelType = MixtureClassifier.ModelType(rawValue: typeName) else {
            throw fail("model_type", "expected one of \(MixtureClassifier.ModelType.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        guard case let .array(rawMixtures)? = o["mixtures"], !rawMixtures.isEmpty else {
            throw fail("mixtures", "expected a non-empty list of models")
        }
        var mixtures: [GaussianMixture] = []
        for (i, raw) in rawMixtures.enumerated() {
            do {
                mixtures.append(try ModelFile.decode(raw, path: path).model)
            } catch {
                switch error {
                case let .invalid(_, key, reason): throw fail("mixtures[\(i)].\(key)", reason)
                case let .notJSON(_, reason): throw fail("mixtures[\(i)]", reason)
                case .cannotOpen: throw error
                }
            }
            if mixtures[i].featureNames != mixtures[0].featureNames {
                throw fail("mixtures[\(i)].feature_names", "differ from mixtures[0]'s")
            }
        }
        guard case let .array(rawClasses)? = o["classes"], !rawClasses.isEmpty else {
            throw fail("classes", "expected a non-empty list of classes")
        }
        var names: [String] = [], priors: [Double] = [], counts: [Int] = []
        var densities: [MixtureClassifier.ClassDensity] = []
        for (c, raw) in rawClasses.enumerated() {
            let key = "classes[\(c)]"
            guard case let .object(m) = raw else { throw fail(key, "expected an object") }
            guard case let .string(name)? = m["name"] else { throw fail("\(key).name", "expected a string") }
            guard !names.contains(name) else { throw fail("\(key).name", "\"\(name)\" appears twice") }
            guard case let .number(prior)? = m["prior"], prior > 0, prior.isFinite else {
                throw fail("\(key).prior", "expected a positive number")
            }
            guard case let .number(count)? = m["n_samples"], count >= 0, count == count.rounded(), count < 1e15 else {
                throw fail("\(key).n_samples", "expected a whole number ≥ 0")
            }
            guard case let .number(mixture)? = m["mixture"], mixture >= 0, mixture == mixture.rounded(),
                  Int(exactly: mixture).map({ $0 < mixtures.count }) == true else {
                throw fail("\(key).mixture", "expected the index of one of the \(mixtures.count) mixtures")
            }
            let kCount = mixtures[Int(mixture)].componentCount
            guard case let .array(items)? = m["components"], !items.isEmpty else {
                throw fail("\(key).components", "expected a non-empty list of component indices")
            }
            var components: [Int] = []
            for item in items {
                guard case let .number(k) = item, k >= 0, k == k.rounded(), k < Double(kCount) else {
                    throw fail("\(key).components", "expected component indices below \(kCount)")
                }
                components.append(Int(k))
            }
            names.append(name)
            priors.append(prior)
            counts.append(Int(count))
            densities.append(.init(mixture: Int(mixture), components: components))
        }
        let total = priors.reduce(0, +)
        guard abs(total - 1) < 1e-9 else { throw fail("classes", "the priors add up to \(total), not 1") }
        return MixtureClassifier(modelType: modelType, classNames: names, priors: priors, mixtures: mixtures,
                                 classDensities: densities, classSampleCounts: counts)
    }
}
