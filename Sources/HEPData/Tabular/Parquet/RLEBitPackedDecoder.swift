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
        out.reserveCapacity(out.count + count)
        var remaining = count
        let byteWidth = (bitWidth + 7) / 8
        let mask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (UInt64(1) << UInt64(bitWidth)) - 1
        while remaining > 0 {
            let header = try varint()
            if header & 1 == 0 {
                let run = Int(min(header >> 1, UInt64(remaining)))
                guard header >> 1 > 0 else { throw .truncated(position: position) }
                guard bytes.count - position >= byteWidth else { throw .truncated(position: position) }
                var v: UInt32 = 0
                for k in 0..<byteWidth { v |= UInt32(bytes[position + k]) << (8 * UInt32(k)) }
                position += byteWidth
                out.append(contentsOf: repeatElement(v, count: run))
                remaining -= run
            } else {
                let groups = Int(min(header >> 1, UInt64(Int32.max)))
                guard groups > 0 else { throw .truncated(position: position) }
                let total = groups * 8
                let needed = groups * bitWidth
                let available = bytes.count - position
                // A final group may be cut short by the page end; decode only the values that are present.
                let usable = min(total, remaining)
                guard available * 8 >= usable * bitWidth else { throw .truncated(position: position) }
                if bitWidth == 0 {
                    out.append(contentsOf: repeatElement(0, count: usable))
                } else {
                    var bitPos = position * 8
                    for _ in 0..<usable {
                        let byte = bitPos >> 3
                        var word: UInt64 = 0
                        let n = min(8, bytes.count - byte)
                        for k in 0..<n { word |= UInt64(bytes[byte + k]) << (8 * UInt64(k)) }
                        out.append(UInt32((word >> UInt64(bitPos & 7)) & mask))
                        bitPos += bitWidth
                    }
                }
                position += min(needed, available)
                remaining -= usable
            }
        }
    }
}
