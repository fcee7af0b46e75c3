// Writing `.npy` files: the format `DataFileReader` uses in place.
//
// Always version 1.0, little-endian `<f8`, C order, 2-D — the layout that
// needs no conversion when read back, so a file written here is memory-mapped
// and read block by block by every later pass. The header is NumPy's own
// (numpy/lib/format.py): the magic string, the version, a little-endian u16
// header length, and the dict literal padded with spaces and a final newline
// so that the data starts at a multiple of 64 bytes. NumPy rejects headers
// with extra keys, so column names cannot travel in the file.
//
// The values are streamed to an `OutputSink` in pieces of about 1 MiB, so
// writing needs no second copy of the matrix; the sink publishes the file
// only when it is whole.

/// Writes matrices as NumPy `.npy` files (float64, C order).
public enum NumpyWriter {
    /// The header of an `n`×`d` float64 C-order array, data starting at a multiple of 64 bytes.
    public static func header(rowCount n: Int, columnCount d: Int) -> [UInt8] {
        var dict = Array("{'descr': '<f8', 'fortran_order': False, 'shape': (\(n), \(d)), }".utf8)
        let preamble = 10                              // magic (6) + version (2) + length (2)
        let unpadded = preamble + dict.count + 1       // + the final newline
        let padding = (64 - unpadded % 64) % 64
        dict += [UInt8](repeating: UInt8(ascii: " "), count: padding)
        dict.append(UInt8(ascii: "\n"))
        let length = dict.count
        precondition(length < 1 << 16, "a version 1.0 header holds at most 65535 bytes")
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + dict
    }

    /// Streams `data` to `sink` as a `.npy` file: header, then the rows.
    ///
    /// The sink is not committed: the caller does that once everything is written.
    /// - Throws: `OutputFileError.cannotWrite` when a write fails.
    public static func write(_ data: DataMatrix, to sink: OutputSink) throws(OutputFileError) {
        try sink.write(header(rowCount: data.sampleCount, columnCount: data.featureCount))
        let d = data.featureCount
        let rowsPerPiece = max(1, (1 << 20) / (8 * d))
        var piece = [UInt8]()
        piece.reserveCapacity(rowsPerPiece * d * 8)
        var start = 0
        while start < data.sampleCount {
            let rows = min(rowsPerPiece, data.sampleCount - start)
            piece.removeAll(keepingCapacity: true)
            data.withUnsafeBufferPointer { x in
                for value in UnsafeBufferPointer(rebasing: x[(start * d)..<((start + rows) * d)]) {
                    let bits = value.bitPattern.littleEndian
                    withUnsafeBytes(of: bits) { piece.append(contentsOf: $0) }
                }
            }
            try sink.write(piece)
            data.dropResidentPages(rows: start..<(start + rows))
            start += rows
        }
    }
}
