/// The operations of hepml's native graph IR. Operands that TensorFlow passes as tensors (axes, shapes,
/// permutations) stay inputs: constant folding turns them into constants at load, so kernels read them as data.
public enum NativeOp: Sendable, Equatable {
    /// Passes input 0 through (Identity, StopGradient, Dropout at inference).
    case identity
    /// A·B of 2-D (or batched, leading dimensions broadcast) matrices.
    case matMul(transposeA: Bool, transposeB: Bool)
    /// Fused dense layer: x·W (+ bias) then an activation; inputs [x, W, bias?].
    case dense(transposeB: Bool, activation: NativeActivation)
    /// ONNX Gemm: alpha·A'·B' + beta·C; inputs [A, B, C?].
    case gemm(alpha: Float, beta: Float, transposeA: Bool, transposeB: Bool)
    /// Adds a 1-D bias along `axis` (-1: last, TensorFlow NHWC; 1: NCHW).
    case biasAdd(axis: Int)
    /// Element-wise with NumPy broadcasting.
    case binary(NativeBinaryOp)
    case unary(NativeActivation)
    /// Softmax (or log-softmax) along `axis`.
    case softmax(axis: Int, log: Bool)
    /// 2-D convolution (or depthwise), optionally with bias and activation fused; inputs [x, filter, bias?].
    case conv2D(NativeConvolution)
    /// Max or average pooling.
    case pool(NativePooling)
    /// Reduction over the axes given by `axes` (nil: input 1 holds them; empty: all axes).
    case reduce(NativeReduction, axes: [Int]?, keepDims: Bool)
    /// Index of the largest (smallest) element along `axis`, as an int tensor (ONNX ArgMax/ArgMin).
    case argMax(axis: Int, keepDims: Bool, largest: Bool)
    /// Batch normalization at inference; inputs [x, scale, offset, mean, variance].
    case batchNorm(epsilon: Float, axis: Int)
    /// Reshape to input 1's shape (nil) or to `shape`; -1 infers one dimension, 0 copies (ONNX `allowZero`=false).
    case reshape(shape: [Int]?, copyZeros: Bool)
    /// Flatten to 2-D at `axis` (ONNX Flatten).
    case flatten(axis: Int)
    /// Removes size-1 axes (empty: all of them).
    case squeeze(axes: [Int])
    /// Inserts size-1 axes (nil: input 1 holds them).
    case expandDims(axes: [Int]?)
    /// Permutes axes (nil: input 1 holds the permutation; empty: reverse).
    case transpose(perm: [Int]?)
    /// Concatenates all inputs along `axis` (nil: the last input holds the axis, TensorFlow ConcatV2).
    case concat(axis: Int?)
    /// Stacks inputs along a new axis (TensorFlow Pack).
    case pack(axis: Int)
    /// Splits input 0 along `axis` into `count` slices without that axis (TensorFlow Unpack).
    case unpack(axis: Int, count: Int)
    /// Splits along `axis` into `count` equal parts (TensorFlow Split: inputs [axis, x]; ONNX: [x]).
    case split(axis: Int?, count: Int)
    /// The shape of input 0 as an int tensor.
    case shape
    case cast(NativeDataType)
    /// TensorFlow StridedSlice with its masks; inputs [x, begin, end, strides].
    case stridedSlice(NativeStridedSlice)
    /// Slice by begin/size (TensorFlow Slice: inputs [x, begin, size]).
    case slice
    /// ONNX Slice: inputs [x, starts, ends, axes?, steps?].
    case sliceAxes
    /// Gathers slices of input 0 by indices (input 1) along `axis` (nil: input 2 holds it).
    case gather(axis: Int?)
    /// Repeats input 0 by the multiples in input 1.
    case tile
    /// A tensor of shape input 0 filled with the scalar input 1.
    case fill
    /// Pads with a constant; inputs [x, paddings (n×2), value?].
    case pad
    /// Element-wise choice: inputs [condition, then, else].
    case select
    /// [start, limit, delta) as a 1-D tensor.
    case range
    /// LSTM or GRU over a sequence (ONNX conventions, see `NativeRecurrent`); outputs [Y, Y_h, Y_c (LSTM)].
    case recurrent(NativeRecurrent)
    /// A while-loop over subgraphs; inputs [initial variables..., invariants...], outputs the final variables.
    case loop(NativeLoop)
    /// A TensorFlow TensorList operation (lists held as tensors with a leading element axis).
    case tensorList(NativeTensorListOp)
}

/// Element-wise functions of one input (and fused activations).
public enum NativeActivation: Sendable, Equatable {
    case none, relu, relu6, sigmoid, tanh, elu(Float), selu, softplus, leakyRelu(Float)
    /// max(0, min(1, alpha·x + beta)) (ONNX HardSigmoid; gates of Keras 2 recurrent layers).
    case hardSigmoid(alpha: Float, beta: Float)
    case exp, log, sqrt, rsqrt, square, negate, abs, reciprocal, erf, floor, ceil, sign, logicalNot
}

/// Element-wise functions of two broadcast inputs.
public enum NativeBinaryOp: String, Sendable, Equatable {
    case add, sub, mul, div, maximum, minimum, pow, squaredDifference, floorDiv, floorMod
    case greater, greaterEqual, less, lessEqual, equal, notEqual, logicalAnd, logicalOr

    /// Whether the result is a Bool tensor.
    var isComparison: Bool {
        switch self {
        case .greater, .greaterEqual, .less, .lessEqual, .equal, .notEqual, .logicalAnd, .logicalOr: return true
        default: return false
        }
    }
}

public enum NativeReduction: String, Sendable, Equatable {
    case mean, sum, max, min, prod
}

/// How a window is padded: TensorFlow SAME/VALID or explicit (top, left, bottom, right).
public enum NativePadding: Sendable, Equatable {
    case valid
    case same
    case explicit(top: Int, left: Int, bottom: Int, right: Int)

    /// Padding before and after for one spatial axis, and the output size.
    func resolve(input: Int, kernel: Int, stride: Int, dilation: Int, axis: Int) -> (before: Int, out: Int) {
        let effective = (kernel - 1) * dilation + 1
        switch self {
        case .valid:
            return (0, input >= effective ? (input - effective) / stride + 1 : 0)
        case .same:
            let out = (input + stride - 1) / stride
            let total = max((out - 1) * stride + effective - input, 0)
            return (total / 2, out)
        case let .explicit(top, left, bottom, right):
            let (b, a) = axis == 0 ? (top, bottom) : (left, right)
            let padded = input + b + a
            return (b, padded >= effective ? (padded - effective) / stride + 1 : 0)
        }
    }
}

/// Layout of image tensors: TensorFlow's NHWC (filters HWIO) or ONNX's NCHW (filters OIHW).
public enum NativeImageLayout: Sendable, Equatable {
    case nhwc, nchw
}

public struct NativeConvolution: Sendable, Equatable {
    public var layout: NativeImageLayout
    public var strides: (Int, Int)
    public var dilations: (Int, Int)
    public var padding: NativePadding
    /// Channel groups (1: ordinary; = input channels: depthwise).
    public var groups: Int
    /// TensorFlow depthwise filters [H, W, C, multiplier].
    public var depthwise: Bool
    public var activation: NativeActivation

    public init(layout: NativeImageLayout, strides: (Int, Int), dilations: (Int, Int), padding: NativePadding,
                groups: Int = 1, depthwise: Bool = false, activation: NativeActivation = .none) {
        self.layout = layout
        self.strides = strides
        self.dilations = dilations
        self.padding = padding
        self.groups = groups
        self.depthwise = depthwise
        self.activation = activation
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.layout == b.layout && a.strides == b.strides && a.dilations == b.dilations && a.padding == b.padding
            && a.groups == b.groups && a.depthwise == b.depthwise && a.activation == b.activation
    }
}

public struct NativePooling: Sendable, Equatable {
    public var max: Bool
    public var layout: NativeImageLayout
    public var window: (Int, Int)
    public var strides: (Int, Int)
    public var padding: NativePadding
    /// Average pooling: count padded cells (ONNX count_include_pad).
    public var countPadding: Bool
    /// Global pooling: the window is the whole image.
    public var global: Bool

    public init(max: Bool, layout: NativeImageLayout, window: (Int, Int), strides: (Int, Int), padding: NativePadding,
                countPadding: Bool = false, global: Bool = false) {
        self.max = max
        self.layout = layout
        self.window = window
        self.strides = strides
        self.padding = padding
        self.countPadding = countPadding
        self.global = global
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.max == b.max && a.layout == b.layout && a.window == b.window && a.strides == b.strides
            && a.padding == b.padding && a.countPadding == b.countPadding && a.global == b.global
    }
}

/// TensorFlow StridedSlice masks (bit i refers to slice dimension i).
public struct NativeStridedSlice: Sendable, Equatable {
    public var beginMask: Int
    public var endMask: Int
    public var ellipsisMask: Int
    public var newAxisMask: Int
    public var shrinkAxisMask: Int

    public init(beginMask: Int, endMask: Int, ellipsisMask: Int, newAxisMask: Int, shrinkAxisMask: Int) {
        self.beginMask = beginMask
        self.endMask = endMask
        self.ellipsisMask = ellipsisMask
        self.newAxisMask = newAxisMask
        self.shrinkAxisMask = shrinkAxisMask
    }
}
