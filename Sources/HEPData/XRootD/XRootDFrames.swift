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
        guard let frame = try XRootDFrame.split(&buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }
}

extension XRootDFrame {
    /// Takes one complete frame off the front of `buffer`; nil (nothing consumed) when more bytes are needed.
    static func split(_ buffer: inout ByteBuffer) throws -> XRootDFrame? {
        guard buffer.readableBytes >= 8, let dlen = buffer.getInteger(at: buffer.readerIndex + 4, as: Int32.self) else { return nil }
        guard dlen >= 0, dlen <= 1 << 30 else { throw RemoteError.protocolViolation(url: "xrootd", reason: "frame length \(dlen)") }
        guard buffer.readableBytes >= 8 + Int(dlen),
              let sid = buffer.readInteger(as: UInt16.self), let status = buffer.readInteger(as: UInt16.self)
        else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let body = buffer.readSlice(length: Int(dlen)) else { return nil }
        return XRootDFrame(streamID: sid, status: status, body: body)
    }

    /// The response an asynchronous `kXR_attn` (asynresp 5008: reserved[4], then an embedded response)
    /// carries; nil for other attention messages; any other frame unchanged.
    func unwrappingAttention() -> XRootDFrame? {
        guard status == XRootDStatus.attn else { return self }
        var b = body
        guard b.readInteger(as: Int32.self) == 5008, b.readableBytes >= 12 else { return nil }
        b.moveReaderIndex(forwardBy: 4)
        guard let innerID = b.readInteger(as: UInt16.self), let innerStatus = b.readInteger(as: UInt16.self) else { return nil }
        b.moveReaderIndex(forwardBy: 4)
        return XRootDFrame(streamID: innerID, status: innerStatus, body: b)
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
        guard let frame = unwrapInboundIn(data).unwrappingAttention() else { return }
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
