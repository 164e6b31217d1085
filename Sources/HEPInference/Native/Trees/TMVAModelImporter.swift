/// Reads TMVA BDT weight files (`<MethodSetup Method="BDT::...">`, XML) into a `TreeModel`.
///
/// TMVA facts used (MethodBDT, DecisionTree, DecisionTreeNode, VariableNormalizeTransform): an event goes right at a
/// node when `(x >= Cut) == cType` (values, cuts, purities and responses are float; NaN compares false); a node with
/// `nType` 0 is internal, anything else is a leaf; the forest's `AnalysisType` 1 (regression trees, used by gradient
/// boosting) makes a tree answer its leaf response `res`, otherwise the leaf's `nType` (±1, `UseYesNoLeaf`) or its
/// `purity`; `RealAdaBoost` and `AdaCost` force purities; `Grad` sums the responses and maps s → 2/(1+e^(-2s)) - 1;
/// the other boost types return Σ wᵢ·tᵢ / Σ wᵢ with the float `boostWeight`s (0 if Σ wᵢ ≤ ε); the `Normalize`
/// transformation maps each variable to 2(x - min)/(max - min) - 1 with the ranges of the last class block (all classes).
public enum TMVAModelImporter {
    static let format = "TMVA BDT"

    public static func load(_ bytes: [UInt8]) throws -> TreeModel {
        let root = try XMLDocumentTree.parse(bytes, format: format)
        guard root.name == "MethodSetup", let method = root.attributes["Method"], method.hasPrefix("BDT::") else {
            throw TreeModelError.malformed(format, "the top element is not <MethodSetup Method=\"BDT::...\">")
        }
        var options: [String: String] = [:]
        for o in root.child("Options")?.children("Option") ?? [] {
            if let n = o.attributes["name"] { options[n] = o.text.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        if let info = root.child("GeneralInfo")?.children("Info").first(where: { $0.attributes["name"] == "AnalysisType" }),
           let type = info.attributes["value"], type != "Classification" {
            throw TreeModelError.unsupported(format, "analysis type '\(type)' (only classification BDTs)")
        }
        guard let variables = root.child("Variables") else { throw TreeModelError.malformed(format, "no <Variables>") }
        let vars = variables.children("Variable")
        let names = vars.map { $0.attributes["Expression"] ?? $0.attributes["Label"] ?? "" }
        guard !vars.isEmpty, vars.count <= TreeEnsembleBuilder.maxFeatures else {
            throw TreeModelError.malformed(format, "<Variables> lists \(vars.count) variables")
        }
        let scaling = try transformations(root.child("Transformations"), variables: vars.count)

        guard let weights = root.child("Weights") else { throw TreeModelError.malformed(format, "no <Weights>") }
        if weights.attributes.keys.contains(where: { $0.hasPrefix("Preselection") }) {
            throw TreeModelError.unsupported(format, "preselection cuts (DoPreselection)")
        }
        let analysisType = try int(weights.attributes["AnalysisType"] ?? weights.attributes["TreeType"] ?? "0", "AnalysisType")
        guard analysisType == 0 || analysisType == 1 else {
            throw TreeModelError.unsupported(format, "AnalysisType \(analysisType) (multiclass forests)")
        }
        let trees = weights.children("BinaryTree")
        guard !trees.isEmpty else { throw TreeModelError.malformed(format, "<Weights> holds no <BinaryTree>") }
        if let declared = weights.attributes["NTrees"], Int(declared) != trees.count {
            throw TreeModelError.malformed(format, "NTrees=\(declared) but \(trees.count) <BinaryTree> elements")
        }
        let boost = options["BoostType"] ?? "AdaBoost"
        var yesNoLeaf = (options["UseYesNoLeaf"] ?? "True").lowercased() != "false"
        if boost == "RealAdaBoost" || boost == "AdaCost" { yesNoLeaf = false }
        let gradient = boost == "Grad"

        let boostWeights = try trees.enumerated().map { i, t -> Double in
            Double(Float(try number(t.attributes["boostWeight"] ?? (gradient ? "1" : nil), "tree \(i) boostWeight")))
        }
        let norm = boostWeights.reduce(0, +)
        var builder = try TreeEnsembleBuilder(format: format, featureCount: vars.count, outputCount: 1)
        for (i, t) in trees.enumerated() {
            let factor = gradient ? 1 : (norm > Double.ulpOfOne ? boostWeights[i] / norm : 0)
            let tree = try readTree(t, index: i, regression: analysisType == 1, yesNoLeaf: yesNoLeaf, factor: factor)
            try builder.add(tree, index: i)
        }
        let ensemble = try builder.build(featureNames: names, baseScores: [0], link: gradient ? .tmvaGradient : .identity,
                                         inputPrecision: .float32)
        var model = TreeModel(format: "tmva", objective: "\(method) \(boost)", task: .tmvaResponse, ensemble: ensemble)
        model.inputScaling = scaling
        return model
    }

    /// Per-variable x → a·x + b of the transformations, nil for none.
    static func transformations(_ e: XMLDocumentTree.Element?, variables: Int) throws -> TreeModel.InputScaling? {
        guard let e else { return nil }
        var scaling: TreeModel.InputScaling?
        for t in e.children("Transform") {
            let name = t.attributes["Name"] ?? ""
            guard name == "Normalize" else {
                throw TreeModelError.unsupported(format, "variable transformation '\(name)' (only Normalize)")
            }
            guard let cls = t.children("Class").last, let ranges = cls.child("Ranges")?.children("Range"),
                  ranges.count == variables else {
                throw TreeModelError.malformed(format, "Normalize transformation without \(variables) ranges")
            }
            var a = [Double](repeating: 1, count: variables), b = [Double](repeating: 0, count: variables)
            for r in ranges {
                let i = try int(r.attributes["Index"] ?? "", "Range Index")
                guard i >= 0, i < variables else { throw TreeModelError.malformed(format, "Range Index \(i) out of range") }
                let lo = Double(Float(try number(r.attributes["Min"], "Range Min")))
                let hi = Double(Float(try number(r.attributes["Max"], "Range Max")))
                let scale = hi > lo ? 2 / (hi - lo) : 0
                a[i] = scale
                b[i] = -lo * scale - 1
            }
            guard scaling == nil else {
                throw TreeModelError.unsupported(format, "more than one variable transformation")
            }
            scaling = TreeModel.InputScaling(scale: a, offset: b)
        }
        return scaling
    }

    static func readTree(_ t: XMLDocumentTree.Element, index: Int, regression: Bool, yesNoLeaf: Bool, factor: Double) throws -> RawTree {
        guard let top = t.child("Node") else { throw TreeModelError.malformed(format, "tree \(index) has no <Node>") }
        var tree = RawTree()
        // Pre-order over the XML nesting; children are appended to the raw array as they are met.
        var stack: [(XMLDocumentTree.Element, Int)] = [(top, 0)]
        tree.nodes.append(RawTree.Node())
        while let (e, slot) = stack.popLast() {
            let where_ = "tree \(index) node \(slot)"
            let type = try int(e.attributes["nType"] ?? "", "\(where_) nType")
            if let ncoef = e.attributes["NCoef"], ncoef != "0" {
                throw TreeModelError.unsupported(format, "\(where_) uses Fisher cuts (NCoef=\(ncoef))")
            }
            let kids = e.children("Node")
            if type != 0 {
                let v: Double
                if regression {
                    v = Double(Float(try number(e.attributes["res"], "\(where_) res")))
                } else if yesNoLeaf {
                    v = Double(type)
                } else {
                    v = Double(Float(try number(e.attributes["purity"], "\(where_) purity")))
                }
                tree.nodes[slot] = .leaf(v * factor)
                continue
            }
            guard let left = kids.first(where: { $0.attributes["pos"] == "l" }),
                  let right = kids.first(where: { $0.attributes["pos"] == "r" }), kids.count == 2 else {
                throw TreeModelError.malformed(format, "\(where_) is internal (nType 0) but lacks one 'l' and one 'r' child")
            }
            guard tree.nodes.count + 2 <= TreeEnsembleBuilder.maxNodes else {
                throw TreeModelError.malformed(format, "tree \(index) is too large")
            }
            var n = RawTree.Node()
            n.feature = try int(e.attributes["IVar"] ?? "", "\(where_) IVar")
            n.threshold = Double(Float(try number(e.attributes["Cut"], "\(where_) Cut")))
            let cutType = try int(e.attributes["cType"] ?? "1", "\(where_) cType")
            // Right when (x >= cut) == cType; as a test with the left child as true child:
            // cType 1: left iff x < cut (NaN: x >= cut fails → left); cType 0: left iff x >= cut (NaN → right).
            n.test = .less
            let l = tree.nodes.count, r = l + 1
            tree.nodes.append(RawTree.Node())
            tree.nodes.append(RawTree.Node())
            if cutType != 0 {
                n.trueChild = l
                n.falseChild = r
                n.missingGoesTrue = true
            } else {
                n.trueChild = r
                n.falseChild = l
                n.missingGoesTrue = true
            }
            tree.nodes[slot] = n
            stack.append((right, r))
            stack.append((left, l))
        }
        return tree
    }

    static func int(_ s: String, _ field: String) throws -> Int {
        guard let v = Int(s.trimmingCharacters(in: .whitespaces)) else {
            throw TreeModelError.malformed(format, "\(field) '\(s)' is not an integer")
        }
        return v
    }

    static func number(_ s: String?, _ field: String) throws -> Double {
        guard let s, let v = Double(s.trimmingCharacters(in: .whitespaces)) else {
            throw TreeModelError.malformed(format, "\(field) is missing or not a number")
        }
        return v
    }
}
