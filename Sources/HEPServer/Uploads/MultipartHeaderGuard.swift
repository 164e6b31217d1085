#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// Refuses a `multipart/form-data` body whose part headers have a non-ASCII byte in a header name, before
/// MultipartKit sees it: MultipartKit 4.7.1 looks such a byte up in a 128-entry table and traps (found by the
/// `server-requests` fuzzer). Header names are ASCII tokens (RFC 7230), so no valid upload is refused; header
/// values (UTF-8 file names) are not checked.
enum MultipartHeaderGuard {
    /// Throws a 400 `APIError` when a header name after any `--boundary` line holds a byte ≥ 0x80.
    static func check(_ body: ByteBuffer, boundary: String) throws {
        let marker = Array("--\(boundary)".utf8)
        guard !marker.isEmpty else { return }
        try body.withUnsafeReadableBytes { bytes in
            var start = 0
            while let hit = find(marker, in: bytes, from: start) {
                let headersStart = hit + marker.count
                let end = headersEnd(in: bytes, from: headersStart)
                if let offset = nonASCIIHeaderName(in: bytes, from: headersStart, to: end) {
                    throw APIError.badRequest("malformed multipart/form-data body: non-ASCII byte in a part header name at offset \(offset)")
                }
                // The parser stays in the header block up to its end, so later markers inside it start nothing.
                start = max(headersStart, end)
            }
        }
    }

    /// Where a part's header block ends: at the first CR LF CR (a header line ended, then an empty line begins),
    /// or at the end of the body.
    static func headersEnd(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var i = start
        while i + 2 < bytes.count {
            if bytes[i] == 13, bytes[i + 1] == 10, bytes[i + 2] == 13 { return i + 3 }
            i += 1
        }
        return bytes.count
    }

    /// The offset of the first byte ≥ 0x80 in a header name: the run of bytes after a line feed up to the
    /// first `:`, CR or LF.
    static func nonASCIIHeaderName(in bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Int? {
        var i = start
        var inName = false
        while i < end {
            let b = bytes[i]
            if b == 10 {
                inName = true
            } else if inName {
                if b >= 0x80 { return i }
                if b == UInt8(ascii: ":") || b == 13 { inName = false }
            }
            i += 1
        }
        return nil
    }

    /// The first occurrence of `needle` in `bytes` at or after `from` (memchr for its first byte, then a compare).
    static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard let base = bytes.baseAddress, let first = needle.first else { return nil }
        var i = from
        while i + needle.count <= bytes.count {
            guard let hit = memchr(base + i, Int32(first), bytes.count - i) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(hit))
            guard at + needle.count <= bytes.count else { return nil }
            if memcmp(base + at, needle, needle.count) == 0 { return at }
            i = at + 1
        }
        return nil
    }
}
