/// Checks importer trees (links in range, no cycles or shared nodes, features and outputs in range) and lays
/// them out in `TreeEnsemble`'s compact pre-order form.
struct TreeEnsembleBuilder {
    /// Upper bounds that reject absurd files before they cost memory.
    static let maxNodes = 1 << 27
    static let maxFeatures = 1 << 24
    static let maxOutputs = 1 << 16

    let format: String
    let featureCount: Int
    let outputCount: Int
    private var kind: [UInt8] = []
    private var feature: [Int32] = []
    private var threshold: [Double] = []
    private var falseChild: [Int32] = []
    private var categoryStart: [Int32] = []
    private var categoryWords: [Int32] = []
    private var categoryBits: [UInt32] = []
    private var leafOutputs: [Int32] = []
    private var leafWeights: [Double] = []
    private var treeRoots: [Int32] = []
    private var treeGroups: [Int32] = []
    private var maxDepth = 0

    init(format: String, featureCount: Int, outputCount: Int) throws {
        guard featureCount >= 1, featureCount <= Self.maxFeatures else {
            throw TreeModelError.malformed(format, "number of features \(featureCount) is out of range 1...\(Self.maxFeatures)")
        }
        guard outputCount >= 1, outputCount <= Self.maxOutputs else {
            throw TreeModelError.malformed(format, "number of outputs \(outputCount) is out of range 1...\(Self.maxOutputs)")
        }
        self.format = format
        self.featureCount = featureCount
        self.outputCount = outputCount
    }

    /// Appends `tree` (number `index` in the file, for messages) after checking every node reachable from its root.
    mutating func add(_ tree: RawTree, index: Int) throws {
        let n = tree.nodes.count
        let fmt = format
        let fail: (String) -> TreeModelError = { .malformed(fmt, "tree \(index): \($0)") }
        guard n > 0 else { throw fail("has no nodes") }
        guard kind.count + n <= Self.maxNodes else { throw fail("more than \(Self.maxNodes) nodes in total") }
        guard tree.root >= 0, tree.root < n else { throw fail("root \(tree.root) is outside the \(n) nodes") }
        if let g = tree.group, g < 0 || g >= outputCount {
            throw fail("output group \(g) is outside 0..<\(outputCount)")
        }
        var visited = [Bool](repeating: false, count: n)
        // Pre-order walk with an explicit stack: (raw node id, depth, index of the parent's falseChild slot to patch).
        var stack: [(id: Int, depth: Int, patch: Int)] = [(tree.root, 0, -1)]
        treeRoots.append(Int32(kind.count))
        treeGroups.append(Int32(tree.group ?? -1))
        while let (id, depth, patch) = stack.popLast() {
            guard id >= 0, id < n else { throw fail("a node links to node \(id), outside the \(n) nodes") }
            guard !visited[id] else { throw fail("node \(id) is reached twice (a cycle or shared node)") }
            visited[id] = true
            let here = kind.count
            if patch >= 0 { falseChild[patch] = Int32(here) }
            maxDepth = max(maxDepth, depth)
            let node = tree.nodes[id]
            guard let test = node.test else {
                try appendLeaf(node, group: tree.group, fail: fail)
                continue
            }
            guard node.feature >= 0, node.feature < featureCount else {
                throw fail("node \(id) splits on feature \(node.feature), but the model has \(featureCount) features")
            }
            guard !node.threshold.isNaN || test == .categoryIn || test == .truncatedCategoryIn else {
                throw fail("node \(id) has a NaN threshold")
            }
            var code: UInt8
            switch test {
            case .less: code = 1
            case .lessOrEqual: code = 2
            case .equal: code = 3
            case .notEqual: code = 4
            case .lessOrEqualZeroIsMissing: code = 5
            case .categoryIn: code = 6
            case .truncatedCategoryIn: code = 7
            }
            if node.missingGoesTrue { code |= TreeEnsemble.missingTrueBit }
            kind.append(code)
            feature.append(Int32(node.feature))
            threshold.append(node.threshold)
            falseChild.append(-1)
            if test == .categoryIn || test == .truncatedCategoryIn {
                categoryStart.append(Int32(categoryBits.count))
                categoryWords.append(Int32(node.categories.count))
                categoryBits.append(contentsOf: node.categories)
            } else {
                categoryStart.append(0)
                categoryWords.append(0)
            }
            // The true child must come next: push it last.
            stack.append((node.falseChild, depth + 1, here))
            stack.append((node.trueChild, depth + 1, -1))
        }
    }

    private mutating func appendLeaf(_ node: RawTree.Node, group: Int?, fail: (String) -> TreeModelError) throws {
        kind.append(TreeEnsemble.leafKind)
        categoryStart.append(0)
        categoryWords.append(0)
        if group != nil {
            feature.append(0)
            threshold.append(node.leafValue)
            falseChild.append(0)
        } else {
            feature.append(Int32(leafOutputs.count))
            threshold.append(0)
            falseChild.append(Int32(node.leafTargets.count))
            for t in node.leafTargets {
                guard t.output >= 0, t.output < outputCount else {
                    throw fail("a leaf adds to output \(t.output), outside 0..<\(outputCount)")
                }
                leafOutputs.append(Int32(t.output))
                leafWeights.append(t.weight)
            }
        }
    }

    /// The finished ensemble.
    func build(featureNames: [String], baseScores: [Double], link: TreeLink,
               inputPrecision: TreeEnsemble.InputPrecision) throws -> TreeEnsemble {
        guard baseScores.count == outputCount else {
            throw TreeModelError.malformed(format, "\(baseScores.count) base scores for \(outputCount) outputs")
        }
        return TreeEnsemble(
            featureCount: featureCount, outputCount: outputCount,
            featureNames: featureNames.count == featureCount ? featureNames : [],
            baseScores: baseScores, link: link, inputPrecision: inputPrecision, kind: kind, feature: feature,
            threshold: threshold, falseChild: falseChild, categoryStart: categoryStart, categoryWords: categoryWords,
            categoryBits: categoryBits, leafOutputs: leafOutputs, leafWeights: leafWeights, treeRoots: treeRoots,
            treeGroups: treeGroups, maxDepth: maxDepth)
    }
}
