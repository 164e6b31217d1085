import Foundation

/// Reads LightGBM text model files (`tree` / `version=v4` ... `Tree=0` ... `end of trees`) into a `TreeModel`.
///
/// LightGBM facts used: child indices ≥ 0 are internal nodes, negative ones are leaves `~index`; `decision_type` bit 0
/// marks a categorical split, bit 1 default-left, bits 2-3 the missing type (0 None: NaN is read as 0; 1 Zero: 0 and
/// NaN follow the default direction; 2 NaN: NaN follows it); numerical splits go left when `x ≤ threshold` (double);
/// categorical splits go left when the integer category is in the node's bitset (negative → right, NaN → right for
/// missing type NaN, else category 0); scores sum without a base (the initial score is inside the first trees);
/// tree `i` belongs to class `i % num_tree_per_iteration`.
public enum LightGBMModelImporter {
    static let format = "LightGBM"

    public static func load(_ bytes: [UInt8]) throws -> TreeModel {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" })[...]
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "tree" else {
            throw TreeModelError.malformed(format, "does not start with 'tree'")
        }
        var header: [String: String] = [:]
        var averageOutput = false
        while let line = lines.first, !line.hasPrefix("Tree=") {
            lines.removeFirst()
            if line == "average_output" { averageOutput = true }
            if line.hasPrefix("end of trees") { break }
            if let eq = line.firstIndex(of: "=") {
                header[String(line[..<eq])] = String(line[line.index(after: eq)...])
            }
        }
        let maxFeature = try int(header["max_feature_idx"], "max_feature_idx", in: 0...(TreeEnsembleBuilder.maxFeatures - 1))
        let classes = try int(header["num_class"] ?? "1", "num_class", in: 1...TreeEnsembleBuilder.maxOutputs)
        let perIteration = try int(header["num_tree_per_iteration"] ?? String(classes), "num_tree_per_iteration",
                                   in: 1...TreeEnsembleBuilder.maxOutputs)
        let objective = header["objective"] ?? "regression"
        let names = header["feature_names"].map { $0.split(separator: " ").map(String.init) } ?? []
        let (link, task) = try objectiveRules(objective, classes: perIteration)

        var builder = try TreeEnsembleBuilder(format: format, featureCount: maxFeature + 1, outputCount: perIteration)
        var index = 0
        while let line = lines.first, line.hasPrefix("Tree=") {
            lines.removeFirst()
            var fields: [String: Substring] = [:]
            while let l = lines.first, !l.hasPrefix("Tree="), !l.hasPrefix("end of trees") {
                lines.removeFirst()
                if let eq = l.firstIndex(of: "=") { fields[String(l[..<eq])] = l[l.index(after: eq)...] }
            }
            var tree = try readTree(fields, index: index)
            tree.group = index % perIteration
            try builder.add(tree, index: index)
            index += 1
        }
        guard index > 0 else { throw TreeModelError.malformed(format, "no trees") }
        guard lines.first?.hasPrefix("end of trees") == true else {
            throw TreeModelError.malformed(format, "truncated: no 'end of trees' after tree \(index - 1)")
        }
        var ensemble = try builder.build(featureNames: names, baseScores: [Double](repeating: 0, count: perIteration),
                                         link: link, inputPrecision: .float64)
        if averageOutput {
            ensemble = ensemble.scaledLeaves(by: 1 / Double(max(1, index / perIteration)))
        }
        return TreeModel(format: "lightgbm", objective: objective, task: task, ensemble: ensemble)
    }

    static func objectiveRules(_ objective: String, classes: Int) throws -> (TreeLink, TreeModel.Task) {
        let parts = objective.split(separator: " ")
        let name = parts.first.map(String.init) ?? ""
        func param(_ key: String) -> Double? {
            parts.dropFirst().first { $0.hasPrefix(key + ":") }.flatMap { Double($0.dropFirst(key.count + 1)) }
        }
        if parts.contains("sqrt") { throw TreeModelError.unsupported(format, "objective '\(objective)' (reg_sqrt)") }
        switch name {
        case "binary":
            return (.logistic(scale: param("sigmoid") ?? 1), .binaryClassifier)
        case "multiclass", "softmax":
            return (.softmax, .multiClassifier)
        case "multiclassova", "ova", "ovr", "multiclass_ova", "one_vs_all":
            return (.logistic(scale: param("sigmoid") ?? 1), .multiClassifier)
        case "cross_entropy", "xentropy":
            return (.logistic(scale: 1), .regressor)
        case "poisson", "gamma", "tweedie":
            return (.exponential, .regressor)
        case "regression", "regression_l2", "regression_l1", "huber", "fair", "quantile", "mape", "lambdarank",
             "rank_xendcg", "custom", "none", "":
            return (.identity, .regressor)
        default:
            throw TreeModelError.unsupported(format, "objective '\(objective)'")
        }
    }

    static func int(_ s: String?, _ field: String, in range: ClosedRange<Int>) throws -> Int {
        guard let s, let v = Int(s.trimmingCharacters(in: .whitespaces)), range.contains(v) else {
            throw TreeModelError.malformed(format, "'\(field)' is missing or not an integer in \(range)")
        }
        return v
    }

    static func numbers(_ fields: [String: Substring], _ key: String, count: Int, tree: Int) throws -> [Double] {
        guard let s = fields[key] else { throw TreeModelError.malformed(format, "tree \(tree): no '\(key)'") }
        var out = [Double]()
        out.reserveCapacity(count)
        for part in s.split(separator: " ") {
            guard out.count < count, let v = Double(part) else {
                throw TreeModelError.malformed(format, "tree \(tree): '\(key)' is not a list of \(count) numbers")
            }
            out.append(v)
        }
        guard out.count == count else {
            throw TreeModelError.malformed(format, "tree \(tree): '\(key)' has \(out.count) values, expected \(count)")
        }
        return out
    }

    static func integers(_ fields: [String: Substring], _ key: String, count: Int, tree: Int) throws -> [Int] {
        try numbers(fields, key, count: count, tree: tree).map { v in
            guard v == v.rounded(), abs(v) < 1e15 else {
                throw TreeModelError.malformed(format, "tree \(tree): '\(key)' holds \(v), not an integer")
            }
            return Int(v)
        }
    }

    static func readTree(_ fields: [String: Substring], index: Int) throws -> RawTree {
        if let linear = fields["is_linear"], linear.trimmingCharacters(in: .whitespaces) != "0" {
            throw TreeModelError.unsupported(format, "tree \(index) is a linear tree (linear_tree=true), which hepml does not evaluate")
        }
        let leaves = try int(fields["num_leaves"].map(String.init), "Tree=\(index) num_leaves", in: 1...TreeEnsembleBuilder.maxNodes / 2)
        let leafValues = try numbers(fields, "leaf_value", count: leaves, tree: index)
        var tree = RawTree()
        if leaves == 1 {
            tree.nodes = [.leaf(leafValues[0])]
            return tree
        }
        let splits = leaves - 1
        let features = try integers(fields, "split_feature", count: splits, tree: index)
        let thresholds = try numbers(fields, "threshold", count: splits, tree: index)
        let decisions = try integers(fields, "decision_type", count: splits, tree: index)
        let left = try integers(fields, "left_child", count: splits, tree: index)
        let right = try integers(fields, "right_child", count: splits, tree: index)
        let cats = try int(fields["num_cat"].map(String.init) ?? "0", "Tree=\(index) num_cat", in: 0...splits)
        var boundaries: [Int] = [], words: [Int] = []
        if cats > 0 {
            boundaries = try integers(fields, "cat_boundaries", count: cats + 1, tree: index)
            let wordCount = fields["cat_threshold"]?.split(separator: " ").count ?? 0
            words = try integers(fields, "cat_threshold", count: wordCount, tree: index)
            guard boundaries.first == 0, zip(boundaries, boundaries.dropFirst()).allSatisfy({ $0 <= $1 }),
                  boundaries.last == words.count, words.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }) else {
                throw TreeModelError.malformed(format, "tree \(index): inconsistent cat_boundaries/cat_threshold")
            }
        }
        // Internal nodes keep their index; leaf ~k becomes node splits + k.
        func node(_ child: Int) -> Int { child >= 0 ? child : splits + (-child - 1) }
        tree.nodes.reserveCapacity(splits + leaves)
        for i in 0..<splits {
            var n = RawTree.Node()
            n.feature = features[i]
            n.trueChild = node(left[i])
            n.falseChild = node(right[i])
            let type = decisions[i]
            let defaultLeft = type & 2 != 0
            let missing = (type >> 2) & 3
            if type & 1 != 0 {
                let c = thresholds[i]
                guard c >= 0, c < Double(cats), c == c.rounded() else {
                    throw TreeModelError.malformed(format, "tree \(index): categorical split \(i) refers to category set \(c)")
                }
                let k = Int(c)
                n.test = .truncatedCategoryIn
                n.categories = words[boundaries[k]..<boundaries[k + 1]].map { UInt32($0) }
                n.missingGoesTrue = missing != 2 && (n.categories.first ?? 0) & 1 != 0
            } else {
                n.threshold = thresholds[i]
                switch missing {
                case 0:
                    n.test = .lessOrEqual
                    n.missingGoesTrue = 0 <= n.threshold
                case 1:
                    n.test = .lessOrEqualZeroIsMissing
                    n.missingGoesTrue = defaultLeft
                default:
                    n.test = .lessOrEqual
                    n.missingGoesTrue = defaultLeft
                }
            }
            tree.nodes.append(n)
        }
        for v in leafValues { tree.nodes.append(.leaf(v)) }
        return tree
    }
}
