import COpenBLAS

/// Matrix products over OpenBLAS `cblas_sgemm`.
enum MatMulKernel {
    /// C[M×N] = alpha·op(A)·op(B) + beta·C, row-major.
    @inline(__always)
    static func sgemm(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                      m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false,
                      alpha: Float = 1, beta: Float = 0) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            if beta == 0 { c.update(repeating: 0, count: m * n) }
            return
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n),
                    beta, c, Int32(n))
    }

    /// TensorFlow MatMul / BatchMatMul and ONNX MatMul: leading dimensions broadcast.
    static func matMul(_ ins: [NativeTensor], transposeA: Bool, transposeB: Bool, _ ctx: NativeKernelContext) throws -> NativeTensor {
        let a = try ctx.input(ins, 0), b = try ctx.input(ins, 1)
        let pa = try a.floatBuffer(ctx.name).pointer, pb = try b.floatBuffer(ctx.name).pointer
        var sa = a.shape, sb = b.shape
        guard !sa.isEmpty, !sb.isEmpty else { throw ctx.shapeError("MatMul of scalars") }
        let aVector = sa.count == 1, bVector = sb.count == 1
        if aVector { sa = [1] + sa }
        if bVector { sb = sb + [1] }
        let (m, ka) = transposeA ? (sa[sa.count - 1], sa[sa.count - 2]) : (sa[sa.count - 2], sa[sa.count - 1])
        let (kb, n) = transposeB ? (sb[sb.count - 1], sb[sb.count - 2]) : (sb[sb.count - 2], sb[sb.count - 1])
        guard ka == kb else { throw ctx.shapeError("MatMul \(a.shape) × \(b.shape): inner dimensions \(ka) and \(kb) differ") }
        let batchA = Array(sa.dropLast(2)), batchB = Array(sb.dropLast(2))
        // Fast path: B is one matrix, A's rows are independent.
        if batchB.isEmpty, !transposeA {
            let rows = batchA.elementCount * m
            var outShape = batchA + [m, n]
            if aVector { outShape.remove(at: outShape.count - 2) }
            if bVector { outShape.removeLast() }
            let (t, pc) = ctx.float(0, outShape)
            sgemm(pa, pb, pc, m: rows, n: n, k: ka, transposeB: transposeB)
            return t
        }
        let batch = try BroadcastShape.of(batchA, batchB, ctx)
        var outShape = batch + [m, n]
        if aVector { outShape.remove(at: outShape.count - 2) }
        if bVector { outShape.removeLast() }
        let (t, pc) = ctx.float(0, outShape)
        let count = batch.elementCount
        let sA = BroadcastShape.strides(batchA, to: batch), sB = BroadcastShape.strides(batchB, to: batch)
        var index = [Int](repeating: 0, count: batch.count)
        for i in 0..<count {
            var oa = 0, ob = 0
            for d in 0..<batch.count { oa += index[d] * sA[d]; ob += index[d] * sB[d] }
            sgemm(pa + oa * m * ka, pb + ob * ka * n, pc + i * m * n, m: m, n: n, k: ka, transposeA: transposeA, transposeB: transposeB)
            BroadcastShape.increment(&index, batch)
        }
        return t
    }

    /// Fused dense layer: rows of x times W, plus bias, then the activation (in place).
    static func dense(_ ins: [NativeTensor], transposeB: Bool, activation: NativeActivation, _ ctx: NativeKernelContext) throws -> NativeTensor {
        let x = try ctx.input(ins, 0), w = try ctx.input(ins, 1)
        guard let k = x.shape.last, w.shape.count == 2 else { throw ctx.shapeError("dense layer input \(x.shape), weights \(w.shape)") }
        let (kw, n) = transposeB ? (w.shape[1], w.shape[0]) : (w.shape[0], w.shape[1])
        guard k == kw else { throw ctx.shapeError("dense layer input \(x.shape) × weights \(w.shape)") }
        let rows = k == 0 ? x.shape.dropLast().reduce(1, *) : x.elementCount / k
        let (t, pc) = ctx.float(0, Array(x.shape.dropLast()) + [n])
        var beta: Float = 0
        if ins.count > 2 {
            let bias = ins[2]
            guard bias.elementCount == n else { throw ctx.shapeError("bias of \(bias.elementCount) for \(n) outputs") }
            let pb = try bias.floatBuffer(ctx.name).pointer
            for r in 0..<rows { (pc + r * n).update(from: pb, count: n) }
            beta = 1
        }
        sgemm(try x.floatBuffer(ctx.name).pointer, try w.floatBuffer(ctx.name).pointer, pc, m: rows, n: n, k: k,
              transposeB: transposeB, beta: beta)
        ActivationKernel.apply(activation, pc, rows * n)
        return t
    }

    /// ONNX Gemm on 2-D A and B, C broadcast to [M, N].
    static func gemm(_ ins: [NativeTensor], alpha: Float, beta: Float, transposeA: Bool, transposeB: Bool,
                     _ ctx: NativeKernelContext) throws -> NativeTensor {
        let a = try ctx.input(ins, 0), b = try ctx.input(ins, 1)
        guard a.shape.count == 2, b.shape.count == 2 else { throw ctx.shapeError("Gemm needs matrices, got \(a.shape), \(b.shape)") }
        let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (kb, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        guard k == kb else { throw ctx.shapeError("Gemm \(a.shape) × \(b.shape)") }
        let (t, pc) = ctx.float(0, [m, n])
        var effectiveBeta: Float = 0
        if ins.count > 2, beta != 0 {
            let c = ins[2]
            let strides = try BroadcastShape.stridesChecked(c.shape, to: [m, n], ctx)
            let pcIn = try c.floatBuffer(ctx.name).pointer
            for i in 0..<m {
                for j in 0..<n { pc[i * n + j] = pcIn[i * strides[0] + j * strides[1]] }
            }
            effectiveBeta = beta
        }
        sgemm(try a.floatBuffer(ctx.name).pointer, try b.floatBuffer(ctx.name).pointer, pc, m: m, n: n, k: k,
              transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: effectiveBeta)
        return t
    }
}
