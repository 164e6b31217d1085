import HEPInference
import Hummingbird

/// The model repository's web page: `GET /` (model list, upload form, metrics), `/ui/models/{m}[/versions/{v}]`
/// (tensors, labels, params, ONNX facts, graph drawing, tag/delete buttons, "try it"), the graph alone as
/// `.../graph.svg`, `/ui/metrics.json` (the metrics panel's data) and the page's stylesheet and script.
/// The page's buttons call the existing API endpoints (`/upload`, `/tag`, `/delete`, `/v2/.../infer`).
struct WebRoutes {
    let state: ServerState
    let drawings = ModelDrawingCache()

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in html(try index()) }
        router.get("/ui/style.css") { _, _ in asset(WebAssets.stylesheet, type: "text/css; charset=utf-8") }
        router.get("/ui/app.js") { _, _ in asset(WebAssets.script, type: "text/javascript; charset=utf-8") }
        router.get("/ui/metrics.json") { _, _ in JSONBody.response(body: metricsSummary()) }
        for prefix in ["/ui/models/:model", "/ui/models/:model/versions/:version"] {
            router.get(RouterPath(prefix)) { _, context in
                let m = try model(context)
                return html(try await modelPage(m))
            }
            router.get(RouterPath(prefix + "/graph.svg")) { _, context in
                let m = try model(context)
                let d = try await drawing(m)
                var headers = pageHeaders(type: "image/svg+xml; charset=utf-8")
                headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: WebAssets.standaloneSVG(d.svg))))
            }
        }
    }

    func model(_ context: BasicRequestContext) throws -> LoadedModel {
        try state.repository.model(try context.parameters.require("model"), version: context.parameters.get("version"))
    }

    func drawing(_ m: LoadedModel) async throws -> ModelDrawing {
        let root = state.repository.root
        return try await state.offload { [drawings] in
            drawings.drawing(for: m) { ModelDrawing(model: m, repositoryRoot: root) }
        }
    }

    func metricsSummary() -> InferenceMetricsSummary {
        var summary = InferenceMetricsSummary(exposition: state.metrics.exposition(), uptimeSeconds: state.status.uptimeSeconds)
        summary.rows.removeAll { !$0.model.isEmpty && !RequestAccess.mayList($0.model) }
        summary.batching.removeAll { !RequestAccess.mayList($0.model) }
        return summary
    }

    func index() throws -> String {
        let index = state.repository.index().filter { RequestAccess.mayList($0.name) }
        var rows: [WebPageModels.ModelRow] = []
        for (name, s) in index {
            let cell = WebPageModels.VersionCell(version: s.version, state: s.state, stateClass: WebPageModels.stateClass(s.state),
                                                 reason: s.reason)
            if rows.last?.name == name {
                rows[rows.count - 1].versions.append(cell)
                continue
            }
            let platform = (try? state.repository.model(name))?.platform ?? ""
            let tags = state.repository.tags(of: name).sorted { $0.key < $1.key }.map { WebPageModels.TagCell(tag: $0.key, version: $0.value) }
            rows.append(WebPageModels.ModelRow(name: name, href: WebPageModels.modelHref(name), platform: platform, versions: [cell], tags: tags))
        }
        let summary = metricsSummary()
        let batching = WebPageModels.batchingRows(summary)
        let page = WebPageModels.IndexPage(serverVersion: HEPMLVersion.string, modelCount: rows.count, models: rows,
                                           metrics: WebPageModels.metricsRows(summary), batching: batching,
                                           uptime: WebPageModels.uptime(summary.uptimeSeconds))
        return try render(page, "index")
    }

    func modelPage(_ m: LoadedModel) async throws -> String {
        let d = try await drawing(m)
        let summary = (m.backend as? ModelDescribable)?.summary
        let tags = state.repository.tags(of: m.name)
        let versions = state.repository.versions(of: m.name).map { s in
            WebPageModels.VersionRow(version: s.version, state: s.state, stateClass: WebPageModels.stateClass(s.state), reason: s.reason,
                                     tags: tags.filter { $0.value == s.version }.map(\.key).sorted().joined(separator: ", "),
                                     ready: s.state == "READY", current: s.version == m.version,
                                     href: WebPageModels.modelHref(m.name, version: s.version))
        }
        func rows(_ role: String, _ specs: [TensorSpec], names: (String) -> [String]?) -> [WebPageModels.TensorRow] {
            specs.map { s in
                WebPageModels.TensorRow(role: role, name: s.name, datatype: s.datatype.rawValue,
                                        shape: "[" + s.shape.map(String.init).joined(separator: ", ") + "]",
                                        names: names(s.name)?.joined(separator: ", ") ?? "")
            }
        }
        let tensors = rows("input", m.signature.inputs) { t in summary?.inputVariables.first { $0.tensor == t }?.names }
            + rows("output", m.signature.outputs) { t in summary?.outputLabels.first { $0.tensor == t }?.labels }
        let params = WebPageModels.params(m.tfaasParams)
        var facts: [WebPageModels.KeyValue] = []
        var factsTitle = "Model"
        if let o = d.onnx {
            factsTitle = "ONNX"
            let pairs: [(String, String)] = [("producer", o.producer), ("ir_version", String(o.irVersion)), ("opsets", o.opsets.joined(separator: ", ")),
                                             ("domain", o.domain), ("model_version", o.modelVersion == 0 ? "" : String(o.modelVersion)),
                                             ("graph", o.graphName), ("doc_string", o.docString)]
            facts = pairs.filter { !$0.1.isEmpty }.map { WebPageModels.KeyValue(key: $0.0, value: $0.1) }
        } else if let summary {
            factsTitle = summary.format
            facts = summary.items.map { WebPageModels.KeyValue(key: $0.name, value: $0.value) }
        }
        let metadata = (d.onnx?.metadata ?? []).map { WebPageModels.KeyValue(key: $0.key, value: $0.value) }
        let operators = (d.onnx?.operatorCounts ?? []).map { WebPageModels.OperatorCount(op: $0.op, count: $0.count) }
        let labels = m.labels ?? []
        let versionPath = WebPageModels.pathSegment(m.name) + "/versions/\(m.version)"
        let metrics = metricsSummary()
        let batching = WebPageModels.batchingRows(metrics, model: m.name)
        let page = WebPageModels.ModelPage(
            title: m.name, model: m.name, version: String(m.version), platform: m.platform, serverVersion: HEPMLVersion.string,
            description: m.tfaasParams?.description.flatMap { $0.isEmpty ? nil : $0 }, versions: versions, tensors: tensors,
            labels: labels, hasLabels: !labels.isEmpty, params: params, hasParams: !params.isEmpty, factsTitle: factsTitle,
            facts: facts, hasFacts: !facts.isEmpty, metadata: metadata, hasMetadata: !metadata.isEmpty,
            hasDetails: !params.isEmpty || !facts.isEmpty || !metadata.isEmpty, svg: d.svg, graphNote: d.note, graphCaption: d.caption,
            graphHref: "/ui/models/" + versionPath + "/graph.svg", operators: operators, hasOperators: !operators.isEmpty,
            inferURL: "/v2/models/" + versionPath + "/infer", sampleRequest: WebPageModels.sampleRequest(m.signature),
            metrics: WebPageModels.metricsRows(metrics, model: m.name), batching: batching,
            uptime: WebPageModels.uptime(metrics.uptimeSeconds))
        return try render(page, "model")
    }

    func render(_ page: Any, _ template: String) throws -> String {
        guard let text = WebTemplates.library.render(page, withTemplate: template) else {
            throw APIError(.internalServerError, "web page template '\(template)' is missing")
        }
        return text
    }

    /// Headers of every page: content type, no caching of live data, and a policy that allows only this
    /// server's own stylesheet and script (no inline script, so injected markup could not run).
    func pageHeaders(type: String) -> HTTPFields {
        var h = HTTPFields()
        h[.contentType] = type
        h[.cacheControl] = "no-store"
        h[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        h[.xContentTypeOptions] = "nosniff"
        return h
    }

    func html(_ text: String) -> Response {
        Response(status: .ok, headers: pageHeaders(type: "text/html; charset=utf-8"), body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func asset(_ text: String, type: String) -> Response {
        var h = pageHeaders(type: type)
        h[.cacheControl] = "max-age=300"
        return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
