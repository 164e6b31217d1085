import HEPInference
import Hummingbird

/// KServe v2 / Triton REST: health, server and model metadata, model config, inference (JSON and binary
/// tensors) and the model-repository extension.
struct KServeRoutes {
    let state: ServerState
    static let extensions = ["binary_tensor_data", "model_repository", "model_configuration"]

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v2") { _, _ in
            JSONBody.response(json: #"{"name":"# + JSONBody.quote(state.configuration.name) + #","version":""# + HEPMLVersion.string
                + #"","extensions":["# + Self.extensions.map(JSONBody.quote).joined(separator: ",") + "]}")
        }
        router.get("/v2/health/live") { _, _ in Response(status: .ok) }
        router.get("/v2/health/ready") { _, _ in
            state.repository.allReady ? Response(status: .ok) : try { throw APIError(.badRequest, "not all models are ready") }()
        }
        for prefix in ["/v2/models/:model", "/v2/models/:model/versions/:version"] {
            router.get(RouterPath(prefix)) { _, context in try metadata(context) }
            router.get(RouterPath(prefix + "/ready")) { _, context in
                _ = try model(context)
                return Response(status: .ok)
            }
            router.get(RouterPath(prefix + "/config")) { _, context in
                JSONBody.response(json: ModelConfigFile.json(try model(context).config))
            }
            router.post(RouterPath(prefix + "/infer")) { request, context in try await infer(request, context) }
        }
        router.post("/v2/repository/index") { request, _ in
            let body = try await state.body(request)
            let readyOnly = body.readableBytes > 0 ? (try JSONBody.object(body, what: "repository index")["ready"] as? Bool ?? false) : false
            let entries = state.repository.index().filter { !readyOnly || $0.state.state == "READY" }
            let items = entries.map { e in
                #"{"name":"# + JSONBody.quote(e.name) + (e.state.version > 0 ? #","version":""# + String(e.state.version) + "\"" : "")
                    + #","state":""# + e.state.state + #"","reason":"# + JSONBody.quote(e.state.reason) + "}"
            }
            return JSONBody.response(json: "[" + items.joined(separator: ",") + "]")
        }
        let actions: [(String, @Sendable (ModelRepository, String) async throws -> Void)] = [
            ("load", { try await $0.load($1) }), ("unload", { try $0.unload($1) }),
        ]
        for (verb, action) in actions {
            router.post(RouterPath("/v2/repository/models/:model/" + verb)) { request, context in
                let name = try context.parameters.require("model")
                _ = try await state.body(request)
                try await action(state.repository, name)
                state.refreshLoadedGauge()
                return Response(status: .ok)
            }
        }
    }

    func model(_ context: BasicRequestContext) throws -> LoadedModel {
        let name = try context.parameters.require("model")
        return try state.repository.model(name, version: context.parameters.get("version"))
    }

    func metadata(_ context: BasicRequestContext) throws -> Response {
        let m = try model(context)
        let versions = state.repository.versions(of: m.name).filter { $0.state == "READY" }.map { JSONBody.quote(String($0.version)) }
        func specs(_ list: [TensorSpec]) -> String {
            "[" + list.map { s in
                #"{"name":"# + JSONBody.quote(s.name) + #","datatype":""# + s.datatype.rawValue + #"","shape":["#
                    + s.shape.map(String.init).joined(separator: ",") + "]}"
            }.joined(separator: ",") + "]"
        }
        return JSONBody.response(json: #"{"name":"# + JSONBody.quote(m.name) + #","versions":["# + versions.joined(separator: ",")
            + #"],"platform":"# + JSONBody.quote(m.platform) + #","inputs":"# + specs(m.signature.inputs) + #","outputs":"#
            + specs(m.signature.outputs) + "}")
    }

    func infer(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try context.parameters.require("model")
        let m = try state.repository.model(name, version: context.parameters.get("version"))
        return try await state.metrics.observe(model: m.name, endpoint: "v2/infer") {
            let body = try await state.decodedBody(request)
            let headerLength = request.headers[KServeCodec.headerLengthField].map { Int($0) ?? -1 }
            if let h = headerLength, h < 0 { throw APIError.badRequest("Inference-Header-Content-Length is not a number") }
            let req = try KServeCodec.decodeRequest(body, headerLength: headerLength)
            let outputs = try m.infer(req.inputs, outputs: req.outputs?.map(\.name))
            let binary = outputs.indices.map { k in req.outputs?[k].binary ?? req.binaryOutput }
            return KServeCodec.encodeResponse(model: m.name, version: m.version, id: req.id, outputs: outputs, binary: binary)
        }
    }
}

/// The hepml version reported by servers and the CLI.
public enum HEPMLVersion {
    public static let string = "0.1.0"
}
