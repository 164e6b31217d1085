/// What a credential may do. `admin` includes the other three; the others are independent.
public enum AccessScope: String, Sendable, CaseIterable, Codable {
    /// Metadata, model lists, configurations, status and metrics.
    case read
    /// Inference: TFaaS /json /proto /image and KServe `/v2/models/NAME/infer`.
    case infer
    /// Repository changes: upload, delete, tag, params, load and unload.
    case write
    /// Everything.
    case admin
}

/// The scopes one credential grants, each for every model or for a list of models.
public struct AccessGrant: Sendable, Equatable {
    /// Scope → the models it is limited to (nil: every model).
    public var scopes: [AccessScope: Set<String>?]

    public init(scopes: [AccessScope: Set<String>?]) {
        self.scopes = scopes
    }

    /// The same model limit for every scope.
    public init(scopes: Set<AccessScope>, models: Set<String>? = nil) {
        self.scopes = Dictionary(uniqueKeysWithValues: scopes.map { ($0, models) })
    }

    /// Full access (the single `--token`).
    public static let admin = AccessGrant(scopes: [.admin])

    /// Whether `scope` is granted; for `model` nil, for at least one model (the handler checks the model it
    /// reads from the body with `RequestAccess.require(model:)`).
    public func allows(_ scope: AccessScope, model: String?) -> Bool {
        for s in [AccessScope.admin, scope] {
            guard let limit = scopes[s] else { continue }
            guard let only = limit, let model else { return true }
            if only.contains(model) { return true }
        }
        return false
    }

    /// The union of two grants for the same caller.
    func merged(with other: AccessGrant) -> AccessGrant {
        var out = scopes
        for (scope, limit) in other.scopes {
            if let mine = out[scope] {
                if let a = mine, let b = limit { out[scope] = a.union(b) } else { out[scope] = .some(nil) }
            } else {
                out[scope] = limit
            }
        }
        return AccessGrant(scopes: out)
    }
}

/// The credential of the request being handled, for handlers that learn the model name from the body.
public enum RequestAccess {
    struct Current: Sendable {
        var grant: AccessGrant
        var scope: AccessScope
    }

    @TaskLocal static var current: Current?

    /// Whether a model list answered to this request may name `model`: a token limited to some models sees
    /// only those.
    public static func mayList(_ model: String) -> Bool {
        guard let current else { return true }
        return current.grant.allows(current.scope, model: model)
    }

    /// Throws 403 when the request's credential does not cover `model` for the endpoint's scope.
    public static func require(model: String) throws {
        if let current, !current.grant.allows(current.scope, model: model) {
            throw APIError(.forbidden, "this token may not \(current.scope.rawValue) model '\(model.prefix(128))'")
        }
    }
}
