#if canImport(Glibc)
import Glibc
#endif

/// Contiguous read-only `Double` values that outlive every view handed out.
///
/// Either Swift-owned (an allocation this object frees) or borrowed from a
/// memory mapping whose `release` closure unmaps it; `DataMatrix` never cares which.
final class DataStorage: @unchecked Sendable {
    // @unchecked: the memory is written once before `init` returns and only read afterwards.
    let base: UnsafePointer<Double>
    let count: Int
    /// True when `base` points into a read-only file mapping (see DataMatrix+Residency.swift).
    let isMemoryMapped: Bool
    private let release: () -> Void

    init(copying values: [Double]) {
        let p = UnsafeMutablePointer<Double>.allocate(capacity: max(values.count, 1))
        values.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { p.update(from: s, count: values.count) }
        }
        base = UnsafePointer(p)
        count = values.count
        isMemoryMapped = false
        release = { p.deallocate() }
    }

    /// Takes ownership of `pointer` (allocated with `UnsafeMutablePointer.allocate`).
    init(adopting pointer: UnsafeMutablePointer<Double>, count: Int) {
        base = UnsafePointer(pointer)
        self.count = count
        isMemoryMapped = false
        release = { pointer.deallocate() }
    }

    /// Borrows memory kept alive until `release` is called from `deinit`;
    /// `isMemoryMapped` when it is a read-only file mapping whose pages may be dropped.
    init(borrowing pointer: UnsafePointer<Double>, count: Int, isMemoryMapped: Bool = false,
         release: @escaping () -> Void) {
        base = pointer
        self.count = count
        self.isMemoryMapped = isMemoryMapped
        self.release = release
    }

    deinit { release() }

    func firstNonFiniteIndex() -> Int? {
        var idx = 0
        while idx < count {
            // A mapped file is checked in stretches of 1 MiB whose pages are dropped behind.
            let end = isMemoryMapped ? min(count, idx &+ (1 << 17)) : count
            let stretch = idx
            while idx < end {
                if !base[idx].isFinite { return idx }
                idx &+= 1
            }
            dropResidentPages(elements: stretch..<end)
        }
        return nil
    }
}
