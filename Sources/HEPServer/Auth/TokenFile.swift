import Crypto
import Foundation

/// A file of hashed bearer tokens with their scopes: one JSON object per line (blank lines and lines starting
/// with `#` are skipped), or one JSON array of such objects:
///
///     {"name": "trigger-farm", "sha256": "<hex SHA-256 of the token>", "scopes": ["infer"], "models": ["particlenet_AK4"]}
///
/// `scopes` are `read`, `infer`, `write`, `admin`; `models` is optional (default: every model). The tokens
/// themselves are never stored; a presented token is hashed and looked up.
public struct TokenFile: Sendable {
    struct Entry: Decodable {
        var name: String?
        var sha256: String
        var scopes: [AccessScope]
        var models: [String]?
    }

    /// SHA-256 digest (32 bytes) → grant.
    let grants: [[UInt8]: AccessGrant]

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw TokenFileError("cannot read the tokens file \(path)") }
        try self.init(data: [UInt8](data), file: path)
    }

    public init(data: [UInt8], file: String) throws {
        let text = String(decoding: data, as: UTF8.self)
        var entries: [(Int, Entry)] = []
        let decoder = JSONDecoder()
        if text.drop(while: \.isWhitespace).first == "[" {
            do {
                entries = try decoder.decode([Entry].self, from: Data(data)).enumerated().map { ($0.offset + 1, $0.element) }
            } catch {
                throw TokenFileError("\(file): not a JSON array of {sha256, scopes, models}: \(error)")
            }
        } else {
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let t = line.trimmingCharacters(in: .whitespaces)
                if t.isEmpty || t.hasPrefix("#") { continue }
                do {
                    entries.append((n + 1, try decoder.decode(Entry.self, from: Data(t.utf8))))
                } catch {
                    throw TokenFileError("\(file) line \(n + 1): not a {sha256, scopes, models} object: \(error)")
                }
            }
        }
        var grants: [[UInt8]: AccessGrant] = [:]
        for (n, e) in entries {
            guard let digest = Self.hex(e.sha256), digest.count == 32 else {
                throw TokenFileError("\(file) entry \(n): 'sha256' must be 64 hexadecimal digits")
            }
            guard !e.scopes.isEmpty else { throw TokenFileError("\(file) entry \(n): 'scopes' is empty") }
            let grant = AccessGrant(scopes: Set(e.scopes), models: e.models.map(Set.init))
            grants[digest] = grants[digest].map { $0.merged(with: grant) } ?? grant
        }
        self.grants = grants
    }

    /// The grant of a presented token, nil when it is not in the file.
    public func grant(for token: String) -> AccessGrant? {
        let digest = [UInt8](SHA256.hash(data: Data(token.utf8)))
        return grants[digest]
    }

    /// The SHA-256 of a token as written in the file (lowercase hex).
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func hex(_ s: String) -> [UInt8]? {
        let chars = Array(s.lowercased().utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}

/// A tokens, JWKS or TLS file that cannot be used (reported at start-up).
public struct TokenFileError: Error, CustomStringConvertible {
    public let description: String
    init(_ m: String) { description = m }
}
