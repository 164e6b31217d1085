/// TensorFlow's TensorList ops (what `tf.TensorArray` lowers to in while-loops). A list of n elements is held
/// as one tensor of shape [n] + element shape; a reserved list whose element shape is not known yet is
/// [n, 0] until its first element is set.
public enum NativeTensorListOp: Sendable, Equatable {
    /// [element_shape, num_elements] → list.
    case reserve
    /// [tensor, element_shape] → list of the tensor's rows.
    case fromTensor
    /// [list, index, element_shape] → element.
    case getItem
    /// [list, index, item] → list.
    case setItem
    /// [list, element_shape] → tensor.
    case stack
    /// [list] → number of elements.
    case length
}

enum TensorListKernels {
    static func run(_ op: NativeTensorListOp, _ ins: [NativeTensor], _ ctx: NativeKernelContext) throws -> NativeTensor {
        switch op {
        case .reserve:
            let shape = try ctx.input(ins, 0).ints(), count = try ctx.input(ins, 1).ints().first ?? -1
            guard count >= 0, count <= NativeLimits.maxElements else { throw ctx.fail("TensorList of \(count) elements") }
            let element = known(shape) ?? [0]
            try NativeLimits.check([count] + element, ctx)
            let (t, p) = ctx.float(0, [count] + element)
            p.update(repeating: 0, count: t.elementCount)
            return t
        case .fromTensor:
            let x = try ctx.input(ins, 0)
            guard !x.shape.isEmpty else { throw ctx.shapeError("TensorListFromTensor of a scalar") }
            return try copy(x, ctx)
        case .getItem:
            let list = try ctx.input(ins, 0), i = try index(ins, list, ctx)
            let element = Array(list.shape.dropFirst())
            if element == [0], let declared = ins.count > 2 ? known(ins[2].ints()) : nil, declared != [0] {
                return zeros(declared, ctx)
            }
            let m = element.elementCount
            if case let .float(b) = list.storage {
                let (t, p) = ctx.float(0, element)
                p.update(from: b.pointer + i * m, count: m)
                return t
            }
            return try TensorRemap.build(element, [list], ctx) { k in (0, i * m + k) }
        case .setItem:
            let list = try ctx.input(ins, 0), i = try index(ins, list, ctx), item = try ctx.input(ins, 2)
            let n = list.shape[0]
            // The first element fixes the element shape of a list reserved without one.
            let shape = Array(list.shape.dropFirst()).elementCount == 0 && item.elementCount > 0 ? [n] + item.shape : list.shape
            guard Array(shape.dropFirst()) == item.shape else {
                throw ctx.shapeError("TensorListSetItem of \(item.shape) into a list of \(Array(list.shape.dropFirst()))")
            }
            try NativeLimits.check(shape, ctx)
            let m = item.elementCount, fresh = shape != list.shape
            if case let .float(lb) = list.storage, case let .float(ib) = item.storage {
                let (t, p) = ctx.float(0, shape)
                if fresh { p.update(repeating: 0, count: t.elementCount) } else { p.update(from: lb.pointer, count: t.elementCount) }
                (p + i * m).update(from: ib.pointer, count: m)
                return t
            }
            return try TensorRemap.build(shape, [list, item], ctx) { k in
                let row = k / max(m, 1)
                if row == i { return (1, k - row * m) }
                return fresh ? nil : (0, k)
            }
        case .stack:
            let list = try ctx.input(ins, 0)
            if list.shape.count == 2, list.shape[1] == 0, let declared = ins.count > 1 ? known(ins[1].ints()) : nil, declared != [0] {
                return zeros([list.shape[0]] + declared, ctx)
            }
            return try copy(list, ctx)
        case .length:
            let list = try ctx.input(ins, 0)
            return NativeTensor(shape: [], ints: [list.shape.first ?? 0])
        }
    }

    /// An element shape with every dimension known (nil: unknown rank or a -1 dimension).
    private static func known(_ shape: [Int]) -> [Int]? {
        shape.allSatisfy({ $0 >= 0 }) && !(shape.count == 1 && shape[0] == -1) ? shape : nil
    }

    private static func index(_ ins: [NativeTensor], _ list: NativeTensor, _ ctx: NativeKernelContext) throws -> Int {
        guard let i = try ctx.input(ins, 1).ints().first, let n = list.shape.first, i >= 0, i < n else {
            throw ctx.fail("TensorList index out of range for \(list.shape.first ?? 0) elements")
        }
        return i
    }

    private static func zeros(_ shape: [Int], _ ctx: NativeKernelContext) -> NativeTensor {
        let (t, p) = ctx.float(0, shape)
        p.update(repeating: 0, count: t.elementCount)
        return t
    }

    private static func copy(_ x: NativeTensor, _ ctx: NativeKernelContext) throws -> NativeTensor {
        try TensorRemap.build(x.shape, [x], ctx) { k in (0, k) }
    }
}
