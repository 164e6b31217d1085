import Synchronization

/// Pages an `RNTupleReader` keeps from one `read(entries:)` call to the next, so that a page straddling a chunk
/// boundary is fetched, verified and decompressed once, not once per chunk.
///
/// Memory is bounded by one page per column: each call replaces the whole set with the pages it used only in
/// part (value columns: the page's verified, decompressed bytes) or last (index columns: decoded values).
/// Entries are keyed by cluster, column and page, so a non-sequential read only misses, never reads wrong bytes.
final class RNTuplePageCarry: Sendable {
    /// Per column: the page kept and its bytes.
    private let pages = Mutex<[Int: (key: RNTupleReader.PageKey, bytes: ArraySlice<UInt8>)]>([:])

    /// The kept bytes of `key`, if any.
    func bytes(_ key: RNTupleReader.PageKey) -> ArraySlice<UInt8>? {
        pages.withLock { all in all[key.column].flatMap { $0.key == key ? $0.bytes : nil } }
    }

    /// Keeps `bytes` for `key`, replacing any page kept for the same column.
    func keep(_ key: RNTupleReader.PageKey, _ bytes: ArraySlice<UInt8>) {
        pages.withLock { $0[key.column] = (key, bytes) }
    }

    /// Replaces the kept pages with those of `other`.
    func replace(with other: RNTuplePageCarry) {
        let next = other.pages.withLock { $0 }
        pages.withLock { $0 = next }
    }
}
