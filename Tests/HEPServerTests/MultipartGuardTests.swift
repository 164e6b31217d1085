import Foundation
import Testing
@testable import HEPServer

/// Multipart uploads that made MultipartKit trap (fuzz target `server-requests`) are 400s; valid forms,
/// including UTF-8 file names, still parse.
@Suite struct MultipartGuardTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz/upload-multipart-nonascii-header-name.bin")
    static let contentType = "multipart/form-data; boundary=hepmlfuzz"

    /// The fuzzer's reproducer: its first byte selects the multipart decoder, the rest is the body.
    @Test func fuzzReproducerIsABadRequest() throws {
        let body = Array(try Data(contentsOf: Self.fixture).dropFirst())
        do {
            _ = try RequestDecoding.upload(body, contentType: Self.contentType, contentEncoding: nil, maxInflated: 8 << 20)
            Issue.record("the reproducer was accepted")
        } catch let e as APIError {
            #expect(e.status == .badRequest)
            #expect(e.message.contains("non-ASCII byte in a part header name"))
        }
    }

    @Test func nonASCIIHeaderNameInAnyPartIsRefused() {
        let body = "--hepmlfuzz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--hepmlfuzz\r\nX-\u{e9}: 1\r\n\r\ny\r\n--hepmlfuzz--\r\n"
        #expect(throws: APIError.self) {
            try RequestDecoding.upload(Array(body.utf8), contentType: Self.contentType, contentEncoding: nil, maxInflated: 1 << 20)
        }
    }

    @Test func utf8FileNamesAndBinaryBodiesStillParse() throws {
        var body = Array("--hepmlfuzz\r\nContent-Disposition: form-data; name=\"model\"; filename=\"mod\u{e8}le.onnx\"\r\n\r\n".utf8)
        body += [0x0a, 0xff, 0x41, 0x80, 0x0a, 0x42, 0xfe, 0x3a]  // line feeds followed by bytes >= 0x80, as in model files
        body += Array("\r\n--hepmlfuzz--\r\n".utf8)
        let form = try MultipartForm(body: .init(bytes: body), boundary: "hepmlfuzz")
        #expect(form["model"]?.filename == "mod\u{e8}le.onnx")
        #expect(form["model"]?.bytes == [0x0a, 0xff, 0x41, 0x80, 0x0a, 0x42, 0xfe, 0x3a])
    }
}
