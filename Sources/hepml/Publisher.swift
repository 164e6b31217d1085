import AsyncHTTPClient
import Foundation
import HEPTraining
import NIOCore
import NIOHTTP1

/// Uploads a model folder to a hepml server (gzipped tarball on /upload) and points a tag at it.
enum Publisher {
    static func send(_ url: String, method: HTTPMethod, body: [UInt8], headers: [(String, String)], token: String?) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
        let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
        guard response.status.code == 200 else { throw CLIError("\(method.rawValue) \(url): HTTP \(response.status.code): \(text)") }
        return text
    }

    /// Returns the uploaded version.
    @discardableResult
    static func publish(folder: String, name: String, server: String, token: String?, tag: String?) async throws -> Int {
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        let archive = try TarGzWriter.archive(folder: folder, root: name)
        let answer = try await send(base + "/upload", method: .POST, body: archive,
                                    headers: [("Content-Type", "application/octet-stream"), ("Content-Encoding", "gzip")], token: token)
        let versions = (try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])?["versions"] as? [Int] ?? [1]
        let version = versions.max() ?? 1
        if let tag {
            let body = try JSONSerialization.data(withJSONObject: ["model": name, "tag": tag, "version": version] as [String: Any])
            _ = try await send(base + "/tag", method: .POST, body: [UInt8](body), headers: [("Content-Type", "application/json")], token: token)
        }
        return version
    }
}
