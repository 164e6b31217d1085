/// Kernels that touch each element once: unary functions, bias, batch normalization, casts.
enum ElementwiseKernels {
    static func unary(_ a: NativeActivation, _ ins: [NativeTensor], _ ctx: NativeKernelContext) throws -> NativeTensor {
        let x = try ctx.input(ins, 0)
        if case let .bool(v) = x.storage, a == .logicalNot {
            return NativeTensor(shape: x.shape, storage: .bool(v.map { !$0 }))
        }
        if case let .int(v) = x.storage {
            switch a {
            case .negate: return NativeTensor(shape: x.shape, ints: v.map { 0 &- $0 })
            case .abs: return NativeTensor(shape: x.shape, ints: v.map { $0 == .min ? .max : Swift.abs($0) })
            case .square: return NativeTensor(shape: x.shape, ints: v.map { $0 &* $0 })
            default: break
            }
        }
        let src = x.floats()
        let n = x.elementCount
        let (t, p) = ctx.float(0, x.shape)
        if case let .float(b) = x.storage { p.update(from: b.pointer, count: n) } else {
            src.withUnsafeBufferPointer { if let s = $0.baseAddress { p.update(from: s, count: n) } }
        }
        ActivationKernel.apply(a, p, n)
        return t
    }

    /// x + bias along `axis` (bias length = that dimension).
    static func biasAdd(_ ins: [NativeTensor], axis: Int, _ ctx: NativeKernelContext) throws -> NativeTensor {
        let x = try ctx.input(ins, 0), b = try ctx.input(ins, 1)
        let ax = try ctx.axis(axis, rank: x.shape.count)
        guard !x.shape.isEmpty, b.elementCount == x.shape[ax] else {
            throw ctx.shapeError("bias of \(b.elementCount) for axis \(axis) of \(x.shape)")
        }
        let c = x.shape[ax]
        let inner = x.shape[(ax + 1)...].reduce(1, *), outer = x.shape[..<ax].reduce(1, *)
        let px = try x.floatBuffer(ctx.name).pointer, pb = try b.floatBuffer(ctx.name).pointer
        let (t, p) = ctx.float(0, x.shape)
        var i = 0
        for _ in 0..<outer {
            for ch in 0..<c {
                let v = pb[ch]
                for _ in 0..<inner { p[i] = px[i] + v; i += 1 }
            }
        }
        return t
    }

    /// (x - mean) / sqrt(var + eps) * scale + offset along `axis`; inputs [x, scale, offset, mean, variance].
    static func batchNorm(_ ins: [NativeTensor], epsilon: Float, axis: Int, _ ctx: NativeKernelContext) throws -> NativeTensor {
        guard ins.count >= 5 else { throw ctx.fail("batch normalization needs x, scale, offset, mean, variance") }
        let x = ins[0]
        let ax = try ctx.axis(axis, rank: x.shape.count)
        let c = x.shape[ax]
        let params = ins[1...4].map { $0.floats() }
        guard params.allSatisfy({ $0.count == c }) else { throw ctx.shapeError("batch-norm parameters for \(c) channels of \(x.shape)") }
        var scale = [Float](repeating: 0, count: c), shift = scale
        for i in 0..<c {
            scale[i] = params[0][i] / (params[3][i] + epsilon).squareRoot()
            shift[i] = params[1][i] - params[2][i] * scale[i]
        }
        let inner = x.shape[(ax + 1)...].reduce(1, *), outer = x.shape[..<ax].reduce(1, *)
        let px = try x.floatBuffer(ctx.name).pointer
        let (t, p) = ctx.float(0, x.shape)
        var i = 0
        for _ in 0..<outer {
            for ch in 0..<c {
                let s = scale[ch], o = shift[ch]
                for _ in 0..<inner { p[i] = px[i] * s + o; i += 1 }
            }
        }
        return t
    }

    static func cast(_ ins: [NativeTensor], to: NativeDataType, _ ctx: NativeKernelContext) throws -> NativeTensor {
        let x = try ctx.input(ins, 0)
        // Same type: a copy into this node's own buffer (the memory plan may reuse the input's buffer).
        if x.dataType == to, case let .float(b) = x.storage {
            let (t, p) = ctx.float(0, x.shape)
            p.update(from: b.pointer, count: x.elementCount)
            return t
        }
        if x.dataType == to { return x }
        switch to {
        case .float:
            let (t, p) = ctx.float(0, x.shape)
            let v = x.floats()
            for i in 0..<v.count { p[i] = v[i] }
            return t
        case .int: return NativeTensor(shape: x.shape, ints: x.ints())
        case .bool: return NativeTensor(shape: x.shape, storage: .bool(x.floats().map { $0 != 0 }))
        }
    }
}
