/// RNTuple envelope kinds (the low 16 bits of an envelope's first word).
enum EnvelopeType: UInt16 {
    case header = 1, footer = 2, pageList = 3
}

/// Reading an envelope: decompress, then check its type, length and XXH3 checksum.
enum Envelope {
    /// The envelope's payload as a cursor positioned after the type/length word and ending before the checksum.
    static func read(_ type: EnvelopeType, link: EnvelopeLink, source: ByteSource, what: String) async throws -> EnvelopeCursor {
        let file = source.name
        let loc = link.location
        guard loc.offset >= 0, loc.count > 0, loc.offset <= source.size, Int64(loc.count) <= source.size - loc.offset else {
            throw ROOTIOError.malformed(file: file, object: what, offset: loc.offset,
                                        reason: "\(loc.count) bytes at \(loc.offset) in a file of \(source.size) bytes")
        }
        guard link.length >= 16, link.length <= 1 << 30 else {
            throw ROOTIOError.malformed(file: file, object: what, offset: loc.offset, reason: "envelope length \(link.length)")
        }
        let raw = try await source.read(offset: loc.offset, count: loc.count)
        let bytes = try RNTuplePage.inflate(raw[...], uncompressedSize: link.length, file: file, object: what,
                                            fileOffset: loc.offset)
        let word = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        let found = UInt16(truncatingIfNeeded: word)
        let length = Int(word >> 16)
        guard found == type.rawValue else {
            throw ROOTIOError.malformed(file: file, object: what, offset: loc.offset,
                                        reason: "envelope type \(found), expected \(type.rawValue)")
        }
        guard length == bytes.count else {
            throw ROOTIOError.malformed(file: file, object: what, offset: loc.offset,
                                        reason: "envelope says \(length) bytes, its link says \(bytes.count)")
        }
        let stored = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)) }
        let computed = bytes.withUnsafeBytes { XXHash.xxh3(UnsafeRawBufferPointer(rebasing: $0[0..<(length - 8)])) }
        guard stored == computed else {
            throw ROOTIOError.checksumMismatch(file: file, object: what + " envelope", offset: loc.offset, expected: stored,
                                               found: computed)
        }
        return EnvelopeCursor(bytes: bytes, start: 8, end: length - 8, file: file, object: what)
    }
}
