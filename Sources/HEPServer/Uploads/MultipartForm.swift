import Hummingbird
import MultipartKit

/// The parts of a `multipart/form-data` body: field name, optional file name, bytes.
struct MultipartForm {
    struct Part {
        var name: String
        var filename: String?
        var bytes: [UInt8]
    }
    var parts: [Part]

    subscript(name: String) -> Part? { parts.first { $0.name == name } }

    /// The boundary of a `multipart/form-data` content type, nil for other types.
    static func boundary(_ contentType: String?) -> String? {
        guard let ct = contentType, ct.lowercased().contains("multipart/form-data") else { return nil }
        for p in ct.split(separator: ";") {
            let kv = p.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: " ") }
            if kv.count == 2, kv[0].lowercased() == "boundary" { return kv[1].trimmingCharacters(in: "\"") }
        }
        return nil
    }

    init(body: ByteBuffer, boundary: String) throws {
        try MultipartHeaderGuard.check(body, boundary: boundary)
        let parser = MultipartParser(boundary: boundary)
        var parts: [Part] = []
        var headers: [(String, String)] = []
        var bytes: [UInt8] = []
        parser.onHeader = { headers.append(($0, $1)) }
        parser.onBody = { bytes.append(contentsOf: $0.readableBytesView) }
        parser.onPartComplete = {
            let disposition = headers.first { $0.0.lowercased() == "content-disposition" }?.1 ?? ""
            parts.append(Part(name: Self.parameter("name", in: disposition) ?? "", filename: Self.parameter("filename", in: disposition),
                              bytes: bytes))
            headers = []
            bytes = []
        }
        do {
            try parser.execute(body)
        } catch {
            throw APIError.badRequest("malformed multipart/form-data body: \(error)")
        }
        self.parts = parts
    }

    /// `name="value"` from a Content-Disposition header.
    static func parameter(_ key: String, in header: String) -> String? {
        for p in header.split(separator: ";") {
            let kv = p.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: " ") }
            if kv.count == 2, kv[0].lowercased() == key { return kv[1].trimmingCharacters(in: "\"") }
        }
        return nil
    }
}
