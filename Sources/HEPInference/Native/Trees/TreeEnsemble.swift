/// A tree ensemble in compact evaluation form: all trees' nodes in flat structure-of-arrays storage, each
/// tree laid out in pre-order so that a split's true child is the next node and only the false child is stored.
///
/// Node encoding: `kind` low 3 bits are the test (0 leaf, 1 `<`, 2 `≤`, 3 `==`, 4 `!=`, 5 `≤` with zero as missing,
/// 6 category in set for x ≥ 0, 7 category trunc(x) in set), bit 3 set means NaN goes to the true child. For leaves `threshold` holds the value
/// (single-output trees); for multi-output leaves `feature` is the start and `falseChild` the count of entries in
/// `leafOutputs`/`leafWeights`.
public struct TreeEnsemble: Sendable {
    /// How input values are rounded before comparisons (XGBoost compares in float32).
    public enum InputPrecision: Sendable, Equatable { case float32, float64 }

    /// Number of input features the ensemble reads (columns of the input).
    public let featureCount: Int
    /// Number of raw score outputs (1 for binary/regression, classes for multi-class).
    public let outputCount: Int
    /// Feature names from the file, when it has them (count == featureCount), else empty.
    public var featureNames: [String]
    /// Added to the summed scores before the link.
    public let baseScores: [Double]
    public let link: TreeLink
    public let inputPrecision: InputPrecision

    let kind: [UInt8]
    let feature: [Int32]
    let threshold: [Double]
    let falseChild: [Int32]
    let categoryStart: [Int32]
    let categoryWords: [Int32]
    let categoryBits: [UInt32]
    let leafOutputs: [Int32]
    let leafWeights: [Double]
    let treeRoots: [Int32]
    /// Output index of each tree's scalar leaves, -1 for multi-output leaves.
    let treeGroups: [Int32]
    /// Depth of the deepest tree.
    public let maxDepth: Int
    /// The trees in branch-free layout (nil when none qualifies).
    private(set) var branchFree: BranchFreeForest?

    /// Number of trees.
    public var treeCount: Int { treeRoots.count }
    /// Total number of nodes over all trees.
    public var nodeCount: Int { kind.count }

    static let leafKind: UInt8 = 0
    static let missingTrueBit: UInt8 = 8

    init(featureCount: Int, outputCount: Int, featureNames: [String], baseScores: [Double], link: TreeLink,
         inputPrecision: InputPrecision, kind: [UInt8], feature: [Int32], threshold: [Double], falseChild: [Int32],
         categoryStart: [Int32], categoryWords: [Int32], categoryBits: [UInt32], leafOutputs: [Int32],
         leafWeights: [Double], treeRoots: [Int32], treeGroups: [Int32], maxDepth: Int) {
        self.featureCount = featureCount
        self.outputCount = outputCount
        self.featureNames = featureNames
        self.baseScores = baseScores
        self.link = link
        self.inputPrecision = inputPrecision
        self.kind = kind
        self.feature = feature
        self.threshold = threshold
        self.falseChild = falseChild
        self.categoryStart = categoryStart
        self.categoryWords = categoryWords
        self.categoryBits = categoryBits
        self.leafOutputs = leafOutputs
        self.leafWeights = leafWeights
        self.treeRoots = treeRoots
        self.treeGroups = treeGroups
        self.maxDepth = maxDepth
        branchFree = nil
        branchFree = BranchFreeForest.make(self)
    }
}

extension TreeEnsemble {
    /// The same ensemble with every leaf value multiplied by `factor` (averaging forests).
    func scaledLeaves(by factor: Double) -> TreeEnsemble {
        var values = threshold
        for i in values.indices where kind[i] == Self.leafKind { values[i] *= factor }
        return TreeEnsemble(
            featureCount: featureCount, outputCount: outputCount, featureNames: featureNames, baseScores: baseScores,
            link: link, inputPrecision: inputPrecision, kind: kind, feature: feature, threshold: values,
            falseChild: falseChild, categoryStart: categoryStart, categoryWords: categoryWords,
            categoryBits: categoryBits, leafOutputs: leafOutputs, leafWeights: leafWeights.map { $0 * factor },
            treeRoots: treeRoots, treeGroups: treeGroups, maxDepth: maxDepth)
    }
}
