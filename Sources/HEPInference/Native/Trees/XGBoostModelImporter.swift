import Foundation

/// Reads XGBoost model files (JSON and UBJSON, `gbtree` and `dart` boosters) into a `TreeModel`.
///
/// XGBoost facts used: a split sends a row left when `x < split_condition` (float32), NaN follows `default_left`;
/// a categorical split sends the categories listed for the node right and every other (or invalid) category left;
/// leaves keep their value in `split_conditions`; tree `i` adds to output `tree_info[i]`; `base_score` is stored in
/// output space and turned into a margin by the objective (logit for logistic objectives, log for exp-linked ones);
/// DART scales tree `i` by `weight_drop[i]`.
public enum XGBoostModelImporter {
    /// Loads JSON (`{` first) or UBJSON bytes.
    public static func load(_ bytes: [UInt8]) throws -> TreeModel {
        let format = isJSON(bytes) ? "XGBoost JSON" : "XGBoost UBJSON"
        let document: Any
        if format == "XGBoost JSON" {
            do {
                document = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
            } catch {
                throw TreeModelError.malformed(format, "not valid JSON (\((error as NSError).localizedDescription))")
            }
        } else {
            document = try UBJSONDecoder.decode(bytes)
        }
        return try load(document: document, format: format)
    }

    /// JSON text opens with `{` and then (after blanks) `"` or `}`; UBJSON's `{` is followed by a length marker.
    static func isJSON(_ bytes: [UInt8]) -> Bool {
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard let open = bytes.firstIndex(where: { !blank($0) }), bytes[open] == UInt8(ascii: "{") else { return false }
        guard let next = bytes[(open + 1)...].firstIndex(where: { !blank($0) }) else { return true }
        return bytes[next] == UInt8(ascii: "\"") || bytes[next] == UInt8(ascii: "}")
    }

    static func load(document: Any, format: String) throws -> TreeModel {
        let d = DocumentValues(format: format)
        let learner = try d.object(d.object(document, "(top level)")["learner"], "learner")
        let params = try d.object(learner["learner_model_param"], "learner.learner_model_param")
        let featureCount = try d.integer(params["num_feature"], "num_feature", in: 0...TreeEnsembleBuilder.maxFeatures)
        let classes = try d.integer(params["num_class"] ?? "0", "num_class", in: 0...TreeEnsembleBuilder.maxOutputs)
        let targets = try d.integer(params["num_target"] ?? "1", "num_target", in: 1...TreeEnsembleBuilder.maxOutputs)
        let outputs = max(classes, targets, 1)
        let objective = try d.string(d.object(learner["objective"], "learner.objective")["name"], "objective.name")
        let names = (learner["feature_names"] as? [Any])?.compactMap { $0 as? String } ?? []

        let booster = try d.object(learner["gradient_booster"], "gradient_booster")
        let boosterName = try d.string(booster["name"], "gradient_booster.name")
        let model: [String: Any]
        var treeWeights: [Double]?
        switch boosterName {
        case "gbtree":
            model = try d.object(booster["model"], "gradient_booster.model")
        case "dart":
            let inner = try d.object(booster["gbtree"], "gradient_booster.gbtree")
            model = try d.object(inner["model"], "gradient_booster.gbtree.model")
            treeWeights = try d.numbers(booster["weight_drop"], "weight_drop")
        default:
            throw TreeModelError.unsupported(format, "booster '\(boosterName)' (only gbtree and dart hold trees)")
        }
        let trees = try d.array(model["trees"], "trees")
        let groups = try d.integers(model["tree_info"], "tree_info", in: 0...(outputs - 1))
        guard groups.count == trees.count else {
            throw TreeModelError.malformed(format, "tree_info has \(groups.count) entries for \(trees.count) trees")
        }
        if let w = treeWeights, w.count != trees.count {
            throw TreeModelError.malformed(format, "weight_drop has \(w.count) entries for \(trees.count) trees")
        }
        let (link, task, margin) = try objectiveRules(objective, classes: classes, format: format)
        let base = try baseScores(params["base_score"], outputs: outputs, margin: margin, d: d)

        var builder = try TreeEnsembleBuilder(format: format, featureCount: featureCount, outputCount: outputs)
        for (i, t) in trees.enumerated() {
            var tree = try readTree(t, index: i, d: d, weight: treeWeights?[i])
            tree.group = groups[i]
            try builder.add(tree, index: i)
        }
        let ensemble = try builder.build(featureNames: names, baseScores: base, link: link, inputPrecision: .float32)
        return TreeModel(format: "xgboost", objective: objective, task: task, ensemble: ensemble)
    }

    /// Link, task and base-score-to-margin function for an objective.
    static func objectiveRules(_ objective: String, classes: Int, format: String) throws
        -> (TreeLink, TreeModel.Task, (Double) -> Double) {
        let logit: (Double) -> Double = { -Foundation.log(1 / $0 - 1) }
        switch objective {
        case "binary:logistic":
            return (.logistic(scale: 1), .binaryClassifier, logit)
        case "reg:logistic":
            return (.logistic(scale: 1), .regressor, logit)
        case "binary:logitraw":
            return (.identity, .regressor, logit)
        case "multi:softprob", "multi:softmax":
            return (.softmax, .multiClassifier, { $0 })
        case "count:poisson", "reg:gamma", "reg:tweedie", "survival:cox", "survival:aft":
            return (.exponential, .regressor, { Foundation.log($0) })
        case _ where objective.hasPrefix("reg:") || objective.hasPrefix("rank:"):
            return (.identity, .regressor, { $0 })
        default:
            throw TreeModelError.unsupported(format, "objective '\(objective)'")
        }
    }

    static func baseScores(_ v: Any?, outputs: Int, margin: (Double) -> Double, d: DocumentValues) throws -> [Double] {
        var values: [Double]
        if let s = v as? String {
            let parts = s.trimmingCharacters(in: CharacterSet(charactersIn: "[] ")).split(separator: ",")
            values = try parts.map { p in
                guard let x = Double(p.trimmingCharacters(in: .whitespaces)) else {
                    throw TreeModelError.malformed(d.format, "base_score '\(s)' is not a number list")
                }
                return x
            }
        } else {
            values = [try d.number(v ?? 0.5, "base_score")]
        }
        if values.count == 1 { values = [Double](repeating: values[0], count: outputs) }
        guard values.count == outputs else {
            throw TreeModelError.malformed(d.format, "base_score has \(values.count) values for \(outputs) outputs")
        }
        // XGBoost keeps the intercept in float32.
        return values.map { Double(Float(margin(Double(Float($0))))) }
    }

    static func readTree(_ v: Any, index: Int, d: DocumentValues, weight: Double?) throws -> RawTree {
        let t = try d.object(v, "trees[\(index)]")
        let field = { (name: String) in "trees[\(index)].\(name)" }
        if let p = t["tree_param"] as? [String: Any], let s = p["size_leaf_vector"],
           try d.integer(s, field("size_leaf_vector"), in: 0...Int(Int32.max)) > 1 {
            throw TreeModelError.unsupported(d.format, "vector leaves (multi_strategy=multi_output_tree)")
        }
        let left = try d.integers(t["left_children"], field("left_children"), in: -1...Int(Int32.max))
        let n = left.count
        let right = try d.integers(t["right_children"], field("right_children"), in: -1...Int(Int32.max))
        let features = try d.integers(t["split_indices"], field("split_indices"), in: 0...Int(Int32.max))
        let conditions = try d.numbers(t["split_conditions"], field("split_conditions"))
        let defaults = try d.integers(t["default_left"], field("default_left"), in: 0...1)
        let types = try t["split_type"].map { try d.integers($0, field("split_type"), in: 0...1) } ?? [Int](repeating: 0, count: n)
        guard right.count == n, features.count == n, conditions.count == n, defaults.count == n, types.count == n else {
            throw TreeModelError.malformed(d.format, "trees[\(index)]: node arrays have different lengths")
        }
        var categories: [Int: [UInt32]] = [:]
        if types.contains(1) {
            let nodes = try d.integers(t["categories_nodes"], field("categories_nodes"), in: 0...(n - 1))
            let segments = try d.integers(t["categories_segments"], field("categories_segments"), in: 0...Int(Int32.max))
            let sizes = try d.integers(t["categories_sizes"], field("categories_sizes"), in: 0...Int(Int32.max))
            let values = try d.integers(t["categories"], field("categories"), in: 0...(1 << 24))
            guard segments.count == nodes.count, sizes.count == nodes.count else {
                throw TreeModelError.malformed(d.format, "trees[\(index)]: category arrays have different lengths")
            }
            for (k, node) in nodes.enumerated() {
                guard segments[k] + sizes[k] <= values.count else {
                    throw TreeModelError.malformed(d.format, "trees[\(index)]: category segment outside 'categories'")
                }
                categories[node] = bitset(values[segments[k]..<(segments[k] + sizes[k])])
            }
        }
        var tree = RawTree()
        tree.nodes.reserveCapacity(n)
        let scale = weight.map { Float($0) }
        for i in 0..<n {
            if left[i] == -1 {
                let leaf = Float(conditions[i])
                tree.nodes.append(.leaf(Double(scale.map { $0 * leaf } ?? leaf)))
                continue
            }
            var node = RawTree.Node()
            node.feature = features[i]
            if types[i] == 1 {
                guard let bits = categories[i] else {
                    throw TreeModelError.malformed(d.format, "trees[\(index)]: categorical node \(i) has no categories")
                }
                node.test = .categoryIn
                node.categories = bits
                node.trueChild = right[i]
                node.falseChild = left[i]
                node.missingGoesTrue = defaults[i] == 0
            } else {
                node.test = .less
                node.threshold = Double(Float(conditions[i]))
                node.trueChild = left[i]
                node.falseChild = right[i]
                node.missingGoesTrue = defaults[i] == 1
            }
            tree.nodes.append(node)
        }
        return tree
    }

    /// A bitset with bit c set for every category c.
    static func bitset<C: Collection>(_ categories: C) -> [UInt32] where C.Element == Int {
        let top = categories.max() ?? -1
        var bits = [UInt32](repeating: 0, count: top / 32 + 1)
        for c in categories where c >= 0 { bits[c >> 5] |= 1 << UInt32(c & 31) }
        return bits
    }
}
