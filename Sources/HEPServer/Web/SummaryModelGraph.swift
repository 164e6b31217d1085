import HEPInference

extension ModelGraph {
    /// input tensors → one node for the whole model (its format and facts, e.g. trees and depth) → output
    /// tensors: the drawing for formats without an operator graph (tree ensembles, lwtnn, unreadable files).
    init(signature: ModelSignature, platform: String, summary: ModelSummary?, note: String? = nil) {
        self.init()
        self.note = note
        for s in signature.inputs {
            nodes.append(Node(title: s.name, subtitle: Self.describe(s), kind: .input, detail: "input \(s.name) \(Self.describe(s))"))
        }
        let facts = summary?.items.map { "\($0.name): \($0.value)" } ?? []
        let model = nodes.count
        nodes.append(Node(title: summary?.format ?? platform, subtitle: facts.prefix(2).joined(separator: ", "), kind: .model,
                          detail: ([summary?.format ?? platform] + facts).joined(separator: "\n")))
        for i in 0..<model { edges.append(Edge(from: i, to: model, label: nodes[i].title)) }
        for s in signature.outputs {
            edges.append(Edge(from: model, to: nodes.count, label: s.name))
            nodes.append(Node(title: s.name, subtitle: Self.describe(s), kind: .output, detail: "output \(s.name) \(Self.describe(s))"))
        }
    }

    /// `FP32[-1,10]`, as KServe names types and shapes.
    static func describe(_ s: TensorSpec) -> String {
        s.datatype.rawValue + "[" + s.shape.map(String.init).joined(separator: ",") + "]"
    }
}
