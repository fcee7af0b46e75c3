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
    private let release: () -> Void

    init(copying values: [Double]) {
        let p = UnsafeMutablePointer<Double>.allocate(capacity: max(values.count, 1))
        values.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { p.update(from: s, count: values.count) }
        }
        base = UnsafePointer(p)
        count = values.count
        release = { p.deallocate() }
    }

    /// Takes ownership of `pointer` (allocated with `UnsafeMutablePointer.allocate`).
    init(adopting pointer: UnsafeMutablePointer<Double>, count: Int) {
        base = UnsafePointer(pointer)
        self.count = count
        release = { pointer.deallocate() }
    }

    /// Borrows memory kept alive until `release` is called from `deinit`.
    init(borrowing pointer: UnsafePointer<Double>, count: Int, release: @escaping () -> Void) {
        base = pointer
        self.count = count
        self.release = release
    }

    deinit { release() }

    func firstNonFiniteIndex() -> Int? {
        var idx = 0
        while idx < count {
            if !base[idx].isFinite { return idx }
            idx &+= 1
        }
        return nil
    }
}
