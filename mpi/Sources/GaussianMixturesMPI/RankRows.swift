import GaussianMixtures
#if canImport(Glibc)
import Glibc
#endif

// Which rows each rank holds. Two sources:
//
// - one shared `.npy` file: rank r of R reads the contiguous share
//   `NumpyRowSlices.share(of: n, part: r, of: R)` of its rows — only those
//   bytes are read, so no rank ever holds the whole array;
// - shard files (`--shards`): rank 0 expands the list (comma-separated paths
//   or glob patterns, each pattern sorted) and sends it to every rank; rank r
//   reads shards ⌊r·S/R⌋ ..< ⌊(r+1)·S/R⌋, whole, in any format the library
//   reads. The global row order is the shard order.
//
// In both cases the ranks' rows, taken in rank order, are the data in its
// order, which is what makes gathered outputs come out in row order.
//
// With a weight column (`gmm fit --weight-column`), each rank splits that
// column off its own rows as their frequency weights, as `gmm fit` does with
// the whole file: the other columns (or `--columns`) are the features, and a
// negative weight is an error naming the file and its line.

/// Where a command's data rows come from.
public enum RowSource: Sendable, Equatable {
    /// One `.npy` file every rank can open; each reads a contiguous share of its rows.
    case sharedFile(String)
    /// Comma-separated shard paths or glob patterns; each rank reads whole shards.
    case shards(String)
}

/// This rank's rows and where they sit among all rows.
public struct RankRows: Sendable {
    /// This rank's rows (possibly none).
    public let data: DataMatrix
    /// Global 0-based index of this rank's first row.
    public let firstRow: Int
    /// The number of rows over all ranks.
    public let totalRows: Int
    /// Every rank's row count, in rank order.
    public let rowCounts: [Int]
    /// The frequency weights of this rank's rows, when read with a weight column.
    public let weights: [Double]?

    /// Reads this rank's rows; every rank calls it at the same time.
    ///
    /// - Parameters:
    ///   - source: one shared `.npy` file, or shards (paths or glob patterns).
    ///   - columns: the `--columns` selection, or `nil`.
    ///   - preferredNames: when there is no selection, try selecting these
    ///     column names first and fall back to all columns if a file lacks one
    ///     (how `gmm predict` reads a data file for a model's features).
    ///     Not used with a weight column (neither does `gmm fit`).
    ///   - weightColumn: the `--weight-column` (one selector): its values become
    ///     `weights` and, without `columns`, it is left out of the features.
    ///   - weightColumnText: how the user wrote the weight column, for messages.
    ///   - communicator: the ranks that read together.
    /// - Throws: the agreed `RankFailure`, the same on every rank: a missing or
    ///   unreadable file (66), a damaged one or ranks that disagree on the columns (65),
    ///   a negative weight (65, naming the file and line of the first one in row order).
    public static func read(
        _ source: RowSource, columns: [ColumnSelector]?, preferredNames: [String]? = nil,
        weightColumn: ColumnSelector? = nil, weightColumnText: String? = nil, communicator: Communicator
    ) throws(RankFailure) -> RankRows {
        let comm = communicator
        // Rank 0 expands shard patterns; everyone gets the same list.
        var shardPaths: [String] = []
        if case let .shards(list) = source {
            let expanded = try comm.together { () throws -> [String] in comm.isRoot ? try expand(list) : [] }
            let bytes = comm.broadcast(comm.isRoot ? Array(expanded.joined(separator: "\n").utf8) : [], from: 0)
            shardPaths = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .map(String.init)
        }
        // Local reading: the step that can fail on one rank only.
        var localWeights: [Double]?
        let local: DataMatrix? = try comm.together { () throws -> DataMatrix? in
            do {
                switch source {
                case let .sharedFile(path):
                    let file = try NumpyRowSlices(path: path)
                    let share = NumpyRowSlices.share(of: file.rowCount, part: comm.rank, of: comm.size)
                    if let weightColumn {
                        let weights = try file.rows(share, columns: [weightColumn]).values
                        let features: DataMatrix
                        if let columns {
                            features = try file.rows(share, columns: columns)
                        } else {
                            let keep = try featureColumns(file.columnNames, without: weightColumn, path: path)
                            features = try file.rows(share, columns: keep.map(ColumnSelector.index))
                        }
                        try FrequencyWeights.requireNonNegative(
                            weights, path: path, column: weightColumnText ?? weightColumn.description, firstRow: share.lowerBound)
                        localWeights = weights
                        return features
                    }
                    return try withPreferredNames(columns, preferredNames) { try file.rows(share, columns: $0) }
                case .shards:
                    let mine = (comm.rank * shardPaths.count / comm.size)..<((comm.rank + 1) * shardPaths.count / comm.size)
                    var parts: [DataMatrix] = []
                    var weights: [Double] = []
                    for path in shardPaths[mine] {
                        if let weightColumn {
                            let (features, w) = try readWithWeightColumn(path, weightColumn: weightColumn, columns: columns)
                            try FrequencyWeights.requireNonNegative(
                                w, path: path, column: weightColumnText ?? weightColumn.description, firstRow: 0)
                            parts.append(features)
                            weights += w
                        } else {
                            parts.append(try withPreferredNames(columns, preferredNames) {
                                try DataFileReader.read(path: path, columns: $0)
                            })
                        }
                    }
                    if weightColumn != nil { localWeights = weights }
                    return try concatenate(parts, paths: Array(shardPaths[mine]))
                }
            } catch {
                throw RankFailure(error, rank: comm.rank, of: comm.size)
            }
        }
        // The ranks must agree on the columns; ranks without rows (no shard) have no say.
        let width = Int64(local?.featureCount ?? -1)
        let narrowest = comm.reduce([width < 0 ? Int64.max : width], .min)[0]
        let widest = comm.reduce([width], .max)[0]
        let holder = Int(comm.reduce([width < 0 ? Int64(comm.size) : Int64(comm.rank)], .min)[0])
        guard holder < comm.size else {
            throw RankFailure(message: "no data: the shard list names no file", status: ExitStatus.noInput)
        }
        guard narrowest == widest else {
            throw RankFailure(message: "the ranks' rows have from \(narrowest) to \(widest) columns; every shard needs the same columns",
                              status: ExitStatus.dataError)
        }
        let namesBytes = comm.broadcast(Array((local?.featureNames ?? []).joined(separator: "\u{1F}").utf8), from: holder)
        let names = String(decoding: namesBytes, as: UTF8.self).split(separator: "\u{1F}", omittingEmptySubsequences: false)
            .map(String.init)
        try comm.together { () throws in
            if let local, local.featureNames != names {
                throw RankFailure(
                    message: "rank \(comm.rank): its rows have the columns (\(local.featureNames.joined(separator: ", "))) "
                        + "but rank \(holder)'s have (\(names.joined(separator: ", "))); every shard needs the same columns",
                    status: ExitStatus.dataError)
            }
        }
        let data = try comm.together { () throws -> DataMatrix in
            try local ?? DataMatrix(values: [], sampleCount: 0, featureCount: names.count, featureNames: names)
        }
        let counts = comm.allGather(Int64(data.sampleCount)).map(Int.init)
        let total = counts.reduce(0, +)
        guard total > 0 else {
            let what: String = switch source {
            case let .sharedFile(path): path
            case let .shards(list): list
            }
            throw RankFailure(message: "\(what): the data has no rows", status: ExitStatus.dataError)
        }
        return RankRows(data: data, firstRow: counts.prefix(comm.rank).reduce(0, +), totalRows: total, rowCounts: counts,
                        weights: weightColumn == nil ? nil : (localWeights ?? []))
    }

    /// The positions of every column of `names` but the weight column (as `gmm fit` picks the features).
    private static func featureColumns(_ names: [String], without weightColumn: ColumnSelector, path: String) throws -> [Int] {
        let dropped: Int? = switch weightColumn {
        case let .index(j): j
        case let .name(name): names.firstIndex(of: name)
        }
        let keep = (0..<names.count).filter { $0 != dropped }
        guard !keep.isEmpty else {
            throw RankFailure(message: "\(path): no feature columns left besides the weight column", status: ExitStatus.dataError)
        }
        return keep
    }

    /// One whole file's features and weight column, as `gmm fit --weight-column` reads it
    /// (the file is read once when there is no `--columns`).
    private static func readWithWeightColumn(
        _ path: String, weightColumn: ColumnSelector, columns: [ColumnSelector]?
    ) throws -> (DataMatrix, [Double]) {
        let weights = try DataFileReader.read(path: path, columns: [weightColumn]).values
        if let columns { return (try DataFileReader.read(path: path, columns: columns), weights) }
        let all = try DataFileReader.read(path: path)
        let keep = try featureColumns(all.featureNames, without: weightColumn, path: path)
        let d = all.featureCount
        var values: [Double] = []
        values.reserveCapacity(all.sampleCount * keep.count)
        all.withUnsafeBufferPointer { x in
            for i in 0..<all.sampleCount {
                for j in keep { values.append(x[i * d + j]) }
            }
        }
        let features = try DataMatrix(values: values, sampleCount: all.sampleCount, featureCount: keep.count,
                                      featureNames: keep.map { all.featureNames[$0] })
        return (features, weights)
    }

    /// Reads with `columns`, or by `preferred` names when there is no selection
    /// (falling back to all columns when a name is missing).
    private static func withPreferredNames(
        _ columns: [ColumnSelector]?, _ preferred: [String]?, _ read: ([ColumnSelector]?) throws -> DataMatrix
    ) throws -> DataMatrix {
        if columns == nil, let preferred {
            do {
                return try read(preferred.map(ColumnSelector.name))
            } catch let error as DataFileError {
                guard case .unknownColumn = error else { throw error }
                return try read(nil)
            }
        }
        return try read(columns)
    }

    /// The rows of several shards, in order, as one matrix (their names must agree).
    private static func concatenate(_ parts: [DataMatrix], paths: [String]) throws -> DataMatrix? {
        guard let first = parts.first else { return nil }
        if parts.count == 1 { return first }
        var values: [Double] = []
        values.reserveCapacity(parts.reduce(0) { $0 + $1.sampleCount * $1.featureCount })
        for (part, path) in zip(parts, paths) {
            guard part.featureNames == first.featureNames else {
                throw RankFailure(
                    message: "\(path): has the columns (\(part.featureNames.joined(separator: ", "))) but \(paths[0]) has "
                        + "(\(first.featureNames.joined(separator: ", "))); every shard needs the same columns",
                    status: ExitStatus.dataError)
            }
            part.withUnsafeBufferPointer { values += $0 }
        }
        return try DataMatrix(values: values, sampleCount: values.count / first.featureCount,
                              featureCount: first.featureCount, featureNames: first.featureNames)
    }

    /// The paths a `--shards` list names: comma-separated items, each a path or a
    /// glob pattern (`*`, `?`, `[`) whose matches are taken in sorted order.
    static func expand(_ list: String) throws -> [String] {
        var paths: [String] = []
        for item in list.split(separator: ",").map(String.init) where !item.isEmpty {
            guard item.contains(where: { "*?[".contains($0) }) else {
                paths.append(item)
                continue
            }
            var result = glob_t()
            defer { globfree(&result) }
            let status = glob(item, 0, nil, &result)
            guard status == 0 else {
                throw RankFailure(message: "\(item): no file matches the shard pattern", status: ExitStatus.noInput)
            }
            var matches: [String] = []
            for i in 0..<Int(result.gl_pathc) {
                if let p = result.gl_pathv[i] { matches.append(String(cString: p)) }
            }
            paths += matches.sorted()
        }
        guard !paths.isEmpty else {
            throw RankFailure(message: "--shards \"\(list)\" names no file", status: ExitStatus.usage)
        }
        return paths
    }
}

extension RankFailure {
    /// A library error as a failure with the contract's status; on a job of
    /// several ranks the message says which rank met it.
    public init(_ error: Error, rank: Int, of size: Int) {
        if let failure = error as? RankFailure {
            self = failure
            return
        }
        let (message, status): (String, Int32) = switch error {
        case let e as DataFileError:
            if case .cannotOpen = e { (e.description, ExitStatus.noInput) } else { (e.description, ExitStatus.dataError) }
        case let e as ModelFileError:
            if case .cannotOpen = e { (e.description, ExitStatus.noInput) } else { (e.description, ExitStatus.dataError) }
        case let e as OutputFileError: (e.description, ExitStatus.cannotCreate)
        case let e as FitError:
            if case .invalidOption = e { (e.description, ExitStatus.usage) } else { (e.description, ExitStatus.dataError) }
        case let e as ModelError: (e.description, ExitStatus.dataError)
        case let e as DataError: (e.description, ExitStatus.dataError)
        default: ("\(error)", 1)
        }
        self.init(message: size > 1 ? "rank \(rank): \(message)" : message, status: status)
    }
}
