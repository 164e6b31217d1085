import Foundation

/// Element-wise binary ops with NumPy broadcasting. Float tensors run over pointers with fast paths for
/// equal shapes and a broadcast inner row; int and bool tensors (shape arithmetic) run on arrays.
enum BinaryKernel {
    static func run(_ op: NativeBinaryOp, _ ins: [NativeTensor], _ ctx: NativeKernelContext) throws -> NativeTensor {
        let a = try ctx.input(ins, 0), b = try ctx.input(ins, 1)
        let shape = try BroadcastShape.of(a.shape, b.shape, ctx)
        if op.isComparison { return try compare(op, a, b, shape, ctx) }
        if case let .int(va) = a.storage, case let .int(vb) = b.storage {
            return NativeTensor(shape: shape, ints: broadcast(va, a.shape, vb, b.shape, shape) { x, y in intOp(op, x, y) })
        }
        let pa = try floatPointer(a, ctx), pb = try floatPointer(b, ctx)
        defer { pa.release(); pb.release() }
        let (t, p) = ctx.float(0, shape)
        let n = shape.elementCount
        if a.shape == b.shape {
            combine(op, pa.pointer, 1, pb.pointer, 1, p, n)
            return t
        }
        // One side a single value (scalar scale or offset).
        if b.elementCount == 1, a.elementCount == n {
            combine(op, pa.pointer, 1, pb.pointer, 0, p, n)
            return t
        }
        if a.elementCount == 1, b.elementCount == n {
            combine(op, pa.pointer, 0, pb.pointer, 1, p, n)
            return t
        }
        let inner = shape.last ?? 1
        let sa = BroadcastShape.strides(a.shape, to: shape), sb = BroadcastShape.strides(b.shape, to: shape)
        let ia = sa.last ?? 0, ib = sb.last ?? 0
        let outerShape = Array(shape.dropLast())
        var index = [Int](repeating: 0, count: outerShape.count)
        var o = 0
        while o < n {
            var oa = 0, ob = 0
            for d in 0..<outerShape.count { oa += index[d] * sa[d]; ob += index[d] * sb[d] }
            combine(op, pa.pointer + oa, ia, pb.pointer + ob, ib, p + o, inner)
            o += inner
            if inner == 0 { break }
            BroadcastShape.increment(&index, outerShape)
        }
        return t
    }

    /// A float pointer for a tensor, converting int/bool operands into a temporary copy.
    private struct FloatOperand {
        let pointer: UnsafeMutablePointer<Float>
        let owned: Bool
        func release() { if owned { pointer.deallocate() } }
    }

    private static func floatPointer(_ t: NativeTensor, _ ctx: NativeKernelContext) throws -> FloatOperand {
        if case let .float(b) = t.storage { return FloatOperand(pointer: b.pointer, owned: false) }
        let v = t.floats()
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(v.count, 1))
        for i in 0..<v.count { p[i] = v[i] }
        return FloatOperand(pointer: p, owned: true)
    }

    /// out[i] = a[i·sa] op b[i·sb] for a row of n (strides 0 or 1).
    @inline(__always)
    private static func combine(_ op: NativeBinaryOp, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                                _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        if sa == 1, sb == 1 {
            switch op {
            case .add: simd(a, b, out, n, +); return
            case .sub: simd(a, b, out, n, -); return
            case .mul: simd(a, b, out, n, *); return
            default: break
            }
        }
        switch op {
        case .add: loop(a, sa, b, sb, out, n) { $0 + $1 }
        case .sub: loop(a, sa, b, sb, out, n) { $0 - $1 }
        case .mul: loop(a, sa, b, sb, out, n) { $0 * $1 }
        case .div: loop(a, sa, b, sb, out, n) { $0 / $1 }
        case .maximum: loop(a, sa, b, sb, out, n) { Swift.max($0, $1) }
        case .minimum: loop(a, sa, b, sb, out, n) { Swift.min($0, $1) }
        case .pow: loop(a, sa, b, sb, out, n) { Foundation.pow($0, $1) }
        case .squaredDifference: loop(a, sa, b, sb, out, n) { ($0 - $1) * ($0 - $1) }
        case .floorDiv: loop(a, sa, b, sb, out, n) { ($0 / $1).rounded(.down) }
        case .floorMod: loop(a, sa, b, sb, out, n) { x, y in
            let r = Foundation.fmod(x, y)
            return r != 0 && (r < 0) != (y < 0) ? r + y : r
        }
        default: break
        }
    }

    @inline(__always)
    private static func loop(_ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                             _ out: UnsafeMutablePointer<Float>, _ n: Int, _ f: (Float, Float) -> Float) {
        for i in 0..<n { out[i] = f(a[i * sa], b[i * sb]) }
    }

    @inline(__always)
    private static func simd(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
                             _ f: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>) {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b), ro = UnsafeMutableRawPointer(out)
        var i = 0
        while i + 8 <= n {
            let r = f(ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self),
                      rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
            ro.storeBytes(of: r, toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            let r = f(SIMD8(repeating: a[i]), SIMD8(repeating: b[i]))
            out[i] = r[0]
            i += 1
        }
    }

    private static func intOp(_ op: NativeBinaryOp, _ x: Int, _ y: Int) -> Int {
        switch op {
        case .add: return x &+ y
        case .sub: return x &- y
        case .mul: return x &* y
        case .div, .floorDiv:
            guard y != 0 else { return 0 }
            let q = x / y
            return (x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q
        case .floorMod:
            guard y != 0 else { return 0 }
            let r = x % y
            return r != 0 && (r < 0) != (y < 0) ? r + y : r
        case .maximum: return Swift.max(x, y)
        case .minimum: return Swift.min(x, y)
        case .pow: return y >= 0 && y < 64 ? (0..<y).reduce(1) { acc, _ in acc &* x } : 0
        case .squaredDifference: return (x &- y) &* (x &- y)
        default: return 0
        }
    }

    private static func compare(_ op: NativeBinaryOp, _ a: NativeTensor, _ b: NativeTensor, _ shape: [Int],
                                _ ctx: NativeKernelContext) throws -> NativeTensor {
        let va = a.floats(), vb = b.floats()
        let r: [Bool] = broadcast(va, a.shape, vb, b.shape, shape) { x, y in
            switch op {
            case .greater: return x > y
            case .greaterEqual: return x >= y
            case .less: return x < y
            case .lessEqual: return x <= y
            case .equal: return x == y
            case .notEqual: return x != y
            case .logicalAnd: return x != 0 && y != 0
            case .logicalOr: return x != 0 || y != 0
            default: return false
            }
        }
        return NativeTensor(shape: shape, storage: .bool(r))
    }

    /// Generic broadcast over arrays (small int/bool tensors).
    static func broadcast<A, B, R>(_ a: [A], _ sa: [Int], _ b: [B], _ sb: [Int], _ shape: [Int], _ f: (A, B) -> R) -> [R] {
        let n = shape.elementCount
        guard n > 0, !a.isEmpty, !b.isEmpty else { return [] }
        let ta = BroadcastShape.strides(sa, to: shape), tb = BroadcastShape.strides(sb, to: shape)
        var index = [Int](repeating: 0, count: shape.count)
        var out = [R]()
        out.reserveCapacity(n)
        for _ in 0..<n {
            var oa = 0, ob = 0
            for d in 0..<shape.count { oa += index[d] * ta[d]; ob += index[d] * tb[d] }
            out.append(f(a[oa], b[ob]))
            BroadcastShape.increment(&index, shape)
        }
        return out
    }

    /// condition ? x : y with broadcasting (TensorFlow SelectV2, ONNX Where).
    static func select(_ ins: [NativeTensor], _ ctx: NativeKernelContext) throws -> NativeTensor {
        guard ins.count == 3 else { throw ctx.fail("Select needs condition, then, else") }
        let c = ins[0].floats(), x = ins[1], y = ins[2]
        var shape = try BroadcastShape.of(ins[0].shape, x.shape, ctx)
        shape = try BroadcastShape.of(shape, y.shape, ctx)
        // TF1 Select: a 1-D condition picks rows.
        var cShape = ins[0].shape
        if cShape.count == 1, x.shape.count > 1, cShape[0] == x.shape[0] { cShape += [Int](repeating: 1, count: x.shape.count - 1) }
        let picked: [Int] = broadcast(c, cShape, Array(0..<max(shape.elementCount, 1)), shape, shape) { cond, i in cond != 0 ? i : -i - 1 }
        let vx = x.floats(), vy = y.floats()
        let sx = BroadcastShape.strides(x.shape, to: shape), sy = BroadcastShape.strides(y.shape, to: shape)
        let strides = BroadcastShape.contiguous(shape)
        func read(_ v: [Float], _ s: [Int], _ flat: Int) -> Float {
            var off = 0, rest = flat
            for d in 0..<shape.count { off += (rest / strides[d]) * s[d]; rest %= strides[d] }
            return v.isEmpty ? 0 : v[off]
        }
        if x.dataType == .int, y.dataType == .int {
            return NativeTensor(shape: shape, ints: picked.map { $0 >= 0 ? Int(read(vx, sx, $0)) : Int(read(vy, sy, -$0 - 1)) })
        }
        let (t, p) = ctx.float(0, shape)
        for (i, k) in picked.enumerated() { p[i] = k >= 0 ? read(vx, sx, k) : read(vy, sy, -k - 1) }
        return t
    }
}
