import Foundation
import HEPInference
import HEPJSON
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

    /// Decodes a request body. `headerLength` is the `Inference-Header-Content-Length` value, when present;
    /// `reserve` is told the size of each tensor before it is allocated (the in-flight budget).
    static func decodeRequest(_ bytes: UnsafeRawBufferPointer, headerLength: Int?, reserve: (Int) throws -> Void = { _ in }) throws -> InferRequest {
        let jsonEnd = headerLength ?? bytes.count
        guard jsonEnd >= 0, jsonEnd <= bytes.count else {
            throw APIError.badRequest("Inference-Header-Content-Length \(jsonEnd) exceeds the body (\(bytes.count) bytes)")
        }
        guard jsonEnd > 0 else {
            throw APIError.badRequest("raw binary requests (Inference-Header-Content-Length: 0) are not supported; send a JSON header")
        }
        let doc: InferRequestJSON
        do {
            doc = try InferRequestJSON.parse(UnsafeRawBufferPointer(rebasing: bytes[0..<jsonEnd]), reserve: reserve)
        } catch let e as JSONParseError {
            throw APIError.badRequest("malformed JSON in the inference request header: \(e)")
        }
        var binaryOffset = jsonEnd
        var tensors: [Tensor] = []
        for input in doc.inputs {
            guard let dt = TensorDataType(rawValue: input.datatype.rawValue) else {
                throw APIError.badRequest("input '\(input.name)': unknown datatype")
            }
            if let data = input.data {
                tensors.append(Tensor(name: input.name, datatype: dt, shape: input.shape, data: data))
                continue
            }
            let size = input.binaryDataSize ?? 0
            guard size <= bytes.count - binaryOffset else {
                throw APIError.badRequest("input '\(input.name)': binary_data_size \(size) runs past the end of the body")
            }
            guard dt == .BYTES || size == input.count * dt.byteSize else {
                throw APIError.badRequest("input '\(input.name)': \(size) binary bytes, shape \(input.shape) of \(dt.rawValue) needs \(input.count * dt.byteSize)")
            }
            try reserve(size)
            tensors.append(Tensor(name: input.name, datatype: dt, shape: input.shape,
                                  data: Array(UnsafeRawBufferPointer(rebasing: bytes[binaryOffset..<(binaryOffset + size)]))))
            binaryOffset += size
        }
        guard binaryOffset == bytes.count else {
            throw APIError.badRequest("\(bytes.count - binaryOffset) bytes after the last binary input are not claimed by any input")
        }
        return InferRequest(id: doc.id, inputs: tensors, outputs: doc.outputs?.map { .init(name: $0.name, binary: $0.binaryData) },
                            binaryOutput: doc.binaryDataOutput)
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
