import Foundation
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import ROOTIO
import Synchronization

/// A file read over HTTP(S) with range requests: a chunk's coalesced ranges go out as multi-range requests
/// (`multipart/byteranges` answers are split by their `Content-Range`), with keep-alive, redirects and
/// bounded retries. A server that ignores ranges is an error, never silently whole-file data.
public final class HTTPRangeSource: ByteSource, @unchecked Sendable {
    public let name: String
    public let size: Int64
    private let counters = Mutex(ByteSourceStatistics())
    static let rangesPerRequest = 64
    static let retries = 3

    public static func open(_ url: String) async throws -> HTTPRangeSource {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Range", value: "bytes=0-0")
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        } catch {
            throw RemoteError.connection(url: url, reason: "\(error)")
        }
        _ = try? await response.body.collect(upTo: 1 << 20)
        if response.status == .notFound { throw RemoteError.notFound(url: url) }
        if response.status.code >= 400 {
            throw RemoteError.server(url: url, code: Int(response.status.code), message: response.status.reasonPhrase)
        }
        guard response.status == .partialContent, let cr = response.headers.first(name: "Content-Range"),
              let total = cr.split(separator: "/").last.flatMap({ Int64($0) })
        else {
            throw RemoteError.server(url: url, code: Int(response.status.code), message: "no byte-range support (status \(response.status.code))")
        }
        return HTTPRangeSource(name: url, size: total)
    }

    private init(name: String, size: Int64) {
        self.name = name
        self.size = size
    }

    public var statistics: ByteSourceStatistics { counters.withLock { $0 } }
    public var prefersReadAhead: Bool { true }

    public func read(offset: Int64, count: Int) async throws -> [UInt8] {
        try await fetch([ByteRange(offset: offset, count: count)])[0]
    }

    public func read(ranges: [ByteRange]) async throws -> [ArraySlice<UInt8>] {
        let plan = CoalescePlan(ranges: ranges, maxGap: 64 * 1024, maxRequest: 64 << 20)
        let merged = plan.groups.map(\.range)
        var blocks: [[UInt8]] = []
        for start in stride(from: 0, to: merged.count, by: Self.rangesPerRequest) {
            blocks += try await fetch(Array(merged[start..<min(start + Self.rangesPerRequest, merged.count)]))
        }
        var out = [ArraySlice<UInt8>](repeating: [], count: ranges.count)
        for (gi, g) in plan.groups.enumerated() {
            for index in g.members {
                let r = ranges[index]
                let s = Int(r.offset - g.range.offset)
                out[index] = blocks[gi][s..<(s + r.count)]
            }
        }
        return out
    }

    /// One request for several ranges, retried on connection errors.
    private func fetch(_ ranges: [ByteRange]) async throws -> [[UInt8]] {
        for r in ranges where r.offset < 0 || r.end > size || r.count <= 0 {
            throw ROOTIOError.truncated(file: name, object: "file", offset: r.offset, needed: r.count, available: Int(max(0, size - r.offset)))
        }
        var last: Error?
        for attempt in 0...Self.retries {
            if attempt > 0 { try await Task.sleep(for: .milliseconds(250 << attempt)) }
            do {
                let blocks = try await fetchOnce(ranges)
                counters.withLock { s in
                    s.requests += 1
                    s.bytes += Int64(ranges.reduce(0) { $0 + $1.count })
                }
                return blocks
            } catch let e as RemoteError {
                if case .connection = e { last = e; continue }
                throw e
            }
        }
        throw RemoteError.connection(url: name, reason: "gave up after \(Self.retries) retries: \(last.map { "\($0)" } ?? "")")
    }

    private func fetchOnce(_ ranges: [ByteRange]) async throws -> [[UInt8]] {
        var request = HTTPClientRequest(url: name)
        request.headers.add(name: "Range", value: "bytes=" + ranges.map { "\($0.offset)-\($0.end - 1)" }.joined(separator: ","))
        let response: HTTPClientResponse
        var body: ByteBuffer
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
            body = try await response.body.collect(upTo: 1 << 30)
        } catch {
            throw RemoteError.connection(url: name, reason: "\(error)")
        }
        if response.status == .ok, Int64(body.readableBytes) == size {
            // Some servers (nginx when the ranges add up to more than the file) answer with the whole file.
            return ranges.map { Array(body.readableBytesView[(body.readerIndex + Int($0.offset))..<(body.readerIndex + Int($0.end))]) }
        }
        guard response.status == .partialContent else {
            throw RemoteError.server(url: name, code: Int(response.status.code), message: "range request answered with status \(response.status.code)")
        }
        let type = response.headers.first(name: "Content-Type") ?? ""
        if ranges.count == 1 || !type.lowercased().hasPrefix("multipart/byteranges") {
            guard ranges.count == 1, body.readableBytes == ranges[0].count else {
                throw RemoteError.protocolViolation(url: name, reason: "expected \(ranges.map(\.count).reduce(0, +)) bytes in \(ranges.count) ranges, got \(body.readableBytes) bytes")
            }
            return [Array(body.readableBytesView)]
        }
        guard let boundary = type.split(separator: ";").compactMap({ p -> String? in
            let kv = p.split(separator: "=", maxSplits: 1)
            return kv.count == 2 && kv[0].trimmingCharacters(in: .whitespaces) == "boundary" ? String(kv[1]).trimmingCharacters(in: .init(charactersIn: "\" ")) : nil
        }).first else { throw RemoteError.protocolViolation(url: name, reason: "multipart answer without boundary") }
        return try Self.parseByteranges(Array(body.readableBytesView), boundary: boundary, ranges: ranges, url: name)
    }

    /// Splits a `multipart/byteranges` body and matches each part to a requested range by its Content-Range.
    static func parseByteranges(_ body: [UInt8], boundary: String, ranges: [ByteRange], url: String) throws -> [[UInt8]] {
        var parts: [Int64: [UInt8]] = [:]
        let marker = Array("--\(boundary)".utf8)
        var i = 0
        func find(_ pat: [UInt8], from: Int) -> Int? {
            guard pat.count <= body.count else { return nil }
            var k = from
            while k + pat.count <= body.count {
                if body[k] == pat[0], Array(body[k..<(k + pat.count)]) == pat { return k }
                k += 1
            }
            return nil
        }
        while let m = find(marker, from: i) {
            var p = m + marker.count
            if p + 1 < body.count, body[p] == UInt8(ascii: "-"), body[p + 1] == UInt8(ascii: "-") { break }
            guard let headerEnd = find(Array("\r\n\r\n".utf8), from: p) else { break }
            let headers = String(decoding: body[p..<headerEnd], as: UTF8.self)
            p = headerEnd + 4
            guard let line = headers.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-range:") }),
                  let spec = line.split(separator: " ").last, let dash = spec.firstIndex(of: "-"), let slash = spec.firstIndex(of: "/"),
                  let a = Int64(spec[..<dash]), let b = Int64(spec[spec.index(after: dash)..<slash])
            else { throw RemoteError.protocolViolation(url: url, reason: "multipart part without Content-Range") }
            let n = Int(b - a + 1)
            guard n >= 0, p + n <= body.count else { throw RemoteError.protocolViolation(url: url, reason: "truncated multipart part") }
            parts[a] = Array(body[p..<(p + n)])
            i = p + n
        }
        return try ranges.map { r in
            guard let d = parts[r.offset], d.count == r.count else {
                throw RemoteError.protocolViolation(url: url, reason: "range \(r.offset)+\(r.count) missing from the multipart answer")
            }
            return d
        }
    }
}
