import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HEPInference
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing
@testable import HEPServer

/// The web page: escaping, the layered graph layout, the SVG drawing, metrics read back from the
/// Prometheus text, and the pages served through the router on real models.
@Suite struct WebPageTests {
    static let hostile = #"<script>alert("x")</script> & 'q'"#

    /// Whether `text` is well-formed XML (the SVG must be, with any names in it).
    static func wellFormed(_ text: String) -> Bool {
        XMLParser(data: Data(text.utf8)).parse()
    }

    @Test func escapesMarkupAndControlCharacters() {
        #expect(MarkupText.escape(Self.hostile) == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;")
        #expect(MarkupText.escape("a\u{1}b\u{7F}\tc\nd") == "a\u{FFFD}b\u{FFFD}\tc\nd")
        #expect(MarkupText.escape("µ → ∞") == "µ → ∞")
        #expect(MarkupText.truncated("abcdef", to: 4) == "abc…")
        #expect(MarkupText.truncated("abc", to: 4) == "abc")
    }

    @Test func pageScopes() {
        func c(_ p: String) -> EndpointScope { EndpointScope.classify(method: .get, path: p, query: nil) }
        #expect(c("/ui/style.css") == EndpointScope(scope: nil))
        #expect(c("/ui/app.js") == EndpointScope(scope: nil))
        #expect(c("/") == EndpointScope(scope: .read))
        #expect(c("/ui/metrics.json") == EndpointScope(scope: .read))
        #expect(c("/ui/models/pn") == EndpointScope(scope: .read, model: "pn"))
        #expect(c("/ui/models/pn/versions/2/graph.svg") == EndpointScope(scope: .read, model: "pn"))
        #expect(EndpointScope.classify(method: .post, path: "/ui/app.js", query: nil) == EndpointScope(scope: .read))
    }

    @Test func diamondIsLayeredTopDownWithoutOverlap() {
        let widths = [80.0, 100, 60, 80]
        let layout = LayeredGraphLayout(widths: widths, edges: [(0, 1), (0, 2), (1, 3), (2, 3)], nodeHeight: 40, gap: 20)
        #expect(layout.layers == [0, 1, 1, 2])
        let p = layout.positions
        #expect(p[0].y < p[1].y && p[1].y == p[2].y && p[2].y < p[3].y)
        #expect(abs(p[1].x - p[2].x) >= (widths[1] + widths[2]) / 2 + 20 - 1e-9)
        #expect(p[3].x > min(p[1].x, p[2].x) && p[3].x < max(p[1].x, p[2].x))
        for (i, pt) in p.enumerated() {
            #expect(pt.x - widths[i] / 2 >= 0 && pt.x + widths[i] / 2 <= layout.width)
            #expect(pt.y + 40 <= layout.height)
        }
        // Each route runs from the source's bottom to the target's top.
        #expect(layout.routes[0].first == LayeredGraphLayout.Point(x: p[0].x, y: p[0].y + 40))
        #expect(layout.routes[0].last == LayeredGraphLayout.Point(x: p[1].x, y: p[1].y))
    }

    @Test func longEdgesGetAPointInEveryLayerTheyCross() {
        // 0 → 1 → 2 → 3 and a skip connection 0 → 3 (as a residual block has).
        let layout = LayeredGraphLayout(widths: [60, 60, 60, 60], edges: [(0, 1), (1, 2), (2, 3), (0, 3)], nodeHeight: 40)
        #expect(layout.layers == [0, 1, 2, 3])
        #expect(layout.routes[3].count == 4)
        #expect(layout.routes[0].count == 2)
        // The skip edge's points do not sit on the chain's boxes.
        for pt in layout.routes[3].dropFirst().dropLast() {
            #expect(abs(pt.x - layout.positions[1].x) >= 30)
        }
    }

    @Test func barycentresRemoveACrossing() {
        // Top 0, 1; bottom 2, 3 in input order, edges 0 → 3 and 1 → 2: crossing unless 3 is put left of 2.
        let layout = LayeredGraphLayout(widths: [60, 60, 60, 60], edges: [(0, 3), (1, 2)], nodeHeight: 40)
        let p = layout.positions
        #expect((p[0].x < p[1].x) == (p[3].x < p[2].x))
    }

    @Test func sideInputsMoveDownToTheirConsumer() {
        // 0 → 1 → 2 → 3, and source 4 feeds only 3: it is drawn just above 3, not on the first layer.
        let layout = LayeredGraphLayout(widths: [60, 60, 60, 60, 60], edges: [(0, 1), (1, 2), (2, 3), (4, 3)], nodeHeight: 40)
        #expect(layout.layers == [0, 1, 2, 3, 2])
    }

    @Test func cyclesAndBadEdgesDoNotHang() {
        let layout = LayeredGraphLayout(widths: [50, 50, 50], edges: [(0, 1), (1, 2), (2, 0), (5, 1), (1, 1)], nodeHeight: 40)
        #expect(layout.positions.count == 3)
        #expect(Set(layout.layers).count == 3)
        #expect(layout.routes[3].isEmpty && layout.routes[4].isEmpty)
        #expect(LayeredGraphLayout(widths: [], edges: [], nodeHeight: 40).positions.isEmpty)
    }

    @Test func svgEscapesNamesAndIsWellFormed() {
        var g = ModelGraph()
        g.nodes = [ModelGraph.Node(title: Self.hostile, subtitle: "FP32[1,3]", kind: .input, detail: Self.hostile),
                   ModelGraph.Node(title: "Relu", subtitle: "</text><script>", kind: .activation, detail: "x\"y"),
                   ModelGraph.Node(title: "out", subtitle: "", kind: .output, detail: "out")]
        g.edges = [ModelGraph.Edge(from: 0, to: 1, label: "<t>"), ModelGraph.Edge(from: 1, to: 2, label: "y&z")]
        let svg = GraphSVG.render(g, title: "graph of <model>")
        #expect(Self.wellFormed(svg))
        #expect(!svg.contains("<script"))
        #expect(svg.contains("&lt;script&gt;alert(&quot;x&quot;)"))
        #expect(svg.contains("<title>&lt;t&gt;</title>"))
        #expect(svg.contains("class=\"graph-node kind-activation\""))
        #expect(svg.components(separatedBy: "class=\"graph-edge\"").count == 3)
        #expect(Self.wellFormed(WebAssets.standaloneSVG(svg)))
    }

    @Test func onnxGraphOfTheSharedMLP() throws {
        let data = try #require(FileManager.default.contents(atPath: ModelFixtures.modelsDirectory + "/sklearn-mlp/model.onnx"))
        let proto = try Onnx_ModelProto(serializedBytes: data)
        let g = ModelGraph(onnx: proto, maxOperators: 1000)
        #expect(g.note == nil)
        #expect(g.nodes.filter { $0.kind == .input }.count == proto.graph.input.count - proto.graph.input.filter { i in proto.graph.initializer.contains { $0.name == i.name } }.count)
        let drawnOps = proto.graph.node.filter { $0.opType != "Constant" }.count
        #expect(drawnOps > 5)
        #expect(g.nodes.count == g.nodes.filter { $0.kind == .input }.count + drawnOps + proto.graph.output.count)
        // ONNX stores nodes in topological order, so every edge points forward.
        #expect(g.edges.allSatisfy { $0.from < $0.to })
        // Every operator is reached from an input and reaches an output (nothing left unconnected).
        for i in g.nodes.indices where g.nodes[i].kind != .input { #expect(g.edges.contains { $0.to == i }) }
        for i in g.nodes.indices where g.nodes[i].kind != .output { #expect(g.edges.contains { $0.from == i }) }
        let facts = ONNXModelFacts(proto)
        #expect(facts.operatorCounts.reduce(0) { $0 + $1.count } == proto.graph.node.count)
        #expect(facts.producer.hasPrefix("skl2onnx"))
        let tooBig = ModelGraph(onnx: proto, maxOperators: 2)
        #expect(tooBig.nodes.isEmpty && tooBig.note != nil)
    }

    @Test func readsTheServersOwnPrometheusText() {
        let text = """
            # TYPE hepml_inference_requests_total counter
            hepml_inference_requests_total{model="mlp",endpoint="v2/infer"} 10
            hepml_inference_errors_total{model="mlp",endpoint="v2/infer"} 2
            hepml_inference_duration_seconds_bucket{model="mlp",endpoint="v2/infer",le="0.005"} 6
            hepml_inference_duration_seconds_bucket{model="mlp",endpoint="v2/infer",le="0.01"} 7
            hepml_inference_duration_seconds_bucket{model="mlp",endpoint="v2/infer",le="+Inf"} 8
            hepml_inference_duration_seconds_sum{model="mlp",endpoint="v2/infer"} 0.4
            hepml_inference_duration_seconds_count{model="mlp",endpoint="v2/infer"} 8
            hepml_inference_requests_total{model="a\\"b\\\\c\\nd",endpoint="json"} 3
            hepml_inference_requests_total{model="broken
            http_requests_total{method="GET"} 5
            hepml_batch_size_sum{model="mlp"} 12
            hepml_batch_size_count{model="mlp"} 4
            hepml_batch_queue_seconds_sum{model="mlp"} 0.002
            hepml_batch_queue_seconds_count{model="mlp"} 10
            hepml_batch_compute_seconds_sum{model="mlp"} 0.04
            hepml_batch_compute_seconds_count{model="mlp"} 4

            """
        let s = InferenceMetricsSummary(exposition: Array(text.utf8), uptimeSeconds: 5)
        #expect(s.rows.map(\.model) == ["a\"b\\c\nd", "mlp"])
        let mlp = s.rows[1]
        #expect(mlp.requests == 10 && mlp.errors == 2 && mlp.observed == 8)
        #expect(mlp.meanSeconds == 0.05)
        #expect(mlp.p50AtMostSeconds == 0.005)
        #expect(mlp.p99AtMostSeconds == nil)
        #expect(s.rows[0].requests == 3 && s.rows[0].meanSeconds == nil)
        #expect(s.batching.count == 1)
        #expect(s.batching.first?.runs == 4 && s.batching.first?.meanBatchSize == 3)
        #expect(s.batching.first?.meanQueueSeconds == 0.0002 && s.batching.first?.meanComputeSeconds == 0.01)
        #expect(WebPageModels.batchingRows(s).first?.queue == "200 µs")
        let rows = WebPageModels.metricsRows(s, model: "mlp")
        #expect(rows.count == 1 && rows[0].rate == "2.00/s" && rows[0].mean == "50.00 ms" && rows[0].p99 == "> largest bucket")
    }

    @Test func sampleRequestIsValidJSONForEveryInput() throws {
        let sig = ModelSignature(inputs: [TensorSpec(name: "x\"y", datatype: .FP32, shape: [-1, 3]),
                                          TensorSpec(name: "m", datatype: .BOOL, shape: [2])], outputs: [])
        let obj = try JSONSerialization.jsonObject(with: Data(WebPageModels.sampleRequest(sig).utf8)) as? [String: Any]
        let inputs = try #require(obj?["inputs"] as? [[String: Any]])
        #expect(inputs.map { $0["name"] as? String } == ["x\"y", "m"])
        #expect((inputs[0]["data"] as? [Double]) == [0, 0, 0])
        #expect((inputs[0]["shape"] as? [Int]) == [1, 3])
        #expect((inputs[1]["data"] as? [Bool]) == [false, false])
    }

    /// A model folder with hostile ONNX metadata, labels and description, served through the router.
    @Test func pagesEscapeUserInput() async throws {
        var b = ONNXGraphBuilder(name: "g<1>")
        b.input("x<in>", dims: [nil, 2])
        b.node("Relu", ["x<in>"], ["y"])
        b.output("y", dims: [nil, 2])
        let onnx = try b.build(producer: "tester", version: "1", metadata: [Self.hostile: "a<b>&c", "units": "GeV"])
        let root = NSTemporaryDirectory() + "hepml-web-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/relu", withIntermediateDirectories: true)
        try Data(onnx).write(to: URL(fileURLWithPath: root + "/relu/model.onnx"))
        try Data("<b>sig</b>\nbkg\n".utf8).write(to: URL(fileURLWithPath: root + "/relu/labels.txt"))
        let params = #"{"name": "relu", "model": "model.onnx", "labels": "labels.txt", "description": "<img src=x onerror=alert(1)>"}"#
        try Data(params.utf8).write(to: URL(fileURLWithPath: root + "/relu/params.json"))
        let server = try HEPMLServer(configuration: ServerConfiguration(repository: root),
                                     factory: BackendFactory(onnxEnvironment: ModelFixtures.environment))
        let app = Application(router: server.router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "text/html; charset=utf-8")
                #expect(r.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                let html = String(buffer: r.body)
                #expect(html.contains(#"<a href="/ui/models/relu">relu</a>"#))
                #expect(html.contains("READY"))
                #expect(html.contains("upload-form"))
            }
            try await client.execute(uri: "/ui/models/relu", method: .get) { r in
                #expect(r.status == .ok)
                let html = String(buffer: r.body)
                #expect(!html.contains("<script>alert") && !html.contains("<img src=x") && !html.contains("<b>sig"))
                #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
                #expect(html.contains("<dt>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</dt><dd>a&lt;b&gt;&amp;c</dd>"))
                #expect(html.contains("<dt>units</dt><dd>GeV</dd>"))
                #expect(html.contains("<li>&lt;b&gt;sig&lt;/b&gt;</li>"))
                #expect(html.contains("<svg ") && html.contains(">Relu</text>"))
                #expect(html.contains("x&lt;in&gt;"))
                #expect(html.contains("/v2/models/relu/versions/1/infer"))
            }
            try await client.execute(uri: "/ui/models/relu/versions/1/graph.svg", method: .get) { r in
                #expect(r.status == .ok)
                #expect(Self.wellFormed(String(buffer: r.body)))
            }
            try await client.execute(uri: "/ui/models/nope", method: .get) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/ui/app.js", method: .get) { r in
                #expect(r.status == .ok && String(buffer: r.body).contains("textContent"))
            }
            try await client.execute(uri: "/v2/models/relu/infer", method: .post,
                                     body: ByteBuffer(string: #"{"inputs":[{"name":"x<in>","shape":[1,2],"datatype":"FP32","data":[-1,2]}]}"#)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/ui/metrics.json", method: .get) { r in
                let obj = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]
                let rows = obj?["rows"] as? [[String: Any]] ?? []
                let row = rows.first { $0["model"] as? String == "relu" && $0["endpoint"] as? String == "v2/infer" }
                #expect((row?["requests"] as? Double ?? 0) >= 1)
                #expect(row?["mean_seconds"] is Double)
            }
        }
    }

    @Test func treeModelsAreDrawnAsOneBlock() async throws {
        let root = NSTemporaryDirectory() + "hepml-web-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/bdt", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ModelFixtures.modelsDirectory + "/xgboost-bdt/model.json", toPath: root + "/bdt/model.json")
        try Data(#"{"name": "bdt", "model": "model.json"}"#.utf8).write(to: URL(fileURLWithPath: root + "/bdt/params.json"))
        let server = try HEPMLServer(configuration: ServerConfiguration(repository: root),
                                     factory: BackendFactory(onnxEnvironment: ModelFixtures.environment))
        let app = Application(router: server.router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/ui/models/bdt", method: .get) { r in
                #expect(r.status == .ok)
                let html = String(buffer: r.body)
                #expect(html.contains("graph-node kind-model"))
                #expect(html.contains("trees"))
            }
        }
    }
}
