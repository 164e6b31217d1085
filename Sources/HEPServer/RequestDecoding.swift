import HEPInference
import Hummingbird

/// The server's request-body decoders, usable without a running server (fuzzing, offline checks of a body).
public enum RequestDecoding {
    /// A KServe v2 infer body; `headerLength` is the `Inference-Header-Content-Length` of a binary-tensor request.
    /// Returns the decoded input tensors; client mistakes throw ``APIError`` (400).
    public static func kserveInfer(_ body: [UInt8], headerLength: Int?) throws -> [Tensor] {
        try body.withUnsafeBytes { try KServeCodec.decodeRequest($0, headerLength: headerLength).inputs }
    }

    /// A TFaaS `/upload` body (multipart form, or a tarball, gzipped or not, inflated to at most `maxInflated`
    /// bytes): the model name and its files by relative path.
    public static func upload(_ body: [UInt8], contentType: String?, contentEncoding: String?, maxInflated: Int) throws
        -> (name: String, files: [String: [UInt8]]) {
        let (name, files) = try TFaaSRoutes.uploadedFiles(ByteBuffer(bytes: body), contentType: contentType,
                                                          contentEncoding: contentEncoding, maxInflated: maxInflated, lease: nil)
        return (name, files)
    }
}
