/// The graph functions of a SavedModel and how to inline them: a call node (StatefulPartitionedCall,
/// PartitionedCall) becomes its function's nodes under the call's name, reading the call's inputs and giving
/// its outputs through an IdentityN named like the call; a While keeps its node and its `cond`/`body`
/// functions become the loop's subgraphs.
struct TFFunctionLibrary {
    let functions: [String: Tensorflow_FunctionDef]
    static let callOps: Set<String> = ["StatefulPartitionedCall", "PartitionedCall"]
    static let whileOps: Set<String> = ["While", "StatelessWhile"]
    /// Calls nested deeper than this are refused (a function calling itself must not recurse forever).
    static let maxDepth = 32

    init(_ library: Tensorflow_FunctionDefLibrary) {
        var map = [String: Tensorflow_FunctionDef]()
        for f in library.function { map[f.signature.name] = f }
        functions = map
    }

    func function(_ name: String, node: String) throws -> Tensorflow_FunctionDef {
        guard let f = functions[name] else { throw NativeEngineError.malformedModel("node '\(node)' calls the unknown function '\(name)'") }
        return f
    }

    /// The function a node's attribute names (`f`, `cond`, `body`).
    static func functionName(_ n: Tensorflow_NodeDef, _ attr: String) -> String? {
        if case let .func(f)? = n.attr[attr]?.value { return f.name }
        return nil
    }

    /// `nodes` with every call node replaced by the nodes of its function, recursively.
    func expand(_ nodes: [Tensorflow_NodeDef], depth: Int = 0) throws -> [Tensorflow_NodeDef] {
        var out = [Tensorflow_NodeDef]()
        for n in nodes {
            guard Self.callOps.contains(n.op) else { out.append(n); continue }
            guard depth < Self.maxDepth else { throw NativeEngineError.malformedModel("function calls nested deeper than \(Self.maxDepth) at '\(n.name)'") }
            guard let name = Self.functionName(n, "f") else { throw NativeEngineError.malformedModel("call '\(n.name)' names no function") }
            let f = try function(name, node: n.name)
            let body = try inline(f, prefix: n.name + "/")
            let inputs = n.input.filter { !$0.hasPrefix("^") }
            guard inputs.count == body.args.count else {
                throw NativeEngineError.malformedModel("call '\(n.name)' passes \(inputs.count) values to '\(name)', which takes \(body.args.count)")
            }
            for (arg, value) in zip(body.args, inputs) { out.append(Self.node(arg, "Identity", [value])) }
            out += try expand(body.nodes, depth: depth + 1)
            out.append(Self.node(n.name, "IdentityN", body.results))
        }
        return out
    }

    /// A function's nodes renamed under `prefix`, with inputs in graph form ("node" / "node:k"); the value names
    /// of its arguments (nothing produces them: callers bind them) and of its results.
    func inline(_ f: Tensorflow_FunctionDef, prefix: String) throws -> (nodes: [Tensorflow_NodeDef], args: [String], results: [String]) {
        let args = Set(f.signature.inputArg.map(\.name))
        var opOf = [String: String]()
        for n in f.nodeDef { opOf[n.name] = n.op }
        func value(_ ref: String) throws -> String {
            let parts = ref.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 1 {
                guard args.contains(ref) || opOf[ref] != nil else { throw NativeEngineError.malformedModel("function '\(f.signature.name)' reads unknown '\(ref)'") }
                return prefix + ref
            }
            guard parts.count == 3, let i = Int(parts[2]), i >= 0, let op = opOf[parts[0]] else {
                throw NativeEngineError.malformedModel("function '\(f.signature.name)': bad input '\(ref)'")
            }
            let k = Self.outputOffset(op, parts[1]) + i
            return k == 0 ? prefix + parts[0] : "\(prefix)\(parts[0]):\(k)"
        }
        var nodes = [Tensorflow_NodeDef]()
        nodes.reserveCapacity(f.nodeDef.count)
        for n in f.nodeDef {
            var m = n
            m.name = prefix + n.name
            m.input = try n.input.filter { !$0.hasPrefix("^") }.map(value)
            nodes.append(m)
        }
        let results = try f.signature.outputArg.map { a -> String in
            guard let r = f.ret[a.name] else { throw NativeEngineError.malformedModel("function '\(f.signature.name)' does not return '\(a.name)'") }
            return try value(r)
        }
        return (nodes, f.signature.inputArg.map { prefix + $0.name }, results)
    }

    /// The flat output index where an op's named output argument starts (ops with one output list: 0).
    static func outputOffset(_ op: String, _ arg: String) -> Int {
        switch (op, arg) {
        case (_, "batch_mean"): return 1
        case (_, "batch_variance"): return 2
        case (_, "reserve_space_1"): return 3
        case (_, "reserve_space_2"): return 4
        case (_, "reserve_space_3"): return 5
        case ("Switch", "output_true"), ("Merge", "value_index"), ("Unique", "idx"), ("TopKV2", "indices"): return 1
        default: return 0
        }
    }

    static func node(_ name: String, _ op: String, _ inputs: [String]) -> Tensorflow_NodeDef {
        var n = Tensorflow_NodeDef()
        n.name = name
        n.op = op
        n.input = inputs
        return n
    }

    /// Adds a While node as one loop node: its `cond` and `body` functions become subgraphs over the loop
    /// variables (all of the While's inputs; invariants are variables the body passes through).
    func addWhile(_ n: Tensorflow_NodeDef, into b: NativeGraphBuilder, depth: Int = 0) throws {
        guard depth < Self.maxDepth else { throw NativeEngineError.malformedModel("while-loops nested deeper than \(Self.maxDepth) at '\(n.name)'") }
        guard let condName = Self.functionName(n, "cond"), let bodyName = Self.functionName(n, "body") else {
            throw NativeEngineError.malformedModel("While '\(n.name)' names no cond/body function")
        }
        let inputs = n.input.filter { !$0.hasPrefix("^") }.map(TFGraphImporter.valueName)
        func subgraph(_ fname: String, outputs count: Int?) throws -> NativeGraph {
            let f = try function(fname, node: n.name)
            let body = try inline(f, prefix: "\(n.name)/\(fname)/")
            guard body.args.count == inputs.count, count == nil || body.results.count == count else {
                throw NativeEngineError.malformedModel("While '\(n.name)': '\(fname)' does not match the \(inputs.count) loop variables")
            }
            let sb = NativeGraphBuilder()
            for a in body.args { sb.addInput(name: a, value: a, shape: []) }
            try translate(try expand(body.nodes), into: sb, depth: depth + 1)
            for (k, r) in body.results.prefix(count ?? 1).enumerated() { sb.addOutput(name: "out\(k)", value: TFGraphImporter.valueName(r)) }
            return try sb.buildSubgraph()
        }
        let cond = try subgraph(condName, outputs: nil)
        let body = try subgraph(bodyName, outputs: inputs.count)
        b.addNode(name: n.name, op: .loop(NativeLoop(cond: cond, body: body, carried: inputs.count)), inputs: inputs,
                  outputs: inputs.indices.map { $0 == 0 ? n.name : "\(n.name):\($0)" })
    }

    /// Translates expanded nodes into `b`, While nodes as loops.
    func translate(_ nodes: [Tensorflow_NodeDef], into b: NativeGraphBuilder, depth: Int = 0) throws {
        for n in nodes {
            if Self.whileOps.contains(n.op) { try addWhile(n, into: b, depth: depth) } else { try TFOpTranslator.translate(n, into: b) }
        }
    }
}
