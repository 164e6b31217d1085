import CCodecsSnappy
import Foundation

/// Reads every key/value entry of a LevelDB-format table (an SSTable), the format of a TensorBundle's
/// `.index` file: a 48-byte footer (metaindex and index block handles, magic), an index block whose values are
/// handles of the data blocks, and blocks of prefix-compressed entries followed by a restart array; each block
/// has a 5-byte trailer (compression type, checksum), snappy-compressed when the type is 1.
enum SSTableReader {
    static let magic: UInt64 = 0xdb47_7524_8b80_fb57
    /// A table entry bound (an index of more would not be a model's variables).
    static let maxEntries = 1_000_000

    static func entries(_ data: [UInt8], file: String) throws -> [(key: [UInt8], value: [UInt8])] {
        func fail(_ why: String) -> NativeEngineError { .malformedModel("\(file): \(why)") }
        guard data.count >= 48 else { throw fail("too short for a table footer") }
        var magicValue: UInt64 = 0
        for k in 0..<8 { magicValue |= UInt64(data[data.count - 8 + k]) << (8 * k) }
        guard magicValue == magic else { throw fail("not a LevelDB table (bad magic)") }
        var footer = ByteCursor(data, start: data.count - 48, end: data.count - 8)
        _ = try footer.handle(file)
        let index = try footer.handle(file)
        var out = [(key: [UInt8], value: [UInt8])]()
        for (_, handle) in try blockEntries(try block(data, index, file: file), file: file) {
            var c = ByteCursor(handle, start: 0, end: handle.count)
            for entry in try blockEntries(try block(data, try c.handle(file), file: file), file: file) {
                out.append(entry)
                guard out.count <= maxEntries else { throw fail("more than \(maxEntries) entries") }
            }
        }
        return out
    }

    /// A block's contents (uncompressed).
    private static func block(_ data: [UInt8], _ h: (offset: Int, size: Int), file: String) throws -> [UInt8] {
        guard h.offset >= 0, h.size >= 0, h.offset <= data.count, h.size + 5 <= data.count - h.offset else {
            throw NativeEngineError.malformedModel("\(file): block at \(h.offset) (+\(h.size)) is outside the file")
        }
        let raw = Array(data[h.offset..<(h.offset + h.size)])
        switch data[h.offset + h.size] {
        case 0: return raw
        case 1: return try uncompressSnappy(raw, file: file)
        case let t: throw NativeEngineError.malformedModel("\(file): block compression type \(t) is not supported")
        }
    }

    private static func uncompressSnappy(_ raw: [UInt8], file: String) throws -> [UInt8] {
        try raw.withUnsafeBufferPointer { src -> [UInt8] in
            let p = UnsafeRawPointer(src.baseAddress!).assumingMemoryBound(to: CChar.self)
            var length = 0
            guard snappy_uncompressed_length(p, src.count, &length) == SNAPPY_OK, length <= 1 << 30 else {
                throw NativeEngineError.malformedModel("\(file): bad snappy block")
            }
            var out = [UInt8](repeating: 0, count: length)
            let ok = out.withUnsafeMutableBufferPointer { dst in
                snappy_uncompress(p, src.count, UnsafeMutableRawPointer(dst.baseAddress!).assumingMemoryBound(to: CChar.self), &length)
            }
            guard ok == SNAPPY_OK else { throw NativeEngineError.malformedModel("\(file): bad snappy block") }
            return Array(out.prefix(length))
        }
    }

    /// The entries of one block: keys share a prefix with the previous key.
    private static func blockEntries(_ b: [UInt8], file: String) throws -> [(key: [UInt8], value: [UInt8])] {
        guard b.count >= 4 else { throw NativeEngineError.malformedModel("\(file): block too short") }
        let restarts = Int(UInt32(b[b.count - 4]) | UInt32(b[b.count - 3]) << 8 | UInt32(b[b.count - 2]) << 16 | UInt32(b[b.count - 1]) << 24)
        guard restarts <= (b.count - 4) / 4 else { throw NativeEngineError.malformedModel("\(file): bad restart count") }
        let end = b.count - 4 - 4 * restarts
        var c = ByteCursor(b, start: 0, end: end)
        var key = [UInt8]()
        var out = [(key: [UInt8], value: [UInt8])]()
        while c.position < end {
            let shared = try c.varint(file), unshared = try c.varint(file), valueLength = try c.varint(file)
            guard shared <= key.count else { throw NativeEngineError.malformedModel("\(file): bad key prefix") }
            key = Array(key[..<shared]) + (try c.bytes(unshared, file))
            out.append((key, try c.bytes(valueLength, file)))
        }
        return out
    }
}

/// Reads varints and byte runs from a range of a byte array, never past its end.
struct ByteCursor {
    let data: [UInt8]
    var position: Int
    let end: Int

    init(_ data: [UInt8], start: Int, end: Int) {
        self.data = data
        position = start
        self.end = min(end, data.count)
    }

    mutating func varint(_ file: String) throws -> Int {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end, shift < 64 else { throw NativeEngineError.malformedModel("\(file): truncated varint") }
            let byte = data[position]
            position += 1
            v |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        guard v <= UInt64(Int.max) else { throw NativeEngineError.malformedModel("\(file): varint out of range") }
        return Int(v)
    }

    mutating func bytes(_ n: Int, _ file: String) throws -> [UInt8] {
        guard n >= 0, n <= end - position else { throw NativeEngineError.malformedModel("\(file): truncated entry") }
        defer { position += n }
        return Array(data[position..<(position + n)])
    }

    mutating func handle(_ file: String) throws -> (offset: Int, size: Int) { (try varint(file), try varint(file)) }
}
