import Hummingbird
import HummingbirdCore
import HummingbirdTLS

/// The access policy and the HTTP(S) server builder that `ServerConfiguration.security` asks for.
struct ServerSecurity: Sendable {
    let policy: AccessPolicy
    let httpServer: HTTPServerBuilder
    let jwksFile: String?

    init(configuration c: ServerConfiguration) throws {
        let s = c.security
        let tokens = try s.tokensFile.map { try TokenFile(path: $0) }
        var jwt: JWTValidator?
        if let jwks = s.jwksFile {
            guard let issuer = s.jwtIssuer, let audience = s.jwtAudience, !issuer.isEmpty, !audience.isEmpty else {
                throw TokenFileError("--jwks needs --jwt-issuer and --jwt-audience")
            }
            jwt = try JWTValidator(jwksFile: jwks, issuer: issuer, audience: audience)
        } else if s.jwtIssuer != nil || s.jwtAudience != nil {
            throw TokenFileError("--jwt-issuer and --jwt-audience need --jwks")
        }
        jwksFile = s.jwksFile
        policy = AccessPolicy(token: c.token, tokens: tokens, jwt: jwt, isLoopback: c.isLoopback, host: c.host)
        let http1 = HTTPServerBuilder.http1(configuration: .init(
            additionalChannelHandlers: [CloseAfterResponseHandler()],
            idleTimeout: .milliseconds(Int64(c.requestTimeout * 1000))))
        switch (s.tlsCertificate, s.tlsKey) {
        case let (cert?, key?):
            httpServer = try .tls(http1, tlsConfiguration: TLSFiles.configuration(certificate: cert, key: key))
        case (nil, nil):
            httpServer = http1
        default:
            throw TokenFileError("--tls-cert and --tls-key go together")
        }
    }

    /// Start-up checks that need async work (the JWKS keys).
    func check() async throws {
        if let jwt = policy.jwt, let file = jwksFile { try await jwt.checkKeys(file: file) }
    }
}
