/// A while-loop of the native IR (TensorFlow's While, or its TF1 lowering into Enter/Merge/Switch/Exit frames).
/// `cond` and `body` are subgraphs whose inputs are the loop variables followed by the loop invariants; `cond`
/// gives one boolean, `body` the next loop variables. The loop node's inputs are the initial variables and the
/// invariants; its outputs are the final variables.
public final class NativeLoop: Sendable, Equatable, CustomStringConvertible {
    public let cond: NativeGraph
    public let body: NativeGraph
    /// Number of loop variables (the rest of the inputs are invariants).
    public let carried: Int
    /// A loop that runs longer than this is an error (a model must not hang the server).
    static let maxIterations = 10_000_000

    public init(cond: NativeGraph, body: NativeGraph, carried: Int) {
        self.cond = cond
        self.body = body
        self.carried = carried
    }

    public static func == (a: NativeLoop, b: NativeLoop) -> Bool { a === b }

    public var description: String { "loop(\(carried) variables, \(body.nodes.count) body nodes)" }
}

/// Runs a `NativeLoop`: evaluates `cond`, then `body`, until `cond` is false. Float results are copied into
/// the loop node's own planned buffers (a variable the body never changes would otherwise alias an input).
enum LoopKernel {
    static func run(_ loop: NativeLoop, _ ins: [NativeTensor], _ ctx: NativeKernelContext) throws -> [NativeTensor] {
        guard ins.count == loop.cond.inputs.count, ins.count == loop.body.inputs.count, loop.carried <= ins.count,
              loop.body.outputs.count == loop.carried else {
            throw ctx.fail("loop with \(ins.count) inputs for \(loop.carried) variables")
        }
        var vars = Array(ins[..<loop.carried])
        let invariants = Array(ins[loop.carried...])
        var iterations = 0
        while true {
            let c = try NativeExecutor.run(loop.cond, inputs: vars + invariants, workspace: nil, plan: nil)
            guard let flag = c.first, flag.elementCount == 1 else { throw ctx.fail("loop condition is not a single value") }
            if !truth(flag) { break }
            iterations += 1
            guard iterations <= NativeLoop.maxIterations else { throw ctx.fail("loop still running after \(NativeLoop.maxIterations) iterations") }
            vars = try NativeExecutor.run(loop.body, inputs: vars + invariants, workspace: nil, plan: nil)
        }
        return vars.enumerated().map { k, v in
            guard case let .float(b) = v.storage else { return v }
            let (t, p) = ctx.float(k, v.shape)
            p.update(from: b.pointer, count: v.elementCount)
            return t
        }
    }

    private static func truth(_ t: NativeTensor) -> Bool {
        switch t.storage {
        case let .bool(v): return v.first ?? false
        case let .int(v): return (v.first ?? 0) != 0
        case let .float(b): return b.pointer[0] != 0
        }
    }
}
