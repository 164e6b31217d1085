import Hummingbird

/// Who may call what. Without a tokens file or JWKS (the default), reads and inference are open and writes
/// need the single `--token` (or, without one, a loopback-only server), as before. With a tokens file and/or
/// a JWKS, every endpoint but the health checks needs a bearer token whose scopes cover it: 401 without a
/// valid token, 403 when the token's scopes or models do not cover the request. The single `--token` is then
/// an admin token.
struct AccessPolicy: Sendable {
    let token: String?
    let tokens: TokenFile?
    let jwt: JWTValidator?
    let isLoopback: Bool
    let host: String

    var scoped: Bool { tokens != nil || jwt != nil }

    /// The grant that covers the request (nil when no credential was needed), or a 401/403 `APIError`.
    func authorize(_ request: Request, endpoint: EndpointScope) async throws -> AccessGrant? {
        try await authorize(bearer: Self.bearer(request), endpoint: endpoint)
    }

    /// The same decision for a bearer token presented some other way (gRPC `authorization` metadata).
    func authorize(bearer: String?, endpoint: EndpointScope) async throws -> AccessGrant? {
        guard let needed = endpoint.scope else { return nil }
        guard scoped else {
            guard needed == .write || needed == .admin else { return nil }
            if let token, !token.isEmpty {
                guard let presented = bearer, Self.equal(presented, token) else {
                    throw APIError(.unauthorized, "this endpoint needs 'Authorization: Bearer <token>'")
                }
                return .admin
            }
            guard isLoopback else {
                throw APIError(.forbidden, "writes are disabled: the server listens on \(host) without a token (start it with --token)")
            }
            return nil
        }
        guard let presented = bearer else {
            throw APIError(.unauthorized, "this endpoint needs 'Authorization: Bearer <token>' with the '\(needed.rawValue)' scope")
        }
        let grant = try await grant(for: presented)
        guard grant.allows(needed, model: endpoint.model) else {
            let what = endpoint.model.map { " for model '\($0.prefix(128))'" } ?? ""
            throw APIError(.forbidden, "the token lacks the '\(needed.rawValue)' scope\(what)")
        }
        return grant
    }

    func grant(for presented: String) async throws -> AccessGrant {
        if let token, !token.isEmpty, Self.equal(presented, token) { return .admin }
        if let g = tokens?.grant(for: presented) { return g }
        if let jwt, presented.split(separator: ".").count == 3 { return try await jwt.grant(for: presented) }
        throw APIError(.unauthorized, "unknown bearer token")
    }

    static func bearer(_ request: Request) -> String? { bearer(header: request.headers[.authorization]) }

    /// The token of an `Authorization: Bearer <token>` value.
    static func bearer(header: String?) -> String? {
        guard let h = header, h.count > 7, h.prefix(7).lowercased() == "bearer " else { return nil }
        let t = String(h.dropFirst(7)).trimmingCharacters(in: " ")
        return t.isEmpty ? nil : t
    }

    /// Comparison whose time does not depend on where the strings differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// Applies the `AccessPolicy` to every request and makes the grant available to handlers (`RequestAccess`).
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: AccessPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let endpoint = EndpointScope.classify(method: request.method, path: request.uri.path, query: request.uri.query)
        guard let grant = try await policy.authorize(request, endpoint: endpoint), let scope = endpoint.scope else {
            return try await next(request, context)
        }
        return try await RequestAccess.$current.withValue(RequestAccess.Current(grant: grant, scope: scope)) {
            try await next(request, context)
        }
    }
}
