import NIOCore
import NIOPosix

/// One logged-in connection to an XRootD server. Requests are sent with their own stream ids, so several
/// can be in flight; `kXR_wait` answers are retried after the requested delay.
final class XRootDSession: @unchecked Sendable {
    enum Request: UInt16 {
        case close = 3003, login = 3007, open = 3010, ping = 3011, read = 3013, stat = 3017, readv = 3025
    }

    let host: String
    let port: Int
    let channel: Channel
    let mux: XRootDMultiplexer
    var label: String { "root://\(host):\(port)" }

    private init(host: String, port: Int, channel: Channel, mux: XRootDMultiplexer) {
        self.host = host
        self.port = port
        self.channel = channel
        self.mux = mux
    }

    /// Connects, handshakes and logs in (anonymously; `token` is a redirect's login token).
    static func connect(host: String, port: Int, user: String, token: String? = nil, timeout: TimeAmount = .seconds(10)) async throws -> XRootDSession {
        let mux = XRootDMultiplexer()
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout)
                .channelOption(.socketOption(.so_keepalive), value: 1)
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        try ch.pipeline.syncOperations.addHandler(ByteToMessageHandler(XRootDFrameDecoder()))
                        try ch.pipeline.syncOperations.addHandler(mux)
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            throw RemoteError.connection(url: "root://\(host):\(port)", reason: "\(error)")
        }
        let s = XRootDSession(host: host, port: port, channel: channel, mux: mux)
        do {
            var hs = channel.allocator.buffer(capacity: 20)
            for v: Int32 in [0, 0, 0, 4, 2012] { hs.writeInteger(v) }
            let reply = try await s.send(raw: hs, handshake: true)
            guard reply.status == XRootDStatus.ok else { throw RemoteError.protocolViolation(url: s.label, reason: "handshake status \(reply.status)") }
            var body = [UInt8](repeating: 0, count: 16)
            let pid = Int32(truncatingIfNeeded: getpid())
            withUnsafeBytes(of: pid.bigEndian) { for i in 0..<4 { body[i] = $0[i] } }
            for (i, c) in user.utf8.prefix(8).enumerated() { body[4 + i] = c }
            body[14] = 5  // capver: protocol version 5, no async
            let login = try await s.request(.login, body: body, payload: Array((token ?? "").utf8))
            let text = String(decoding: login.readableBytesView.dropFirst(16), as: UTF8.self)
            if text.contains("&P=") {
                throw RemoteError.server(url: s.label, code: 3010, message: "the server requires authentication (\(text)); hepml logs in anonymously")
            }
        } catch {
            s.close()
            throw error
        }
        return s
    }

    func close() { channel.close(promise: nil) }

    /// Seconds a request may wait for its answer before the connection is considered broken.
    static let requestTimeout: TimeAmount = .seconds(60)

    private func send(raw: ByteBuffer, handshake: Bool = false, build: ((UInt16) -> ByteBuffer)? = nil) async throws -> XRootDReply {
        let loop = channel.eventLoop
        let promise = loop.makePromise(of: XRootDReply.self)
        let channel = self.channel, mux = self.mux, label = self.label
        loop.execute {
            guard let sid = mux.register(promise, handshake: handshake) else { return }
            let bytes = build?(sid) ?? raw
            channel.writeAndFlush(bytes).whenFailure { promise.fail(RemoteError.connection(url: "xrootd", reason: "\($0)")) }
            let timer = loop.scheduleTask(in: Self.requestTimeout) {
                // A server that stops answering is treated like a broken connection (the caller may retry).
                mux.failAll("no answer within \(Self.requestTimeout.nanoseconds / 1_000_000_000) s from \(label)")
                channel.close(promise: nil)
            }
            promise.futureResult.whenComplete { _ in timer.cancel() }
        }
        return try await promise.futureResult.get()
    }

    /// `kXR_ping`: checks that the server still answers.
    func ping() async throws {
        _ = try await request(.ping, body: [UInt8](repeating: 0, count: 16))
    }

    /// `kXR_close` of a file handle (best effort).
    func closeFile(_ handle: [UInt8]) async {
        _ = try? await request(.close, body: handle + [UInt8](repeating: 0, count: 12))
    }

    /// Sends a request and returns the body of its final `kXR_ok`; `kXR_error` throws with the server's message.
    /// Redirects come back as `XRootDRedirect` errors for the caller to follow.
    func request(_ kind: Request, body: [UInt8], payload: [UInt8] = []) async throws -> ByteBuffer {
        precondition(body.count == 16)
        for attempt in 0..<20 {
            let allocator = channel.allocator
            let reply = try await send(raw: ByteBuffer()) { sid in
                var b = allocator.buffer(capacity: 24 + payload.count)
                b.writeInteger(sid)
                b.writeInteger(kind.rawValue)
                b.writeBytes(body)
                b.writeInteger(Int32(payload.count))
                b.writeBytes(payload)
                return b
            }
            switch XRootDAnswer(status: reply.status, body: reply.body, label: label) {
            case let .ok(body): return body
            case let .failure(error): throw error
            case let .wait(seconds):
                guard attempt < 19 else { break }
                try await Task.sleep(for: .seconds(seconds))
                continue
            }
        }
        throw RemoteError.server(url: label, code: 0, message: "the server kept asking to wait")
    }
}

/// A `kXR_redirect` answer: where to repeat the request.
struct XRootDRedirect: Error {
    var host: String
    var port: Int
    var opaque: String?
}
