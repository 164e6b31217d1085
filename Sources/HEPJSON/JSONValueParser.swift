extension JSONValue {
    /// Default nesting limit of `parse`: deeper documents are refused instead of recursing further.
    public static let defaultMaxDepth = 512

    /// Parses a JSON document strictly (RFC 8259), keeping numbers as text and object member order.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { try parse(bytes: UnsafeRawBufferPointer($0), maxDepth: maxDepth) }
    }

    /// Parses a JSON document given as UTF-8 bytes.
    public static func parse(bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws -> JSONValue {
        try bytes.withUnsafeBytes { try parse(bytes: $0, maxDepth: maxDepth) }
    }

    /// Parses a JSON document given as UTF-8 bytes.
    public static func parse(bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws -> JSONValue {
        var s = JSONScanner(bytes, maxDepth: maxDepth)
        let v = try s.value(depth: 0)
        try s.finish()
        return v
    }
}

extension JSONScanner {
    /// Any value as a `JSONValue` tree (for small documents: metadata and control requests, reference files).
    mutating func value(depth: Int) throws -> JSONValue {
        switch try peek() {
        case UInt8(ascii: "{"):
            var members: [(String, JSONValue)] = []
            if try beginObject(depth: depth) {
                repeat {
                    let k = try key()
                    members.append((k, try value(depth: depth + 1)))
                } while try commaOr(UInt8(ascii: "}"))
            }
            return .object(members)
        case UInt8(ascii: "["):
            var items: [JSONValue] = []
            if try beginArray(depth: depth) {
                repeat { items.append(try value(depth: depth + 1)) } while try commaOr(UInt8(ascii: "]"))
            }
            return .array(items)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            let n = try number()
            return .number(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[n.start..<n.end]), as: UTF8.self))
        }
    }
}
