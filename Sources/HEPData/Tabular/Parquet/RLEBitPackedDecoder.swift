/// Decodes Parquet's RLE/bit-packed hybrid encoding (definition and repetition levels, dictionary indices):
/// runs whose varint header's low bit selects a repeated value (`count << 1`) or groups of 8 values packed
/// LSB-first at `bitWidth` bits (`groups << 1 | 1`).
struct RLEBitPackedDecoder {
    enum Failure: Error, Equatable {
        case truncated(position: Int)
        case badBitWidth(Int)
    }

    let bytes: UnsafeRawBufferPointer
    let bitWidth: Int
    private var position = 0

    init(_ bytes: UnsafeRawBufferPointer, bitWidth: Int) throws(Failure) {
        guard (0...32).contains(bitWidth) else { throw .badBitWidth(bitWidth) }
        self.bytes = bytes
        self.bitWidth = bitWidth
    }

    private mutating func varint() throws(Failure) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count, shift < 64 else { throw .truncated(position: position) }
            let b = bytes[position]
            position += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Decodes exactly `count` values into `out` (appended). Bit-packed groups may hold padding values beyond
    /// `count`; they are dropped.
    mutating func decode(count: Int, into out: inout [UInt32]) throws(Failure) {
        guard count > 0 else { return }
        var failure: Failure?
        let values = [UInt32](unsafeUninitializedCapacity: count) { b, n in
            do throws(Failure) {
                try decode(count: count, into: b.baseAddress!)
                n = count
            } catch {
                failure = error
                n = 0
            }
        }
        if let failure { throw failure }
        out.append(contentsOf: values)
    }

    /// Decodes exactly `count` values into `out[0..<count]`, truncated to `O` (callers check the range).
    mutating func decode<O: FixedWidthInteger>(count: Int, into out: UnsafeMutablePointer<O>) throws(Failure) {
        let w = bitWidth
        let byteWidth = (w + 7) / 8
        let mask: UInt64 = (UInt64(1) << UInt64(w)) &- 1
        var done = 0
        while done < count {
            let header = try varint()
            if header & 1 == 0 {
                guard header >> 1 > 0, bytes.count - position >= byteWidth else { throw .truncated(position: position) }
                let run = Int(min(header >> 1, UInt64(count - done)))
                var v: UInt64 = 0
                for k in 0..<byteWidth { v |= UInt64(bytes[position + k]) << UInt64(8 * k) }
                position += byteWidth
                (out + done).update(repeating: O(truncatingIfNeeded: v), count: run)
                done += run
            } else {
                let groups = Int(min(header >> 1, UInt64(Int32.max)))
                guard groups > 0 else { throw .truncated(position: position) }
                let available = bytes.count - position
                // A final group may be cut short by the page end; decode only the values that are present.
                let usable = min(groups * 8, count - done)
                guard available * 8 >= usable * w else { throw .truncated(position: position) }
                let dst = out + done
                if w == 0 {
                    dst.update(repeating: 0, count: usable)
                } else if let base = bytes.baseAddress {
                    let src = base + position
                    var i = 0
                    var bit = 0
                    if O.self == UInt8.self && (w == 1 || w == 2) {
                        // Levels: whole groups through a table, one source byte to 8 (or 4) output bytes.
                        i = usable & ~7
                        bit = i * w
                        Self.unpackSmallWidth(src, groups: i / 8, width: w, into: UnsafeMutableRawPointer(dst))
                    }
                    // Values whose 8-byte window lies inside the buffer take one unaligned load each.
                    let fast = available >= 8 ? min(usable, (available - 8) * 8 / w + 1) : 0
                    while i < fast {
                        let word = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
                        dst[i] = O(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
                        i += 1
                        bit += w
                    }
                    while i < usable {
                        let byte = bit >> 3
                        var word: UInt64 = 0
                        for k in 0..<min(8, available - byte) { word |= UInt64(src.load(fromByteOffset: byte + k, as: UInt8.self)) << UInt64(8 * k) }
                        dst[i] = O(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
                        i += 1
                        bit += w
                    }
                }
                position += min(groups * w, available)
                done += usable
            }
        }
    }

    /// Byte `b` spread to 8 one-bit values (one per byte, LSB first).
    private static let spread1: [UInt64] = (0..<256).map { (b: Int) -> UInt64 in
        var v: UInt64 = 0
        for k in 0..<8 where b >> k & 1 == 1 { v |= UInt64(1) << UInt64(8 * k) }
        return v
    }
    /// Byte `b` spread to 4 two-bit values.
    private static let spread2: [UInt32] = (0..<256).map { (b: Int) -> UInt32 in
        var v: UInt32 = 0
        for k in 0..<4 { v |= UInt32(b >> (2 * k) & 3) << UInt32(8 * k) }
        return v
    }

    /// `groups` bit-packed groups of 8 values at 1 or 2 bits, one byte per value.
    private static func unpackSmallWidth(_ src: UnsafeRawPointer, groups: Int, width: Int, into dst: UnsafeMutableRawPointer) {
        if width == 1 {
            spread1.withUnsafeBufferPointer { table in
                for g in 0..<groups {
                    dst.storeBytes(of: table[Int(src.load(fromByteOffset: g, as: UInt8.self))], toByteOffset: 8 * g, as: UInt64.self)
                }
            }
        } else {
            spread2.withUnsafeBufferPointer { table in
                for k in 0..<(2 * groups) {
                    dst.storeBytes(of: table[Int(src.load(fromByteOffset: k, as: UInt8.self))], toByteOffset: 4 * k, as: UInt32.self)
                }
            }
        }
    }
}
