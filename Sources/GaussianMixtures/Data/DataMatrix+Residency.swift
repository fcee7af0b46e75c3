#if canImport(Glibc)
import Glibc
#endif

// Keeping a memory-mapped matrix from filling the process's resident set.
//
// A `.npy` file is used in place through a read-only private mapping. Pages
// of a mapping that have been read stay in the process's resident set (they
// count in its RSS and peak RSS) until the kernel needs the memory, even
// though they are clean copies of the page cache and cost nothing to drop.
// For a file larger than `residentFileLimit`, every pass over the rows (the
// finiteness check, each E-step, scoring, prediction, the gathering of
// mini-batches) therefore drops the pages of a block once it is done with it (`madvise(MADV_DONTNEED)`: for a clean
// read-only file mapping this only unmaps them; the page cache keeps the data,
// and a later pass refaults it from there, or from disk when the kernel has
// reclaimed it). So the process's own memory stays bounded by the model and
// the per-thread blocks whatever the number of rows, and it runs under a
// memory limit smaller than the file. Matrices in Swift-owned memory ignore it.
//
// Pages are dropped from the start of the block's first page to the start of
// its last: a page shared with the next block stays until that block is
// done. A fault on a file mapping maps more than the page it hits (the
// kernel's fault-around window, 64 KiB by default, or a whole large folio of
// the page cache), so a pass also maps pages just beyond the rows it has read.
// A sequential pass drops those with its next block; where that cannot be
// relied on — the end of a pass or of a chunk, and the gathering of
// mini-batches from scattered granules, where a later granule's fault would
// otherwise re-map an earlier neighbour for good — the range is widened to
// whole 2 MiB windows (`outward`), clamped to the matrix. Another thread
// reading a dropped page (at a chunk boundary) simply refaults it; the data
// cannot change because the mapping is never written.

//
// A file no larger than `residentFileLimit` keeps its pages: dropping and
// refaulting them costs system time on every pass (measured: 10–15 % of an EM
// iteration on a 2 MiB file, 5–10 % on 61 MiB), and its resident pages are
// bounded by the file itself, clean and shared with the page cache.

/// Mapped files up to this many bytes keep their pages between passes:
/// 256 MiB, or an eighth of the physical memory on a smaller machine.
let residentFileLimit: Int = {
    let physical = Int(sysconf(Int32(_SC_PHYS_PAGES))) * pageSize
    return physical > 0 ? min(256 << 20, physical / 8) : 256 << 20
}()

extension DataStorage {
    /// Whether passes drop this storage's pages behind them: a file mapping
    /// larger than `residentFileLimit`.
    var dropsPagesBehind: Bool { isMemoryMapped && count * MemoryLayout<Double>.stride > residentFileLimit }

    /// Drops the resident pages of the values `elements` when passes drop pages
    /// behind them (`dropsPagesBehind`); `outward` widens the range to whole
    /// 2 MiB windows, within the matrix's pages.
    func dropResidentPages(elements: Range<Int>, outward: Bool = false) {
        guard dropsPagesBehind else { return }
        unmapPages(elements: elements, outward: outward)
    }

    /// Drops the resident pages of the values `elements` of a file mapping
    /// (nothing for memory the process owns), whatever the file's size.
    func unmapPages(elements: Range<Int>, outward: Bool = false) {
        guard isMemoryMapped, !elements.isEmpty else { return }
        let page = UInt(pageSize)
        let window: UInt = outward ? 1 << 21 : page
        let first = UInt(bitPattern: base) / page * page
        let last = (UInt(bitPattern: base + count) + page - 1) / page * page
        let begin = max(first, UInt(bitPattern: base + elements.lowerBound) / window * window)
        let end = outward ? min(last, (UInt(bitPattern: base + elements.upperBound) + window - 1) / window * window)
                          : UInt(bitPattern: base + elements.upperBound) / page * page
        guard end > begin, let start = UnsafeMutableRawPointer(bitPattern: begin) else { return }
        _ = madvise(start, Int(end - begin), MADV_DONTNEED)
    }
}

/// The system's page size in bytes.
private let pageSize: Int = max(Int(sysconf(Int32(_SC_PAGESIZE))), 4096)

extension DataMatrix {
    /// Drops the resident pages of rows `range` when the matrix is a file mapping.
    func dropResidentPages(rows range: Range<Int>, outward: Bool = false) {
        storage.dropResidentPages(elements: (range.lowerBound * featureCount)..<(range.upperBound * featureCount),
                                  outward: outward)
    }

    /// The rows of `ranges`, in order, as one new matrix (copied; the source's
    /// pages are dropped behind the copy when it is a file mapping).
    func gathering(_ ranges: [Range<Int>]) -> DataMatrix {
        let d = featureCount
        let total = ranges.reduce(0) { $0 + $1.count }
        let values = UnsafeMutablePointer<Double>.allocate(capacity: max(total * d, 1))
        var filled = 0
        withUnsafeBufferPointer { x in
            for range in ranges {
                precondition(range.lowerBound >= 0 && range.upperBound <= sampleCount, "rows out of range")
                (values + filled * d).update(from: x.baseAddress! + range.lowerBound * d, count: range.count * d)
                filled += range.count
                dropResidentPages(rows: range, outward: true)
            }
        }
        return DataMatrix(trusted: DataStorage(adopting: values, count: total * d), sampleCount: total,
                          featureCount: d, featureNames: featureNames)
    }
}
