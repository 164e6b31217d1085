import Foundation
import HEPInference
import HTTPTypes
import Hummingbird

/// A decoded KServe v2 inference request.
struct InferRequest {
    struct RequestedOutput {
        var name: String
        var binary: Bool?
    }
    var id: String?
    var inputs: [Tensor]
    var outputs: [RequestedOutput]?
    /// Request-level `binary_data_output`.
    var binaryOutput: Bool
}

/// The KServe v2 JSON body and Triton's binary tensor extension (JSON header followed by raw tensors).
enum KServeCodec {
    static let headerLengthField = HTTPField.Name("Inference-Header-Content-Length")!

    /// Decodes a request body. `headerLength` is the `Inference-Header-Content-Length` value, when present.
    static func decodeRequest(_ body: ByteBuffer, headerLength: Int?) throws -> InferRequest {
        let bytes = Array(body.readableBytesView)
        let jsonEnd = headerLength ?? bytes.count
        guard jsonEnd >= 0, jsonEnd <= bytes.count else {
            throw APIError.badRequest("Inference-Header-Content-Length \(jsonEnd) exceeds the body (\(bytes.count) bytes)")
        }
        guard jsonEnd > 0 else {
            throw APIError.badRequest("raw binary requests (Inference-Header-Content-Length: 0) are not supported; send a JSON header")
        }
        guard let obj = FastJSON.parse(Array(bytes[0..<jsonEnd])), case .object = obj else {
            throw APIError.badRequest("malformed JSON in the inference request header")
        }
        var binaryOffset = jsonEnd
        guard let inputs = obj["inputs"]?.array, !inputs.isEmpty else {
            throw APIError.badRequest("the request needs a non-empty 'inputs' array")
        }
        var tensors: [Tensor] = []
        for input in inputs {
            guard let name = input["name"]?.string else { throw APIError.badRequest("an input has no 'name'") }
            guard let typeName = input["datatype"]?.string, let dt = TensorDataType(name: typeName) else {
                throw APIError.badRequest("input '\(name)': missing or unknown 'datatype'")
            }
            guard let shapeList = input["shape"]?.array,
                  let shapeDoubles = Optional(shapeList.compactMap(\.number)), shapeDoubles.count == shapeList.count,
                  shapeDoubles.allSatisfy({ $0 >= 0 && $0 < 9e18 && $0.rounded() == $0 })
            else {
                throw APIError.badRequest("input '\(name)': 'shape' must be a list of non-negative integers")
            }
            let shape = shapeDoubles.map { Int($0) }
            guard let count = checkedProduct(shape), checkedProduct([count, max(1, dt.byteSize)]) != nil else {
                throw APIError.badRequest("input '\(name)': shape \(shape) is too large")
            }
            if let sizeValue = input["parameters"]?["binary_data_size"]?.number {
                guard sizeValue >= 0, sizeValue <= Double(bytes.count - binaryOffset) else {
                    throw APIError.badRequest("input '\(name)': binary_data_size \(sizeValue) runs past the end of the body")
                }
                let size = Int(sizeValue)
                guard dt == .BYTES || size == count * dt.byteSize else {
                    throw APIError.badRequest("input '\(name)': \(size) binary bytes, shape \(shape) of \(dt.rawValue) needs \(count * dt.byteSize)")
                }
                tensors.append(Tensor(name: name, datatype: dt, shape: shape, data: Array(bytes[binaryOffset..<(binaryOffset + size)])))
                binaryOffset += size
            } else {
                guard let data = input["data"] else { throw APIError.badRequest("input '\(name)' has neither 'data' nor binary_data_size") }
                var flat: [FastJSON] = []
                flatten(data, into: &flat)
                guard flat.count == count else {
                    throw APIError.badRequest("input '\(name)': \(flat.count) values for shape \(shape) (\(count) expected)")
                }
                tensors.append(try tensor(name: name, datatype: dt, shape: shape, values: flat))
            }
        }
        guard binaryOffset == bytes.count else {
            throw APIError.badRequest("\(bytes.count - binaryOffset) bytes after the last binary input are not claimed by any input")
        }
        var requested: [InferRequest.RequestedOutput]?
        if let outs = obj["outputs"]?.array {
            requested = try outs.map { o in
                guard let n = o["name"]?.string else { throw APIError.badRequest("a requested output has no 'name'") }
                return .init(name: n, binary: o["parameters"]?["binary_data"]?.bool)
            }
        }
        let id: String? = obj["id"].map { v in
            switch v {
            case let .string(s): return s
            case let .number(d): return d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
            default: return ""
            }
        }
        return InferRequest(id: id, inputs: tensors, outputs: requested, binaryOutput: obj["parameters"]?["binary_data_output"]?.bool ?? false)
    }

    /// The product of `dims`, or nil when it overflows.
    static func checkedProduct(_ dims: [Int]) -> Int? {
        var p = 1
        for d in dims {
            let (r, overflow) = p.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            p = r
        }
        return p
    }

    static func flatten(_ v: FastJSON, into out: inout [FastJSON]) {
        if case let .array(a) = v { for x in a { flatten(x, into: &out) } } else { out.append(v) }
    }

    /// Builds a tensor from JSON values, checking each against the element type (null is NaN for floats).
    static func tensor(name: String, datatype: TensorDataType, shape: [Int], values: [FastJSON]) throws -> Tensor {
        func bad(_ v: FastJSON) -> APIError { APIError.badRequest("input '\(name)': \(v) is not a valid \(datatype.rawValue) value") }
        if datatype == .FP32 {
            let floats = try values.map { v -> Float in
                switch v {
                case let .number(d): return Float(d)
                case .null: return .nan
                default: throw bad(v)
                }
            }
            return Tensor(name: name, shape: shape, values: floats)
        }
        var data = [UInt8]()
        data.reserveCapacity(values.count * max(1, datatype.byteSize))
        func put<T>(_ v: T) { withUnsafeBytes(of: v) { data.append(contentsOf: $0) } }
        for v in values {
            switch (datatype, v) {
            case let (.BYTES, .string(s)):
                put(UInt32(s.utf8.count).littleEndian)
                data.append(contentsOf: s.utf8)
            case let (.BOOL, .bool(b)): put(UInt8(b ? 1 : 0))
            case let (.BOOL, .number(d)): put(UInt8(d != 0 ? 1 : 0))
            case (.FP64, .null): put(Double.nan)
            case let (.FP64, .number(d)): put(d)
            case let (.FP16, .number(d)): data.append(contentsOf: try Tensor.from(doubles: [d], name: name, datatype: .FP16, shape: [1]).data)
            case let (_, .number(d)):
                guard d.rounded() == d else { throw bad(v) }
                switch datatype {
                case .INT8: guard let x = Int8(exactly: d) else { throw bad(v) }; put(x)
                case .INT16: guard let x = Int16(exactly: d) else { throw bad(v) }; put(x)
                case .INT32: guard let x = Int32(exactly: d) else { throw bad(v) }; put(x)
                case .INT64: guard let x = Int64(exactly: d) else { throw bad(v) }; put(x)
                case .UINT8: guard let x = UInt8(exactly: d) else { throw bad(v) }; put(x)
                case .UINT16: guard let x = UInt16(exactly: d) else { throw bad(v) }; put(x)
                case .UINT32: guard let x = UInt32(exactly: d) else { throw bad(v) }; put(x)
                case .UINT64: guard let x = UInt64(exactly: d) else { throw bad(v) }; put(x)
                default: throw bad(v)
                }
            default: throw bad(v)
            }
        }
        return Tensor(name: name, datatype: datatype, shape: shape, data: data)
    }

    /// JSON text of a tensor's values, flat.
    static func jsonData(_ t: Tensor) -> String {
        var s = "["
        let generic = [.FP32, .FP64, .INT64, .INT32, .UINT64, .BOOL].contains(t.datatype) ? [] : t.doubles()
        t.data.withUnsafeBytes { raw in
            let n = t.datatype.byteSize == 0 ? 0 : raw.count / t.datatype.byteSize
            s.reserveCapacity(n * 12)
            for i in 0..<n {
                if i > 0 { s += "," }
                switch t.datatype {
                case .BOOL: s += raw.load(fromByteOffset: i, as: UInt8.self) != 0 ? "true" : "false"
                case .FP32: s += JSONBody.number(raw.loadUnaligned(fromByteOffset: 4 * i, as: Float.self))
                case .FP64: s += JSONBody.number(raw.loadUnaligned(fromByteOffset: 8 * i, as: Double.self))
                case .INT64: s += String(raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
                case .INT32: s += String(raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))
                case .UINT64: s += String(raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                default: s += JSONBody.number(generic[i])
                }
            }
        }
        return s + "]"
    }

    /// Encodes a response: JSON only, or a JSON header followed by the binary outputs.
    static func encodeResponse(model: String, version: Int, id: String?, outputs: [Tensor], binary: [Bool]) -> Response {
        var json = #"{"model_name":"# + JSONBody.quote(model) + #","model_version":""# + String(version) + "\""
        if let id { json += #","id":"# + JSONBody.quote(id) }
        json += #","outputs":["#
        var tail: [UInt8] = []
        for (k, t) in outputs.enumerated() {
            if k > 0 { json += "," }
            json += #"{"name":"# + JSONBody.quote(t.name) + #","datatype":""# + t.datatype.rawValue + #"","shape":["#
                + t.shape.map(String.init).joined(separator: ",") + "]"
            if binary[k] {
                json += #","parameters":{"binary_data_size":"# + String(t.data.count) + "}}"
                tail.append(contentsOf: t.data)
            } else {
                json += #","data":"# + jsonData(t) + "}"
            }
        }
        json += "]}"
        var headers = HTTPFields()
        if binary.contains(true) {
            let header = Array(json.utf8)
            headers[.contentType] = "application/octet-stream"
            headers[headerLengthField] = String(header.count)
            var buffer = ByteBuffer()
            buffer.reserveCapacity(header.count + tail.count)
            buffer.writeBytes(header)
            buffer.writeBytes(tail)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
        }
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}
