extension JSONScanner {
    /// Reads a tensor's `data` value — nested arrays (flattened in row-major order) or a single scalar — of
    /// exactly `count` elements straight into a little-endian buffer of `type`. `null` is NaN for the
    /// floating-point types (hepml's padding convention). `reserve` is told the buffer size before it is
    /// allocated (BYTES: as it grows), so a caller can refuse it.
    mutating func tensorData(type: JSONTensorDataType, count: Int, name: String, depth: Int,
                             reserve: (Int) throws -> Void) throws -> [UInt8] {
        // Every value takes at least one byte plus a separator: a count the rest of the body cannot hold is
        // refused before anything is allocated.
        let room = (self.count - i) / 2 + 1
        guard count <= room else {
            throw JSONRequestError("input '\(name)': its shape needs \(count) values, more than the body can hold")
        }
        var writer = TensorWriter(type: type, expected: count, name: name)
        if type == .BYTES {
            try reserve(count * 4)
            var out = [UInt8]()
            try flatValues(depth: depth) { s in
                try writer.next(at: s.i)
                guard try s.peek() == UInt8(ascii: "\"") else { throw writer.invalid(at: s.i) }
                let text = try s.string()
                try reserve(text.utf8.count)
                withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian) { out.append(contentsOf: $0) }
                out.append(contentsOf: text.utf8)
            }
            try writer.complete()
            return out
        }
        let size = count * type.byteSize
        try reserve(size)
        var out = [UInt8](repeating: 0, count: size)
        try out.withUnsafeMutableBytes { raw in
            try flatValues(depth: depth) { s in
                let k = writer.written
                try writer.next(at: s.i)
                try s.element(type, into: raw, index: k, writer: writer)
            }
        }
        try writer.complete()
        return out
    }

    /// Calls `body` for each scalar of a (nested) array, or once for a scalar.
    private mutating func flatValues(depth: Int, _ body: (inout JSONScanner) throws -> Void) throws {
        if try peek() == UInt8(ascii: "[") {
            if try beginArray(depth: depth) {
                repeat { try flatValues(depth: depth + 1, body) } while try commaOr(UInt8(ascii: "]"))
            }
        } else {
            try body(&self)
        }
    }

    /// Reads one scalar of `type` and stores it at element `index`.
    @inline(__always)
    private mutating func element(_ type: JSONTensorDataType, into raw: UnsafeMutableRawBufferPointer, index k: Int,
                                  writer: TensorWriter) throws {
        let start = i
        let c = try peek()
        if c == UInt8(ascii: "n") {
            try literal("null")
            switch type {
            case .FP32: raw.storeBytes(of: Float.nan, toByteOffset: 4 * k, as: Float.self)
            case .FP64: raw.storeBytes(of: Double.nan, toByteOffset: 8 * k, as: Double.self)
            case .FP16: raw.storeBytes(of: UInt16(0x7E00).littleEndian, toByteOffset: 2 * k, as: UInt16.self)
            default: throw writer.invalid(at: start)
            }
            return
        }
        if type == .BOOL, c == UInt8(ascii: "t") || c == UInt8(ascii: "f") {
            try literal(c == UInt8(ascii: "t") ? "true" : "false")
            raw.storeBytes(of: c == UInt8(ascii: "t") ? 1 : 0, toByteOffset: k, as: UInt8.self)
            return
        }
        guard c == UInt8(ascii: "-") || isDigit(c) else { throw writer.invalid(at: start) }
        let n = try number()
        switch type {
        case .FP32: raw.storeBytes(of: Float(n.double(in: bytes)), toByteOffset: 4 * k, as: Float.self)
        case .FP64: raw.storeBytes(of: n.double(in: bytes), toByteOffset: 8 * k, as: Double.self)
        case .FP16: raw.storeBytes(of: Self.halfBits(Float(n.double(in: bytes))).littleEndian, toByteOffset: 2 * k, as: UInt16.self)
        case .BOOL: raw.storeBytes(of: n.double(in: bytes) != 0 ? 1 : 0, toByteOffset: k, as: UInt8.self)
        case .INT8, .INT16, .INT32, .INT64:
            guard let v = n.int64(in: bytes) else { throw writer.invalid(at: start) }
            switch type {
            case .INT8: guard let x = Int8(exactly: v) else { throw writer.invalid(at: start) }; raw.storeBytes(of: x, toByteOffset: k, as: Int8.self)
            case .INT16: guard let x = Int16(exactly: v) else { throw writer.invalid(at: start) }; raw.storeBytes(of: x.littleEndian, toByteOffset: 2 * k, as: Int16.self)
            case .INT32: guard let x = Int32(exactly: v) else { throw writer.invalid(at: start) }; raw.storeBytes(of: x.littleEndian, toByteOffset: 4 * k, as: Int32.self)
            default: raw.storeBytes(of: v.littleEndian, toByteOffset: 8 * k, as: Int64.self)
            }
        case .UINT8, .UINT16, .UINT32, .UINT64:
            guard let v = n.uint64(in: bytes) else { throw writer.invalid(at: start) }
            switch type {
            case .UINT8: guard let x = UInt8(exactly: v) else { throw writer.invalid(at: start) }; raw.storeBytes(of: x, toByteOffset: k, as: UInt8.self)
            case .UINT16: guard let x = UInt16(exactly: v) else { throw writer.invalid(at: start) }; raw.storeBytes(of: x.littleEndian, toByteOffset: 2 * k, as: UInt16.self)
            case .UINT32: guard let x = UInt32(exactly: v) else { throw writer.invalid(at: start) }; raw.storeBytes(of: x.littleEndian, toByteOffset: 4 * k, as: UInt32.self)
            default: raw.storeBytes(of: v.littleEndian, toByteOffset: 8 * k, as: UInt64.self)
            }
        case .BYTES: throw writer.invalid(at: start)
        }
    }

    /// IEEE 754 binary16 bits of `f`, rounded to nearest even.
    static func halfBits(_ f: Float) -> UInt16 {
        let b = f.bitPattern
        let sign = UInt16((b >> 16) & 0x8000)
        let exp = Int((b >> 23) & 0xFF)
        let mant = b & 0x7F_FFFF
        if exp == 0xFF { return sign | 0x7C00 | (mant != 0 ? 0x200 : 0) }
        let e = exp - 127 + 15
        if e >= 0x1F { return sign | 0x7C00 }
        if e <= 0 {
            guard e >= -10 else { return sign }
            let m = mant | 0x80_0000
            let shift = UInt32(14 - e)
            var half = m >> shift
            let rem = m & ((1 << shift) - 1)
            let halfway = UInt32(1) << (shift - 1)
            if rem > halfway || (rem == halfway && half & 1 == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = UInt32(e) << 10 | (mant >> 13)
        let rem = mant & 0x1FFF
        if rem > 0x1000 || (rem == 0x1000 && half & 1 == 1) { half += 1 }
        return sign | UInt16(half)
    }
}

/// Counts the values of one tensor against its shape and names the tensor in errors.
struct TensorWriter {
    let type: JSONTensorDataType
    let expected: Int
    let name: String
    var written = 0

    mutating func next(at offset: Int) throws {
        guard written < expected else {
            throw JSONRequestError("input '\(name)': more than the \(expected) values its shape needs (at byte \(offset))")
        }
        written += 1
    }

    func complete() throws {
        guard written == expected else {
            throw JSONRequestError("input '\(name)': \(written) values for a shape of \(expected) elements")
        }
    }

    func invalid(at offset: Int) -> JSONRequestError {
        JSONRequestError("input '\(name)': the value at byte \(offset) is not a valid \(type.rawValue) value")
    }
}
