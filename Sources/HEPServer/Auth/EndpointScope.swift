import Foundation
import HTTPTypes

/// The scope each endpoint needs, and the model it names in its path (handlers check body-named models).
struct EndpointScope: Equatable {
    /// nil: public (health checks).
    var scope: AccessScope?
    var model: String?

    static func classify(method: HTTPRequest.Method, path: String, query: String?) -> EndpointScope {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch (method, parts.first ?? "") {
        case (.get, "v2") where parts.count == 3 && parts[1] == "health":
            return EndpointScope(scope: nil)
        case (.get, "ui") where parts.count == 2 && (parts[1] == "style.css" || parts[1] == "app.js"):
            return EndpointScope(scope: nil)
        case (.get, "ui") where parts.count >= 3 && parts[1] == "models":
            return EndpointScope(scope: .read, model: parts[2].removingPercentEncoding ?? parts[2])
        case (_, "v2") where parts.count >= 3 && parts[1] == "models":
            let scope: AccessScope = method == .post && parts.last == "infer" ? .infer : .read
            return EndpointScope(scope: scope, model: parts[2])
        case (_, "v2") where parts.count == 5 && parts[1] == "repository" && parts[2] == "models":
            return EndpointScope(scope: .write, model: parts[3])
        case (.post, "json"), (.post, "proto"), (.post, "image"), (.post, "predict"):
            return EndpointScope(scope: .infer)
        case (_, "upload"), (_, "tag"):
            return EndpointScope(scope: .write)
        case (_, "delete"):
            return EndpointScope(scope: .write, model: parts.count > 1 ? parts[1] : queryValue("model", query))
        case (.post, "params"):
            return EndpointScope(scope: .write)
        case (_, "params"):
            return EndpointScope(scope: .read, model: parts.count > 1 ? parts[1] : nil)
        default:
            return EndpointScope(scope: .read)
        }
    }

    static func queryValue(_ key: String, _ query: String?) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0] == key { return String(kv[1]).removingPercentEncoding ?? String(kv[1]) }
        }
        return nil
    }
}
