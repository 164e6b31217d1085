import Foundation
import JWTKit

/// Validates JWT bearer tokens (WLCG / CERN SSO style) against a JWKS file: signature (the key chosen by the
/// token's `kid`), `iss` equal to the configured issuer, `aud` containing the configured audience, `exp` in
/// the future, `nbf` (when present) in the past. Scopes come from the space-separated `scope` claim:
/// `hepml.read`, `hepml.infer`, `hepml.write`, `hepml.admin`, each optionally limited to one model as
/// `hepml.infer:/MODEL` (several entries add up).
public struct JWTValidator: Sendable {
    public static let scopePrefix = "hepml."
    /// Built once, on first use (jwt-kit's key collection is an actor).
    let keys: Task<JWTKeyCollection, any Error>
    let issuer: String
    let audience: String

    struct Claims: JWTPayload {
        var iss: IssuerClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var nbf: NotBeforeClaim?
        var scope: String?

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            try nbf?.verifyNotBefore()
        }
    }

    /// Reads the JWKS file (`{"keys": [...]}` of RSA, EC or EdDSA public keys).
    public init(jwksFile: String, issuer: String, audience: String) throws {
        guard let data = FileManager.default.contents(atPath: jwksFile) else { throw TokenFileError("cannot read the JWKS file \(jwksFile)") }
        let jwks: JWKS
        do {
            jwks = try JSONDecoder().decode(JWKS.self, from: data)
        } catch {
            throw TokenFileError("\(jwksFile): not a JSON Web Key Set ({\"keys\": [...]}): \(error)")
        }
        guard !jwks.keys.isEmpty else { throw TokenFileError("\(jwksFile): the key set is empty") }
        keys = Task { try await JWTKeyCollection().add(jwks: jwks) }
        self.issuer = issuer
        self.audience = audience
    }

    /// Throws when a key of the set cannot be used (call once at start-up).
    public func checkKeys(file: String) async throws {
        do { _ = try await keys.value } catch { throw TokenFileError("\(file): a key cannot be used: \(error)") }
    }

    /// The grant of a valid token; throws `APIError` 401 with the reason otherwise.
    func grant(for token: String) async throws -> AccessGrant {
        let claims: Claims
        do {
            claims = try await keys.value.verify(token, as: Claims.self)
        } catch let e as JWTError {
            throw APIError(.unauthorized, "invalid bearer token: \(Self.reason(e))")
        } catch {
            throw APIError(.unauthorized, "invalid bearer token: not a verifiable JWT")
        }
        guard claims.iss.value == issuer else { throw APIError(.unauthorized, "invalid bearer token: wrong issuer") }
        guard claims.aud.value.contains(audience) else { throw APIError(.unauthorized, "invalid bearer token: wrong audience") }
        return Self.grant(scope: claims.scope ?? "")
    }

    static func reason(_ e: JWTError) -> String {
        switch e.errorType {
        case .claimVerificationFailure: return "expired or not yet valid"
        case .signatureVerificationFailed: return "bad signature"
        case .missingKIDHeader, .unknownKID: return "signed with an unknown key"
        default: return "not a verifiable JWT"
        }
    }

    /// `hepml.*` entries of a `scope` claim as a grant (other entries are ignored).
    static func grant(scope: String) -> AccessGrant {
        var scopes: [AccessScope: Set<String>?] = [:]
        for item in scope.split(separator: " ") where item.hasPrefix(scopePrefix) {
            let body = item.dropFirst(scopePrefix.count)
            let parts = body.split(separator: ":", maxSplits: 1)
            guard let first = parts.first, let s = AccessScope(rawValue: String(first)) else { continue }
            if parts.count == 2 {
                let model = String(parts[1].drop(while: { $0 == "/" }))
                guard !model.isEmpty else { scopes[s] = .some(nil); continue }
                if let existing = scopes[s] {
                    if var set = existing { set.insert(model); scopes[s] = .some(set) }
                } else {
                    scopes[s] = .some([model])
                }
            } else {
                scopes[s] = .some(nil)
            }
        }
        return AccessGrant(scopes: scopes)
    }
}
