/// The column (on-disk element) types of RNTuple format 1.0.
public enum RNTupleColumnType: UInt16, Sendable {
    case bit = 0x00, byte = 0x01, char = 0x02, int8 = 0x03, uint8 = 0x04, int16 = 0x05, uint16 = 0x06
    case int32 = 0x07, uint32 = 0x08, int64 = 0x09, uint64 = 0x0A, real16 = 0x0B, real32 = 0x0C, real64 = 0x0D
    case index32 = 0x0E, index64 = 0x0F, switchColumn = 0x10
    case splitInt16 = 0x11, splitUInt16 = 0x12, splitInt32 = 0x13, splitUInt32 = 0x14, splitInt64 = 0x15
    case splitUInt64 = 0x16, splitReal16 = 0x17, splitReal32 = 0x18, splitReal64 = 0x19
    case splitIndex32 = 0x1A, splitIndex64 = 0x1B, real32Trunc = 0x1C, real32Quant = 0x1D

    /// The type decoded pages hold (index columns decode to 64-bit cluster-relative offsets; 16-bit and
    /// truncated/quantized reals to float32; bits to one byte per bool). Nil for switch columns.
    var decodedType: ScalarType? {
        switch self {
        case .bit: return .bool
        case .byte, .uint8: return .uint8
        case .char, .int8: return .int8
        case .int16, .splitInt16: return .int16
        case .uint16, .splitUInt16: return .uint16
        case .int32, .splitInt32: return .int32
        case .uint32, .splitUInt32: return .uint32
        case .int64, .splitInt64, .index32, .index64, .splitIndex32, .splitIndex64: return .int64
        case .uint64, .splitUInt64: return .uint64
        case .real16, .splitReal16, .real32, .splitReal32, .real32Trunc, .real32Quant: return .float32
        case .real64, .splitReal64: return .float64
        case .switchColumn: return nil
        }
    }

    /// Whether this is an offset column of a collection.
    var isIndex: Bool { self == .index32 || self == .index64 || self == .splitIndex32 || self == .splitIndex64 }

    /// Bits per element on disk: fixed by the type, or the column's bitsOnStorage for truncated/quantized reals.
    func bitsPerElement(declared: Int) -> Int? {
        switch self {
        case .bit: return 1
        case .byte, .char, .int8, .uint8: return 8
        case .int16, .uint16, .splitInt16, .splitUInt16, .real16, .splitReal16: return 16
        case .int32, .uint32, .splitInt32, .splitUInt32, .real32, .splitReal32, .index32, .splitIndex32: return 32
        case .int64, .uint64, .splitInt64, .splitUInt64, .real64, .splitReal64, .index64, .splitIndex64: return 64
        case .switchColumn: return 96
        case .real32Trunc: return (10...31).contains(declared) ? declared : nil
        case .real32Quant: return (1...32).contains(declared) ? declared : nil
        }
    }
}
