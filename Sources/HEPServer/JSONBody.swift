import Foundation
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
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// A JSON number for a Double (non-finite values become null).
    static func number(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }
    static func number(_ v: Float) -> String { v.isFinite ? "\(v)" : "null" }

    /// Parses a JSON object body.
    static func object(_ bytes: ByteBuffer, what: String) throws -> [String: Any] {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView), options: [.fragmentsAllowed]) as? [String: Any]
        else {
            throw APIError.badRequest("\(what): the body is not a JSON object")
        }
        return obj
    }

    /// Serializes a JSON-compatible value (dictionaries, arrays, strings, numbers) with sorted keys.
    static func encode(_ value: Any) -> String {
        guard let d = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) else { return "null" }
        return String(decoding: d, as: UTF8.self)
    }
}
