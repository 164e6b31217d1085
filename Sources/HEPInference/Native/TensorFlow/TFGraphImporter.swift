import Foundation
import SwiftProtobuf

/// Imports a TensorFlow frozen GraphDef (`.pb`) into the native engine. Inputs are the Placeholders (resource
/// handles left behind by freezing are ignored), outputs the nodes nothing reads, named as in the file.
public enum TFGraphImporter {
    /// Ops that carry no data (never graph outputs).
    static let inert: Set<String> = ["NoOp", "Const", "Placeholder", "Assert", "VarHandleOp", "SaveV2", "RestoreV2",
                                     "MergeV2Checkpoints", "StringJoin", "ShardedFilename"]

    public static func load(path: String) throws -> NativeGraph {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NativeEngineError.malformedModel("cannot read \((path as NSString).lastPathComponent)")
        }
        return try load(data: data)
    }

    public static func load(data: Data) throws -> NativeGraph {
        let graph: Tensorflow_GraphDef
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 64
            graph = try Tensorflow_GraphDef(serializedBytes: data, options: options)
        } catch {
            throw NativeEngineError.malformedModel("not a TensorFlow GraphDef (\(error))")
        }
        guard !graph.node.isEmpty else { throw NativeEngineError.malformedModel("the GraphDef has no nodes") }
        return try build(graph)
    }

    static func build(_ graph: Tensorflow_GraphDef) throws -> NativeGraph {
        try build(graph.node)
    }

    /// Builds a graph from GraphDef nodes. Without `outputs`, the outputs are the nodes nothing reads; with them
    /// (a SavedModel signature: exposed name and value), only the nodes they need are translated. `inputNames`
    /// renames Placeholders; `library` turns While nodes into loops.
    static func build(_ all: [Tensorflow_NodeDef], outputs: [(name: String, value: String, float64: Bool)]? = nil, inputNames: [String: String] = [:],
                      library: TFFunctionLibrary? = nil, sourceOps: [String: Int]? = nil) throws -> NativeGraph {
        let b = NativeGraphBuilder()
        var seen = Set<String>()
        for n in all {
            guard seen.insert(n.name).inserted else { throw NativeEngineError.malformedModel("node name '\(n.name)' appears twice") }
        }
        let nodes = outputs.map { needed(all, by: $0.map(\.value)) } ?? all
        var consumed = Set<String>(), controlled = Set<String>()
        for n in nodes {
            for i in n.input {
                if i.hasPrefix("^") { controlled.insert(String(i.dropFirst())) } else { consumed.insert(valueName(i)) }
            }
        }
        let frames = try TFWhileFrames(nodes)
        for (i, n) in nodes.enumerated() where !frames.members.contains(i) {
            // Freezing leaves placeholders behind that nothing reads (resource handles, unused loop inputs).
            if n.op == "Placeholder", !consumed.contains(n.name) { continue }
            if let library, TFFunctionLibrary.whileOps.contains(n.op) {
                try library.addWhile(n, into: b)
            } else {
                try TFOpTranslator.translate(n, into: b, inputName: inputNames[n.name])
            }
        }
        try frames.addLoops(nodes, into: b)
        if let outputs {
            for o in outputs { b.addOutput(name: o.name, value: valueName(o.value), float64: o.float64) }
        } else {
            // Nodes only control edges read (a function's variable reads in a frozen TF2 graph) are not outputs.
            for (i, n) in nodes.enumerated() where !inert.contains(n.op) && !consumed.contains(n.name) && !controlled.contains(n.name)
                && !frames.members.contains(i) {
                b.addOutput(name: n.name, value: n.name, float64: [TFAttributes(node: n).type("T"), TFAttributes(node: n).type("dtype")].contains(.dtDouble))
            }
        }
        var graphOut = try b.build()
        if let sourceOps { graphOut.sourceOpHistogram = sourceOps } else {
            for n in all { graphOut.sourceOpHistogram[n.op, default: 0] += 1 }
        }
        return graphOut
    }

    /// The nodes the values `outputs` depend on (data and control inputs; control inputs keep TF1 loop
    /// constants in their frame), in their original order.
    static func needed(_ nodes: [Tensorflow_NodeDef], by outputs: [String]) -> [Tensorflow_NodeDef] {
        var index = [String: Int]()
        for (i, n) in nodes.enumerated() { index[n.name] = i }
        func producer(_ input: String) -> Int? {
            let s = input.hasPrefix("^") ? input.dropFirst() : Substring(input)
            return index[String(s.split(separator: ":").first ?? "")]
        }
        var keep = Set<Int>()
        var stack = outputs.compactMap(producer)
        while let i = stack.popLast() {
            guard keep.insert(i).inserted else { continue }
            // A loop's Merge reads its NextIteration: follow all inputs.
            for input in nodes[i].input { if let p = producer(input), !keep.contains(p) { stack.append(p) } }
        }
        return nodes.indices.filter { keep.contains($0) }.map { nodes[$0] }
    }

    /// The value name of a node input: "node" for output 0 ("node:0" too), "node:k" otherwise.
    static func valueName(_ input: String) -> String {
        input.hasSuffix(":0") ? String(input.dropLast(2)) : input
    }
}
