import GaussianMixtures
#if canImport(Glibc)
import Glibc
#endif

// Frequency weights spread over the ranks, with `gmm fit`'s meaning and messages:
// one non-negative number per data row, either in a file of their own
// (`--sample-weights FILE`, one column) or in a column of the data
// (`--weight-column`, read with the rows by `RankRows.read`).
//
// Each rank holds only the weights of its own rows:
//
// - a `.npy` weight file is read like the shared data file: every rank reads
//   the header, then only the bytes of its own rows;
// - a text weight file (CSV, TSV) cannot be cut into row ranges without
//   reading it, so rank 0 reads it (one column: n numbers, as `gmm fit` does)
//   and sends each rank the weights of its rows.
//
// The checks are `gmm fit`'s, in its order, and every rank fails alike: the
// file's shape, then the first negative weight in row order (its file and
// line: the rows are in rank order, so the lowest-ranked failing rank holds
// it), then "every weight is zero" over all ranks.

/// Reading and checking frequency weights over the ranks.
public enum FrequencyWeights {
    /// The weights of this rank's rows from the one-column file `path`; every rank calls it at the same time.
    ///
    /// - Parameters:
    ///   - path: the weight file (CSV, TSV or `.npy`), one weight per data row.
    ///   - rows: this rank's rows, as `RankRows.read` returned them.
    ///   - comm: the ranks that read together.
    /// - Throws: the agreed `RankFailure`: a missing file (66); a file with more
    ///   than one column, a row count other than the data's, or a negative or
    ///   all-zero weight (65).
    public static func read(_ path: String, rows: RankRows, communicator comm: Communicator) throws(RankFailure) -> [Double] {
        let mine = rows.firstRow..<(rows.firstRow + rows.data.sampleCount)
        func checkShape(columns: Int, count: Int) throws(RankFailure) {
            guard columns == 1 else {
                throw RankFailure(message: "\(path): a weight file has one column, found \(columns)", status: ExitStatus.dataError)
            }
            guard count == rows.totalRows else {
                throw RankFailure(message: "\(path): has \(count) weights but the data has \(rows.totalRows) rows",
                                  status: ExitStatus.dataError)
            }
        }
        let weights: [Double]
        if case .npy = DataFileFormat(path: path) {
            // Every rank opens the file and reads its own rows' bytes only.
            let file = try comm.together { () throws -> NumpyRowSlices in
                let file: NumpyRowSlices
                do { file = try NumpyRowSlices(path: path) } catch { throw RankFailure(error, rank: comm.rank, of: 1) }
                try checkShape(columns: file.columnCount, count: file.rowCount)
                return file
            }
            weights = try comm.together { () throws -> [Double] in
                do { return try file.rows(mine).values } catch { throw RankFailure(error, rank: comm.rank, of: comm.size) }
            }
        } else {
            // Rank 0 reads the text and sends every other rank its rows' weights.
            let all = try comm.together { () throws -> [Double] in
                guard comm.isRoot else { return [] }
                let table: DataMatrix
                do { table = try DataFileReader.read(path: path) } catch { throw RankFailure(error, rank: 0, of: 1) }
                try checkShape(columns: table.featureCount, count: table.sampleCount)
                return table.values
            }
            if comm.isRoot {
                for r in 1..<comm.size {
                    let start = rows.rowCounts.prefix(r).reduce(0, +)
                    send(Array(all[start..<(start + rows.rowCounts[r])]), to: r, comm)
                }
                weights = Array(all[mine])
            } else {
                weights = receive(rows.data.sampleCount, comm)
            }
        }
        try comm.together { () throws in try requireNonNegative(weights, path: path, column: nil, firstRow: rows.firstRow) }
        try requireSomePositive(weights, path: path, column: nil, communicator: comm)
        return weights
    }

    /// Fails (65) at the first negative weight: `path:LINE: weight must be non-negative, found W`,
    /// where `firstRow` is the 0-based row of the file that `weights[0]` belongs to. Local, no talking.
    public static func requireNonNegative(_ weights: [Double], path: String, column: String?, firstRow: Int) throws(RankFailure) {
        guard let bad = weights.firstIndex(where: { $0 < 0 }) else { return }
        throw RankFailure(
            message: "\(path)\(location(row: firstRow + bad, path: path)): \(what(column)) must be non-negative, found \(weights[bad])",
            status: ExitStatus.dataError)
    }

    /// Fails (65) on every rank alike when no rank holds a positive weight: `path: every weight is zero`.
    public static func requireSomePositive(
        _ weights: [Double], path: String, column: String?, communicator comm: Communicator
    ) throws(RankFailure) {
        let positive = comm.reduce([weights.contains(where: { $0 > 0 }) ? 1 : 0], .max)[0]
        guard positive == 0 else { return }
        throw RankFailure(message: "\(path): every \(what(column)) is zero", status: ExitStatus.dataError)
    }

    private static func what(_ column: String?) -> String { column.map { "weight column \"\($0)\"" } ?? "weight" }

    /// `values` to rank `destination`, in messages of at most 1 MiB.
    private static func send(_ values: [Double], to destination: Int, _ comm: Communicator) {
        let perMessage = 1 << 17
        var start = 0
        repeat {
            let end = min(start + perMessage, values.count)
            var bytes: [UInt8] = []
            bytes.reserveCapacity((end - start) * 8)
            for v in values[start..<end] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
            comm.send(bytes, to: destination, tag: 7)
            start = end
        } while start < values.count
    }

    /// `count` numbers from rank 0, sent by `send`.
    private static func receive(_ count: Int, _ comm: Communicator) -> [Double] {
        var values: [Double] = []
        values.reserveCapacity(count)
        repeat {
            let bytes = comm.receive(from: 0, tag: 7)
            for i in stride(from: 0, to: bytes.count - 7, by: 8) {
                var bits: UInt64 = 0
                for b in 0..<8 { bits |= UInt64(bytes[i + b]) << (8 * b) }
                values.append(Double(bitPattern: bits))
            }
        } while values.count < count
        return values
    }

    /// Where data row `row` of `path` is: `:LINE` in a text file, `: row N` in a `.npy` file — as `gmm fit` says it.
    static func location(row: Int, path: String) -> String {
        DataFileReader.line(ofDataRow: row, path: path).map { ":\($0)" } ?? ": row \(row + 1)"
    }
}
