import Foundation
@testable import HEPInference
import Testing
import TestSupport

/// The branch-free evaluator (row blocks with NaN folded into columns, fixed-step descents) gives bit-identical sums
/// to the general node-by-node evaluator, on every framework fixture and on hostile thresholds and inputs.
@Suite struct BranchFreeForestTests {
    /// Both evaluators on `rows` rows of `x`; expects identical raw and linked scores.
    static func expectSame(_ e: TreeEnsemble, _ x: [Float], rows: Int, _ label: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        for raw in [true, false] {
            let fast = x.withUnsafeBufferPointer { e.predict($0, rows: rows, raw: raw, evaluation: .automatic) }
            let slow = x.withUnsafeBufferPointer { e.predict($0, rows: rows, raw: raw, evaluation: .general) }
            let first = zip(fast, slow).enumerated().first { !($0.element.0 == $0.element.1 || $0.element.0.isNaN && $0.element.1.isNaN) }
            #expect(first == nil, "\(label), \(rows) rows, raw \(raw): element \(first?.offset ?? -1) is \(first?.element.0 ?? 0), general \(first?.element.1 ?? 0)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: FrameworkFixtureTests.cases)
    func fixtureModelsMatchTheGeneralEvaluator(_ c: FrameworkFixtureTests.Case) throws {
        let path = FrameworkFixtureTests.directory + "/" + c.model
        let e = try TreeModelFile.load(path: path, platform: c.format, name: c.model).ensemble
        var x = try FrameworkFixtureTests.floats(c.name + ".input.f32")
        // Infinite inputs too (they share columns with NaN's replacements).
        for i in stride(from: 3, to: x.count, by: 97) { x[i] = i % 2 == 0 ? .infinity : -.infinity }
        if c.format == "xgboost" || c.format == "lightgbm", !c.model.contains("categorical"), !c.model.contains("zero_missing") {
            #expect(e.branchFree?.coversAllTrees == true, "\(c.model): not every tree is branch-free")
        }
        for rows in [1, 3, 8, 9, 64, 65, c.rows] { Self.expectSame(e, x, rows: rows, c.model) }
    }

    @Test func benchmarkSizedModelsCoverEveryTree() throws {
        // Both fixture frameworks' split rules (XGBoost `<` in float, LightGBM `≤` in double with NaN sides).
        for file in ["xgb_binary.json", "lgb_binary.txt", "lgb_no_missing.txt", "lgb_multiclass.txt"] {
            let platform = file.hasPrefix("xgb") ? "xgboost" : "lightgbm"
            let e = try TreeModelFile.load(path: FrameworkFixtureTests.directory + "/" + file, platform: platform, name: file).ensemble
            let forest = try #require(e.branchFree, "\(file) has no branch-free trees")
            #expect(forest.coversAllTrees)
            #expect(forest.nodes.count == e.nodeCount)
        }
    }

    /// A deterministic generator (tests must not depend on the system RNG).
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let specialValues: [Double] = [0, -0.0, 1, -1, 0.5, 2.5, -2.5, .infinity, -.infinity, .greatestFiniteMagnitude,
                                          -.greatestFiniteMagnitude, Double(Float.greatestFiniteMagnitude), 1e-40, -1e-40]

    /// A random tree of `<`/`≤` splits (some categorical or equality ones when `mixed`) whose thresholds come from
    /// `specialValues` and a few ordinary numbers; bushy for 6 levels, then (up to `maxDepth`) one branch goes on.
    static func randomTree(_ g: inout SplitMix, features: Int, maxDepth: Int, mixed: Bool) -> RawTree {
        var tree = RawTree()
        func grow(_ depth: Int, _ goesOn: Bool) -> Int {
            let id = tree.nodes.count
            tree.nodes.append(.leaf(Double(g.below(2001) - 1000) / 100))
            guard depth < maxDepth, depth < 6 ? g.below(10) < 8 : goesOn else { return id }
            var n = RawTree.Node()
            let pick = g.below(mixed ? 12 : 10)
            n.test = pick < 5 ? .less : pick < 10 ? .lessOrEqual : pick == 10 ? .equal : .categoryIn
            if n.test == .categoryIn { n.categories = [UInt32(g.below(1 << 16))] }
            n.feature = g.below(features)
            n.threshold = g.below(3) == 0 ? specialValues[g.below(specialValues.count)] : Double(g.below(41) - 20) / 4
            n.missingGoesTrue = g.below(2) == 0
            let trueGoesOn = g.below(2) == 0
            n.trueChild = grow(depth + 1, trueGoesOn)
            n.falseChild = grow(depth + 1, !trueGoesOn)
            tree.nodes[id] = n
            return id
        }
        _ = grow(0, true)
        return tree
    }

    static func randomInputs(_ g: inout SplitMix, rows: Int, features: Int) -> [Float] {
        (0..<(rows * features)).map { _ in
            switch g.below(6) {
            case 0: return .nan
            case 1: return Float(specialValues[g.below(specialValues.count)])
            case 2: return Float(g.below(41) - 20) / 4
            case 3: return (Float(g.below(41) - 20) / 4).nextUp
            case 4: return (Float(g.below(41) - 20) / 4).nextDown
            default: return Float(g.below(2001) - 1000) / 100
            }
        }
    }

    @Test(arguments: [TreeEnsemble.InputPrecision.float32, .float64], [false, true])
    func hostileThresholdsAndInputs(_ precision: TreeEnsemble.InputPrecision, mixed: Bool) throws {
        var g = SplitMix(state: mixed ? 7 : 11)
        let features = 5, outputs = 3
        var builder = try TreeEnsembleBuilder(format: "test", featureCount: features, outputCount: outputs)
        for t in 0..<120 {
            var tree = Self.randomTree(&g, features: features, maxDepth: t % 17 == 0 ? 30 : 9, mixed: mixed)
            tree.group = t % outputs
            try builder.add(tree, index: t)
        }
        let e = try builder.build(featureNames: [], baseScores: [0.25, -1, 0], link: .softmax, inputPrecision: precision)
        let forest = try #require(e.branchFree)
        // Some trees are deeper than the branch-free limit, have categorical splits or inexpressible thresholds:
        // both paths are in use, interleaved.
        #expect(e.maxDepth > BranchFreeForest.maxDepth)
        #expect(forest.roots.contains(-1))
        #expect(forest.roots.filter { $0 >= 0 }.count > 10)
        let x = Self.randomInputs(&g, rows: 300, features: features)
        for rows in [1, 2, 7, 8, 15, 64, 65, 130, 300] { Self.expectSame(e, x, rows: rows, "random trees") }
    }

    @Test func thresholdsTheColumnsCannotExpressTakeTheGeneralPath() throws {
        var builder = try TreeEnsembleBuilder(format: "test", featureCount: 1, outputCount: 1)
        let cases: [(RawTree.Test, Double, Bool, Bool)] = [
            (.less, -.infinity, false, false), (.less, -.infinity, true, false),
            (.lessOrEqual, .greatestFiniteMagnitude, false, false), (.lessOrEqual, .greatestFiniteMagnitude, true, true),
            (.less, .infinity, false, false), (.less, .infinity, true, true),
            (.lessOrEqual, .infinity, false, true), (.lessOrEqual, .infinity, true, true),
            (.lessOrEqual, -.infinity, false, true), (.less, 0, false, true),
        ]
        for (i, (test, threshold, missingTrue, _)) in cases.enumerated() {
            var n = RawTree.Node()
            n.test = test
            n.threshold = threshold
            n.missingGoesTrue = missingTrue
            n.trueChild = 1
            n.falseChild = 2
            try builder.add(RawTree(nodes: [n, .leaf(1), .leaf(2)], root: 0, group: 0), index: i)
        }
        let e = try builder.build(featureNames: [], baseScores: [0], link: .identity, inputPrecision: .float64)
        let forest = try #require(e.branchFree)
        #expect(forest.roots.map { $0 >= 0 } == cases.map(\.3))
        let x: [Float] = [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0, -0.0, 1]
        let xd: [Double] = x.map(Double.init) + [.greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        Self.expectSame(e, x, rows: x.count, "special thresholds")
        let fast = xd.withUnsafeBufferPointer { e.predict($0, rows: xd.count, raw: true, evaluation: .automatic) }
        let slow = xd.withUnsafeBufferPointer { e.predict($0, rows: xd.count, raw: true, evaluation: .general) }
        #expect(fast == slow)
    }
}
