/// A growable, manually managed float32 buffer. Workspaces own one per memory-plan slot and reuse it across
/// calls; constants own one each and never write to it after loading.
public final class FloatBuffer: @unchecked Sendable {
    public private(set) var pointer: UnsafeMutablePointer<Float>
    public private(set) var capacity: Int

    public init(capacity: Int) {
        self.capacity = max(capacity, 1)
        pointer = .allocate(capacity: self.capacity)
    }

    /// A buffer holding a copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(capacity: values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { pointer.update(from: base, count: src.count) }
        }
    }

    deinit { pointer.deallocate() }

    /// Makes room for `count` elements (old contents are not kept).
    public func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        capacity = count
        pointer = .allocate(capacity: count)
    }

    /// The first `count` elements as an array.
    public func array(count: Int) -> [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
