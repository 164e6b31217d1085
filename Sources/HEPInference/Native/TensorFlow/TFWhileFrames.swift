/// TensorFlow 1 while-loops as frozen graphs hold them ("lowered control flow"): per frame, Enter nodes bring
/// values in (constant ones are loop invariants), each loop variable is a Merge of its Enter and its
/// NextIteration, a Switch on the LoopCond splits it into the Exit (loop done) and the body (output 1).
/// `TFWhileFrames` finds each frame's nodes and turns the frame into one native loop node whose condition
/// and body are subgraphs, so the loop runs as a loop.
struct TFWhileFrames {
    /// Node indices that belong to some frame (translated inside the loop, not in the outer graph).
    var members = Set<Int>()
    private var frames = [(name: String, nodes: [Int])]()

    private static let controlFlow: Set<String> = ["Enter", "Exit", "Merge", "Switch", "LoopCond", "NextIteration"]

    init(_ nodes: [Tensorflow_NodeDef]) throws {
        var index = [String: Int]()
        for (i, n) in nodes.enumerated() { index[n.name] = i }
        var consumers = [[Int]](repeating: [], count: nodes.count)
        for (j, n) in nodes.enumerated() {
            for raw in n.input {
                let name = raw.hasPrefix("^") ? String(raw.dropFirst()) : String(raw.split(separator: ":").first ?? "")
                if let p = index[name] { consumers[p].append(j) }
            }
        }
        var order = [String]()
        var enters = [String: [Int]]()
        for (i, n) in nodes.enumerated() where n.op == "Enter" {
            let frame = TFAttributes(node: n).string("frame_name")
            if enters[frame] == nil { order.append(frame) }
            enters[frame, default: []].append(i)
        }
        for frame in order {
            var stack = enters[frame] ?? []
            var inFrame = Set(stack)
            while let i = stack.popLast() {
                guard nodes[i].op != "Exit" else { continue }
                for j in consumers[i] where !inFrame.contains(j) {
                    if nodes[j].op == "Enter", TFAttributes(node: nodes[j]).string("frame_name") != frame {
                        throw NativeEngineError.invalidNode(node: nodes[j].name, reason: "nested while-loops are not supported")
                    }
                    guard !members.contains(j) else {
                        throw NativeEngineError.malformedModel("node '\(nodes[j].name)' belongs to two while-loop frames")
                    }
                    inFrame.insert(j)
                    stack.append(j)
                }
            }
            members.formUnion(inFrame)
            frames.append((frame, inFrame.sorted()))
        }
    }

    /// Adds one loop node per frame to `b`, reading the values its Enter nodes take from the outer graph and
    /// writing the values of its Exit nodes.
    func addLoops(_ nodes: [Tensorflow_NodeDef], into b: NativeGraphBuilder) throws {
        for frame in frames { try addLoop(frame.name, frame.nodes.map { nodes[$0] }, into: b) }
    }

    private func addLoop(_ frame: String, _ nodes: [Tensorflow_NodeDef], into b: NativeGraphBuilder) throws {
        func fail(_ reason: String) -> NativeEngineError { .invalidNode(node: frame, reason: "while-loop frame: \(reason)") }
        var byName = [String: Tensorflow_NodeDef]()
        for n in nodes { byName[n.name] = n }
        func dataInputs(_ n: Tensorflow_NodeDef) -> [String] { n.input.filter { !$0.hasPrefix("^") } }
        func producer(_ input: String) -> Tensorflow_NodeDef? { byName[String(input.split(separator: ":").first ?? "")] }

        let loopConds = nodes.filter { $0.op == "LoopCond" }
        guard loopConds.count == 1, let predicate = dataInputs(loopConds[0]).first else { throw fail("expected one LoopCond") }
        var invariants = [Tensorflow_NodeDef]()
        var variables = [(enter: Tensorflow_NodeDef, merge: Tensorflow_NodeDef, next: Tensorflow_NodeDef)]()
        for m in nodes where m.op == "Merge" {
            let ins = dataInputs(m).compactMap(producer)
            guard ins.count == 2, let enter = ins.first(where: { $0.op == "Enter" }), let next = ins.first(where: { $0.op == "NextIteration" }) else {
                throw fail("Merge '\(m.name)' does not join an Enter and a NextIteration")
            }
            variables.append((enter, m, next))
        }
        for e in nodes where e.op == "Enter" {
            if TFAttributes(node: e).bool("is_constant") { invariants.append(e); continue }
            guard variables.contains(where: { $0.enter.name == e.name }) else { throw fail("Enter '\(e.name)' feeds no Merge") }
        }
        // Switch per variable (on its Merge) and the Exit reading the Switch's false output.
        var switchOf = [String: String](), exitOf = [String: String]()
        for s in nodes where s.op == "Switch" {
            guard let m = dataInputs(s).first.flatMap(producer), m.op == "Merge" else { throw fail("Switch '\(s.name)' does not read a Merge") }
            switchOf[m.name] = s.name
        }
        for x in nodes where x.op == "Exit" {
            guard let input = dataInputs(x).first, let s = producer(input), s.op == "Switch", !input.hasSuffix(":1") else {
                throw fail("Exit '\(x.name)' does not read a Switch's false output")
            }
            exitOf[s.name] = x.name
        }
        let body = nodes.filter { !Self.controlFlow.contains($0.op) }

        func subgraph(_ inputs: [String], aliases: [(String, String)], outputs: [String]) throws -> NativeGraph {
            let sb = NativeGraphBuilder()
            for name in inputs { sb.addInput(name: name, value: name, shape: []) }
            for (alias, of) in aliases { sb.addNode(name: alias, op: .identity, inputs: [of], outputs: [alias]) }
            for n in body { try TFOpTranslator.translate(n, into: sb) }
            for (k, o) in outputs.enumerated() { sb.addOutput(name: "out\(k)", value: TFGraphImporter.valueName(o)) }
            return try sb.buildSubgraph()
        }
        let invariantNames = invariants.map(\.name)
        let cond = try subgraph(variables.map(\.merge.name) + invariantNames, aliases: [], outputs: [predicate])
        var bodyInputs = [String](), aliases = [(String, String)]()
        for v in variables {
            guard let s = switchOf[v.merge.name] else { throw fail("loop variable '\(v.merge.name)' has no Switch") }
            bodyInputs.append("\(s):1")
            aliases.append((v.merge.name, "\(s):1"))
        }
        let nexts = try variables.map { v -> String in
            guard let i = dataInputs(v.next).first else { throw fail("NextIteration '\(v.next.name)' has no input") }
            return i
        }
        let bodyGraph = try subgraph(bodyInputs + invariantNames, aliases: aliases, outputs: nexts)
        let loopInputs = try (variables.map(\.enter) + invariants).map { e -> String in
            guard let i = dataInputs(e).first else { throw fail("Enter '\(e.name)' has no input") }
            return TFGraphImporter.valueName(i)
        }
        let outputs = variables.enumerated().map { k, v in switchOf[v.merge.name].flatMap { exitOf[$0] } ?? "\(frame)/unused_exit_\(k)" }
        b.addNode(name: frame, op: .loop(NativeLoop(cond: cond, body: bodyGraph, carried: variables.count)), inputs: loopInputs, outputs: outputs)
    }
}
