/// A TBasket serialized inside its branch (`fBaskets`): uncompressed data with its entry offsets.
public struct EmbeddedBasket: Sendable {
    public var entries: Int
    public var keylen: Int
    /// Entry data (the part after the copied key header).
    public var data: [UInt8]
    /// Byte offset of each entry in `data` plus the end (entries + 1 values), when the basket has them.
    public var byteOffsets: [Int32]?

    static func read(_ c: inout ByteCursor) throws -> EmbeddedBasket {
        let key = try Key(from: &c)
        let h = try c.versionHeader()
        _ = h
        _ = try c.i32()  // fBufferSize
        var nevBufSize = try c.i32()
        if nevBufSize < 0 {
            nevBufSize = -nevBufSize
            _ = try c.u8()  // fIOBits
        }
        let nevBuf = try c.i32()
        let last = try c.i32()
        var flag = Int(try c.u8())
        guard nevBuf >= 0, last >= Int32(key.keylen) else {
            throw c.malformed("embedded basket with fNevBuf \(nevBuf), fLast \(last), fKeylen \(key.keylen)")
        }
        var mustGenerate = false
        if flag >= 80 { mustGenerate = true; flag -= 80 }
        var rawOffsets: [Int32]?
        if !mustGenerate, flag != 0, flag % 10 != 2, nevBuf > 0 {
            let n = try c.i32()
            guard n >= 0, Int(n) <= c.remaining / 4 else { throw c.malformed("entry-offset count \(n)") }
            var offs = try (0..<Int(n)).map { _ in try c.i32() }
            if flag > 20, flag < 40 { offs = offs.map { $0 & ~Int32(bitPattern: 0xFF00_0000) } }
            rawOffsets = offs
        }
        if flag > 40 {
            let n = try c.i32()
            guard n >= 0, Int(n) <= c.remaining / 4 else { throw c.malformed("displacement count \(n)") }
            try c.skip(Int(n) * 4)
        }
        var data: [UInt8] = []
        let keylen = Int(key.keylen)
        if flag == 1 || flag > 10 {
            let raw = try c.bytes(Int(last))
            data = Array(raw.dropFirst(keylen))
        }
        var byteOffsets: [Int32]?
        if let raw = rawOffsets, raw.count >= Int(nevBuf) {
            var offs = raw.prefix(Int(nevBuf)).map { $0 - Int32(keylen) }
            offs.append(Int32(data.count))
            byteOffsets = offs
        }
        return EmbeddedBasket(entries: Int(nevBuf), keylen: keylen, data: data, byteOffsets: byteOffsets)
    }
}
