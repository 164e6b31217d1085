/// Memory reused across the pages a decoder visits (a decompressed page, levels, indices): it grows to the largest
/// page once, so decoding a page allocates nothing. Contents do not survive a growth. Owned by one task at a time.
public final class PageScratch {
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int

    public init() {
        capacity = 4096
        storage = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit { storage.deallocate() }

    /// At least `count` bytes.
    public func bytes(_ count: Int) -> UnsafeMutableRawPointer {
        if count > capacity {
            storage.deallocate()
            capacity = max(count, capacity * 2)
            storage = .allocate(byteCount: capacity, alignment: 64)
        }
        return storage
    }

    /// Room for `count` values of `T`.
    public func buffer<T: BitwiseCopyable>(_ count: Int, of _: T.Type) -> UnsafeMutablePointer<T> {
        bytes(count * MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: count)
    }
}
