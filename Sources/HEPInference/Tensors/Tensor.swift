/// A named tensor: element type, shape and row-major little-endian bytes (the KServe binary layout).
public struct Tensor: Sendable, Equatable {
    public var name: String
    public var datatype: TensorDataType
    public var shape: [Int]
    public var data: [UInt8]

    public init(name: String, datatype: TensorDataType, shape: [Int], data: [UInt8]) {
        self.name = name
        self.datatype = datatype
        self.shape = shape
        self.data = data
    }

    /// A tensor from typed values (Float, Double, Int32, Int64, UInt8, Bool, ...).
    public init<T: TensorElement>(name: String, shape: [Int], values: [T]) {
        self.name = name
        datatype = T.tensorDataType
        self.shape = shape
        data = values.withUnsafeBytes { Array($0) }
    }

    /// Number of elements the shape describes.
    public var elementCount: Int { shape.reduce(1, *) }

    /// The values as `T` (nil when the element type differs).
    public func values<T: TensorElement>(_: T.Type = T.self) -> [T]? {
        guard T.tensorDataType == datatype, data.count % MemoryLayout<T>.stride == 0 else { return nil }
        let n = data.count / MemoryLayout<T>.stride
        return [T](unsafeUninitializedCapacity: n) { out, count in
            data.withUnsafeBytes { raw in
                _ = UnsafeMutableRawBufferPointer(out).copyMemory(from: raw)
            }
            count = n
        }
    }

    /// The values converted to Double, whatever the numeric element type.
    public func doubles() -> [Double] {
        data.withUnsafeBytes { raw -> [Double] in
            let n = datatype.byteSize == 0 ? 0 : raw.count / datatype.byteSize
            return (0..<n).map { i in
                switch datatype {
                case .BOOL: return raw.load(fromByteOffset: i, as: UInt8.self) != 0 ? 1 : 0
                case .UINT8: return Double(raw.load(fromByteOffset: i, as: UInt8.self))
                case .INT8: return Double(raw.load(fromByteOffset: i, as: Int8.self))
                case .UINT16: return Double(raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                case .INT16: return Double(raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))
                case .UINT32: return Double(raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
                case .INT32: return Double(raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))
                case .UINT64: return Double(raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                case .INT64: return Double(raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
                case .FP16: return Double(Float(float16Bits: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                case .FP32: return Double(raw.loadUnaligned(fromByteOffset: 4 * i, as: Float.self))
                case .FP64: return raw.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)
                case .BYTES: return 0
                }
            }
        }
    }

    /// A tensor of `datatype` holding `values` converted from Double (JSON input).
    public static func from(doubles values: [Double], name: String, datatype: TensorDataType, shape: [Int]) throws -> Tensor {
        var data = [UInt8]()
        data.reserveCapacity(values.count * datatype.byteSize)
        func put<T>(_ v: T) { withUnsafeBytes(of: v) { data.append(contentsOf: $0) } }
        for v in values {
            switch datatype {
            case .BOOL: put(UInt8(v != 0 ? 1 : 0))
            case .UINT8: put(try exact(UInt8.self, v, name))
            case .INT8: put(try exact(Int8.self, v, name))
            case .UINT16: put(try exact(UInt16.self, v, name))
            case .INT16: put(try exact(Int16.self, v, name))
            case .UINT32: put(try exact(UInt32.self, v, name))
            case .INT32: put(try exact(Int32.self, v, name))
            case .UINT64: put(try exact(UInt64.self, v, name))
            case .INT64: put(try exact(Int64.self, v, name))
            case .FP16: put(Float(v).float16Bits)
            case .FP32: put(Float(v))
            case .FP64: put(v)
            case .BYTES: throw InferenceError.invalidInput("tensor '\(name)': BYTES data must be strings")
            }
        }
        return Tensor(name: name, datatype: datatype, shape: shape, data: data)
    }

    private static func exact<T: BinaryInteger>(_: T.Type, _ v: Double, _ name: String) throws -> T {
        guard let x = T(exactly: v) else {
            throw InferenceError.invalidInput("tensor '\(name)': \(v) is not a valid \(T.self)")
        }
        return x
    }
}

/// Swift types that map to a tensor element type.
public protocol TensorElement: Sendable {
    static var tensorDataType: TensorDataType { get }
}
extension Float: TensorElement { public static var tensorDataType: TensorDataType { .FP32 } }
extension Double: TensorElement { public static var tensorDataType: TensorDataType { .FP64 } }
extension Int32: TensorElement { public static var tensorDataType: TensorDataType { .INT32 } }
extension Int64: TensorElement { public static var tensorDataType: TensorDataType { .INT64 } }
extension UInt8: TensorElement { public static var tensorDataType: TensorDataType { .UINT8 } }
extension Int8: TensorElement { public static var tensorDataType: TensorDataType { .INT8 } }
extension Bool: TensorElement { public static var tensorDataType: TensorDataType { .BOOL } }

extension Float {
    /// IEEE half-precision bits to Float.
    init(float16Bits h: UInt16) {
        let sign = UInt32(h & 0x8000) << 16
        let exp = Int((h >> 10) & 0x1F)
        let frac = UInt32(h & 0x3FF)
        if exp == 0 {
            self = (sign != 0 ? -1 : 1) * Float(frac) * Float(sign: .plus, exponent: -24, significand: 1)
        } else if exp == 31 {
            self = Float(bitPattern: sign | 0x7F80_0000 | (frac << 13))
        } else {
            self = Float(bitPattern: sign | UInt32(exp + 112) << 23 | (frac << 13))
        }
    }

    /// Float to IEEE half-precision bits (round toward zero on the mantissa).
    var float16Bits: UInt16 {
        let b = bitPattern
        let sign = UInt16((b >> 16) & 0x8000)
        let exp = Int((b >> 23) & 0xFF) - 127 + 15
        if isNaN { return sign | 0x7E00 }
        if exp >= 31 { return sign | 0x7C00 }
        if exp <= 0 { return sign }
        return sign | UInt16(exp) << 10 | UInt16((b >> 13) & 0x3FF)
    }
}

/// The declared name, element type and shape (-1 for a variable dimension) of a model input or output.
public struct TensorSpec: Sendable, Equatable {
    public var name: String
    public var datatype: TensorDataType
    public var shape: [Int]

    public init(name: String, datatype: TensorDataType, shape: [Int]) {
        self.name = name
        self.datatype = datatype
        self.shape = shape
    }

    /// Checks a request tensor against this spec: type, rank and fixed dimensions.
    public func validate(_ t: Tensor) throws {
        guard t.datatype == datatype else {
            throw InferenceError.invalidInput("input '\(name)': datatype \(t.datatype.rawValue), expected \(datatype.rawValue)")
        }
        guard t.shape.count == shape.count,
              zip(t.shape, shape).allSatisfy({ $1 < 0 || $0 == $1 }), t.shape.allSatisfy({ $0 >= 0 })
        else {
            throw InferenceError.invalidInput("input '\(name)': shape \(t.shape), expected \(shape) (-1 = any)")
        }
        if datatype != .BYTES, t.data.count != t.elementCount * datatype.byteSize {
            throw InferenceError.invalidInput(
                "input '\(name)': \(t.data.count) bytes for shape \(t.shape) of \(datatype.rawValue) (\(t.elementCount * datatype.byteSize) expected)")
        }
    }
}

/// The inputs and outputs of a model.
public struct ModelSignature: Sendable, Equatable {
    public var inputs: [TensorSpec]
    public var outputs: [TensorSpec]

    public init(inputs: [TensorSpec], outputs: [TensorSpec]) {
        self.inputs = inputs
        self.outputs = outputs
    }
}
