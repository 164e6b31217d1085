import Foundation

/// The function a framework applies to summed tree scores to obtain its prediction.
public enum TreeLink: Sendable, Equatable {
    /// Raw scores (regression, ranking, margins).
    case identity
    /// 1 / (1 + exp(-scale·x)) per output (XGBoost binary:logistic, LightGBM `binary sigmoid:s`, one-vs-all).
    case logistic(scale: Double)
    /// exp(x_k) / Σ exp(x_j) over the outputs (multi-class).
    case softmax
    /// exp(x) per output (Poisson, gamma, Tweedie regression).
    case exponential
    /// TMVA gradient boosting: 2 / (1 + exp(-2x)) - 1.
    case tmvaGradient
    /// ONNX-ML PROBIT: √2 · erfinv(2x - 1).
    case probit

    /// Applies the link in place to the `count` scores at `scores`.
    func apply(_ scores: UnsafeMutablePointer<Double>, count: Int) {
        switch self {
        case .identity:
            return
        case let .logistic(scale):
            for k in 0..<count { scores[k] = 1 / (1 + Foundation.exp(-scale * scores[k])) }
        case .softmax:
            var m = -Double.infinity
            for k in 0..<count { m = Swift.max(m, scores[k]) }
            var sum = 0.0
            for k in 0..<count {
                scores[k] = Foundation.exp(scores[k] - m)
                sum += scores[k]
            }
            for k in 0..<count { scores[k] /= sum }
        case .exponential:
            for k in 0..<count { scores[k] = Foundation.exp(scores[k]) }
        case .tmvaGradient:
            for k in 0..<count { scores[k] = 2 / (1 + Foundation.exp(-2 * scores[k])) - 1 }
        case .probit:
            for k in 0..<count { scores[k] = 2.0.squareRoot() * Self.inverseErf(2 * scores[k] - 1) }
        }
    }

    /// Inverse error function (Giles' single-precision approximation refined by two Newton steps).
    static func inverseErf(_ x: Double) -> Double {
        if x <= -1 { return -.infinity }
        if x >= 1 { return .infinity }
        var w = -Foundation.log((1 - x) * (1 + x))
        var p: Double
        if w < 5 {
            w -= 2.5
            p = 2.81022636e-08
            for c in [3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164,
                      0.246640727, 1.50140941] { p = c + p * w }
        } else {
            w = w.squareRoot() - 3
            p = -0.000200214257
            for c in [0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
                      1.00167406, 2.83297682] { p = c + p * w }
        }
        var y = p * x
        for _ in 0..<2 {
            let e = Foundation.erf(y) - x
            y -= e / (2 / Double.pi.squareRoot() * Foundation.exp(-y * y))
        }
        return y
    }
}
