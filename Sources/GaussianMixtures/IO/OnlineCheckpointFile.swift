// The checkpoint file of an online fit: a model file of the current model (so
// `gmm info` and every reader of model files take it as it is) with a
// "checkpoint" member marked "method": "online". It has the members every
// checkpoint has (`CheckpointMember`: restart 0 — the starts are all made
// before the first update —, iteration = updates made, the trace, no finished
// restarts, the settings) and the online state: epoch and batches done in it,
// the running statistics as `EMStatistics.flattened` numbers (null before the
// first update), the schedule's position (batches and weight absorbed, rows
// absorbed, the last step), the schedule and regulariser, and the start kept
// with every start's score.
//
// Numbers are written in shortest round-trip form and read back to the same bits.

extension OnlineCheckpoint {
    /// The value of "method" in the "checkpoint" member that marks an online fit's checkpoint.
    public static let methodName = "online"

    /// The file's bytes; `settings` (ordered name/value pairs) are stored as a JSON object of strings.
    public func encoded(settings: [(String, String)]) -> [UInt8] {
        typealias W = JSONWriter
        let s = state
        let schedule: [(String, String)] = switch s.schedule {
        case let .decaying(rho): [("schedule", W.string("decaying")), ("step_decay", W.number(rho))]
        case .cumulative: [("schedule", W.string("cumulative"))]
        }
        let scores = "[" + initializationLogLikelihoods.map { $0.map(W.number) ?? "null" }.joined(separator: ", ") + "]"
        let member: [(String, String)] = [
            ("method", W.string(Self.methodName)),
            ("restart", "0"),
            ("iteration", String(updateCount)),
            ("log_likelihood_trace", W.list(batchTrace)),
            ("finished_restarts", "[]"),
            ("epoch", String(epoch)),
            ("batches_done", String(batchesDone)),
            ("rows_absorbed", String(s.rowCount)),
            ("absorbed_batches", String(s.absorbedBatches)),
            ("absorbed_weight", W.number(s.absorbedWeight)),
            ("latest_step", s.latestStep.map(W.number) ?? "null"),
        ] + schedule + [
            ("reg_covar", W.number(s.covarianceRegularization)),
            ("running_statistics", s.flattenedRunningStatistics.map(W.list) ?? "null"),
            ("selected_initialization", String(selectedInitialization)),
            ("initialization_log_likelihoods", scores),
            ("settings", W.object(settings.map { ($0.0, W.string($0.1)) }, indent: "  ")),
        ]
        return ModelFile.encode(model, summary: nil, extra: [(FitCheckpoint.memberName, W.object(member, indent: "  "))])
    }

    /// Reads a checkpoint file written by `encoded(settings:)`.
    ///
    /// - Throws: `ModelFileError`: `cannotOpen`, `notJSON`, or `invalid` naming the key that is
    ///   wrong (a batch EM or variational checkpoint, or a model file, is refused so).
    public static func read(path: String) throws(ModelFileError) -> (checkpoint: OnlineCheckpoint, settings: [String: String]) {
        let root = try ModelFile.parse(ModelFile.contents(path: path), path: path)
        func fail(_ key: String, _ reason: String) -> ModelFileError { .invalid(path: path, key: key, reason: reason) }
        if case let .object(top) = root, top["method"] == .string("variational") {
            throw fail("method", "this is a checkpoint of a variational fit: resume it with --method variational")
        }
        let (model, _) = try ModelFile.decode(root, path: path)
        let common = try CheckpointMember(root: root, path: path, traceKey: "log_likelihood_trace")
        guard case let .object(top) = root, case let .object(o)? = top[FitCheckpoint.memberName] else {
            throw fail(FitCheckpoint.memberName, "expected an object")
        }
        let name = FitCheckpoint.memberName
        guard o["method"] == .string(methodName) else {
            throw fail("\(name).method", "missing: this is a checkpoint of a batch EM fit, resume it without --online")
        }
        func number(_ key: String) throws(ModelFileError) -> Double {
            guard case let .number(x)? = o[key], x.isFinite else { throw fail("\(name).\(key)", "expected a finite number") }
            return x
        }
        func count(_ key: String, from lowest: Int = 0) throws(ModelFileError) -> Int {
            let x = try number(key)
            guard x >= Double(lowest), x == x.rounded(), x < 1e15 else {
                throw fail("\(name).\(key)", "expected a whole number of at least \(lowest)")
            }
            return Int(x)
        }
        func list(_ key: String, allowingNull: Bool) throws(ModelFileError) -> [Double?] {
            guard case let .array(items)? = o[key] else { throw fail("\(name).\(key)", "expected a list of numbers") }
            return try items.enumerated().map { (i, item) throws(ModelFileError) -> Double? in
                if allowingNull, item == .null { return nil }
                guard case let .number(x) = item, x.isFinite else {
                    throw fail("\(name).\(key)[\(i)]", "expected a finite number")
                }
                return x
            }
        }
        guard common.restart == 0 else { throw fail("\(name).restart", "an online fit's checkpoint has restart 0") }
        var running: SufficientStatistics?
        if o["running_statistics"] != .null {
            let values = try list("running_statistics", allowingNull: false).map { $0! }
            running = OnlineExpectationMaximization.runningStatistics(values, model: model)
            if running == nil {
                let count = EMStatistics.flattenedCount(componentCount: model.componentCount,
                                                        featureCount: model.featureCount, kind: model.covarianceKind)
                throw fail("\(name).running_statistics", "expected \(count) numbers, the last a whole row count")
            }
        }
        let schedule: OnlineStepSchedule
        switch o["schedule"] {
        case .string("decaying"): schedule = .decaying(exponent: try number("step_decay"))
        case .string("cumulative"): schedule = .cumulative
        default: throw fail("\(name).schedule", "expected \"decaying\" or \"cumulative\"")
        }
        let regularization = try number("reg_covar")
        let (batches, weight) = (try count("absorbed_batches"), try number("absorbed_weight"))
        let rows = try count("rows_absorbed")
        var step: Double?
        if o["latest_step"] != .null { step = try number("latest_step") }
        let state: OnlineExpectationMaximization
        do {
            state = try OnlineExpectationMaximization(
                restoring: model, schedule: schedule, covarianceRegularization: regularization,
                threadCount: nil, running: running, absorbedBatches: batches, absorbedWeight: weight,
                updateCount: common.trace.count, rowCount: rows, latestBatchMeanLogLikelihood: common.trace.last,
                latestStep: step)
        } catch {
            throw fail("\(name).schedule", "\(error)")
        }
        let checkpoint = OnlineCheckpoint(
            state: state, epoch: try count("epoch", from: 1), batchesDone: try count("batches_done", from: 1),
            batchTrace: common.trace, selectedInitialization: try count("selected_initialization"),
            initializationLogLikelihoods: try list("initialization_log_likelihoods", allowingNull: true))
        return (checkpoint, common.settings)
    }
}
