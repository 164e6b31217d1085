import Foundation
import HEPInference
import HEPJSON
import Hummingbird
import SwiftProtobuf

/// The TFaaS API: /json, /proto, /image (and /predict/* aliases), /upload, /delete, /models, /params,
/// /status. Compatible with TFaaS's documented clients, with its bugs fixed (see README).
struct TFaaSRoutes {
    let state: ServerState

    func register(on router: Router<BasicRequestContext>) {
        for path in ["/json", "/predict/json"] {
            router.post(RouterPath(path)) { request, _ in try await predictJSON(request) }
        }
        for path in ["/proto", "/predict/proto"] {
            router.post(RouterPath(path)) { request, _ in try await predictProto(request) }
        }
        for path in ["/image", "/predict/image"] {
            router.post(RouterPath(path)) { request, _ in try await image(request) }
        }
        router.post("/upload") { request, _ in try await upload(request) }
        router.delete("/delete/:model") { request, context in
            try await delete(try context.parameters.require("model"))
        }
        router.delete("/delete") { request, _ in
            if let name = request.uri.queryParameters.get("model") { return try await delete(name) }
            let body = try await state.body(request)
            if let boundary = MultipartForm.boundary(request.headers[.contentType]),
               let part = try MultipartForm(body: body, boundary: boundary)["model"] {
                return try await delete(String(decoding: part.bytes, as: UTF8.self))
            }
            throw APIError.badRequest("no model name: use DELETE /delete/NAME, /delete?model=NAME or a 'model' form field")
        }
        router.get("/models") { _, _ in
            JSONBody.response(body: state.repository.index().filter { RequestAccess.mayList($0.name) }.map { entry in
                var d = summary(entry.name)
                d.version = entry.state.version
                d.state = entry.state.state
                if !entry.state.reason.isEmpty { d.reason = entry.state.reason }
                return d
            })
        }
        router.get("/params/:model") { _, context in
            let name = try context.parameters.require("model")
            if let raw = state.repository.paramsFile(of: name) { return JSONBody.response(bytes: raw, contentType: "application/json") }
            _ = try state.repository.model(name)
            return JSONBody.response(body: summary(name))
        }
        router.post("/params") { request, _ in
            let obj = try JSONBody.object(try await state.body(request), what: "params")
            guard let name = obj["name"]?.stringValue else { throw APIError.badRequest("params: missing 'name'") }
            try RequestAccess.require(model: name)
            _ = try state.repository.model(name)
            state.defaultModel.withLock { $0 = name }
            return JSONBody.response(body: DefaultModelBody(defaultModel: name))
        }
        router.post("/tag") { request, _ in
            let obj = try JSONBody.object(try await state.body(request), what: "/tag")
            guard let model = obj["model"]?.stringValue, let tag = obj["tag"]?.stringValue else {
                throw APIError.badRequest("/tag needs {\"model\", \"tag\", \"version\"}")
            }
            var version = obj["version"]?.intValue ?? obj["version"]?.stringValue.flatMap { Int($0) } ?? -1
            try RequestAccess.require(model: model)
            if version < 0 { version = try state.repository.model(model).version }
            try await state.repository.setTag(tag, model: model, version: version)
            return JSONBody.response(body: TagResultBody(model: model, tag: tag, version: version))
        }
        router.get("/status") { _, _ in
            let counts = state.status.counts.withLock { $0 }
            let models = state.repository.index().filter { RequestAccess.mayList($0.name) }.map { StatusBody.Model(name: $0.name, version: $0.state.version, state: $0.state.state) }
            let memory = StatusBody.Memory(rssBytes: ServerStatus.residentBytes, inflightBytes: state.budget.inUse,
                                           inflightLimitBytes: state.budget.capacity)
            return JSONBody.response(body: StatusBody(version: HEPMLVersion.string, uptime: state.status.uptimeSeconds, requests: counts,
                                                      memory: memory, models: models, defaultModel: state.defaultModel.withLock { $0 } ?? ""))
        }
    }

    /// A TFaaS-style description of any model (params.json keys, all present).
    func summary(_ name: String) -> ModelSummaryBody {
        let m = try? state.repository.model(name)
        let p = m?.tfaasParams ?? state.repository.paramsFile(of: name).flatMap { try? TFaaSParams.parse($0, file: name) }
        return ModelSummaryBody(
            name: name, model: p?.model ?? "model.onnx", labels: p?.labels ?? "", description: p?.description ?? "",
            inputNode: p?.inputNode ?? m?.signature.inputs.first?.name ?? "", outputNode: p?.outputNode ?? m?.signature.outputs.first?.name ?? "",
            inputName: p?.inputName ?? "", outputName: p?.outputName ?? "", imgChannels: p?.imgChannels ?? 0,
            op: p?.op ?? "", options: p?.options ?? [], timestamp: p?.timestamp ?? "", platform: m?.platform ?? "")
    }

    func resolve(_ name: String?) throws -> LoadedModel {
        guard let n = (name?.isEmpty == false ? name : nil) ?? state.defaultModel.withLock({ $0 }) else {
            throw APIError.badRequest("no model given ('model' field) and no default model set")
        }
        try RequestAccess.require(model: n)
        return try state.repository.model(n)
    }

    /// One sample as a batch-of-one tensor for the model's first input.
    func rowInput(_ m: LoadedModel, values: [Float]) throws -> Tensor {
        guard let spec = m.signature.inputs.first else { throw APIError.badRequest("model '\(m.name)' has no inputs") }
        var shape = spec.shape.map { $0 < 0 ? 1 : $0 }
        if shape.isEmpty { shape = [values.count] }
        shape[0] = 1
        if shape.reduce(1, *) != values.count {
            guard spec.shape.dropFirst().filter({ $0 < 0 }).count <= 1 else {
                throw APIError.badRequest("model '\(m.name)' input '\(spec.name)' has shape \(spec.shape); send \(shape.reduce(1, *)) values")
            }
            let fixed = shape.dropFirst().enumerated().filter { spec.shape[$0.offset + 1] >= 0 }.map(\.element).reduce(1, *)
            if let i = spec.shape.dropFirst().firstIndex(where: { $0 < 0 }), fixed > 0, values.count % fixed == 0 {
                shape[i] = values.count / fixed
            }
        }
        guard shape.reduce(1, *) == values.count else {
            throw APIError.badRequest("model '\(m.name)' input '\(spec.name)' has shape \(spec.shape): \(values.count) values do not fit")
        }
        return spec.datatype == .FP32 ? Tensor(name: spec.name, shape: shape, values: values)
            : try Tensor.from(doubles: values.map(Double.init), name: spec.name, datatype: spec.datatype, shape: shape)
    }

    /// Runs one sample through the model's scheduler (queue, dynamic batching, instances) and returns the
    /// first row of its first output.
    func predictRow(_ m: LoadedModel, values: [Float]) async throws -> [Float] {
        let input = try rowInput(m, values: values)
        guard let out = try await state.schedulers.scheduler(for: m).infer([input]).first else {
            throw APIError(.internalServerError, "model returned no output")
        }
        let row = out.shape.count > 1 ? out.shape.dropFirst().reduce(1, *) : out.elementCount
        return out.doubles().prefix(row).map { Float($0) }
    }

    /// TFaaS `/json`: `{"keys","values","model"}` → first output row; with labels, `[{"label","probability"}]`
    /// sorted by decreasing probability. Small bodies are parsed on the request's task, larger ones on a
    /// worker thread.
    func predictJSON(_ request: Request) async throws -> Response {
        let body = try await state.body(request)
        let lease = BudgetLease.current
        let parse: @Sendable () throws -> TFaaSRequestJSON = {
            try body.withUnsafeReadableBytes { try TFaaSRequestJSON.parse($0) { try lease?.reserve($0) } }
        }
        let parsed = body.readableBytes <= KServeRoutes.inlineBodyBytes ? try parse() : try await state.offload(parse)
        let m = try resolve(parsed.model)
        return try await state.metrics.observe(model: m.name, endpoint: "json") {
            if m.backend is NamedInputModel, let keys = parsed.keys,
               let row = try await state.offload(model: m.name, { try TFaaSNamedInputs.predict(m, keys: keys, values: parsed.values) }) {
                return JSONBody.response(json: encode(row, labels: m.labels))
            }
            return JSONBody.response(json: encode(try await predictRow(m, values: parsed.values), labels: m.labels))
        }
    }

    func encode(_ row: [Float], labels: [String]?) -> String {
        guard let labels, labels.count == row.count else { return "[" + row.map(JSONBody.number).joined(separator: ",") + "]" }
        let ranked = zip(labels, row).sorted { $0.1 > $1.1 }
        return "[" + ranked.map { #"{"label":"# + JSONBody.quote($0.0) + #","probability":"# + JSONBody.number($0.1) + "}" }
            .joined(separator: ",") + "]"
    }

    /// TFaaS `/proto`: a `Row` message in, a `Predictions` message out (labels filled, class order kept).
    func predictProto(_ request: Request) async throws -> Response {
        let body = try await state.body(request)
        let row: Tfaaspb_Row
        do { row = try Tfaaspb_Row(serializedBytes: Array(body.readableBytesView)) } catch {
            throw APIError.badRequest("/proto: the body is not a tfaaspb.Row message")
        }
        let m = try resolve(row.model)
        return try await state.metrics.observe(model: m.name, endpoint: "proto") {
            try await protoResponse(m, row: row)
        }
    }

    func protoResponse(_ m: LoadedModel, row: Tfaaspb_Row) async throws -> Response {
        let out = try await predictRow(m, values: row.value)
        var p = Tfaaspb_Predictions()
        p.prediction = out.enumerated().map { i, v in
            var c = Tfaaspb_Class()
            c.probability = v
            if let l = m.labels, l.count == out.count { c.label = l[i] }
            return c
        }
        return JSONBody.response(bytes: try p.serializedBytes(), contentType: "application/octet-stream")
    }

    /// TFaaS `/image`: multipart `image` + `model`; `[1,H,W,C]` float pixels 0–255.
    func image(_ request: Request) async throws -> Response {
        guard let boundary = MultipartForm.boundary(request.headers[.contentType]) else {
            throw APIError.badRequest("/image needs a multipart/form-data body with 'image' and 'model'")
        }
        let form = try MultipartForm(body: try await state.body(request), boundary: boundary)
        guard let img = form["image"] else { throw APIError.badRequest("/image: missing 'image' part") }
        let m = try resolve(form["model"].map { String(decoding: $0.bytes, as: UTF8.self) })
        return try await state.metrics.observe(model: m.name, endpoint: "image") {
            try await state.offload(model: m.name) { try imageResponse(m, img) }
        }
    }

    func imageResponse(_ m: LoadedModel, _ img: MultipartForm.Part) throws -> Response {
        guard let channels = m.tfaasParams?.imgChannels ?? m.signature.inputs.first?.shape.last.flatMap({ $0 > 0 ? $0 : nil }) else {
            throw APIError.badRequest("model '\(m.name)' has no img_channels in its params")
        }
        let decoded = try ImageDecoder.decode(img.bytes, channels: channels)
        if let h = m.tfaasParams?.imgHeight, let w = m.tfaasParams?.imgWidth, h != decoded.height || w != decoded.width {
            throw APIError.badRequest("model '\(m.name)' expects \(w)×\(h) images, got \(decoded.width)×\(decoded.height)")
        }
        guard let spec = m.signature.inputs.first else { throw APIError.badRequest("model has no inputs") }
        let tensor = decoded.tensor(name: spec.name)
        guard let out = try m.infer([tensor]).first else { throw APIError(.internalServerError, "model returned no output") }
        let row = out.doubles().prefix(out.shape.count > 1 ? out.shape.dropFirst().reduce(1, *) : out.elementCount).map { Float($0) }
        if let labels = m.labels, labels.count == row.count {
            let top = zip(labels, row).sorted { $0.1 > $1.1 }.prefix(5)
            return JSONBody.response(json: #"{"filename":"# + JSONBody.quote(img.filename ?? "") + #","labels":["#
                + top.map { #"{"label":"# + JSONBody.quote($0.0) + #","probability":"# + JSONBody.number($0.1) + "}" }.joined(separator: ",") + "]}")
        }
        return JSONBody.response(json: "[" + row.map(JSONBody.number).joined(separator: ",") + "]")
    }

    /// `/upload`: a multipart form (`name`, `params`, `model`, `labels`) or a (gzipped) tarball of one
    /// model folder. The model is installed atomically.
    func upload(_ request: Request) async throws -> Response {
        let body = try await state.body(request)
        let lease = BudgetLease.current
        let contentType = request.headers[.contentType]
        let encoding = request.headers[.contentEncoding]?.lowercased()
        let (name, files) = try await state.offload {
            try Self.uploadedFiles(body, contentType: contentType, contentEncoding: encoding,
                                   maxInflated: state.configuration.maxBodySize, lease: lease)
        }
        try RequestAccess.require(model: name)
        let versions = try await state.repository.install(name: name, files: files)
        state.defaultModel.withLock { $0 = name }
        state.refreshLoadedGauge()
        return JSONBody.response(body: UploadResultBody(name: name, versions: versions))
    }

    /// The model name and files of an upload body (multipart form or tarball, inflated to at most `maxInflated`
    /// bytes); runs on a worker thread.
    static func uploadedFiles(_ body: ByteBuffer, contentType: String?, contentEncoding: String?, maxInflated: Int,
                              lease: BudgetLease?) throws
        -> (String, [String: [UInt8]]) {
        let name: String
        var files: [String: [UInt8]] = [:]
        if let boundary = MultipartForm.boundary(contentType) {
            let form = try MultipartForm(body: body, boundary: boundary)
            guard let paramsPart = form["params"] else { throw APIError.badRequest("upload: missing 'params' part") }
            var params = try TFaaSParams.parse(paramsPart.bytes, file: "uploaded params")
            name = form["name"].map { String(decoding: $0.bytes, as: UTF8.self) } ?? params.name
            guard params.name == name else {
                throw APIError.badRequest("upload: form name '\(name)' differs from params name '\(params.name)'")
            }
            guard var model = form["model"]?.bytes else { throw APIError.badRequest("upload: missing 'model' part") }
            if contentEncoding == "base64" {
                guard let d = Data(base64Encoded: Data(model), options: .ignoreUnknownCharacters) else {
                    throw APIError.badRequest("upload: 'model' is not valid base64")
                }
                model = [UInt8](d)
            }
            let modelFile = try ModelName.safeRelativePath(params.model).last!
            files[modelFile] = model
            if let labels = form["labels"] {
                let labelsFile = try params.labels.map { try ModelName.safeRelativePath($0).last! } ?? "labels.txt"
                params.labels = labelsFile
                files[labelsFile] = labels.bytes
            }
            params.model = modelFile
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            files["params.json"] = [UInt8](try encoder.encode(params))
        } else {
            let bytes = try body.withUnsafeReadableBytes { raw in
                guard contentEncoding?.contains("gzip") == true || Gzip.isGzip(raw) else { return Array(raw) }
                return try Gzip.decompress(raw, maxOutput: maxInflated) { try lease?.reserve($0) }
            }
            let entries = try TarArchive.read(bytes)
            guard let top = entries.first?.path.first else { throw APIError.badRequest("upload: the tarball holds no files") }
            guard entries.allSatisfy({ $0.path.first == top && $0.path.count > 1 }) else {
                throw APIError.badRequest("upload: every tarball entry must be inside one folder named after the model")
            }
            name = top
            for e in entries { files[e.path.dropFirst().joined(separator: "/")] = e.bytes }
        }
        return (name, files)
    }

    func delete(_ name: String) async throws -> Response {
        try RequestAccess.require(model: name)
        try await state.repository.delete(name)
        state.defaultModel.withLock { if $0 == name { $0 = nil } }
        state.refreshLoadedGauge()
        return JSONBody.response(body: DeleteResultBody(deleted: name))
    }
}
