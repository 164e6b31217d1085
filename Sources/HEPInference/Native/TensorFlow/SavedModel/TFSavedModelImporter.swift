import Foundation
import SwiftProtobuf

/// Imports a TensorFlow 2 SavedModel directory (`saved_model.pb` + `variables/`) into the native engine: the
/// `serving_default` signature's inputs and outputs (named by their signature keys), the graph functions
/// inlined, variables read from the TensorBundle checkpoint as constants, While functions as loops.
public enum TFSavedModelImporter {
    /// The bundle key of the checkpoint's object graph.
    static let objectGraphKey = "_CHECKPOINTABLE_OBJECT_GRAPH"

    /// The SavedModel directory `path` names: the directory itself when it holds `saved_model.pb`, or the
    /// directory of a file called `saved_model.pb`; nil for anything else.
    public static func directory(of path: String) -> String? {
        var dir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &dir) else { return nil }
        if dir.boolValue { return FileManager.default.fileExists(atPath: path + "/saved_model.pb") ? path : nil }
        guard (path as NSString).lastPathComponent == "saved_model.pb" else { return nil }
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    public static func load(directory: String) throws -> NativeGraph {
        guard let data = FileManager.default.contents(atPath: directory + "/saved_model.pb") else {
            throw NativeEngineError.malformedModel("cannot read saved_model.pb")
        }
        let model: Tensorflow_SavedModel
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 100
            model = try Tensorflow_SavedModel(serializedBytes: data, options: options)
        } catch {
            throw NativeEngineError.malformedModel("saved_model.pb is not a SavedModel (\(error))")
        }
        guard let meta = model.metaGraphs.first(where: { $0.metaInfoDef.tags.contains("serve") }) ?? model.metaGraphs.first else {
            throw NativeEngineError.malformedModel("saved_model.pb has no meta graph")
        }
        let signature = try servingSignature(meta)
        let bundle = FileManager.default.fileExists(atPath: directory + "/variables/variables.index")
            ? try TensorBundle(prefix: directory + "/variables/variables") : nil
        let library = TFFunctionLibrary(meta.graphDef.library)

        let inputs = signature.inputs.sorted { $0.key < $1.key }
        let outputs = signature.outputs.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value.name, float64: $0.value.dtype == .dtDouble) }
        var inputNames = [String: String]()
        for (key, info) in inputs { inputNames[TFGraphImporter.valueName(info.name)] = key }
        // Only the nodes of the main graph the signature needs, then their functions inlined.
        let main = TFGraphImporter.needed(meta.graphDef.node, by: outputs.map(\.value))
        let variables = try variableKeys(meta, main: main, bundle: bundle)
        var nodes = try library.expand(main)
        var constants = [Tensorflow_NodeDef]()
        for n in nodes where ["VarHandleOp", "VariableV2"].contains(n.op) {
            guard let bundle, let key = variables[n.name] else {
                throw NativeEngineError.malformedModel("variable '\(n.name)' has no value in the checkpoint")
            }
            constants.append(try constantNode(n.name, try bundle.tensor(key)))
        }
        nodes.removeAll { ["VarHandleOp", "VariableV2"].contains($0.op) }
        var histogram = [String: Int]()
        for n in nodes where !n.name.isEmpty { histogram[n.op, default: 0] += 1 }
        return try TFGraphImporter.build(constants + nodes, outputs: outputs, inputNames: inputNames, library: library, sourceOps: histogram)
    }

    /// `serving_default`, or the only signature besides the init op.
    static func servingSignature(_ meta: Tensorflow_MetaGraphDef) throws -> Tensorflow_SignatureDef {
        if let s = meta.signatureDef["serving_default"] { return s }
        let others = meta.signatureDef.filter { !$0.key.hasPrefix("__") }
        guard others.count == 1, let only = others.first else {
            throw NativeEngineError.malformedModel("no serving_default signature (signatures: \(others.keys.sorted().joined(separator: ", ")))")
        }
        return only.value
    }

    /// Checkpoint key of each variable node of the main graph. TF2: a call's trailing inputs are the variables
    /// its function captures (`bound_inputs`, object-graph node ids), whose keys the checkpoint's object graph
    /// lists; TF1: the variable's shared name or node name is the key.
    static func variableKeys(_ meta: Tensorflow_MetaGraphDef, main: [Tensorflow_NodeDef], bundle: TensorBundle?) throws -> [String: String] {
        guard let bundle else { return [:] }
        var keys = [String: String]()
        var objectKeys = [Int: String]()
        if bundle.contains(objectGraphKey) {
            let graph: Tensorflow_TrackableObjectGraph
            do {
                graph = try Tensorflow_TrackableObjectGraph(serializedBytes: try bundle.scalarString(objectGraphKey))
            } catch let e as NativeEngineError {
                throw e
            } catch {
                throw NativeEngineError.malformedModel("variables: bad object graph (\(error))")
            }
            for (i, node) in graph.nodes.enumerated() {
                if let a = node.attributes.first(where: { $0.name == "VARIABLE_VALUE" }) { objectKeys[i] = a.checkpointKey }
            }
        }
        let library = TFFunctionLibrary(meta.graphDef.library)
        for n in main where TFFunctionLibrary.callOps.contains(n.op) {
            guard let fname = TFFunctionLibrary.functionName(n, "f"), let bound = meta.objectGraphDef.concreteFunctions[fname]?.boundInputs,
                  !bound.isEmpty else { continue }
            let ins = n.input.filter { !$0.hasPrefix("^") }
            guard let f = library.functions[fname], ins.count == f.signature.inputArg.count, bound.count <= ins.count else { continue }
            for (input, id) in zip(ins.suffix(bound.count), bound) {
                if let key = objectKeys[Int(id)] { keys[TFGraphImporter.valueName(input)] = key }
            }
        }
        for n in main where ["VarHandleOp", "VariableV2"].contains(n.op) && keys[n.name] == nil {
            let shared = TFAttributes(node: n).string("shared_name")
            if !shared.isEmpty, bundle.contains(shared) { keys[n.name] = shared } else if bundle.contains(n.name) { keys[n.name] = n.name }
        }
        return keys
    }

    /// A Const node holding `t` (variables become constants the engine can fold and fuse).
    static func constantNode(_ name: String, _ t: NativeTensor) throws -> Tensorflow_NodeDef {
        var proto = Tensorflow_TensorProto()
        var shape = Tensorflow_TensorShapeProto()
        shape.dim = t.shape.map { d in var x = Tensorflow_TensorShapeProto.Dim(); x.size = Int64(d); return x }
        proto.tensorShape = shape
        switch t.storage {
        case let .float(b):
            proto.dtype = .dtFloat
            proto.tensorContent = Data(bytes: b.pointer, count: t.elementCount * 4)
        case let .int(v):
            proto.dtype = .dtInt64
            proto.int64Val = v.map { Int64($0) }
        case let .bool(v):
            proto.dtype = .dtBool
            proto.boolVal = v
        }
        var value = Tensorflow_AttrValue()
        value.tensor = proto
        var n = TFFunctionLibrary.node(name, "Const", [])
        n.attr["value"] = value
        return n
    }
}
