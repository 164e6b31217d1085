import ROOTIO

/// How feature values are scaled before they enter the matrix.
public enum Normalization: String, Codable, Sendable {
    /// `(x - min) / (max - min)`, clipped to [0, 1].
    case minmax
    /// `(x - mean) / std`.
    case standard
    case none

    /// The scale-and-shift for one branch (`x * scale + shift`); a constant branch maps to 0.
    func coefficients(_ s: BranchSpec) -> (scale: Double, shift: Double, clip: Bool) {
        switch self {
        case .none: return (1, 0, false)
        case .minmax:
            guard let lo = s.min, let hi = s.max, hi > lo else { return (0, 0, false) }
            return (1 / (hi - lo), -lo / (hi - lo), true)
        case .standard:
            guard let m = s.mean, let sd = s.std, sd > 0 else { return (0, 0, false) }
            return (1 / sd, -m / sd, false)
        }
    }
}

/// The default normalization plus per-branch overrides by glob (`"Jet_*": "none"`).
public struct NormalizationPlan: Sendable {
    public var defaultMethod: Normalization
    public var overrides: [(pattern: String, method: Normalization)]

    public init(defaultMethod: Normalization = .minmax, overrides: [(String, Normalization)] = []) {
        self.defaultMethod = defaultMethod
        self.overrides = overrides.map { (pattern: $0.0, method: $0.1) }
    }

    public func method(for branch: String) -> Normalization {
        overrides.last { Glob.matches($0.pattern, branch) }?.method ?? defaultMethod
    }
}
