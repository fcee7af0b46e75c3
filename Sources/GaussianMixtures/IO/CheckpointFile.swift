// The checkpoint file: a model file of the current parameters (so `gmm info`
// and every reader of model files take it as it is), with one more member,
// "checkpoint", holding what continuing needs: the restart and iteration, the
// trace so far, the finished restarts (each a whole model file object with its
// fit summary), and the caller's settings — strings the caller compares on
// resume (options, a fingerprint of the data) that the library does not read.
//
// Numbers are written in shortest round-trip form and read back to the same
// bits, which is what makes a resumed fit end with the same bytes.

extension FitCheckpoint {
    /// The name of the member that holds the resume state.
    public static let memberName = "checkpoint"

    /// The file's bytes; `settings` (ordered name/value pairs) are stored as a JSON object of strings.
    public func encoded(settings: [(String, String)]) -> [UInt8] {
        typealias W = JSONWriter
        let finished = finishedRestarts.map { result -> String in
            guard let result else { return "null" }
            let file = ModelFile.encode(result.model, summary: FitSummary(report: result.report, model: result.model))
            return W.indenting(file.dropLast(), by: "    ")
        }
        let state: [(String, String)] = [
            ("restart", String(restart)),
            ("iteration", String(iteration)),
            ("log_likelihood_trace", W.list(logLikelihoodTrace)),
            ("finished_restarts", finished.isEmpty ? "[]" : "[\n    " + finished.joined(separator: ",\n    ") + "\n  ]"),
            ("settings", W.object(settings.map { ($0.0, W.string($0.1)) }, indent: "  ")),
        ]
        return ModelFile.encode(model, summary: nil, extra: [(Self.memberName, W.object(state, indent: "  "))])
    }

    /// Reads a checkpoint file written by `encoded(settings:)`.
    ///
    /// - Throws: `ModelFileError`: `cannotOpen` when the file cannot be read,
    ///   `notJSON` when it is not JSON, `invalid` naming the key that is wrong
    ///   (a model file without a "checkpoint" member is refused so).
    public static func read(path: String) throws(ModelFileError) -> (checkpoint: FitCheckpoint, settings: [String: String]) {
        let root = try ModelFile.parse(ModelFile.contents(path: path), path: path)
        let (model, _) = try ModelFile.decode(root, path: path)
        func fail(_ key: String, _ reason: String) -> ModelFileError { .invalid(path: path, key: key, reason: reason) }
        if case let .object(top) = root, top["method"] == .string("variational") {
            throw fail("method", "this is a checkpoint of a variational fit: resume it with --method variational")
        }
        if case let .object(top) = root, case let .object(state)? = top[memberName],
           state["method"] == .string(OnlineCheckpoint.methodName) {
            throw fail("\(memberName).method", "this is a checkpoint of an online fit: resume it with --online")
        }
        let member = try CheckpointMember(root: root, path: path, traceKey: "log_likelihood_trace")
        let (restart, trace) = (member.restart, member.trace)
        let finished = try member.finishedRestarts.enumerated().map { (i, item) throws(ModelFileError) -> FitResult? in
            if item == .null { return nil }
            let key = "\(memberName).finished_restarts[\(i)]"
            let (model, summary) = try ModelFile.decode(item, path: "\(path) (\(key))")
            guard let summary, let trace = summary.logLikelihoodTrace else {
                throw fail(key, "a finished restart needs its fit summary and log_likelihood_trace")
            }
            return FitResult(model: model, report: FitReport(
                hasConverged: summary.hasConverged, iterationCount: summary.iterationCount,
                meanLogLikelihood: summary.meanLogLikelihood, logLikelihoodTrace: trace, selectedInitialization: i,
                initializationLogLikelihoods: [], sampleCount: summary.sampleCount, totalWeight: summary.totalWeight))
        }
        return (FitCheckpoint(restart: restart, model: model, logLikelihoodTrace: trace, finishedRestarts: finished),
                member.settings)
    }
}

/// The fields every checkpoint member has — restart, iteration, the trace so far,
/// the finished restarts and the settings — read and checked alike for EM
/// (`FitCheckpoint`) and variational (`VariationalCheckpoint`) fits.
struct CheckpointMember {
    let restart: Int
    let trace: [Double]
    /// One entry per finished restart (`null` where it failed), still to be decoded by the caller.
    let finishedRestarts: [JSONValue]
    let settings: [String: String]

    /// Reads the "checkpoint" member of `root`, whose trace is under `traceKey`.
    init(root: JSONValue, path: String, traceKey: String) throws(ModelFileError) {
        let name = FitCheckpoint.memberName
        func fail(_ key: String, _ reason: String) -> ModelFileError { .invalid(path: path, key: key, reason: reason) }
        guard case let .object(top) = root, let member = top[name] else {
            throw fail(name, "missing: this is a model file, not a checkpoint (write one with --checkpoint)")
        }
        guard case let .object(o) = member else { throw fail(name, "expected an object, found \(member.typeName)") }
        func count(_ key: String) throws(ModelFileError) -> Int {
            guard case let .number(x)? = o[key], x >= 0, x == x.rounded(), x < 1e15 else {
                throw fail("\(name).\(key)", "expected a whole number of at least 0")
            }
            return Int(x)
        }
        restart = try count("restart")
        let iteration = try count("iteration")
        guard case let .array(items)? = o[traceKey] else { throw fail("\(name).\(traceKey)", "expected a list of numbers") }
        trace = try items.enumerated().map { (i, item) throws(ModelFileError) -> Double in
            guard case let .number(x) = item, x.isFinite else { throw fail("\(name).\(traceKey)[\(i)]", "expected a finite number") }
            return x
        }
        guard trace.count == iteration else {
            throw fail("\(name).iteration", "says \(iteration) but the trace has \(trace.count) entries")
        }
        guard case let .array(done)? = o["finished_restarts"] else { throw fail("\(name).finished_restarts", "expected a list") }
        guard done.count == restart else {
            throw fail("\(name).finished_restarts", "has \(done.count) entries, expected \(restart) (one per finished restart)")
        }
        finishedRestarts = done
        var settings: [String: String] = [:]
        if let raw = o["settings"] {
            guard case let .object(pairs) = raw else { throw fail("\(name).settings", "expected an object of strings") }
            for (key, value) in pairs {
                guard case let .string(s) = value else { throw fail("\(name).settings.\(key)", "expected a string") }
                settings[key] = s
            }
        }
        self.settings = settings
    }
}
