import Foundation

/// An lwtnn activation function, with its parameter where it has one (`{"function":"elu","alpha":1.0}`).
enum LWTNNActivation: Sendable, Equatable {
    case linear, sigmoid, hardSigmoid, tanh, rectified, softmax, abs
    case elu(alpha: Double)
    case leakyReLU(alpha: Double)
    case swish(alpha: Double)

    /// Reads the `activation` (or `inner_activation`) field: a name or a `{function, alpha}` object.
    init(json value: Any?, context: String) throws {
        if let name = value as? String {
            try self.init(name: name, alpha: nil, context: context)
        } else if let obj = value as? [String: Any], let name = obj["function"] as? String {
            let alpha = (obj["alpha"] as? NSNumber)?.doubleValue
            try self.init(name: name, alpha: alpha, context: context)
        } else {
            throw LWTNNLoadError.invalid(context: context, reason: "activation must be a name or {\"function\", \"alpha\"}")
        }
    }

    init(name: String, alpha: Double?, context: String) throws {
        func needAlpha() throws -> Double {
            guard let alpha, alpha.isFinite else {
                throw LWTNNLoadError.invalid(context: context, reason: "activation '\(name)' needs a finite 'alpha'")
            }
            return alpha
        }
        switch name {
        case "linear": self = .linear
        case "sigmoid", "sigmoid_legacy": self = .sigmoid
        case "hard_sigmoid", "hard_sigmoid_legacy": self = .hardSigmoid
        case "tanh", "tanh_legacy": self = .tanh
        case "rectified", "rectified_legacy": self = .rectified
        case "softmax": self = .softmax
        case "abs": self = .abs
        case "elu": self = .elu(alpha: alpha ?? 1.0)
        case "leakyrelu": self = .leakyReLU(alpha: try needAlpha())
        case "swish": self = .swish(alpha: try needAlpha())
        default:
            throw LWTNNLoadError.invalid(context: context, reason: "unknown activation '\(name)'")
        }
    }

    /// lwtnn's sigmoid: exactly 0 below -30 and 1 above 30.
    @inline(__always) static func sigmoid(_ x: Double) -> Double {
        if x < -30 { return 0 }
        if x > 30 { return 1 }
        return 1 / (1 + Foundation.exp(-x))
    }

    /// The element-wise value (softmax is handled per row by `apply`).
    @inline(__always) func value(_ x: Double) -> Double {
        switch self {
        case .linear, .softmax: return x
        case .sigmoid: return Self.sigmoid(x)
        case .hardSigmoid: return Swift.min(1, Swift.max(0, 0.2 * x + 0.5))
        case .tanh: return Foundation.tanh(x)
        case .rectified: return x.isNaN ? x : (x > 0 ? x : 0)
        case .abs: return Swift.abs(x)
        case let .elu(alpha): return x >= 0 ? x : alpha * (Foundation.exp(x) - 1)
        case let .leakyReLU(alpha): return x > 0 ? x : alpha * x
        case let .swish(alpha): return x * Self.sigmoid(alpha * x)
        }
    }

    /// Applies the activation in place to `rows` rows of `width` values.
    func apply(_ v: inout [Double], width: Int) {
        switch self {
        case .linear: return
        case .softmax:
            guard width > 0 else { return }
            v.withUnsafeMutableBufferPointer { p in
                var start = 0
                while start + width <= p.count {
                    var m = -Double.infinity
                    for j in start..<(start + width) { m = Swift.max(m, p[j]) }
                    var sum = 0.0
                    for j in start..<(start + width) {
                        p[j] = Foundation.exp(p[j] - m)
                        sum += p[j]
                    }
                    for j in start..<(start + width) { p[j] /= sum }
                    start += width
                }
            }
        default:
            v.withUnsafeMutableBufferPointer { p in
                for j in p.indices { p[j] = value(p[j]) }
            }
        }
    }
}
