import Foundation
import SwiftProtobuf

/// Writes a `TreeModel` as an ONNX model of one ai.onnx.ml `TreeEnsembleClassifier` (classifiers) or
/// `TreeEnsembleRegressor` (regressors, TMVA responses), opset 3, float input `[N, features]`.
///
/// ONNX-ML thresholds are float32 and inputs are float, so each split is re-expressed exactly for float inputs:
/// `x ≤ t` becomes `x ≤ t↓` (the largest float ≤ t) and `x < t` becomes `x < t↑` (the smallest float ≥ t);
/// `==`/`!=` against a value no float equals compare with NaN. NaN's side goes to `nodes_missing_value_tracks_true`.
/// Leaf values and base scores are rounded to float (ONNX Runtime also sums in float), so converted models agree
/// with the native ensemble to float precision, not bit for bit. Not representable, and refused with the reason:
/// categorical splits, LightGBM's "zero is missing" splits, `!=` splits whose NaN goes to the false side, exp/TMVA
/// links and TMVA input transformations, and inputs wider than the model (ONNX-ML has no feature names).
public enum TreeEnsembleONNXWriter {
    static let format = "ONNX-ML conversion"

    /// The serialized ONNX model for `model`.
    public static func onnx(_ model: TreeModel, producerVersion: String = "") throws -> [UInt8] {
        let e = model.ensemble
        guard model.inputScaling == nil else {
            throw TreeModelError.unsupported(format, "the model's input transformation (TMVA Normalize) has no ONNX-ML equivalent")
        }
        var leafScale = 1.0
        let post: String
        switch e.link {
        case .identity: post = "NONE"
        case let .logistic(scale):
            post = "LOGISTIC"
            leafScale = scale
        case .softmax: post = "SOFTMAX"
        case .probit: post = "PROBIT"
        case .exponential: throw TreeModelError.unsupported(format, "the exp link (Poisson/gamma/Tweedie objectives) has no ONNX-ML post_transform")
        case .tmvaGradient: throw TreeModelError.unsupported(format, "TMVA's gradient-boost output mapping 2/(1+exp(-2x))-1 has no ONNX-ML post_transform")
        }
        let isClassifier: Bool
        switch model.task {
        case .binaryClassifier:
            guard e.outputCount == 1 else { throw TreeModelError.unsupported(format, "a binary classifier with \(e.outputCount) scores") }
            guard post == "LOGISTIC" || model.singleScoreRule != nil else {
                throw TreeModelError.unsupported(format, "a binary classifier whose probability is not the logistic of its score")
            }
            isClassifier = true
        case .multiClassifier: isClassifier = true
        case .regressor, .tmvaResponse: isClassifier = false
        }

        var nodes = NodeAttributes()
        var leaves = LeafAttributes()
        for t in 0..<e.treeCount {
            let root = Int(e.treeRoots[t])
            let end = t + 1 < e.treeCount ? Int(e.treeRoots[t + 1]) : e.nodeCount
            let group = Int(e.treeGroups[t])
            for i in root..<end {
                let id = Int64(i - root)
                nodes.treeIDs.append(Int64(t))
                nodes.nodeIDs.append(id)
                let code = e.kind[i]
                if code == TreeEnsemble.leafKind {
                    nodes.append(mode: "LEAF", feature: 0, value: 0, trueID: 0, falseID: 0, nanTrue: false)
                    if group >= 0 {
                        leaves.append(tree: t, node: id, target: group, weight: e.threshold[i] * leafScale)
                    } else {
                        let s = Int(e.feature[i]), c = Int(e.falseChild[i])
                        for k in s..<(s + c) {
                            leaves.append(tree: t, node: id, target: Int(e.leafOutputs[k]), weight: e.leafWeights[k] * leafScale)
                        }
                    }
                    continue
                }
                let nanTrue = code & TreeEnsemble.missingTrueBit != 0
                let (mode, value) = try split(code & 7, e.threshold[i], nanTrue: nanTrue, tree: t, node: i - root)
                nodes.append(mode: mode, feature: Int64(e.feature[i]), value: value, trueID: id + 1,
                             falseID: Int64(Int(e.falseChild[i]) - root), nanTrue: nanTrue)
            }
        }

        var op = Onnx_NodeProto()
        op.opType = isClassifier ? "TreeEnsembleClassifier" : "TreeEnsembleRegressor"
        op.domain = "ai.onnx.ml"
        op.name = op.opType
        op.input = [model.inputName]
        let prefix = isClassifier ? "class" : "target"
        var attributes = [
            ints("nodes_treeids", nodes.treeIDs), ints("nodes_nodeids", nodes.nodeIDs),
            ints("nodes_featureids", nodes.features), floats("nodes_values", nodes.values),
            ints("nodes_truenodeids", nodes.trueIDs), ints("nodes_falsenodeids", nodes.falseIDs),
            ints("nodes_missing_value_tracks_true", nodes.nanTrue), try strings("nodes_modes", nodes.modes),
            ints("\(prefix)_treeids", leaves.trees), ints("\(prefix)_nodeids", leaves.nodes),
            ints("\(prefix)_ids", leaves.targets), floats("\(prefix)_weights", leaves.weights),
            floats("base_values", e.baseScores.map { Float($0 * leafScale) }), text("post_transform", post),
        ]
        let outputs: [Onnx_ValueInfoProto]
        if isClassifier {
            let classes = model.classCount
            let labels = (0..<classes).map { $0 < model.classLabels.count ? model.classLabels[$0] : Int64($0) }
            attributes.append(ints("classlabels_int64s", labels))
            op.output = ["label", "probabilities"]
            outputs = [ONNXGraphBuilder.valueInfo("label", elementType: 7, dims: [nil]),
                       ONNXGraphBuilder.valueInfo("probabilities", elementType: 1, dims: [nil, classes])]
        } else {
            attributes.append(int("n_targets", Int64(e.outputCount)))
            attributes.append(text("aggregate_function", "SUM"))
            op.output = ["variable"]
            outputs = [ONNXGraphBuilder.valueInfo("variable", elementType: 1, dims: [nil, e.outputCount])]
        }
        op.attribute = attributes

        var graph = Onnx_GraphProto()
        graph.name = "\(model.format)_tree_ensemble"
        graph.node = [op]
        graph.input = [ONNXGraphBuilder.valueInfo(model.inputName, elementType: 1, dims: [nil, e.featureCount])]
        graph.output = outputs
        var m = Onnx_ModelProto()
        m.irVersion = 8
        m.producerName = "hepml"
        m.producerVersion = producerVersion
        m.opsetImport = [opset("", 15), opset("ai.onnx.ml", 3)]
        m.graph = graph
        var meta = [("source_format", model.format), ("objective", model.objective)]
        if !e.featureNames.isEmpty { meta.append(("feature_names", e.featureNames.joined(separator: ","))) }
        m.metadataProps = meta.map { k, v in
            var entry = Onnx_StringStringEntryProto()
            entry.key = k
            entry.value = v
            return entry
        }
        return try m.serializedBytes()
    }

    /// ONNX-ML mode and float threshold for a split (`test` is `TreeEnsemble`'s low kind bits).
    static func split(_ test: UInt8, _ t: Double, nanTrue: Bool, tree: Int, node: Int) throws -> (String, Float) {
        let exact = Float(t)
        let representable = Double(exact) == t
        switch test {
        case 1: return ("BRANCH_LT", Double(exact) < t ? exact.nextUp : exact)
        case 2: return ("BRANCH_LEQ", Double(exact) > t ? exact.nextDown : exact)
        case 3: return ("BRANCH_EQ", representable ? exact : .nan)
        case 4:
            guard nanTrue else {
                throw TreeModelError.unsupported(format, "tree \(tree) node \(node): a != split that sends NaN to its false side (ONNX Runtime sends it to the true side)")
            }
            return ("BRANCH_NEQ", representable ? exact : .nan)
        case 5: throw TreeModelError.unsupported(format, "tree \(tree) node \(node): LightGBM's 'zero is missing' split has no ONNX-ML mode")
        default: throw TreeModelError.unsupported(format, "tree \(tree) node \(node): categorical splits are not converted (ONNX-ML has no set membership mode)")
        }
    }

    struct NodeAttributes {
        var treeIDs: [Int64] = [], nodeIDs: [Int64] = [], features: [Int64] = [], values: [Float] = []
        var trueIDs: [Int64] = [], falseIDs: [Int64] = [], nanTrue: [Int64] = [], modes: [String] = []

        mutating func append(mode: String, feature: Int64, value: Float, trueID: Int64, falseID: Int64, nanTrue: Bool) {
            modes.append(mode)
            features.append(feature)
            values.append(value)
            trueIDs.append(trueID)
            falseIDs.append(falseID)
            self.nanTrue.append(nanTrue ? 1 : 0)
        }
    }

    struct LeafAttributes {
        var trees: [Int64] = [], nodes: [Int64] = [], targets: [Int64] = [], weights: [Float] = []

        mutating func append(tree: Int, node: Int64, target: Int, weight: Double) {
            trees.append(Int64(tree))
            nodes.append(node)
            targets.append(Int64(target))
            weights.append(Float(weight))
        }
    }

    static func opset(_ domain: String, _ version: Int64) -> Onnx_OperatorSetIdProto {
        var o = Onnx_OperatorSetIdProto()
        o.domain = domain
        o.version = version
        return o
    }

    static func ints(_ name: String, _ v: [Int64]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = v
        return a
    }

    static func int(_ name: String, _ v: Int64) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .int
        a.i = v
        return a
    }

    static func floats(_ name: String, _ v: [Float]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .floats
        a.floats = v
        return a
    }

    static func text(_ name: String, _ v: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .string
        a.s = Data(v.utf8)
        return a
    }

    /// A STRINGS attribute: hepml's minimal ONNX schema has no `strings` field (9), so its entries are appended to
    /// the serialized attribute as raw field-9 records and read back as unknown fields, which serialize unchanged.
    static func strings(_ name: String, _ v: [String]) throws -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .UNRECOGNIZED(8)
        var bytes: [UInt8] = try a.serializedBytes()
        for s in v {
            bytes.append(9 << 3 | 2)
            var n = s.utf8.count
            while n >= 0x80 {
                bytes.append(UInt8(n & 0x7F) | 0x80)
                n >>= 7
            }
            bytes.append(UInt8(n))
            bytes.append(contentsOf: s.utf8)
        }
        return try Onnx_AttributeProto(serializedBytes: bytes)
    }
}
