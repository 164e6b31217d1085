import HEPInference

extension ModelGraph {
    /// The operator graph of an ONNX model: graph inputs that are not initializers, one node per operator and
    /// the graph outputs, with an edge for every tensor from the node that produces it to each consumer.
    /// Initializers (weights) and `Constant` operators are not drawn (both are fixed values, not steps).
    /// Subgraphs of control-flow operators are shown as their operator.
    init(onnx model: Onnx_ModelProto, maxOperators: Int) {
        let g = model.graph
        guard g.node.count <= maxOperators else {
            self.init()
            note = "the graph has \(g.node.count) operators; drawing at most \(maxOperators)"
            return
        }
        self.init()
        let weights = Set(g.initializer.map(\.name))
        var producer: [String: Int] = [:]
        for v in g.input where !weights.contains(v.name) {
            producer[v.name] = nodes.count
            nodes.append(Node(title: v.name, subtitle: Self.describe(v), kind: .input, detail: "input \(v.name) \(Self.describe(v))"))
        }
        for (i, n) in g.node.enumerated() where !(n.opType == "Constant" && n.input.isEmpty && (n.domain.isEmpty || n.domain == "ai.onnx")) {
            let id = nodes.count
            let op = n.domain.isEmpty || n.domain == "ai.onnx" ? n.opType : "\(n.domain).\(n.opType)"
            let name = n.name.isEmpty ? "#\(i)" : n.name
            let detail = "\(op) \(name)\ninputs: \(n.input.filter { !$0.isEmpty }.joined(separator: ", "))\noutputs: \(n.output.joined(separator: ", "))"
            nodes.append(Node(title: n.opType, subtitle: name, kind: Self.kind(ofOperator: n.opType), detail: detail))
            for t in n.input where !t.isEmpty {
                if let p = producer[t] { edges.append(Edge(from: p, to: id, label: t)) }
            }
            for t in n.output where !t.isEmpty { producer[t] = id }
        }
        for v in g.output {
            let id = nodes.count
            nodes.append(Node(title: v.name, subtitle: Self.describe(v), kind: .output, detail: "output \(v.name) \(Self.describe(v))"))
            if let p = producer[v.name] { edges.append(Edge(from: p, to: id, label: v.name)) }
        }
    }

    /// `float32[N,2,?]`: element type and shape of a tensor declaration (named dimensions as their name).
    static func describe(_ v: Onnx_ValueInfoProto) -> String {
        guard v.hasType, case let .tensorType(t)? = v.type.value else { return "" }
        let dims = t.shape.dim.map { d -> String in
            switch d.value {
            case let .dimValue(n)?: return String(n)
            case let .dimParam(p)?: return p.isEmpty ? "?" : p
            case nil: return "?"
            }
        }
        return elementTypeName(t.elemType) + "[" + dims.joined(separator: ",") + "]"
    }

    static func elementTypeName(_ t: Int32) -> String {
        switch t {
        case 1: "float32"
        case 2: "uint8"
        case 3: "int8"
        case 4: "uint16"
        case 5: "int16"
        case 6: "int32"
        case 7: "int64"
        case 8: "string"
        case 9: "bool"
        case 10: "float16"
        case 11: "float64"
        case 12: "uint32"
        case 13: "uint64"
        case 16: "bfloat16"
        default: "type\(t)"
        }
    }
}

/// Facts from an ONNX file's header shown on the model page: producer, versions, opsets and
/// `metadata_props`.
struct ONNXModelFacts: Sendable, Equatable {
    var irVersion: Int64
    var producer: String
    var domain: String
    var modelVersion: Int64
    var graphName: String
    var docString: String
    /// `domain version` per imported operator set (`ai.onnx` for the default domain).
    var opsets: [String]
    var metadata: [(key: String, value: String)]
    /// Operator type → count, most frequent first (the graph's text alternative).
    var operatorCounts: [(op: String, count: Int)]

    init(_ m: Onnx_ModelProto) {
        irVersion = m.irVersion
        producer = [m.producerName, m.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
        domain = m.domain
        modelVersion = m.modelVersion
        graphName = m.graph.name
        docString = m.docString
        opsets = m.opsetImport.map { "\($0.domain.isEmpty ? "ai.onnx" : $0.domain) \($0.version)" }
        metadata = m.metadataProps.map { ($0.key, $0.value) }
        var counts: [String: Int] = [:]
        for n in m.graph.node { counts[n.opType, default: 0] += 1 }
        operatorCounts = counts.map { ($0.key, $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.op < $1.op }
    }

    static func == (a: ONNXModelFacts, b: ONNXModelFacts) -> Bool {
        a.irVersion == b.irVersion && a.producer == b.producer && a.domain == b.domain && a.modelVersion == b.modelVersion
            && a.graphName == b.graphName && a.docString == b.docString && a.opsets == b.opsets
            && a.metadata.elementsEqual(b.metadata) { $0 == $1 } && a.operatorCounts.elementsEqual(b.operatorCounts) { $0 == $1 }
    }
}
