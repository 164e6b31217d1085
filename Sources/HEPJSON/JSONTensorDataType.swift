/// KServe v2 tensor element types, as named in requests (`FP32`, also Triton's `TYPE_FP32` and `STRING`).
public enum JSONTensorDataType: String, Sendable, CaseIterable {
    case BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES

    /// Parses `FP32`, `TYPE_FP32` or `STRING` (= `BYTES`).
    public init?(name: String) {
        var n = Substring(name)
        if n.hasPrefix("TYPE_") { n = n.dropFirst(5) }
        self.init(rawValue: n == "STRING" ? "BYTES" : String(n))
    }

    /// Bytes per element in the little-endian buffer (BYTES: 0, variable).
    public var byteSize: Int {
        switch self {
        case .BOOL, .UINT8, .INT8: return 1
        case .UINT16, .INT16, .FP16: return 2
        case .UINT32, .INT32, .FP32: return 4
        case .UINT64, .INT64, .FP64: return 8
        case .BYTES: return 0
        }
    }
}
