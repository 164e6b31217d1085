import ROOTIO

/// Arrow arrays over column storage: the values and offsets of a `Column` are used in place (zero copy);
/// only booleans (bit-packed in Arrow) and the offsets of jagged arrays of fixed-size items are converted.
enum ColumnArrays {
    /// A non-null address for empty buffers (Arrow allows null only for size-0 buffers; some readers dislike it).
    nonisolated(unsafe) static let emptyBuffer: UnsafeMutableRawPointer = {
        let p = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: 64)
        return p
    }()

    /// The array of `array`'s elements, keeping the array alive.
    static func primitive<T>(_ array: [T]) -> ArrowNode {
        let base = array.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        return ArrowNode(length: Int64(array.count), buffers: [nil, array.isEmpty ? UnsafeRawPointer(emptyBuffer) : base], owners: [array])
    }

    /// Booleans bit-packed (least significant bit first), the one copy Arrow's layout needs.
    static func booleans(_ values: [Bool]) -> ArrowNode {
        var bits = [UInt8](repeating: 0, count: (values.count + 7) / 8 + 1)
        values.withUnsafeBufferPointer { v in
            bits.withUnsafeMutableBufferPointer { b in
                for i in 0..<v.count where v[i] { b[i >> 3] |= UInt8(1) << UInt8(i & 7) }
            }
        }
        let base = bits.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        return ArrowNode(length: Int64(values.count), buffers: [nil, base], owners: [bits])
    }

    static func values(_ v: ColumnValues) -> ArrowNode {
        switch v {
        case let .bool(a): return booleans(a)
        case let .int8(a): return primitive(a)
        case let .uint8(a): return primitive(a)
        case let .int16(a): return primitive(a)
        case let .uint16(a): return primitive(a)
        case let .int32(a): return primitive(a)
        case let .uint32(a): return primitive(a)
        case let .int64(a): return primitive(a)
        case let .uint64(a): return primitive(a)
        case let .float32(a): return primitive(a)
        case let .float64(a): return primitive(a)
        }
    }

    /// One column as the array `ArrowField.branch` describes.
    static func column(_ c: Column) throws -> ArrowNode {
        if let node = try StringAndNestedArrays.column(c) { return node }
        var node = values(c.values)
        let items = c.shape.reduce(1, *)
        for d in c.shape.reversed() {
            node = ArrowNode(length: node.length / Int64(max(1, d)), buffers: [nil], children: [node])
        }
        guard c.kind == .jagged else {
            guard node.length == Int64(c.entryCount) else { throw inconsistent(c, "\(node.length) rows for \(c.entryCount) entries") }
            return node
        }
        guard var offsets = c.offsets, offsets.count == c.entryCount + 1, offsets.first == 0 else {
            throw inconsistent(c, "jagged column without \(c.entryCount + 1) offsets")
        }
        if items > 1 { offsets = offsets.map { $0 / Int64(items) } }
        guard offsets.last == node.length else { throw inconsistent(c, "offsets end at \(offsets.last ?? 0), \(node.length) items") }
        let base = offsets.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        return ArrowNode(length: Int64(c.entryCount), buffers: [nil, base], children: [node], owners: [offsets])
    }

    static func inconsistent(_ c: Column, _ what: String) -> ROOTIOError {
        .malformed(file: "", object: "column '\(c.name)'", offset: c.entryStart, reason: what)
    }
}
