import NIOCore

/// One server response: stream id, status, body.
struct XRootDFrame {
    var streamID: UInt16
    var status: UInt16
    var body: ByteBuffer
}

/// XRootD status codes.
enum XRootDStatus {
    static let ok: UInt16 = 0
    static let okSoFar: UInt16 = 4000
    static let attn: UInt16 = 4001
    static let authMore: UInt16 = 4002
    static let error: UInt16 = 4003
    static let redirect: UInt16 = 4004
    static let wait: UInt16 = 4005
    static let waitResp: UInt16 = 4006
}

/// Splits the byte stream into `streamid[2] | status u16 | dlen i32 | body` frames.
final class XRootDFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = XRootDFrame

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes >= 8, let dlen = buffer.getInteger(at: buffer.readerIndex + 4, as: Int32.self) else { return .needMoreData }
        guard dlen >= 0, dlen <= 1 << 30 else { throw RemoteError.protocolViolation(url: "xrootd", reason: "frame length \(dlen)") }
        guard buffer.readableBytes >= 8 + Int(dlen) else { return .needMoreData }
        let sid = buffer.readInteger(as: UInt16.self)!
        let status = buffer.readInteger(as: UInt16.self)!
        buffer.moveReaderIndex(forwardBy: 4)
        let body = buffer.readSlice(length: Int(dlen))!
        context.fireChannelRead(wrapInboundOut(XRootDFrame(streamID: sid, status: status, body: body)))
        return .continue
    }
}

/// The final answer to one request (partial `oksofar` bodies already joined).
struct XRootDReply {
    var status: UInt16
    var body: ByteBuffer
}

/// Routes frames to the request waiting on their stream id; several requests can be in flight.
final class XRootDMultiplexer: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = XRootDFrame

    private var pending: [UInt16: (promise: EventLoopPromise<XRootDReply>, body: ByteBuffer?)] = [:]
    private var nextID: UInt16 = 1
    private var closedReason: String?

    /// Registers a request (on the event loop) and returns its stream id.
    func register(_ promise: EventLoopPromise<XRootDReply>, handshake: Bool = false) -> UInt16? {
        if let reason = closedReason {
            promise.fail(RemoteError.connection(url: "xrootd", reason: reason))
            return nil
        }
        if handshake {
            pending[0] = (promise, nil)
            return 0
        }
        var id = nextID
        while id == 0 || pending[id] != nil { id &+= 1 }
        nextID = id &+ 1
        pending[id] = (promise, nil)
        return id
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = unwrapInboundIn(data)
        if frame.status == XRootDStatus.attn {
            // kXR_attn: only asynresp (5008) carries an answer: reserved[4], then an embedded response.
            guard frame.body.readInteger(as: Int32.self) == 5008, frame.body.readableBytes >= 12 else { return }
            frame.body.moveReaderIndex(forwardBy: 4)
            let sid = frame.body.readInteger(as: UInt16.self)!
            let status = frame.body.readInteger(as: UInt16.self)!
            frame.body.moveReaderIndex(forwardBy: 4)
            frame = XRootDFrame(streamID: sid, status: status, body: frame.body)
        }
        guard var entry = pending[frame.streamID] else { return }
        if frame.status == XRootDStatus.okSoFar {
            var acc = entry.body ?? context.channel.allocator.buffer(capacity: frame.body.readableBytes * 2)
            acc.writeImmutableBuffer(frame.body)
            entry.body = acc
            pending[frame.streamID] = entry
            return
        }
        if frame.status == XRootDStatus.waitResp { return }
        pending[frame.streamID] = nil
        var body = frame.body
        if var acc = entry.body {
            acc.writeBuffer(&body)
            body = acc
        }
        entry.promise.succeed(XRootDReply(status: frame.status, body: body))
    }

    func failAll(_ reason: String) {
        closedReason = reason
        let all = pending
        pending = [:]
        for (_, e) in all { e.promise.fail(RemoteError.connection(url: "xrootd", reason: reason)) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failAll("\(error)")
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll("connection closed by the server")
        context.fireChannelInactive()
    }
}
