/// Element types of inference tensors, named as in the KServe v2 protocol.
public enum TensorDataType: String, Sendable, CaseIterable, Codable {
    case BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES

    /// Bytes per element (BYTES elements are variable: 0).
    public var byteSize: Int {
        switch self {
        case .BOOL, .UINT8, .INT8: return 1
        case .UINT16, .INT16, .FP16: return 2
        case .UINT32, .INT32, .FP32: return 4
        case .UINT64, .INT64, .FP64: return 8
        case .BYTES: return 0
        }
    }

    /// The Triton model-config name (`TYPE_FP32`, ...).
    public var configName: String { self == .BYTES ? "TYPE_STRING" : "TYPE_\(rawValue)" }

    /// Parses `FP32` or `TYPE_FP32`.
    public init?(name: String) {
        var n = name
        if n.hasPrefix("TYPE_") { n.removeFirst(5) }
        if n == "STRING" { n = "BYTES" }
        self.init(rawValue: n)
    }
}
