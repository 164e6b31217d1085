import HTTPTypes
import Testing
@testable import HEPServer

/// Scopes per endpoint, the tokens file and the JWT scope claim.
@Suite struct AccessTests {
    @Test func endpointScopes() {
        func c(_ m: HTTPRequest.Method, _ p: String, _ q: String? = nil) -> EndpointScope { EndpointScope.classify(method: m, path: p, query: q) }
        #expect(c(.get, "/v2/health/live") == EndpointScope(scope: nil))
        #expect(c(.get, "/v2/health/ready") == EndpointScope(scope: nil))
        #expect(c(.get, "/v2") == EndpointScope(scope: .read))
        #expect(c(.get, "/metrics") == EndpointScope(scope: .read))
        #expect(c(.get, "/v2/models/pn/versions/2/config") == EndpointScope(scope: .read, model: "pn"))
        #expect(c(.post, "/v2/models/pn/infer") == EndpointScope(scope: .infer, model: "pn"))
        #expect(c(.post, "/v2/models/pn/versions/1/infer") == EndpointScope(scope: .infer, model: "pn"))
        #expect(c(.post, "/v2/repository/index") == EndpointScope(scope: .read))
        #expect(c(.post, "/v2/repository/models/pn/load") == EndpointScope(scope: .write, model: "pn"))
        #expect(c(.post, "/json") == EndpointScope(scope: .infer))
        #expect(c(.post, "/predict/image") == EndpointScope(scope: .infer))
        #expect(c(.post, "/upload") == EndpointScope(scope: .write))
        #expect(c(.delete, "/delete/pn") == EndpointScope(scope: .write, model: "pn"))
        #expect(c(.delete, "/delete", "model=a%2Db") == EndpointScope(scope: .write, model: "a-b"))
        #expect(c(.post, "/params") == EndpointScope(scope: .write))
        #expect(c(.get, "/params/pn") == EndpointScope(scope: .read, model: "pn"))
        #expect(c(.post, "/tag") == EndpointScope(scope: .write))
        #expect(c(.get, "/status") == EndpointScope(scope: .read))
    }

    @Test func tokensFileLinesAndArray() throws {
        let h = TokenFile.hash("t1")
        #expect(h == "628b49d96dcde97a430dd4f597705899e09a968f793491e4b704cae33a40dc02")
        let lines = "# comment\n\n{\"sha256\": \"\(h)\", \"scopes\": [\"infer\"], \"models\": [\"a\"]}\n"
        let file = try TokenFile(data: Array(lines.utf8), file: "t")
        #expect(file.grant(for: "t1") == AccessGrant(scopes: [.infer], models: ["a"]))
        #expect(file.grant(for: "t2") == nil)
        let array = "[{\"sha256\": \"\(h.uppercased())\", \"scopes\": [\"admin\"]}]"
        #expect(try TokenFile(data: Array(array.utf8), file: "t").grant(for: "t1") == .admin)
        #expect(throws: TokenFileError.self) { try TokenFile(data: Array("{\"sha256\": \"abc\", \"scopes\": [\"read\"]}".utf8), file: "t") }
        #expect(throws: TokenFileError.self) { try TokenFile(data: Array("{\"sha256\": \"\(h)\", \"scopes\": [\"root\"]}".utf8), file: "t") }
        #expect(throws: TokenFileError.self) { try TokenFile(data: Array("{\"sha256\": \"\(h)\", \"scopes\": []}".utf8), file: "t") }
    }

    @Test func grants() {
        let g = AccessGrant(scopes: [.infer], models: ["a"])
        #expect(g.allows(.infer, model: "a"))
        #expect(!g.allows(.infer, model: "b"))
        #expect(g.allows(.infer, model: nil))
        #expect(!g.allows(.read, model: "a"))
        #expect(AccessGrant.admin.allows(.write, model: "x"))
    }

    @Test func jwtScopeClaim() {
        let g = JWTValidator.grant(scope: "openid hepml.read hepml.infer:/pn hepml.infer:/mlp storage.read:/ hepml.bogus")
        #expect(g.allows(.read, model: "anything"))
        #expect(g.allows(.infer, model: "pn") && g.allows(.infer, model: "mlp") && !g.allows(.infer, model: "x"))
        #expect(!g.allows(.write, model: nil))
        #expect(JWTValidator.grant(scope: "hepml.infer:/pn hepml.infer").allows(.infer, model: "x"))
        #expect(JWTValidator.grant(scope: "").scopes.isEmpty)
    }
}
