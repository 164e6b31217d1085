/// Dispatches a node to its kernel.
enum NativeKernels {
    static func run(_ op: NativeOp, _ ins: [NativeTensor], _ ctx: NativeKernelContext) throws -> [NativeTensor] {
        switch op {
        case .identity:
            return [try ctx.input(ins, 0)]
        case let .matMul(ta, tb):
            return [try MatMulKernel.matMul(ins, transposeA: ta, transposeB: tb, ctx)]
        case let .dense(tb, act):
            return [try MatMulKernel.dense(ins, transposeB: tb, activation: act, ctx)]
        case let .gemm(alpha, beta, ta, tb):
            return [try MatMulKernel.gemm(ins, alpha: alpha, beta: beta, transposeA: ta, transposeB: tb, ctx)]
        case let .biasAdd(axis):
            return [try ElementwiseKernels.biasAdd(ins, axis: axis, ctx)]
        case let .binary(b):
            return [try BinaryKernel.run(b, ins, ctx)]
        case let .unary(a):
            return [try ElementwiseKernels.unary(a, ins, ctx)]
        case let .softmax(axis, log):
            return [try SoftmaxKernel.run(ins, axis: axis, log: log, ctx)]
        case let .conv2D(c):
            return [try ConvolutionKernel.run(c, ins, ctx)]
        case let .pool(p):
            return [try PoolingKernel.run(p, ins, ctx)]
        case let .reduce(kind, axes, keep):
            return [try ReductionKernel.run(kind, axes: axes, keepDims: keep, ins, ctx)]
        case let .argMax(axis, keep, largest):
            return [try ReductionKernel.argMax(ins, axis: axis, keepDims: keep, largest: largest, ctx)]
        case let .batchNorm(eps, axis):
            return [try ElementwiseKernels.batchNorm(ins, epsilon: eps, axis: axis, ctx)]
        case let .reshape(shape, copyZeros):
            return [try ShapeKernels.reshape(ins, shape: shape, copyZeros: copyZeros, ctx)]
        case let .flatten(axis):
            return [try ShapeKernels.flatten(ins, axis: axis, ctx)]
        case let .squeeze(axes):
            return [try ShapeKernels.squeeze(ins, axes: axes, ctx)]
        case let .expandDims(axes):
            return [try ShapeKernels.expandDims(ins, axes: axes, ctx)]
        case let .transpose(perm):
            return [try LayoutKernels.transpose(ins, perm: perm, ctx)]
        case let .concat(axis):
            return [try LayoutKernels.concat(ins, axis: axis, ctx)]
        case let .pack(axis):
            return [try LayoutKernels.pack(ins, axis: axis, ctx)]
        case let .unpack(axis, count):
            return try LayoutKernels.unpack(ins, axis: axis, count: count, ctx)
        case let .split(axis, count):
            return try LayoutKernels.split(ins, axis: axis, count: count, ctx)
        case .shape:
            let x = try ctx.input(ins, 0)
            return [NativeTensor(shape: [x.shape.count], ints: x.shape)]
        case let .cast(to):
            return [try ElementwiseKernels.cast(ins, to: to, ctx)]
        case let .stridedSlice(s):
            return [try SliceKernels.stridedSlice(ins, s, ctx)]
        case .slice:
            return [try SliceKernels.slice(ins, ctx)]
        case .sliceAxes:
            return [try SliceKernels.sliceAxes(ins, ctx)]
        case let .gather(axis):
            return [try LayoutKernels.gather(ins, axis: axis, ctx)]
        case .tile:
            return [try LayoutKernels.tile(ins, ctx)]
        case .fill:
            return [try LayoutKernels.fill(ins, ctx)]
        case .pad:
            return [try LayoutKernels.pad(ins, ctx)]
        case .select:
            return [try BinaryKernel.select(ins, ctx)]
        case .range:
            return [try LayoutKernels.range(ins, ctx)]
        case let .recurrent(r):
            return try RecurrentKernel.run(r, ins, ctx)
        case let .loop(l):
            return try LoopKernel.run(l, ins, ctx)
        case let .tensorList(op):
            return [try TensorListKernels.run(op, ins, ctx)]
        }
    }
}
