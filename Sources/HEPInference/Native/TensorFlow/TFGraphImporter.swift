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
        let b = NativeGraphBuilder()
        var consumed = Set<String>()
        for n in graph.node {
            for i in n.input where !i.hasPrefix("^") { consumed.insert(valueName(i)) }
        }
        var seen = Set<String>()
        for n in graph.node {
            guard seen.insert(n.name).inserted else { throw NativeEngineError.malformedModel("node name '\(n.name)' appears twice") }
            try TFOpTranslator.translate(n, into: b)
        }
        for n in graph.node where !inert.contains(n.op) && !consumed.contains(n.name) {
            b.addOutput(name: n.name, value: n.name)
        }
        var graphOut = try b.build()
        for n in graph.node { graphOut.sourceOpHistogram[n.op, default: 0] += 1 }
        return graphOut
    }

    /// The value name of a node input: "node" for output 0 ("node:0" too), "node:k" otherwise.
    static func valueName(_ input: String) -> String {
        input.hasSuffix(":0") ? String(input.dropLast(2)) : input
    }
}
