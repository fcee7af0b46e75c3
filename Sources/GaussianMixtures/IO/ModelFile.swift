import Foundation

// The versioned JSON model file of the interface contract. The parameter keys
// have scikit-learn's names and shapes, so a Python user can rebuild a
// `GaussianMixture` from them; fit facts (iterations, log-likelihood, BIC,
// AIC, the per-iteration trace and the options used) travel alongside.
// `precisions_cholesky` is computed from the covariances and written for
// scikit-learn's sake only; it is never read back. Readers ignore keys they do not know.

/// What a model file holds besides the parameters.
public struct FitSummary: Sendable, Equatable {
    /// Whether EM met its stopping rule (`"converged"`).
    public var hasConverged: Bool
    /// EM iterations run (`"n_iter"`; updates for an online fit).
    public var iterationCount: Int
    /// Training rows (`"n_samples"`).
    public var sampleCount: Int
    /// Mean log P(x) over the training rows under the saved parameters.
    public var meanLogLikelihood: Double
    /// The Bayesian information criterion on the training rows, lower is better (`"bic"`).
    public var bic: Double
    /// Akaike's information criterion on the training rows, lower is better (`"aic"`).
    public var aic: Double
    /// Mean log-likelihood of each EM iteration's E-step (`nil` when absent from the file).
    public var logLikelihoodTrace: [Double]?
    /// Sum of the frequency weights of a weighted fit (`nil`: unweighted).
    public var totalWeight: Double?

    /// A summary with the given values.
    public init(hasConverged: Bool, iterationCount: Int, sampleCount: Int, meanLogLikelihood: Double,
                bic: Double, aic: Double, logLikelihoodTrace: [Double]? = nil, totalWeight: Double? = nil) {
        self.hasConverged = hasConverged
        self.iterationCount = iterationCount
        self.sampleCount = sampleCount
        self.meanLogLikelihood = meanLogLikelihood
        self.bic = bic
        self.aic = aic
        self.logLikelihoodTrace = logLikelihoodTrace
        self.totalWeight = totalWeight
    }

    /// The summary of a fit of `model`.
    public init(report: FitReport, model: GaussianMixture) {
        self.init(
            hasConverged: report.hasConverged, iterationCount: report.iterationCount, sampleCount: report.sampleCount,
            meanLogLikelihood: report.meanLogLikelihood,
            bic: GaussianMixture.bic(meanLogLikelihood: report.meanLogLikelihood, sampleSize: report.effectiveSampleSize,
                                     parameterCount: model.parameterCount),
            aic: GaussianMixture.aic(meanLogLikelihood: report.meanLogLikelihood, sampleSize: report.effectiveSampleSize,
                                     parameterCount: model.parameterCount),
            logLikelihoodTrace: report.logLikelihoodTrace, totalWeight: report.totalWeight)
    }
}

/// A model file that cannot be read, naming the file and the key that is wrong.
public enum ModelFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file is missing, unreadable or a folder.
    case cannotOpen(path: String, reason: String)
    /// The file is not JSON.
    case notJSON(path: String, reason: String)
    /// The key `key` is missing or wrong.
    case invalid(path: String, key: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): "\(path): cannot open: \(reason)"
        case let .notJSON(path, reason): "\(path): not a JSON model file: \(reason)"
        case let .invalid(path, key, reason): "\(path): key \"\(key)\": \(reason)"
        }
    }
}

/// Reads and writes the `gmm-model` JSON file, version 1.
public enum ModelFile {
    /// The file's `"format"` value.
    public static let formatName = "gmm-model"
    /// The file's `"version"` value; reading refuses other versions.
    public static let version = 1

    /// The file's bytes: parameters, and the fit summary when there is one.
    public static func encode(_ model: GaussianMixture, summary: FitSummary?, extra: [(String, String)] = []) -> [UInt8] {
        typealias W = JSONWriter
        var members: [(String, String)] = [
            ("format", W.string(formatName)),
            ("version", String(version)),
            ("covariance_type", W.string(model.covarianceKind.rawValue)),
            ("n_components", String(model.componentCount)),
            ("n_features", String(model.featureCount)),
            ("feature_names", "[" + model.featureNames.map(W.string).joined(separator: ", ") + "]"),
            ("weights", W.list(model.weights)),
            ("means", W.matrix(model.means, indent: "  ")),
        ] + model.family.modelFileMembers()
        if let noise = model.noise {
            // mclust's noise component: weight π₀, density 1/volume, the box sampling draws from.
            members.append(("noise", W.object([
                ("weight", W.number(noise.weight)), ("volume", W.number(noise.volume)),
                ("lower", W.list(noise.lower)), ("upper", W.list(noise.upper)),
            ], indent: "  ")))
        }
        // scikit-learn's precisions_cholesky_ (PrecisionCholesky.swift): for Python readers; `decode` ignores it.
        members.append(("precisions_cholesky", model.precisionCholeskyFactors.modelFileText))
        if let s = summary {
            members += [
                ("converged", s.hasConverged ? "true" : "false"),
                ("n_iter", String(s.iterationCount)),
                ("n_samples", String(s.sampleCount)),
                ("mean_log_likelihood", W.number(s.meanLogLikelihood)),
                ("bic", W.number(s.bic)),
                ("aic", W.number(s.aic)),
            ]
            if let total = s.totalWeight { members.append(("sum_of_weights", W.number(total))) }
            if let trace = s.logLikelihoodTrace { members.append(("log_likelihood_trace", W.list(trace))) }
        }
        members += extra
        var text = W.object(members)
        text += "\n"
        return Array(text.utf8)
    }

    /// Reads a model file from disk.
    public static func read(path: String) throws(ModelFileError) -> (model: GaussianMixture, summary: FitSummary?) {
        try decode(parse(contents(path: path), path: path), path: path)
    }

    /// How much of a file that does not start with `{` is read before it is refused.
    static let sniffLength = 1 << 16

    /// A model file's bytes. A file of `sniffLength` bytes or more whose first
    /// non-blank byte (after a UTF-8 byte order mark, which `JSONParser` skips)
    /// is not `{` is refused after reading that much: a model file is a JSON
    /// object, and a data file given as the model by mistake can be gigabytes.
    /// Smaller files are read whole, so that the JSON parser names what is
    /// wrong with them.
    static func contents(path: String) throws(ModelFileError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .cannotOpen(path: path, reason: "No such file or directory")
        }
        guard !isDirectory.boolValue else { throw .cannotOpen(path: path, reason: "Is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .cannotOpen(path: path, reason: "Permission denied")
        }
        defer { try? handle.close() }
        do {
            var bytes = [UInt8](try handle.read(upToCount: sniffLength) ?? Data())
            let text = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
            let first = text.first { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
            if bytes.count == sniffLength {
                guard first == UInt8(ascii: "{") else {
                    throw ModelFileError.notJSON(path: path, reason: "it does not start with a JSON object ('{')")
                }
                bytes += try handle.readToEnd() ?? Data()
            }
            return bytes
        } catch let error as ModelFileError {
            throw error
        } catch {
            throw .cannotOpen(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// The JSON value of a model file's bytes; `path` is used in messages.
    static func parse(_ bytes: [UInt8], path: String) throws(ModelFileError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw .notJSON(path: path, reason: error.description)
        }
    }

    /// Parses and checks a model file's bytes; `path` is used in messages.
    public static func decode(
        _ bytes: [UInt8], path: String
    ) throws(ModelFileError) -> (model: GaussianMixture, summary: FitSummary?) {
        try decode(parse(bytes, path: path), path: path)
    }

    /// Checks a parsed model file.
    static func decode(
        _ root: JSONValue, path: String
    ) throws(ModelFileError) -> (model: GaussianMixture, summary: FitSummary?) {
        guard case let .object(o) = root else { throw .notJSON(path: path, reason: "the top level is not an object") }
        let r = Reader(path: path, object: o)
        guard try r.string("format") == formatName else {
            throw .invalid(path: path, key: "format", reason: "expected \"\(formatName)\"")
        }
        let v = try r.integer("version")
        guard v == version else { throw .invalid(path: path, key: "version", reason: "version \(v) is not supported (expected \(version))") }
        let typeName = try r.string("covariance_type")
        guard let kind = CovarianceKind(name: typeName) else {
            throw .invalid(path: path, key: "covariance_type",
                           reason: "\"\(typeName)\" is not one of \(CovarianceKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let weights = try r.numbers(o["weights"], key: "weights")
        let means = try r.rows(o["means"], key: "means")
        let k = weights.count
        let d = means.first?.count ?? 0
        if o["n_components"] != nil {
            let nk = try r.integer("n_components")
            guard nk == k else { throw .invalid(path: path, key: "n_components", reason: "says \(nk) but \"weights\" has \(k) entries") }
        }
        if o["n_features"] != nil {
            let nd = try r.integer("n_features")
            guard nd == d else { throw .invalid(path: path, key: "n_features", reason: "says \(nd) but the means have \(d) entries") }
        }
        let covariances = try kind.family.parameters(reading: r, componentCount: k, featureCount: d)
        var names: [String]?
        if let raw = o["feature_names"] {
            guard case let .array(items) = raw else { throw .invalid(path: path, key: "feature_names", reason: "expected a list of strings") }
            names = try items.enumerated().map { (idx, item) throws(ModelFileError) in
                guard case let .string(s) = item else {
                    throw .invalid(path: path, key: "feature_names[\(idx)]", reason: "expected a string, found \(item.typeName)")
                }
                return s
            }
        }
        var noise: NoiseComponent?
        if let raw = o["noise"] {
            guard case let .object(members) = raw else {
                throw .invalid(path: path, key: "noise", reason: "expected an object, found \(raw.typeName)")
            }
            let n = Reader(path: path, object: members)
            func inner(_ key: String) -> String { "noise." + key }
            guard members["weight"] != nil else { throw .invalid(path: path, key: inner("weight"), reason: "missing") }
            guard members["volume"] != nil else { throw .invalid(path: path, key: inner("volume"), reason: "missing") }
            let weight = try r.finite(members["weight"]!, key: inner("weight"))
            let volume = try r.finite(members["volume"]!, key: inner("volume"))
            let lower = try n.numbers(members["lower"], key: inner("lower"))
            let upper = try n.numbers(members["upper"], key: inner("upper"))
            do {
                noise = try NoiseComponent(weight: weight, volume: volume, lower: lower, upper: upper, featureCount: d)
            } catch {
                if case let .invalid(key, reason) = error { throw .invalid(path: path, key: key, reason: reason) }
                throw .invalid(path: path, key: "noise", reason: error.description)
            }
        }
        let model: GaussianMixture
        do {
            model = try GaussianMixture(weights: weights, means: means, covariances: covariances, featureNames: names,
                                        noise: noise)
        } catch {
            switch error {
            case let .invalid(key, reason): throw .invalid(path: path, key: key, reason: reason)
            case .featureCountMismatch: throw .invalid(path: path, key: "means", reason: error.description)
            }
        }
        _ = try prior(in: r, kind: model.covarianceKind, featureCount: model.featureCount)   // checked, read by prior(path:)
        var summary: FitSummary?
        if o["mean_log_likelihood"] != nil {
            summary = FitSummary(
                hasConverged: try r.bool("converged"), iterationCount: try r.integer("n_iter"),
                sampleCount: try r.integer("n_samples"), meanLogLikelihood: try r.number("mean_log_likelihood"),
                bic: try r.number("bic"), aic: try r.number("aic"),
                logLikelihoodTrace: o["log_likelihood_trace"] == nil ? nil
                    : try r.numbers(o["log_likelihood_trace"], key: "log_likelihood_trace"),
                totalWeight: o["sum_of_weights"] == nil ? nil : try r.number("sum_of_weights"))
        }
        return (model, summary)
    }

    /// Typed access to the members of the top-level object, with key-naming errors.
    struct Reader {
        let path: String
        let object: [String: JSONValue]

        func fail(_ key: String, _ reason: String) -> ModelFileError { .invalid(path: path, key: key, reason: reason) }

        func value(_ key: String) throws(ModelFileError) -> JSONValue {
            guard let v = object[key] else { throw fail(key, "missing") }
            return v
        }
        func string(_ key: String) throws(ModelFileError) -> String {
            let v = try value(key)
            guard case let .string(s) = v else { throw fail(key, "expected a string, found \(v.typeName)") }
            return s
        }
        func bool(_ key: String) throws(ModelFileError) -> Bool {
            let v = try value(key)
            guard case let .bool(b) = v else { throw fail(key, "expected true or false, found \(v.typeName)") }
            return b
        }
        // `key` is an autoclosure below: "covariances[3][17]" is built only for a message,
        // not for each of a large model's 100 000 numbers.

        /// A finite number; the message shows a non-finite one (`JSONParser` refuses `1e400`,
        /// but a `JSONValue` built in code can hold one).
        func finite(_ v: JSONValue, key: @autoclosure () -> String) throws(ModelFileError) -> Double {
            guard case let .number(x) = v else { throw fail(key(), "expected a finite number, found \(v.typeName)") }
            guard x.isFinite else { throw fail(key(), "expected a finite number, found \(x)") }
            return x
        }
        func number(_ key: String) throws(ModelFileError) -> Double {
            try finite(value(key), key: key)
        }
        func integer(_ key: String) throws(ModelFileError) -> Int {
            let x = try number(key)
            guard x == x.rounded() else { throw fail(key, "expected a whole number, found \(x)") }
            guard abs(x) < 1e15 else { throw fail(key, "\(x) is out of range (a count must be below 10^15 in magnitude)") }
            return Int(x)
        }
        func list(_ value: JSONValue?, key: @autoclosure () -> String) throws(ModelFileError) -> [JSONValue] {
            guard let value else { throw fail(key(), "missing") }
            guard case let .array(items) = value else { throw fail(key(), "expected a list, found \(value.typeName)") }
            return items
        }
        func numbers(_ value: JSONValue?, key: @autoclosure () -> String) throws(ModelFileError) -> [Double] {
            try list(value, key: key()).enumerated().map { (idx, item) throws(ModelFileError) in
                try finite(item, key: "\(key())[\(idx)]")
            }
        }
        func rows(_ value: JSONValue?, key: String) throws(ModelFileError) -> [[Double]] {
            let items = try list(value, key: key)
            let rows = try items.enumerated().map { (idx, item) throws(ModelFileError) in
                try numbers(item, key: "\(key)[\(idx)]")
            }
            if let first = rows.first, let bad = rows.firstIndex(where: { $0.count != first.count }) {
                throw fail("\(key)[\(bad)]", "has \(rows[bad].count) entries, expected \(first.count)")
            }
            return rows
        }
    }
}
