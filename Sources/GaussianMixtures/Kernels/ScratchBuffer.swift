// Memory that hands out pointers without closures.
//
// The kernels take pointers. Taking them from Swift arrays means one
// `withUnsafe…BufferPointer` closure per array, and a kernel with eight operands
// nests eight deep. A `ScratchBuffer` owns its allocation instead, for as long as
// it lives, and gives out its base address directly; the worker or kernel that
// holds the buffers in stored properties passes those addresses on.

/// An owned, growable array of plain values whose address can be taken without a closure.
///
/// Copies share the allocation until one of them asks for a mutable pointer,
/// which first gives that copy its own (copy on write), so a value type holding
/// buffers keeps value semantics. A pointer stays valid while the buffer that gave
/// it is alive and is not asked for more elements than it holds: keep buffers in
/// stored properties of the object using the pointers (a worker, a kernel), not
/// in short-lived locals.
struct ScratchBuffer<Element: BitwiseCopyable & AdditiveArithmetic> {
    private final class Storage {
        let base: UnsafeMutablePointer<Element>
        let capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            base = .allocate(capacity: max(capacity, 1))
            base.initialize(repeating: .zero, count: max(capacity, 1))
        }

        deinit { base.deallocate() }
    }

    private var storage: Storage

    /// `count` zeros.
    init(count: Int = 0) { storage = Storage(capacity: count) }

    /// A copy of `values`.
    init(_ values: [Element]) {
        storage = Storage(capacity: values.count)
        storage.base.update(from: values, count: values.count)
    }

    /// How many elements the buffer holds.
    var count: Int { storage.capacity }

    /// The elements, read-only.
    var pointer: UnsafePointer<Element> { UnsafePointer(storage.base) }

    /// The elements, writable, after growing the buffer to at least `count` elements
    /// (new ones 0, old ones kept) and making its allocation this copy's own.
    mutating func mutablePointer(count: Int = 0) -> UnsafeMutablePointer<Element> {
        if count > storage.capacity || !isKnownUniquelyReferenced(&storage) {
            let larger = Storage(capacity: max(count, storage.capacity))
            larger.base.update(from: storage.base, count: storage.capacity)
            storage = larger
        }
        return storage.base
    }

    subscript(index: Int) -> Element {
        get {
            precondition(index >= 0 && index < count, "index out of range")
            return storage.base[index]
        }
        set {
            precondition(index >= 0 && index < count, "index out of range")
            mutablePointer()[index] = newValue
        }
    }

    /// Makes the first `values.count` elements a copy of `values` (growing the buffer if needed).
    mutating func assign(_ values: [Element]) {
        mutablePointer(count: values.count).update(from: values, count: values.count)
    }

    /// The first `count` elements as an array.
    func array(count: Int) -> [Element] {
        precondition(count <= self.count, "more elements than the buffer holds")
        return Array(UnsafeBufferPointer(start: storage.base, count: count))
    }
}
