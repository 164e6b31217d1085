import Foundation
import HEPJSON
import Hummingbird

/// Small helpers to read JSON requests and write JSON responses without intermediate models.
enum JSONBody {
    static func response(status: HTTPResponse.Status = .ok, json: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    static func response(status: HTTPResponse.Status = .ok, bytes: [UInt8], contentType: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A JSON string literal.
    static func quote(_ s: String) -> String {
        var out = ""
        JSONValue.escape(s, into: &out)
        return out
    }

    /// A JSON number for a Double (non-finite values become null).
    static func number(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }
    static func number(_ v: Float) -> String { v.isFinite ? "\(v)" : "null" }

    /// A response with an `Encodable` body (metadata and control answers).
    static func response(status: HTTPResponse.Status = .ok, body: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(body) else {
            return response(status: .internalServerError, json: #"{"error":"response could not be encoded"}"#)
        }
        return response(status: status, bytes: [UInt8](data), contentType: "application/json")
    }

    /// Parses a small JSON object body (control requests) strictly.
    static func object(_ bytes: ByteBuffer, what: String) throws -> JSONValue {
        let value: JSONValue
        do {
            value = try bytes.withUnsafeReadableBytes { try JSONValue.parse(bytes: $0, maxDepth: 32) }
        } catch let e as JSONParseError {
            throw APIError.badRequest("\(what): \(e)")
        }
        guard case .object = value else { throw APIError.badRequest("\(what): the body is not a JSON object") }
        return value
    }
}
