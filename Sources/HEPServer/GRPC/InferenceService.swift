import GRPCCore
import HEPInference

/// `inference.GRPCInferenceService` (KServe v2 / Triton gRPC) over the same repository, schedulers, access
/// policy, memory budget and metrics as the REST routes. Credentials come from the `authorization`
/// metadata (`Bearer <token>`); health calls need none.
struct InferenceService: Inference_GRPCInferenceService.ServiceProtocol {
    let state: ServerState
    let policy: AccessPolicy

    /// Checks the caller's credential for `scope` (nil: public) on `model`.
    /// Returns the grant (nil when no credential was needed).
    @discardableResult
    func authorize(_ metadata: Metadata, _ scope: AccessScope?, model: String? = nil) async throws -> AccessGrant? {
        let header = metadata[stringValues: "authorization"].first { _ in true }
        return try await policy.authorize(bearer: AccessPolicy.bearer(header: header), endpoint: EndpointScope(scope: scope, model: model))
    }

    /// Answers one unary call: authorizes it, then maps any error to its gRPC status.
    func unary<Request, Response>(_ request: ServerRequest<Request>, _ scope: AccessScope?, model: (Request) -> String? = { _ in nil },
                                  _ body: (Request) async throws -> Response) async throws -> ServerResponse<Response> {
        try await GRPCStatus.mapping {
            let grant = try await authorize(request.metadata, scope, model: model(request.message))
            guard let grant, let scope else { return ServerResponse(message: try await body(request.message)) }
            return try await RequestAccess.$current.withValue(RequestAccess.Current(grant: grant, scope: scope)) {
                ServerResponse(message: try await body(request.message))
            }
        }
    }

    func serverLive(request: ServerRequest<Inference_ServerLiveRequest>, context: ServerContext) async throws
        -> ServerResponse<Inference_ServerLiveResponse> {
        try await unary(request, nil) { _ in .with { $0.live = true } }
    }

    func serverReady(request: ServerRequest<Inference_ServerReadyRequest>, context: ServerContext) async throws
        -> ServerResponse<Inference_ServerReadyResponse> {
        try await unary(request, nil) { _ in .with { $0.ready = state.lifecycle.phase == .serving && state.repository.allReady } }
    }

    func modelReady(request: ServerRequest<Inference_ModelReadyRequest>, context: ServerContext) async throws
        -> ServerResponse<Inference_ModelReadyResponse> {
        try await unary(request, .read, model: { $0.name }) { r in
            .with { $0.ready = (try? state.repository.model(r.name, version: r.version)) != nil }
        }
    }

    func serverMetadata(request: ServerRequest<Inference_ServerMetadataRequest>, context: ServerContext) async throws
        -> ServerResponse<Inference_ServerMetadataResponse> {
        try await unary(request, .read) { _ in
            .with {
                $0.name = state.configuration.name
                $0.version = HEPMLVersion.string
                $0.extensions = KServeRoutes.extensions + ["statistics"]
            }
        }
    }

    func modelMetadata(request: ServerRequest<Inference_ModelMetadataRequest>, context: ServerContext) async throws
        -> ServerResponse<Inference_ModelMetadataResponse> {
        try await unary(request, .read, model: { $0.name }) { r in
            let m = try state.repository.model(r.name, version: r.version)
            func specs(_ list: [TensorSpec]) -> [Inference_ModelMetadataResponse.TensorMetadata] {
                list.map { s in .with { $0.name = s.name; $0.datatype = s.datatype.rawValue; $0.shape = s.shape.map(Int64.init) } }
            }
            return .with {
                $0.name = m.name
                $0.versions = state.repository.versions(of: m.name).filter { $0.state == "READY" }.map { String($0.version) }
                $0.platform = m.platform
                $0.inputs = specs(m.signature.inputs)
                $0.outputs = specs(m.signature.outputs)
            }
        }
    }

    func modelConfig(request: ServerRequest<Inference_ModelConfigRequest>, context: ServerContext) async throws
        -> ServerResponse<Inference_ModelConfigResponse> {
        try await unary(request, .read, model: { $0.name }) { r in
            let m = try state.repository.model(r.name, version: r.version)
            return .with { $0.config = m.config }
        }
    }

    func modelStatistics(request: ServerRequest<Inference_ModelStatisticsRequest>, context: ServerContext) async throws
        -> ServerResponse<Inference_ModelStatisticsResponse> {
        try await unary(request, .read, model: { $0.name.isEmpty ? nil : $0.name }) { r in
            try ModelStatisticsReport.response(state: state, name: r.name, version: r.version)
        }
    }

    func repositoryIndex(request: ServerRequest<Inference_RepositoryIndexRequest>, context: ServerContext) async throws
        -> ServerResponse<Inference_RepositoryIndexResponse> {
        try await unary(request, .read) { r in
            .with {
                $0.models = state.repository.index().filter { (!r.ready || $0.state.state == "READY") && RequestAccess.mayList($0.name) }.map { e in
                    .with {
                        $0.name = e.name
                        $0.version = e.state.version > 0 ? String(e.state.version) : ""
                        $0.state = e.state.state
                        $0.reason = e.state.reason
                    }
                }
            }
        }
    }

    func repositoryModelLoad(request: ServerRequest<Inference_RepositoryModelLoadRequest>, context: ServerContext) async throws
        -> ServerResponse<Inference_RepositoryModelLoadResponse> {
        try await unary(request, .write, model: { $0.modelName }) { r in
            guard r.parameters.isEmpty else {
                throw RPCError(code: .unimplemented, message:
                    "loading with a configuration or files in the request is not supported; upload the model folder instead")
            }
            try await state.repository.load(r.modelName)
            state.refreshLoadedGauge()
            return Inference_RepositoryModelLoadResponse()
        }
    }

    func repositoryModelUnload(request: ServerRequest<Inference_RepositoryModelUnloadRequest>, context: ServerContext) async throws
        -> ServerResponse<Inference_RepositoryModelUnloadResponse> {
        try await unary(request, .write, model: { $0.modelName }) { r in
            try state.repository.unload(r.modelName)
            state.refreshLoadedGauge()
            return Inference_RepositoryModelUnloadResponse()
        }
    }

    func modelInfer(request: ServerRequest<Inference_ModelInferRequest>, context: ServerContext) async throws
        -> ServerResponse<Inference_ModelInferResponse> {
        try await GRPCStatus.mapping {
            ServerResponse(message: try await infer(request.message, metadata: request.metadata))
        }
    }

    /// Bidirectional streaming inference: requests run concurrently, responses go back in request order;
    /// a failed request answers with `error_message` and the stream goes on.
    func modelStreamInfer(request: StreamingServerRequest<Inference_ModelInferRequest>, context: ServerContext) async throws
        -> StreamingServerResponse<Inference_ModelStreamInferResponse> {
        StreamingServerResponse { writer in
            let (pending, continuation) = AsyncStream<Task<Inference_ModelStreamInferResponse, Never>>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { continuation.finish() }
                    for try await message in request.messages {
                        continuation.yield(Task { await streamAnswer(message, metadata: request.metadata) })
                    }
                }
                for await task in pending {
                    try await writer.write(await task.value)
                }
                try await group.waitForAll()
            }
            return [:]
        }
    }

    func streamAnswer(_ message: Inference_ModelInferRequest, metadata: Metadata) async -> Inference_ModelStreamInferResponse {
        do {
            let response = try await infer(message, metadata: metadata)
            return .with { $0.inferResponse = response }
        } catch {
            let e = GRPCStatus.rpcError(error)
            return .with {
                $0.errorMessage = e.message
                $0.inferResponse.modelName = message.modelName
                $0.inferResponse.id = message.id
            }
        }
    }

    /// One inference: credential, in-flight memory, decoding, the model's scheduler (a cancelled RPC, the
    /// client gone or its deadline passed, leaves the queue), response.
    func infer(_ message: Inference_ModelInferRequest, metadata: Metadata) async throws -> Inference_ModelInferResponse {
        try await authorize(metadata, .infer, model: message.modelName)
        let m = try state.repository.model(message.modelName, version: message.modelVersion)
        return try await state.metrics.observe(model: m.name, endpoint: "grpc/infer") {
            let lease = BudgetLease(budget: state.budget)
            defer { lease.releaseAll() }
            let inputs = try GRPCTensorCoding.inputs(of: message) { try lease.reserve($0) }
            let names = message.outputs.isEmpty ? nil : message.outputs.map(\.name)
            let scheduler = state.schedulers.scheduler(for: m)
            let id = scheduler.newRequestID()
            let outputs = try await withRPCCancellationHandler {
                try await scheduler.infer(inputs, outputs: names, id: id)
            } onCancelRPC: {
                scheduler.cancel(id)
            }
            return GRPCTensorCoding.response(model: m, id: message.id, outputs: outputs)
        }
    }
}
