import FuzzSupport
import HEPJSON
import HEPServer

/// Request bodies a client sends to the server. The first byte picks the decoder:
/// 0 KServe v2 JSON infer body, 1 KServe binary-tensor body (the next two bytes, little-endian, are the
/// `Inference-Header-Content-Length`), 2 TFaaS `/json` body, 3 any JSON document (control endpoints),
/// 4 multipart `/upload` form (boundary `hepmlfuzz`), 5 tarball `/upload` (gzipped or not).
@main
enum ServerRequestsFuzzer {
    static func main() { runFuzzer { data, size in data.map { fuzzServerRequests($0, size) } ?? 0 } }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServerRequests(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let body = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let maxInflated = 8 << 20
    switch data[0] % 6 {
    case 0:
        _ = try? RequestDecoding.kserveInfer(Array(body), headerLength: nil)
    case 1:
        guard body.count >= 2 else { break }
        let headerLength = Int(body[0]) | Int(body[1]) << 8
        _ = try? RequestDecoding.kserveInfer(Array(body.dropFirst(2)), headerLength: headerLength)
    case 2:
        _ = try? TFaaSRequestJSON.parse(body)
    case 3:
        _ = try? JSONValue.parse(bytes: body)
    case 4:
        _ = try? RequestDecoding.upload(Array(body), contentType: "multipart/form-data; boundary=hepmlfuzz",
                                        contentEncoding: nil, maxInflated: maxInflated)
    default:
        _ = try? RequestDecoding.upload(Array(body), contentType: "application/x-tar", contentEncoding: nil, maxInflated: maxInflated)
    }
    return 0
}
