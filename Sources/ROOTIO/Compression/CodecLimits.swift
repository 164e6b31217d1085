import CCodecsLZMA
import CCodecsZstd

/// What a compressed payload can expand to, known before decompressing it: used to refuse a damaged
/// size field before any buffer of that size is allocated.
extension Codec {
    /// The largest output `compressedCount` bytes of this codec can produce (deflate ≤ 1032:1, LZ4 ≤ 255:1 plus
    /// its 8-byte checksum, zstd's RLE blocks ≤ 128 KiB per 4 bytes, LZMA's longest match per bit rounded up).
    public func maxExpansion(ofCompressed compressedCount: Int) -> Int {
        let n = max(compressedCount, 1)
        switch self {
        case .zlib: return n.multipliedReportingOverflow(by: 1032).partialValue + 64
        case .lz4: return n.multipliedReportingOverflow(by: 256).partialValue + 64
        case .zstd: return n.multipliedReportingOverflow(by: 32 * 1024).partialValue + 128 * 1024
        case .lzma: return n.multipliedReportingOverflow(by: 8 * 1024).partialValue + 64 * 1024
        }
    }

    /// The uncompressed size the payload itself records, when its format records one: zstd's frame content
    /// size, the xz stream index's total. Nil when the payload does not say (or cannot be parsed: the
    /// decompressor reports that).
    public func declaredSize(_ payload: UnsafeRawBufferPointer) -> Int? {
        guard let base = payload.baseAddress else { return nil }
        switch self {
        case .zstd:
            let n = ZSTD_getFrameContentSize(base, payload.count)
            guard n != ZSTD_CONTENTSIZE_UNKNOWN, n != ZSTD_CONTENTSIZE_ERROR, n <= UInt64(Int.max) else { return nil }
            return Int(n)
        case .lzma:
            return Self.xzIndexedSize(payload)
        case .zlib, .lz4:
            return nil
        }
    }

    /// The uncompressed size from an xz stream's footer and index (a single stream, as ROOT writes).
    private static func xzIndexedSize(_ payload: UnsafeRawBufferPointer) -> Int? {
        let footerSize = Int(LZMA_STREAM_HEADER_SIZE)
        guard payload.count >= 2 * footerSize, let base = payload.baseAddress?.assumingMemoryBound(to: UInt8.self)
        else { return nil }
        var flags = lzma_stream_flags()
        guard lzma_stream_footer_decode(&flags, base + payload.count - footerSize) == LZMA_OK else { return nil }
        let backward = Int(flags.backward_size)
        guard backward > 0, backward <= payload.count - 2 * footerSize else { return nil }
        var index: OpaquePointer?
        var memlimit: UInt64 = 1 << 20
        var position = 0
        let start = payload.count - footerSize - backward
        guard lzma_index_buffer_decode(&index, &memlimit, nil, base + start, &position, backward) == LZMA_OK,
              let index else { return nil }
        defer { lzma_index_end(index, nil) }
        let size = lzma_index_uncompressed_size(index)
        return size <= UInt64(Int.max) ? Int(size) : nil
    }
}
