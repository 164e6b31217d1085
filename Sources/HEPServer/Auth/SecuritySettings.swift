/// TLS and authentication settings of `hepml serve`.
public struct SecuritySettings: Sendable {
    /// PEM certificate chain and private key; both set: HTTPS only.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// A file of hashed tokens with scopes (`TokenFile`).
    public var tokensFile: String?
    /// A JWKS file plus the issuer and audience that JWT bearer tokens must carry.
    public var jwksFile: String?
    public var jwtIssuer: String?
    public var jwtAudience: String?

    public init(tlsCertificate: String? = nil, tlsKey: String? = nil, tokensFile: String? = nil, jwksFile: String? = nil,
                jwtIssuer: String? = nil, jwtAudience: String? = nil) {
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
        self.tokensFile = tokensFile
        self.jwksFile = jwksFile
        self.jwtIssuer = jwtIssuer
        self.jwtAudience = jwtAudience
    }
}
