import HEPInference
import Hummingbird

/// KServe v2 / Triton REST: health, server and model metadata, model config, inference (JSON and binary
/// tensors) and the model-repository extension.
struct KServeRoutes {
    let state: ServerState
    static let extensions = ["binary_tensor_data", "model_repository", "model_configuration"]

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v2") { _, _ in
            JSONBody.response(body: ServerMetadataBody(name: state.configuration.name, version: HEPMLVersion.string, extensions: Self.extensions))
        }
        router.get("/v2/health/live") { _, _ in Response(status: .ok) }
        router.get("/v2/health/ready") { _, _ in
            guard state.lifecycle.phase == .serving else { throw APIError(.serviceUnavailable, "server is \(state.lifecycle.phase.rawValue)") }
            return state.repository.allReady ? Response(status: .ok) : try { throw APIError(.badRequest, "not all models are ready") }()
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
            router.get(RouterPath(prefix + "/stats")) { _, context in
                let name = try context.parameters.require("model")
                return JSONBody.response(json: ModelStatisticsReport.json(
                    try ModelStatisticsReport.response(state: state, name: name, version: context.parameters.get("version") ?? "")))
            }
        }
        router.get("/v2/models/stats") { _, _ in
            JSONBody.response(json: ModelStatisticsReport.json(try ModelStatisticsReport.response(state: state, name: "", version: "")))
        }
        router.post("/v2/repository/index") { request, _ in
            let body = try await state.body(request)
            let readyOnly = body.readableBytes > 0 ? (try JSONBody.object(body, what: "repository index")["ready"]?.boolValue ?? false) : false
            let entries = state.repository.index().filter { (!readyOnly || $0.state.state == "READY") && RequestAccess.mayList($0.name) }
            return JSONBody.response(body: entries.map { e in
                RepositoryIndexEntryBody(name: e.name, version: e.state.version > 0 ? String(e.state.version) : nil,
                                         state: e.state.state, reason: e.state.reason)
            })
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
        let versions = state.repository.versions(of: m.name).filter { $0.state == "READY" }.map { String($0.version) }
        let summary = (m.backend as? ModelDescribable)?.summary
        func specs(_ list: [TensorSpec]) -> [TensorMetadataBody] {
            list.map { s in
                TensorMetadataBody(name: s.name, datatype: s.datatype.rawValue, shape: s.shape,
                                   variables: summary?.inputVariables.first { $0.tensor == s.name }?.names,
                                   labels: summary?.outputLabels.first { $0.tensor == s.name }?.labels)
            }
        }
        return JSONBody.response(body: ModelMetadataBody(name: m.name, versions: versions, platform: m.platform,
                                                         inputs: specs(m.signature.inputs), outputs: specs(m.signature.outputs)))
    }

    /// Bodies up to this size are decoded, and answers up to it encoded, on the request's own task: a hand-off
    /// to a worker thread and back costs more than the work.
    static let inlineBodyBytes = 64 << 10

    /// Reads the body, decodes it (on a worker thread when large, at most `modelConcurrency` requests of one
    /// model at a time), runs it through the model's scheduler (queue, dynamic batching, instances) and
    /// encodes the answer (on a worker thread when large).
    func infer(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try context.parameters.require("model")
        let m = try state.repository.model(name, version: context.parameters.get("version"))
        return try await state.metrics.observe(model: m.name, endpoint: "v2/infer") {
            let headerLength = request.headers[KServeCodec.headerLengthField].map { Int($0) ?? -1 }
            if let h = headerLength, h < 0 { throw APIError.badRequest("Inference-Header-Content-Length is not a number") }
            let body = try await state.body(request)
            let lease = BudgetLease.current
            let encoding = request.headers[.contentEncoding]
            let limit = state.bodyLimit(for: request.uri.path)
            let decode: @Sendable () throws -> InferRequest = { [state] in
                try state.withDecodedBody(body, contentEncoding: encoding, limit: limit, lease: lease) { bytes in
                    try KServeCodec.decodeRequest(bytes, headerLength: headerLength) { try lease?.reserve($0) }
                }
            }
            let req = encoding == nil && body.readableBytes <= Self.inlineBodyBytes
                ? try decode() : try await state.offload(model: m.name, decode)
            let outputs = try await state.schedulers.scheduler(for: m).infer(req.inputs, outputs: req.outputs?.map(\.name))
            let encode: @Sendable () -> Response = {
                let binary = outputs.indices.map { k in req.outputs?[k].binary ?? req.binaryOutput }
                return KServeCodec.encodeResponse(model: m.name, version: m.version, id: req.id, outputs: outputs, binary: binary)
            }
            return outputs.reduce(0, { $0 + $1.data.count }) <= Self.inlineBodyBytes / 8 ? encode() : try await state.offload(encode)
        }
    }
}

/// The hepml version reported by servers and the CLI.
public enum HEPMLVersion {
    public static let string = "0.1.0"
}
