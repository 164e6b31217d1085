import NIOCore
import ROOTIO

/// A server's raw answer bytes read the way the client's connection reads them, without a connection:
/// frames split, asynchronous answers unwrapped, `kXR_oksofar` parts joined, and every final answer
/// interpreted as an error, redirect or wait, or read as an open, stat and readv reply. For fuzzing and
/// protocol tests; the client itself does the same steps incrementally on its channel.
public enum XRootDResponseReader {
    /// One line per final answer (`stream status: outcome`); throws where the client drops the connection.
    /// `readvElements` are the ranges a readv answer is checked against.
    public static func read(_ bytes: [UInt8], readvElements: [ByteRange] = []) throws -> [String] {
        var buffer = ByteBuffer(bytes: bytes)
        var partial: [UInt16: ByteBuffer] = [:]
        var lines: [String] = []
        while let raw = try XRootDFrame.split(&buffer) {
            guard let frame = raw.unwrappingAttention() else { continue }
            if frame.status == XRootDStatus.okSoFar {
                partial[frame.streamID, default: ByteBuffer()].writeImmutableBuffer(frame.body)
                continue
            }
            if frame.status == XRootDStatus.waitResp { continue }
            var body = partial.removeValue(forKey: frame.streamID) ?? ByteBuffer()
            body.writeImmutableBuffer(frame.body)
            lines.append("\(frame.streamID) \(frame.status): " + describe(XRootDAnswer(status: frame.status, body: body, label: "xrootd"),
                                                                         readvElements: readvElements))
        }
        return lines
    }

    static func describe(_ answer: XRootDAnswer, readvElements: [ByteRange]) -> String {
        switch answer {
        case let .wait(seconds): return "wait \(seconds) s"
        case let .failure(error): return "\(error)"
        case let .ok(body):
            var parts: [String] = []
            if let open = try? XRootDAnswer.openHandle(body, name: "xrootd") {
                parts.append("open handle \(open.handle) size \(open.size.map(String.init) ?? "-")")
            }
            parts.append("stat size \(XRootDAnswer.statSize(body).map(String.init) ?? "-")")
            if let data = try? XRootDAnswer.readvData(body, elements: readvElements, name: "xrootd") {
                parts.append("readv \(data.map(\.count))")
            }
            return parts.joined(separator: ", ")
        }
    }
}
