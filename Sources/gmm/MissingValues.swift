import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine

// `--missing error|marginalize` for fit, predict and score, and what the
// commands do with rows that have gaps. Data without gaps goes through the
// commands' ordinary paths, so the flag changes nothing for complete data.

/// The `--missing` choices.
enum MissingChoice: String, CaseIterable, ExpressibleByArgument {
    /// An empty cell or NaN is an error (the contract's default).
    case error
    /// Gaps are missing values: each row is used through its observed values.
    case marginalize

    var policy: MissingValuePolicy { self == .error ? .reject : .allow }
}

/// The `--missing` option.
struct MissingOptions: ParsableArguments {
    @Option(name: .customLong("missing"), help: ArgumentHelp(
        "Empty cells and NA, NaN, nan, NAN (NaN in .npy): error, or marginalize (use each row's observed values).",
        valueName: "error|marginalize"))
    var choice: MissingChoice = .error

    var marginalize: Bool { choice == .marginalize }

    /// Reads data whose columns must match a model's features (as `readData`), allowing gaps under `marginalize`.
    func read(_ path: String, columns: String?, for model: GaussianMixture) throws -> IncompleteDataMatrix {
        guard marginalize else { return IncompleteDataMatrix(try readData(path, columns: columns, for: model)) }
        return try readIncompleteData(path, columns: columns, for: model)
    }

    /// Reads the data and weights of a fit (as `FitParameters.read`), allowing gaps under `marginalize`.
    func readFitData(_ path: String, fitting: FitParameters, start: GaussianMixture?, online: Bool) throws
        -> (IncompleteDataMatrix, [Double]?) {
        guard marginalize else {
            let (matrix, weights) = try fitting.read(path, for: start)
            return (IncompleteDataMatrix(matrix), weights)
        }
        let data: IncompleteDataMatrix
        var weights: [Double]?
        if let weightColumn = fitting.weightColumn {
            // The weights themselves may not be missing: they are read strictly.
            let selector = ColumnSelector.parseList(weightColumn)
            guard selector.count == 1 else {
                throw CommandFailure(message: "--weight-column takes one column, got \"\(weightColumn)\"", status: ExitStatus.usage)
            }
            (_, weights) = try readWithWeightColumn(path, weightColumn: weightColumn, columns: weightColumn)
            if let columns = fitting.columns {
                data = try DataFileReader.read(path: path, columns: ColumnSelector.parseList(columns), missing: .allow)
            } else {
                let all = try DataFileReader.read(path: path, missing: .allow)
                let dropped: Int = switch selector[0] {
                case let .index(j): j
                case let .name(name): all.featureNames.firstIndex(of: name)!
                }
                let keep = (0..<all.featureCount).filter { $0 != dropped }
                guard !keep.isEmpty else {
                    throw CommandFailure(message: "\(path): no feature columns left besides the weight column",
                                         status: ExitStatus.dataError)
                }
                data = try DataFileReader.read(path: path, columns: keep.map(ColumnSelector.index), missing: .allow)
            }
        } else if let start, fitting.columns == nil {
            data = try readIncompleteData(path, columns: nil, for: start)
        } else {
            data = try DataFileReader.read(path: path, columns: fitting.columns.map(ColumnSelector.parseList), missing: .allow)
        }
        if let sampleWeights = fitting.sampleWeights { weights = try readWeightFile(sampleWeights, rows: data.sampleCount) }
        if online && data.hasGaps {
            throw ValidationError("--online cannot be used on data with missing values (--missing marginalize)")
        }
        return (data, weights)
    }

    /// Summary lines about the gaps of the training data (none when it had none).
    func summaryLines(_ data: IncompleteDataMatrix) -> [String] {
        guard data.hasGaps else { return [] }
        return ["missing values:      \(data.missingCount) cells in \(data.incompleteRowCount) rows, marginalised "
                + "(the log-likelihood is that of the observed values)"]
    }

    /// Members of the model file's `fit_options` for this flag (empty by default).
    var fitOptionsMembers: String { marginalize ? ", \"missing\": \"marginalize\"" : "" }

    /// Extra model-file keys describing the gaps of the training data (none when it had none).
    func modelFileMembers(_ data: IncompleteDataMatrix) -> [(String, String)] {
        guard data.hasGaps else { return [] }
        return [("missing_values", "{\"cells\": \(data.missingCount), \"rows\": \(data.incompleteRowCount), "
                    + "\"fraction\": \(Double(data.missingCount) / Double(data.sampleCount * data.featureCount))}")]
    }
}

/// `readData` for data with gaps: without `--columns`, a file whose header names
/// every model feature is read by those names; otherwise all columns, whose
/// number must match the model's.
func readIncompleteData(_ path: String, columns: String?, for model: GaussianMixture) throws -> IncompleteDataMatrix {
    let data: IncompleteDataMatrix
    if let columns {
        data = try DataFileReader.read(path: path, columns: ColumnSelector.parseList(columns), missing: .allow)
    } else {
        data = try DataFileReader.read(path: path, preferringColumns: model.featureNames, missing: .allow)
    }
    try requireModelFeatures(data.featureCount, model: model, path: path)
    return data
}

/// Runs the missing-data EM; errors caused by the data name the data file. Progress as `fit` shows it.
func fitWithGapsReportingData(
    _ path: String, _ data: IncompleteDataMatrix, weights: [Double]?, options: FitOptions, meter: ProgressMeter?,
    control: FitControl
) throws -> FitResult {
    let progress: ((FitProgress) -> Void)? = meter.map { meter in { p in
        let change = p.change.isFinite ? readable(p.change, digits: 3) : "—"
        let restart = options.initializationCount > 1 ? "restart \(p.initialization + 1)/\(options.initializationCount)  " : ""
        meter.show("\(restart)iteration \(p.iteration)  observed-data mean log-likelihood "
            + "\(readable(p.meanLogLikelihood, digits: 10))  change \(change)")
    } }
    do {
        return try ExpectationMaximization.fit(data, weights: weights, options: options, progress: progress,
                                               resumingFrom: control.resume, checkpoint: control.checkpoint,
                                               shouldStop: control.shouldStop)
    } catch {
        switch error {
        case .invalidOption: throw error
        default: throw CommandFailure(message: "\(path == "-" ? "<stdin>" : path): \(error)", status: ExitStatus.dataError)
        }
    }
}

/// Why a variational model cannot take rows with gaps.
func variationalGapsFailure(_ path: String) -> CommandFailure {
    CommandFailure(message: "\(path == "-" ? "<stdin>" : path): has missing values, and --missing marginalize needs a model "
                       + "fitted by EM (a variational model's predictive density is not marginalised)",
                   status: ExitStatus.dataError)
}

extension Predict {
    /// `predict` for rows with gaps: P(c | x_o), from each row's observed values; `--details`
    /// measures the Mahalanobis distance on the observed values (|o| degrees of freedom).
    func predictWithGaps(_ rows: IncompleteDataMatrix, _ loaded: LoadedModel, kept: KeptCells? = nil) throws {
        try refuseNoise(loaded.mixture, model: model, in: "rows with missing values")
        if case .variational = loaded { throw variationalGapsFailure(data) }
        let mixture = loaded.mixture
        if details {
            var stream = try output.table(header: ["component", log ? "log_probability" : "probability", "entropy",
                                                    "log_density", "mahalanobis2", "tail_probability"],
                                             rowCount: rows.sampleCount, kept: kept)
            let all = try mixture.assignmentDetails(for: rows)
            for (i, r) in all.enumerated() {
                stream.table.append(label: r.component, values: [log ? r.logProbability : r.probability, r.entropy,
                                                                  r.logDensity, r.mahalanobisSquared, r.tailProbability])
                if i % 4096 == 0 { try stream.flushIfLarge() }
            }
            try stream.finish()
            warnUnderflowedDensities(all.filter { $0.logDensity == -.infinity }.count)
            return
        }
        // With --log the values already are log P(c|x_o).
        try writeAssignments(try mixture.marginalPosterior(of: rows, logarithmic: log).responsibilities, takingLog: false, kept: kept)
    }
}

extension Score {
    /// `score` for rows with gaps: log P(x_o), the density of each row's observed values.
    func scoreWithGaps(_ rows: IncompleteDataMatrix, _ loaded: LoadedModel, kept: KeptCells? = nil) throws {
        try refuseNoise(loaded.mixture, model: model, in: "rows with missing values")
        if case .variational = loaded { throw variationalGapsFailure(data) }
        let densities = try loaded.mixture.logDensities(of: rows)
        var stream = try output.table(header: ["log_density"], rowCount: rows.sampleCount, kept: kept)
        try densities.withUnsafeBufferPointer { values in
            for i in 0..<rows.sampleCount {
                stream.table.append(row: UnsafeBufferPointer(rebasing: values[i..<(i + 1)]))
                if i % 4096 == 0 { try stream.flushIfLarge() }
            }
        }
        try stream.finish()
        warnUnderflowedDensities(densities.filter { $0 == -.infinity }.count)
        guard !quieting.quiet else { return }
        printError("mean log-likelihood: \(readable(densities.reduce(0, +) / Double(rows.sampleCount))) over \(rows.sampleCount) rows "
                   + "(\(rows.incompleteRowCount) with missing values: log P of their observed values)")
    }
}

/// The rows a figure or a report draws from data read with `--missing marginalize`:
/// the complete ones (as ggplot drops rows with NA), with their 0-based positions in
/// the data; a row with a gap is left out, and `note` says how many were.
///
/// - Throws: a data error (65) when every row has a gap.
func completeRowsForDrawing(_ rows: IncompleteDataMatrix, path: String) throws
    -> (data: DataMatrix, positions: [Int], note: String?) {
    if let complete = rows.complete { return (complete, Array(0..<rows.sampleCount), nil) }
    let d = rows.featureCount
    let positions = (0..<rows.sampleCount).filter { i in !(0..<d).contains { rows.isMissing(i, $0) } }
    guard !positions.isEmpty else {
        throw CommandFailure(message: "\(path == "-" ? "<stdin>" : path): every row has a missing value: no complete row to draw",
                             status: ExitStatus.dataError)
    }
    let data = try DataMatrix(values: positions.flatMap { rows.row($0) }, sampleCount: positions.count, featureCount: d,
                              featureNames: rows.featureNames)
    let left = rows.sampleCount - positions.count
    return (data, positions, "\(left) row\(left == 1 ? "" : "s") with missing values left out; "
        + "\(positions.count) complete row\(positions.count == 1 ? "" : "s") drawn")
}
