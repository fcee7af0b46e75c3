import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine
import GaussianMixturesMPI

// `gmm-mpi fit`: the EM of `gmm fit` with the rows spread over the ranks.
//
// 1. Every rank reads its rows (a share of one .npy, or its shards) and their
//    frequency weights, if any (a column of them, or the same share of a
//    --sample-weights file); the ranks agree on success before anything else happens.
// 2. The starting model: with --init-model every rank reads it; otherwise
//    rank 0 gathers a sample of every rank's rows — row i of the data when
//    i is a multiple of ⌈n / --init-sample⌉, so all rows when n ≤ --init-sample,
//    and the same rows whatever the number of ranks — runs the initialisation
//    of `gmm fit` on it (same seed, same method, the sampled rows' weights)
//    and sends the model to all.
// 3. The library's EM loop runs on every rank with an Allreduce reducer: local
//    statistics, one MPI_Allreduce, the same M-step everywhere.
// 4. Rank 0 writes the model file atomically; the ranks agree on the outcome.
//
// --labels FILE (semi-supervised EM, as `gmm fit --labels FILE`): every rank
// reads the whole label file (one label per row of all the data, in order) and
// keeps its own rows' entries; the sampled rows carry their labels to rank 0,
// whose start is `semiSupervisedStart` on the sample (with n ≤ --init-sample,
// gmm fit's start). A label column is not supported (the rows are .npy).

struct Fit: ParsableCommand, RankCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit a Gaussian mixture by EM over the ranks' rows.",
        discussion: "Accepts these options of `gmm fit`, with the same meanings and defaults: -k, --covariance, --init, "
            + "--init-model, --n-init, --max-iter, --tol, --reg-covar, --seed, --threads (per rank; default: the host's "
            + "cores shared among its ranks), --order, --columns, --sample-weights, --weight-column, -o, -q. Each rank "
            + "reads only its own rows' weights: its share of a .npy weight file, or, from a text weight file, the "
            + "rows rank 0 reads and sends it. With --shards, weights come only from --weight-column (each shard's own "
            + "column); --sample-weights is refused (exit 64). Not accepted (exit 64): --method, the variational "
            + "priors. --labels takes a label file only (one label per row, empty for unknown; every rank reads it whole), "
            + "not a column, and not with --checkpoint/--resume. Added: --shards, --init-sample; --checkpoint, --checkpoint-every and --resume as in `gmm fit` (rank 0 "
            + "saves; resume on any number of ranks), without the graceful Ctrl-C.")

    @Argument(help: ArgumentHelp("Data: a .npy file every rank can open (each reads its own rows).", valueName: "DATA"))
    var data: String?

    @OptionGroup var rows: RowOptions

    @Option(name: [.customShort("k"), .long], parsing: .unconditional, help: "Number of mixture components (default 1, or the initial model's).")
    var components: Int?

    @Option(help: "Covariance model: full, diag, spherical, tied, or one of mclust's EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV (VVV = full, VVI = diag, VII = spherical, EEE = tied; default full, or the initial model's). Variational fits take only the first four.")
    var covariance: CovarianceKind?

    @Option(name: .customLong("init"), help: "How to start: kmeans, k-means++, random, random-from-data or hc (mclust's hierarchical start, on the initialisation sample).")
    var initialization: InitChoice = .kmeans

    @Option(name: .customLong("init-model"), help: ArgumentHelp("Start from the parameters in this model file, used exactly as given.", valueName: "FILE"))
    var initModel: String?

    @Option(name: .customLong("init-sample"), parsing: .unconditional, help: ArgumentHelp(
        "Rows rank 0 gathers to make the start: every ⌈n/ROWS⌉-th row (all rows when n ≤ ROWS, the start of `gmm fit`).",
        valueName: "ROWS"))
    var initSample: Int = 100_000

    @OptionGroup var em: EMParameters

    @Option(name: .customLong("sample-weights"), help: ArgumentHelp(
        "Frequency weights: a file with one non-negative number per data row (an integer weight acts as that many copies "
            + "of the row); not with --shards.",
        valueName: "FILE"))
    var sampleWeights: String?

    @Option(name: .customLong("weight-column"), help: ArgumentHelp(
        "Take the frequency weights from this column of the data file (of every shard); it is then not a feature.",
        valueName: "NAME"))
    var weightColumn: String?

    @Option(help: ArgumentHelp(
        "Known classes of some rows (semi-supervised EM): a file with one label per data row, empty for unknown.",
        valueName: "FILE"))
    var labels: String?

    @Option(parsing: .unconditional, help: "E-step threads per rank (default: the host's cores shared among its ranks); results do not depend on it.")
    var threads: Int?

    @Option(help: "Component order of the result: weight (largest first) or mean (by the first coordinate).")
    var order: ComponentOrder = .weight

    @Option(name: [.short, .long], help: ArgumentHelp("Write the model file here (rank 0; whole or not at all).", valueName: "FILE"))
    var output: String?

    @Flag(name: [.short, .long], help: "No summary on standard error.")
    var quiet = false

    @OptionGroup var checkpointFlags: CheckpointFlags
    var checkpoint: String? { checkpointFlags.checkpoint }
    var checkpointEvery: Int? { checkpointFlags.every }
    var resume: String? { checkpointFlags.resume }

    func validate() throws {
        _ = try rows.source(data)
        if let components, components < 1 { throw ValidationError("-k/--components must be at least 1, got \(components)") }
        try em.check()
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if initSample < 1 { throw ValidationError("--init-sample must be at least 1, got \(initSample)") }
        if sampleWeights != nil && weightColumn != nil {
            throw ValidationError("--sample-weights and --weight-column cannot be used together")
        }
        if sampleWeights != nil && rows.shards != nil {
            throw ValidationError("--sample-weights cannot be used with --shards (a rank reads whole shards, not rows of one "
                                  + "weight file); put the weights in a column of every shard and give --weight-column")
        }
    }

    func execute(on comm: Communicator) throws(RankFailure) {
        let began = Communicator.wallTime()
        let source = try comm.together { () throws -> RowSource in try rows.source(data) }
        // 1. The output's folder (rank 0) and the starting model (every rank), before any data is read.
        let start: GaussianMixture? = try comm.together { () throws -> GaussianMixture? in
            if comm.isRoot, let output { try checkOutputPath(output) }
            if let weightColumn, ColumnSelector.parseList(weightColumn).count != 1 {
                throw RankFailure(message: "--weight-column takes one column, got \"\(weightColumn)\"", status: ExitStatus.usage)
            }
            guard let initModel else { return nil }
            let model: GaussianMixture
            do { model = try ModelFile.read(path: initModel).model } catch { throw RankFailure(error, rank: comm.rank, of: 1) }
            if let components, components != model.componentCount {
                throw RankFailure(message: "-k \(components) disagrees with --init-model \(initModel), which has \(model.componentCount) components",
                                  status: ExitStatus.usage)
            }
            if let covariance, covariance != model.covarianceKind {
                throw RankFailure(message: "--covariance \(covariance.rawValue) disagrees with --init-model \(initModel), which has \"\(model.covarianceKind.rawValue)\" covariances",
                                  status: ExitStatus.usage)
            }
            return model
        }
        let local = try RankRows.read(source, columns: rows.selectors, preferredNames: start?.featureNames,
                                      weightColumn: weightColumn.map { ColumnSelector.parseList($0)[0] },
                                      weightColumnText: weightColumn, communicator: comm)
        var weights = local.weights
        if let weightColumn {
            try FrequencyWeights.requireSomePositive(local.weights ?? [], path: data ?? rows.shards ?? "data",
                                                     column: weightColumn, communicator: comm)
        }
        if let sampleWeights { weights = try FrequencyWeights.read(sampleWeights, rows: local, communicator: comm) }
        // Labels: per row of all the data, the index of its label among the sorted names (or nil).
        var labelNames: [String] = []
        var rowLabels: [Int?] = []
        if let labels {
            (labelNames, rowLabels) = try comm.together { () throws -> ([String], [Int?]) in
                if checkpoint != nil || resume != nil {
                    throw RankFailure(message: "--checkpoint and --resume are not supported yet with --labels", status: ExitStatus.usage)
                }
                return try readLabelFile(labels, rows: local.totalRows)
            }
            let kCount = start?.componentCount ?? components ?? labelNames.count
            if kCount < labelNames.count {
                throw RankFailure(message: "-k \(kCount) is smaller than the number of distinct labels, \(labelNames.count) "
                                  + "(\(labelNames.prefix(10).joined(separator: ", ")))", status: ExitStatus.usage)
            }
        }
        let localKnown = labels == nil ? nil
            : KnownComponents(Array(rowLabels[local.firstRow..<(local.firstRow + local.data.sampleCount)]))
        let options = FitOptions(
            componentCount: start?.componentCount ?? components ?? (labels == nil ? 1 : labelNames.count),
            covarianceKind: start?.covarianceKind ?? covariance ?? .full,
            initialization: start.map(InitializationMethod.model) ?? initialization.method,
            initializationCount: em.initializationCount, maxIterations: em.maxIterations, tolerance: em.tol,
            covarianceRegularization: em.regularization, seed: em.seed, threadCount: threads ?? defaultThreadCount())
        let dataName = data ?? rows.shards ?? "data"

        // 2. The sample rank 0 initialises from (not needed when the start is given).
        var sample: DataMatrix?
        var sampleRowWeights: [Double]?
        var sampleKnown: KnownComponents?
        if start == nil {
            let stride = (local.totalRows + initSample - 1) / initSample
            var picked: [Double] = []
            var pickedWeights: [Double] = []
            var pickedLabels: [Double] = []   // the label index, −1 for none
            let d = local.data.featureCount
            local.data.withUnsafeBufferPointer { x in
                var i = (stride - local.firstRow % stride) % stride
                while i < local.data.sampleCount {
                    picked += x[(i * d)..<((i + 1) * d)]
                    if let weights { pickedWeights.append(weights[i]) }
                    if let localKnown { pickedLabels.append(Double(localKnown[i] ?? -1)) }
                    i += stride
                }
            }
            let gathered = comm.gather(picked)
            let gatheredWeights = weights == nil ? nil : comm.gather(pickedWeights)
            let gatheredLabels = labels == nil ? nil : comm.gather(pickedLabels)
            if comm.isRoot, let gatheredLabels { sampleKnown = KnownComponents(gatheredLabels.map { $0 < 0 ? nil : Int($0) }) }
            if comm.isRoot {
                sample = try? DataMatrix(values: gathered, sampleCount: gathered.count / d, featureCount: d,
                                         featureNames: local.data.featureNames)
                sampleRowWeights = gatheredWeights
            }
        }
        let startingModel = { (restart: Int) throws(FitError) -> GaussianMixture in
            if case .model = options.initialization {
                return try ExpectationMaximization.startingModel(for: local.data, options: options, restart: restart)
            }
            return try shareStart(comm) { () throws(FitError) in
                if let sampleKnown {
                    return try ExpectationMaximization.semiSupervisedStart(
                        for: sample!, knownComponents: sampleKnown, weights: sampleRowWeights, options: options, restart: restart)
                }
                return try ExpectationMaximization.startingModel(for: sample!, weights: sampleRowWeights, options: options, restart: restart)
            }
        }

        // 3. EM over every rank's rows, from a checkpoint when resuming, saving on rank 0 when asked.
        let settings = checkpoint != nil || resume != nil
            ? checkpointSettings(self, options: options, local: local, weights: weights, comm: comm) : []
        let resumeState = try resume.map { (path) throws(RankFailure) in try readCheckpoint(path, settings: settings, comm: comm) }
        let writer = comm.isRoot ? checkpoint.map { CheckpointWriter(path: $0, every: checkpointEvery, settings: settings) } : nil
        let reducer = AllreduceReducer(comm)
        let result = try comm.together { () throws -> FitResult in
            do {
                return try ExpectationMaximization.fit(localRows: local.data, weights: weights, options: options, reducer: reducer,
                                                       knownComponents: localKnown, startingModel: startingModel, resumingFrom: resumeState,
                                                       checkpoint: writer.map { writer in { state, _ in writer.save(state) } })
            } catch let error as FitError {
                if case .invalidOption = error { throw RankFailure(message: error.description, status: ExitStatus.usage) }
                throw RankFailure(message: "\(dataName): \(error)", status: ExitStatus.dataError)
            }
        }
        try comm.together { () throws in
            if let error = writer?.saveError { throw RankFailure(error, rank: 0, of: 1) }
        }
        // A starting model keeps its numbering; otherwise components come in canonical order.
        // With labels, label c stays component c.
        let model = initModel == nil && labels == nil ? result.model.reordered(by: order) : result.model
        let summary = FitSummary(report: result.report, model: model)

        // 4. Rank 0 writes the model file.
        try comm.together { () throws in
            guard comm.isRoot, let output else { return }
            let fitted: [(String, String)] = [
                ("fit_options", "{\"init\": \"\(initModel != nil ? "model" : labels != nil ? "labels" : initialization.rawValue)\", "
                    + "\"n_init\": \(em.initializationCount), \"max_iter\": \(em.maxIterations), "
                    + "\"tol\": \(em.tol), \"reg_covar\": \(em.regularization), \"seed\": \(em.seed)}"),
            ] + (labels == nil ? [] : [
                ModelFile.componentLabelsMember((0..<model.componentCount).map { $0 < labelNames.count ? labelNames[$0] : nil }),
                ("n_labelled", String(rowLabels.filter { $0 != nil }.count)),
            ])
            do { try OutputFile.write(ModelFile.encode(model, summary: summary, extra: fitted), to: output) } catch {
                throw RankFailure(error, rank: 0, of: 1)
            }
        }
        guard comm.isRoot else { return }
        let elapsed = Communicator.wallTime() - began
        if !quiet {
            var lines = [
                "components:          \(model.componentCount) (\(model.covarianceKind.rawValue) covariance)",
                "features:            \(model.featureCount) (\(model.featureNames.joined(separator: ", ")))",
                "free parameters:     \(model.parameterCount)",
                "training rows:       \(summary.sampleCount) over \(comm.size) rank\(comm.size == 1 ? "" : "s")",
                "iterations:          \(summary.iterationCount)",
                "converged:           \(summary.hasConverged ? "yes" : "no")",
                "mean log-likelihood: \(readable(summary.meanLogLikelihood))",
                "BIC:                 \(readableTotal(summary.bic))",
                "AIC:                 \(readableTotal(summary.aic))",
            ]
            if options.initializationCount > 1 {
                lines.append("restart kept:        \(result.report.selectedInitialization + 1) of \(options.initializationCount)")
            }
            lines.append("time:                \(String(format: "%.3g", elapsed)) s (Allreduce \(String(format: "%.3g", reducer.seconds)) s "
                         + "in \(reducer.callCount) calls of up to \(reducer.lastLength) numbers)")
            if let output { lines.append("model written to:    \(output)") }
            printError(lines.joined(separator: "\n"))
        }
        for k in 0..<model.componentCount where model.weights[k] * result.report.effectiveSampleSize < 1e-3 {
            printError("gmm-mpi: warning: component \(k) holds almost no data (weight \(model.weights[k])); fewer components may describe the data as well")
        }
        if !result.report.hasConverged && em.maxIterations > 0 && em.tol > 0 {
            printError("gmm-mpi: warning: EM did not converge in \(em.maxIterations) iterations (last change above --tol \(em.tol)); raise --max-iter or --tol")
        }
    }
}

/// The starting model made on rank 0 by `make`, on every rank: sent as model-file
/// bytes (shortest round-trip numbers, so exact) and decoded on every rank,
/// rank 0 included, so all hold the same bits. A failure on rank 0 is sent instead
/// and thrown on every rank, so every rank skips the restart alike.
func shareStart(_ comm: Communicator, _ make: () throws(FitError) -> GaussianMixture) throws(FitError) -> GaussianMixture {
    var payload: [UInt8] = []
    if comm.isRoot {
        do {
            payload = [0] + ModelFile.encode(try make(), summary: nil)
        } catch {
            payload = [1] + Array(encode(error).utf8)
        }
    }
    let received = comm.broadcast(payload, from: 0)
    let body = Array(received.dropFirst())
    guard received.first == 0 else { throw decodeFitError(String(decoding: body, as: UTF8.self)) }
    do {
        return try ModelFile.decode(body, path: "<starting model>").model
    } catch {
        // Cannot happen for a model this library wrote; fail alike everywhere rather than crash.
        throw FitError.componentCollapsed(component: nil, softCount: nil, iteration: 0)
    }
}

/// A `FitError` as one line of text, for `shareStart`.
private func encode(_ error: FitError) -> String {
    func text(_ x: Int?) -> String { x.map(String.init) ?? "-" }
    switch error {
    case let .tooFewSamples(samples, components): return "tooFewSamples \(samples) \(components)"
    case let .componentCollapsed(component, softCount, iteration):
        return "componentCollapsed \(text(component)) \(softCount.map { "\($0)" } ?? "-") \(iteration)"
    case let .featureCountMismatch(expected, actual): return "featureCountMismatch \(expected) \(actual)"
    case let .invalidOption(name, reason): return "invalidOption \(name) \(reason)"
    case let .invalidWeights(row, reason): return "invalidWeights \(text(row)) \(reason)"
    case let .infeasible(reason): return "infeasible \(reason)"
    }
}

private func decodeFitError(_ text: String) -> FitError {
    let parts = text.split(separator: " ", maxSplits: 3).map(String.init)
    func int(_ i: Int) -> Int? { i < parts.count ? Int(parts[i]) : nil }
    switch parts.first {
    case "tooFewSamples": return .tooFewSamples(samples: int(1) ?? 0, components: int(2) ?? 0)
    case "componentCollapsed":
        return .componentCollapsed(component: int(1), softCount: parts.count > 2 ? Double(parts[2]) : nil, iteration: int(3) ?? 0)
    case "featureCountMismatch": return .featureCountMismatch(expected: int(1) ?? 0, actual: int(2) ?? 0)
    case "infeasible": return .infeasible(reason: parts.dropFirst().joined(separator: " "))
    case "invalidWeights":
        return .invalidWeights(row: int(1), reason: parts.count > 2 ? parts[2...].joined(separator: " ") : "")
    default:
        return .invalidOption(name: parts.count > 1 ? parts[1] : "start",
                              reason: parts.count > 2 ? parts[2...].joined(separator: " ") : text)
    }
}

/// A label file: one label per data row (a final line break is not an extra row), an
/// empty line for an unknown label. Returns the sorted distinct labels and each row's index among them.
func readLabelFile(_ path: String, rows: Int) throws -> ([String], [Int?]) {
    let bytes: Data
    do { bytes = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
        throw RankFailure(message: "\(path): cannot open: \((error as NSError).localizedDescription)", status: ExitStatus.noInput)
    }
    var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        .map { ($0.hasSuffix("\r") ? String($0.dropLast()) : String($0)).trimmingCharacters(in: .whitespaces) }
    if lines.last == "" { lines.removeLast() }
    guard lines.count == rows else {
        throw RankFailure(message: "\(path): has \(lines.count) labels (lines) but the data has \(rows) rows", status: ExitStatus.dataError)
    }
    let names = Array(Set(lines.filter { !$0.isEmpty })).sorted()
    guard !names.isEmpty else { throw RankFailure(message: "\(path): every label is empty (unknown)", status: ExitStatus.dataError) }
    let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
    return (names, lines.map { $0.isEmpty ? nil : index[$0] })
}
