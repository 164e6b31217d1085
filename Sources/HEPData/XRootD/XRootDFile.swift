import NIOCore
import ROOTIO
import Synchronization

/// A file read over XRootD: open (following redirects), `kXR_read` for single ranges, batched `kXR_readv`
/// (≤ 1024 elements of ≤ 2 MiB − 16 bytes each, larger ranges split) for a chunk's coalesced ranges, several
/// batches in flight. On a broken connection it reconnects through the original URL, reopens and retries
/// (bounded, with backoff); it never returns partial data.
public final class XRootDFile: ByteSource, @unchecked Sendable {
    public let url: XRootDURL
    public let name: String
    public private(set) var size: Int64 = 0
    static let maxRedirects = 10
    static let maxElements = 1024
    static let maxElementBytes = 2_097_136
    static let retries = 3

    private struct Opened {
        var session: XRootDSession
        var handle: [UInt8]
    }
    private let opened = Mutex<Opened?>(nil)
    private let counters = Mutex(ByteSourceStatistics())

    /// Opens `url` (an error names the URL).
    public static func open(_ text: String) async throws -> XRootDFile {
        let f = XRootDFile(url: try XRootDURL(text), name: text)
        try await f.reopen()
        return f
    }

    private init(url: XRootDURL, name: String) {
        self.url = url
        self.name = name
    }

    deinit { opened.withLock { $0?.session.close() } }

    /// Closes the remote file handle and the connection.
    public func close() async {
        guard let o = opened.withLock({ o -> Opened? in defer { o = nil }; return o }) else { return }
        await o.session.closeFile(o.handle)
        o.session.close()
    }

    /// Checks that the data server still answers (`kXR_ping`).
    public func ping() async throws {
        guard let o = opened.withLock({ $0 }) else { throw RemoteError.connection(url: name, reason: "file is closed") }
        try await o.session.ping()
    }

    public var statistics: ByteSourceStatistics { counters.withLock { $0 } }
    public var prefersReadAhead: Bool { true }

    /// Opens the file, following redirects (bounded, loops detected, opaque data carried).
    private func reopen() async throws {
        var host = url.host, port = url.port
        var opaque = url.opaque
        var token: String?
        var visited: [String] = []
        for _ in 0...Self.maxRedirects {
            let here = "\(host):\(port)"
            if visited.filter({ $0 == here }).count >= 2 {
                throw RemoteError.redirect(url: name, reason: "redirect loop: \((visited + [here]).joined(separator: " → "))")
            }
            visited.append(here)
            let session = try await XRootDSession.connect(host: host, port: port, user: url.user, token: token)
            do {
                var body = [UInt8](repeating: 0, count: 16)
                body[2] = 0x04  // options: kXR_retstat (0x400) | kXR_open_read (0x10)
                body[3] = 0x10
                let path = url.path + (opaque.map { "?\($0)" } ?? "")
                let reply = try await session.request(.open, body: body, payload: Array(path.utf8))
                let (handle, sizeFromOpen) = try XRootDAnswer.openHandle(reply, name: name)
                var fileSize = sizeFromOpen
                if fileSize == nil {
                    var statBody = [UInt8](repeating: 0, count: 16)
                    for i in 0..<4 { statBody[12 + i] = handle[i] }
                    let stat = try await session.request(.stat, body: statBody)
                    fileSize = XRootDAnswer.statSize(stat)
                }
                guard let fileSize, fileSize >= 0 else { throw RemoteError.protocolViolation(url: name, reason: "no file size from open/stat") }
                size = fileSize
                let old = opened.withLock { o -> Opened? in
                    defer { o = Opened(session: session, handle: handle) }
                    return o
                }
                old?.session.close()
                return
            } catch let r as XRootDRedirect {
                session.close()
                host = r.host
                port = r.port
                if let o = r.opaque, !o.isEmpty {
                    let parts = o.split(separator: "?", maxSplits: 1).map(String.init)
                    opaque = [url.opaque, parts.first].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "&")
                    token = parts.count > 1 ? parts[1] : nil
                }
                continue
            } catch let e as RemoteError {
                session.close()
                if case .notFound = e { throw RemoteError.notFound(url: name) }
                throw e
            }
        }
        throw RemoteError.redirect(url: name, reason: "more than \(Self.maxRedirects) redirects")
    }

    /// Runs `body` with the open file; on a connection failure reconnects and retries with backoff.
    private func withRetry<T>(_ body: (XRootDSession, [UInt8]) async throws -> T) async throws -> T {
        var lastError: Error?
        for attempt in 0...Self.retries {
            if attempt > 0 {
                try await Task.sleep(for: .milliseconds(250 << attempt))
                do { try await reopen() } catch { lastError = error; continue }
            }
            guard let o = opened.withLock({ $0 }) else { continue }
            do {
                return try await body(o.session, o.handle)
            } catch let e as RemoteError {
                guard case .connection = e else { throw e }
                lastError = e
            }
        }
        throw RemoteError.connection(url: name, reason: "gave up after \(Self.retries) retries: \(lastError.map { "\($0)" } ?? "unknown")")
    }

    public func read(offset: Int64, count: Int) async throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset + Int64(count) <= size else {
            throw ROOTIOError.truncated(file: name, object: "file", offset: offset, needed: count, available: Int(max(0, size - offset)))
        }
        if count == 0 { return [] }
        return try await withRetry { session, handle in
            var body = handle
            withUnsafeBytes(of: offset.bigEndian) { body += $0 }
            withUnsafeBytes(of: Int32(count).bigEndian) { body += $0 }
            let reply = try await session.request(.read, body: body)
            guard reply.readableBytes == count else {
                throw RemoteError.protocolViolation(url: name, reason: "read of \(count) bytes at \(offset) returned \(reply.readableBytes)")
            }
            counters.withLock { $0.requests += 1; $0.bytes += Int64(count) }
            return Array(reply.readableBytesView)
        }
    }

    public func read(ranges: [ByteRange]) async throws -> [ArraySlice<UInt8>] {
        let plan = CoalescePlan(ranges: ranges, maxGap: 64 * 1024, maxRequest: 64 << 20)
        // Split merged ranges into readv elements and batches.
        var elements: [ByteRange] = []
        for g in plan.groups {
            guard g.range.offset >= 0, g.range.end <= size else {
                throw ROOTIOError.truncated(file: name, object: "file", offset: g.range.offset, needed: g.range.count, available: Int(max(0, size - g.range.offset)))
            }
            var o = g.range.offset
            while o < g.range.end {
                let n = Int(min(Int64(Self.maxElementBytes), g.range.end - o))
                elements.append(ByteRange(offset: o, count: n))
                o += Int64(n)
            }
        }
        let batches = stride(from: 0, to: elements.count, by: Self.maxElements).map { Array(elements[$0..<min($0 + Self.maxElements, elements.count)]) }
        let pieces = try await withThrowingTaskGroup(of: (Int, [[UInt8]]).self) { group in
            for (k, batch) in batches.enumerated() {
                group.addTask { (k, try await self.readv(batch)) }
            }
            var out = [[[UInt8]]](repeating: [], count: batches.count)
            for try await (k, p) in group { out[k] = p }
            return out.flatMap { $0 }
        }
        // Rebuild the merged groups, then slice the requested ranges.
        var blocks: [[UInt8]] = []
        var e = 0
        for g in plan.groups {
            var block = [UInt8]()
            block.reserveCapacity(g.range.count)
            while block.count < g.range.count {
                block += pieces[e]
                e += 1
            }
            blocks.append(block)
        }
        var out = [ArraySlice<UInt8>](repeating: [], count: ranges.count)
        for (gi, g) in plan.groups.enumerated() {
            for index in g.members {
                let r = ranges[index]
                let start = Int(r.offset - g.range.offset)
                out[index] = blocks[gi][start..<(start + r.count)]
            }
        }
        return out
    }

    /// One kXR_readv of up to 1024 elements; checks that every element came back whole.
    private func readv(_ elements: [ByteRange]) async throws -> [[UInt8]] {
        try await withRetry { session, handle in
            var payload = [UInt8]()
            payload.reserveCapacity(elements.count * 16)
            for el in elements {
                payload += handle
                withUnsafeBytes(of: Int32(el.count).bigEndian) { payload += $0 }
                withUnsafeBytes(of: el.offset.bigEndian) { payload += $0 }
            }
            let reply = try await session.request(.readv, body: [UInt8](repeating: 0, count: 16), payload: payload)
            let out = try XRootDAnswer.readvData(reply, elements: elements, name: name)
            counters.withLock { s in
                s.requests += 1
                s.bytes += Int64(elements.reduce(0) { $0 + $1.count })
            }
            return out
        }
    }
}
