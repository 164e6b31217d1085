import Foundation
import SwiftProtobuf

/// Reads ONNX models whose graph is one ai.onnx.ml `TreeEnsembleClassifier` or `TreeEnsembleRegressor` (plus
/// `Identity` nodes renaming its outputs), as skl2onnx and onnxmltools write them, into a `TreeModel`.
///
/// ONNX-ML facts used: nodes are addressed by (tree id, node id); `nodes_modes` BRANCH_LEQ/LT/GTE/GT/EQ/NEQ send a
/// row to the true node when the comparison holds, NaN goes to the true node only when
/// `nodes_missing_value_tracks_true` is set (otherwise comparisons with NaN fail); leaves add `class_weights` /
/// `target_weights` to their class/target; `base_values` are added after summing (SUM) or averaging (AVERAGE);
/// `post_transform` NONE/LOGISTIC/SOFTMAX/PROBIT; a binary classifier with weights for one class only yields the
/// score s and probabilities (σ(-s), σ(s)) under LOGISTIC, (1-s, s) for positive weights, (-s, s) otherwise.
public enum ONNXTreeEnsembleImporter {
    static let format = "ONNX-ML tree ensemble"

    /// Whether the ONNX graph consists only of one tree-ensemble node (and Identity renames).
    public static func isTreeEnsembleOnly(_ bytes: [UInt8]) -> Bool {
        guard let m = try? Onnx_ModelProto(serializedBytes: bytes) else { return false }
        return (try? ensembleNode(m.graph)) != nil
    }

    public static func load(_ bytes: [UInt8]) throws -> TreeModel {
        let model: Onnx_ModelProto
        do { model = try Onnx_ModelProto(serializedBytes: bytes) } catch {
            throw TreeModelError.malformed(format, "not a valid ONNX protobuf")
        }
        let graph = model.graph
        let node = try ensembleNode(graph)
        guard graph.input.count == 1, let input = graph.input.first else {
            throw TreeModelError.unsupported(format, "the graph must have exactly one input")
        }
        let dims = input.type.tensorType.shape.dim
        guard dims.count == 2, dims[1].dimValue > 0 else {
            throw TreeModelError.unsupported(format, "input '\(input.name)' must be [N, features] with a fixed feature count")
        }
        let featureCount = Int(clamping: dims[1].dimValue)
        var attrs: [String: Onnx_AttributeProto] = [:]
        for a in node.attribute { attrs[a.name] = a }
        let isClassifier = node.opType == "TreeEnsembleClassifier"
        // Output names after Identity renames.
        var rename: [String: String] = [:]
        for n in graph.node where n.opType == "Identity" {
            if let i = n.input.first, let o = n.output.first { rename[i] = o }
        }
        let outputNames = node.output.map { rename[$0] ?? $0 }

        let treeIDs = ints(attrs, "nodes_treeids"), nodeIDs = ints(attrs, "nodes_nodeids")
        let features = ints(attrs, "nodes_featureids"), trueIDs = ints(attrs, "nodes_truenodeids")
        let falseIDs = ints(attrs, "nodes_falsenodeids")
        let modes = try strings(attrs["nodes_modes"], "nodes_modes")
        guard let valuesAttr = attrs["nodes_values"] else {
            throw TreeModelError.unsupported(format, "thresholds only in nodes_values_as_tensor")
        }
        let values = valuesAttr.floats
        let n = treeIDs.count
        var tracks = ints(attrs, "nodes_missing_value_tracks_true")
        if tracks.isEmpty { tracks = [Int64](repeating: 0, count: n) }
        guard nodeIDs.count == n, features.count == n, trueIDs.count == n, falseIDs.count == n, modes.count == n,
              values.count == n, tracks.count == n else {
            throw TreeModelError.malformed(format, "the nodes_* attributes have different lengths")
        }
        let prefix = isClassifier ? "class" : "target"
        let leafTrees = ints(attrs, "\(prefix)_treeids"), leafNodes = ints(attrs, "\(prefix)_nodeids")
        let leafIDs = ints(attrs, "\(prefix)_ids"), leafWeights = attrs["\(prefix)_weights"]?.floats ?? []
        guard leafNodes.count == leafTrees.count, leafIDs.count == leafTrees.count, leafWeights.count == leafTrees.count else {
            throw TreeModelError.malformed(format, "the \(prefix)_* attributes have different lengths")
        }
        let labels = ints(attrs, "classlabels_int64s")
        if isClassifier, labels.isEmpty {
            throw TreeModelError.unsupported(format, "string class labels (classlabels_strings)")
        }
        let outputs = isClassifier ? labels.count : Int(attrs["n_targets"]?.i ?? 1)
        guard outputs >= 1, outputs <= TreeEnsembleBuilder.maxOutputs else {
            throw TreeModelError.malformed(format, "\(outputs) classes/targets")
        }
        guard leafIDs.allSatisfy({ $0 >= 0 && $0 < outputs }) else {
            throw TreeModelError.malformed(format, "a leaf adds to a class/target outside 0..<\(outputs)")
        }
        let post = text(attrs["post_transform"]) ?? "NONE"
        let aggregate = text(attrs["aggregate_function"]) ?? "SUM"
        guard aggregate == "SUM" || aggregate == "AVERAGE" else {
            throw TreeModelError.unsupported(format, "aggregate_function \(aggregate)")
        }
        var base = (attrs["base_values"]?.floats ?? []).map { Double($0) }

        // A binary classifier scored through one class only: one raw score.
        let usedClasses = Set(leafIDs)
        let singleScore = isClassifier && outputs == 2 && usedClasses.count <= 1 && base.count <= 1
        let rawOutputs = singleScore ? 1 : outputs
        if singleScore {
            base = [base.first ?? 0]
        } else if base.isEmpty {
            base = [Double](repeating: 0, count: outputs)
        }
        guard base.count == rawOutputs else {
            throw TreeModelError.malformed(format, "\(base.count) base_values for \(rawOutputs) outputs")
        }

        // Group nodes by tree, in order of first appearance.
        var treeOrder: [Int64] = []
        var treeIndex: [Int64: Int] = [:]
        var local: [[Int64: Int]] = []
        var trees: [RawTree] = []
        for k in 0..<n {
            let t = treeIDs[k]
            if treeIndex[t] == nil {
                treeIndex[t] = trees.count
                treeOrder.append(t)
                local.append([:])
                var tree = RawTree()
                tree.group = nil
                trees.append(tree)
            }
            let ti = treeIndex[t]!
            guard local[ti][nodeIDs[k]] == nil else {
                throw TreeModelError.malformed(format, "tree \(t) defines node \(nodeIDs[k]) twice")
            }
            local[ti][nodeIDs[k]] = trees[ti].nodes.count
            trees[ti].nodes.append(RawTree.Node())
        }
        var isChild = trees.map { [Bool](repeating: false, count: $0.nodes.count) }
        for k in 0..<n {
            let ti = treeIndex[treeIDs[k]]!
            let me = local[ti][nodeIDs[k]]!
            let mode = String(decoding: modes[k], as: UTF8.self)
            if mode == "LEAF" { continue }
            guard let tNode = local[ti][trueIDs[k]], let fNode = local[ti][falseIDs[k]] else {
                throw TreeModelError.malformed(format, "tree \(treeIDs[k]) node \(nodeIDs[k]) links to a node that does not exist")
            }
            isChild[ti][tNode] = true
            isChild[ti][fNode] = true
            var node = RawTree.Node()
            node.feature = Int(clamping: features[k])
            node.threshold = Double(values[k])
            let nanTrue = tracks[k] != 0 || mode == "BRANCH_NEQ"
            var swap = false
            switch mode {
            case "BRANCH_LEQ": node.test = .lessOrEqual
            case "BRANCH_LT": node.test = .less
            case "BRANCH_GTE": node.test = .less; swap = true
            case "BRANCH_GT": node.test = .lessOrEqual; swap = true
            case "BRANCH_EQ": node.test = .equal
            case "BRANCH_NEQ": node.test = .notEqual
            default: throw TreeModelError.unsupported(format, "node mode \(mode)")
            }
            node.trueChild = swap ? fNode : tNode
            node.falseChild = swap ? tNode : fNode
            node.missingGoesTrue = swap ? !nanTrue : nanTrue
            trees[ti].nodes[me] = node
        }
        let treeCount = trees.count
        let scale = aggregate == "AVERAGE" ? 1 / Double(max(1, treeCount)) : 1
        for e in 0..<leafTrees.count {
            guard let ti = treeIndex[leafTrees[e]], let me = local[ti][leafNodes[e]] else {
                throw TreeModelError.malformed(format, "\(prefix) weight \(e) refers to a node that does not exist")
            }
            guard trees[ti].nodes[me].test == nil else {
                throw TreeModelError.malformed(format, "\(prefix) weight \(e) is attached to a branch node")
            }
            let output = singleScore ? 0 : Int(leafIDs[e])
            trees[ti].nodes[me].leafTargets.append((output, Double(leafWeights[e]) * scale))
        }
        var builder = try TreeEnsembleBuilder(format: format, featureCount: featureCount, outputCount: rawOutputs)
        for (ti, var tree) in trees.enumerated() {
            let roots = isChild[ti].indices.filter { !isChild[ti][$0] }
            guard roots.count == 1, let root = roots.first else {
                throw TreeModelError.malformed(format, "tree \(treeOrder[ti]) has \(roots.count) root nodes (a cycle or a forest)")
            }
            tree.root = root
            try builder.add(tree, index: ti)
        }
        let link: TreeLink
        switch post {
        case "NONE": link = .identity
        case "LOGISTIC": link = .logistic(scale: 1)
        case "SOFTMAX": link = rawOutputs == 1 ? .identity : .softmax
        case "PROBIT": link = .probit
        default: throw TreeModelError.unsupported(format, "post_transform \(post)")
        }
        let precision: TreeEnsemble.InputPrecision = input.type.tensorType.elemType == 11 ? .float64 : .float32
        let ensemble = try builder.build(featureNames: [], baseScores: base, link: link, inputPrecision: precision)
        let task: TreeModel.Task = isClassifier ? (singleScore ? .binaryClassifier : .multiClassifier) : .regressor
        var result = TreeModel(format: "onnx", objective: "\(node.opType) \(post)", task: task, ensemble: ensemble,
                               classLabels: labels, outputNames: outputNames, inputName: input.name)
        if singleScore {
            result.singleScoreRule = leafWeights.allSatisfy { $0 >= 0 } ? TreeModel.SingleScoreRule.positiveWeights : .mixedWeights
        }
        return result
    }

    static func ensembleNode(_ graph: Onnx_GraphProto) throws -> Onnx_NodeProto {
        let trees = graph.node.filter { $0.domain == "ai.onnx.ml" && ($0.opType == "TreeEnsembleClassifier" || $0.opType == "TreeEnsembleRegressor") }
        guard trees.count == 1, graph.node.allSatisfy({ $0.opType == "Identity" || trees.contains($0) }) else {
            throw TreeModelError.unsupported(format, "the graph is not a single ai.onnx.ml tree ensemble")
        }
        return trees[0]
    }

    static func text(_ attr: Onnx_AttributeProto?) -> String? {
        guard let attr, !attr.s.isEmpty else { return nil }
        return String(decoding: [UInt8](attr.s), as: UTF8.self)
    }

    static func ints(_ attrs: [String: Onnx_AttributeProto], _ name: String) -> [Int64] { attrs[name]?.ints ?? [] }

    /// `strings` (field 9), which hepml's minimal ONNX schema leaves among the unknown fields.
    static func strings(_ attr: Onnx_AttributeProto?, _ name: String) throws -> [[UInt8]] {
        guard let attr else { throw TreeModelError.malformed(format, "no '\(name)' attribute") }
        let raw = [UInt8](attr.unknownFields.data)
        var out: [[UInt8]] = []
        var p = 0
        func varint() throws -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard p < raw.count, shift < 64 else { throw TreeModelError.malformed(format, "'\(name)': bad protobuf varint") }
                let b = raw[p]
                p += 1
                v |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return v }
                shift += 7
            }
        }
        while p < raw.count {
            let key = try varint()
            switch key & 7 {
            case 0: _ = try varint()
            case 1: p += 8
            case 5: p += 4
            case 2:
                let len = try varint()
                guard len <= UInt64(raw.count - p) else { throw TreeModelError.malformed(format, "'\(name)': truncated") }
                if key >> 3 == 9 { out.append(Array(raw[p..<(p + Int(len))])) }
                p += Int(len)
            default: throw TreeModelError.malformed(format, "'\(name)': unknown protobuf wire type")
            }
        }
        return out
    }
}
