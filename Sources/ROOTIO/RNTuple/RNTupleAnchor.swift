/// The `ROOT::RNTuple` key payload: format version and the links to the header and footer envelopes.
public struct RNTupleAnchor: Sendable, Equatable {
    public var epoch: UInt16, major: UInt16, minor: UInt16, patch: UInt16
    public var seekHeader: Int64, nbytesHeader: Int, lenHeader: Int
    public var seekFooter: Int64, nbytesFooter: Int, lenFooter: Int
    public var maxKeySize: UInt64

    /// Decodes the anchor (big-endian, like every TKey payload) and checks its XXH3 checksum and its
    /// envelope ranges against the file size.
    static func read(_ c: inout ByteCursor, fileSize: Int64) throws -> RNTupleAnchor {
        let h = try c.versionHeader()
        guard h.version >= 2 else {
            throw ROOTIOError.unsupported(file: c.file, object: c.object, reason: "ROOT::RNTuple class version \(h.version)")
        }
        let fieldsStart = c.position
        let epoch = try c.u16(), major = try c.u16(), minor = try c.u16(), patch = try c.u16()
        let values = try (0..<7).map { _ in try c.u64() }
        let fieldsEnd = c.position
        let stored = try c.u64()
        let computed = XXHash.xxh3(Array(c.bytes[fieldsStart..<fieldsEnd]))
        guard stored == computed else {
            throw ROOTIOError.checksumMismatch(file: c.file, object: c.object + " anchor", offset: Int64(fieldsEnd),
                                               expected: stored, found: computed)
        }
        guard epoch == 1 else {
            throw ROOTIOError.unsupported(file: c.file, object: c.object, reason: "RNTuple format epoch \(epoch) (1 is read)")
        }
        for (name, seek, nbytes, len) in [("header", values[0], values[1], values[2]), ("footer", values[3], values[4], values[5])] {
            guard seek <= UInt64(fileSize), nbytes <= UInt64(fileSize) - seek, nbytes > 0, len >= 16,
                  len <= UInt64(Int32.max)
            else {
                throw ROOTIOError.malformed(file: c.file, object: c.object + " anchor", offset: Int64(fieldsStart),
                                            reason: "\(name) at \(seek), \(nbytes) bytes (\(len) uncompressed) in a file of \(fileSize) bytes")
            }
        }
        return RNTupleAnchor(epoch: epoch, major: major, minor: minor, patch: patch,
                             seekHeader: Int64(values[0]), nbytesHeader: Int(values[1]), lenHeader: Int(values[2]),
                             seekFooter: Int64(values[3]), nbytesFooter: Int(values[4]), lenFooter: Int(values[5]),
                             maxKeySize: values[6])
    }
}
