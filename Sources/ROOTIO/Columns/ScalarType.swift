/// Element types of numeric columns.
public enum ScalarType: String, Sendable, CaseIterable {
    case bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64

    /// Bytes per element on disk.
    public var byteSize: Int {
        switch self {
        case .bool, .int8, .uint8: return 1
        case .int16, .uint16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64: return 8
        }
    }

    public var isInteger: Bool { self != .bool && self != .float32 && self != .float64 }
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// ROOT's EDataType code (TLeafElement fType, TStreamerElement fType mod 20).
    public init?(rootDataType code: Int32) {
        switch code {
        case 1: self = .int8
        case 2: self = .int16
        case 3: self = .int32
        case 4, 16: self = .int64
        case 5: self = .float32
        case 8: self = .float64
        case 11: self = .uint8
        case 12: self = .uint16
        case 6, 13, 15: self = .uint32
        case 14, 17: self = .uint64
        case 18: self = .bool
        default: return nil
        }
    }

    /// C++ type names as they appear in `vector<...>` class names.
    public init?(cxxName: String) {
        switch cxxName.trimmingSpaces {
        case "bool", "Bool_t": self = .bool
        case "char", "Char_t", "signed char", "int8_t": self = .int8
        case "unsigned char", "UChar_t", "uint8_t": self = .uint8
        case "short", "Short_t", "int16_t": self = .int16
        case "unsigned short", "UShort_t", "uint16_t": self = .uint16
        case "int", "Int_t", "int32_t": self = .int32
        case "unsigned int", "UInt_t", "uint32_t", "unsigned": self = .uint32
        case "long", "Long_t", "long long", "Long64_t", "int64_t": self = .int64
        case "unsigned long", "ULong_t", "unsigned long long", "ULong64_t", "uint64_t": self = .uint64
        case "float", "Float_t": self = .float32
        case "double", "Double_t": self = .float64
        default: return nil
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
