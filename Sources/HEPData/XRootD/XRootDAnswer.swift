import NIOCore
import ROOTIO

/// What a final XRootD answer means to the client: a body, an error to throw (server error, missing file,
/// redirect) or a request to wait and retry.
enum XRootDAnswer {
    case ok(ByteBuffer)
    case wait(seconds: Int)
    case failure(Error)

    /// Interprets `status` and `body`; `label` names the server in errors.
    init(status: UInt16, body: ByteBuffer, label: String) {
        var r = body
        switch status {
        case XRootDStatus.ok:
            self = .ok(body)
        case XRootDStatus.error:
            let code = Int(r.readInteger(as: Int32.self) ?? 0)
            let msg = String(decoding: r.readableBytesView.prefix { $0 != 0 }, as: UTF8.self)
            self = .failure(code == 3011 ? RemoteError.notFound(url: label + " (\(msg))")
                                         : RemoteError.server(url: label, code: code, message: msg))
        case XRootDStatus.redirect:
            let port = Int(r.readInteger(as: Int32.self) ?? 0)
            let target = String(decoding: r.readableBytesView, as: UTF8.self)
            self = .failure(XRootDRedirect(host: String(target.prefix { $0 != "?" }), port: port,
                                           opaque: target.contains("?") ? String(target.drop { $0 != "?" }.dropFirst()) : nil))
        case XRootDStatus.wait:
            self = .wait(seconds: min(30, max(1, Int(r.readInteger(as: Int32.self) ?? 1))))
        default:
            self = .failure(RemoteError.protocolViolation(url: label, reason: "status \(status)"))
        }
    }

    /// The file handle of a `kXR_open` answer, and the size from its `kXR_retstat` stat text when present.
    static func openHandle(_ body: ByteBuffer, name: String) throws -> (handle: [UInt8], size: Int64?) {
        var reply = body
        guard let handle = reply.readBytes(length: 4) else {
            throw RemoteError.protocolViolation(url: name, reason: "open returned no file handle")
        }
        guard reply.readableBytes >= 8 else { return (handle, nil) }
        reply.moveReaderIndex(forwardBy: 8)
        return (handle, statSize(reply))
    }

    /// The size field of a stat text (`id size flags modtime`).
    static func statSize(_ body: ByteBuffer) -> Int64? {
        let fields = String(decoding: body.readableBytesView.prefix { $0 != 0 }, as: UTF8.self).split(separator: " ")
        return fields.count > 1 ? Int64(fields[1]) : nil
    }

    /// The data of each requested element of a `kXR_readv` answer (`handle[4] len i32 offset i64 data`),
    /// checked against what was asked for.
    static func readvData(_ body: ByteBuffer, elements: [ByteRange], name: String) throws -> [[UInt8]] {
        var reply = body
        var out: [[UInt8]] = []
        out.reserveCapacity(elements.count)
        for el in elements {
            reply.moveReaderIndex(forwardBy: min(4, reply.readableBytes))
            guard let len32 = reply.readInteger(as: Int32.self), let off = reply.readInteger(as: Int64.self) else {
                throw RemoteError.protocolViolation(url: name, reason: "readv answer too short")
            }
            let len = Int(len32)
            guard len == el.count, off == el.offset, let data = reply.readBytes(length: len) else {
                throw RemoteError.protocolViolation(url: name, reason: "readv element at \(el.offset) returned \(len) of \(el.count) bytes")
            }
            out.append(data)
        }
        return out
    }
}
