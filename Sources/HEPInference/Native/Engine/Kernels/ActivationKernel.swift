import Foundation

/// Element-wise functions applied in place; the common ones over SIMD vectors.
enum ActivationKernel {
    static func apply(_ a: NativeActivation, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
        switch a {
        case .none: return
        case .relu: clamp(p, n, lower: 0, upper: .infinity)
        case .relu6: clamp(p, n, lower: 0, upper: 6)
        case .sigmoid: VectorMath.map(p, n, VectorMath.sigmoid)
        case .tanh: VectorMath.map(p, n, VectorMath.tanh)
        case let .elu(alpha): map(p, n) { $0 > 0 ? $0 : alpha * (Foundation.exp($0) - 1) }
        case .selu:
            let alpha: Float = 1.6732632423543772, scale: Float = 1.0507009873554805
            map(p, n) { scale * ($0 > 0 ? $0 : alpha * (Foundation.exp($0) - 1)) }
        case .softplus: map(p, n) { $0 > 20 ? $0 : Foundation.log1p(Foundation.exp($0)) }
        case let .leakyRelu(alpha): map(p, n) { $0 >= 0 ? $0 : alpha * $0 }
        case let .hardSigmoid(alpha, beta): map(p, n) { Swift.min(1, Swift.max(0, alpha * $0 + beta)) }
        case .exp: VectorMath.map(p, n, VectorMath.exp)
        case .log: map(p, n) { Foundation.log($0) }
        case .sqrt: map(p, n) { $0.squareRoot() }
        case .rsqrt: map(p, n) { 1 / $0.squareRoot() }
        case .square: map(p, n) { $0 * $0 }
        case .negate: map(p, n) { -$0 }
        case .abs: map(p, n) { Swift.abs($0) }
        case .reciprocal: map(p, n) { 1 / $0 }
        case .erf: map(p, n) { Foundation.erf($0) }
        case .floor: map(p, n) { $0.rounded(.down) }
        case .ceil: map(p, n) { $0.rounded(.up) }
        case .sign: map(p, n) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
        case .logicalNot: map(p, n) { $0 == 0 ? 1 : 0 }
        }
    }

    @inline(__always)
    private static func map(_ p: UnsafeMutablePointer<Float>, _ n: Int, _ f: (Float) -> Float) {
        for i in 0..<n { p[i] = f(p[i]) }
    }

    /// max(lower, min(upper, x)); a plain loop the compiler vectorizes.
    private static func clamp(_ p: UnsafeMutablePointer<Float>, _ n: Int, lower: Float, upper: Float) {
        if upper == .infinity {
            for i in 0..<n { p[i] = p[i] < lower ? lower : p[i] }
        } else {
            for i in 0..<n { p[i] = Swift.min(Swift.max(p[i], lower), upper) }
        }
    }
}
