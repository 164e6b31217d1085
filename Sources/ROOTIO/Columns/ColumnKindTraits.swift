extension ColumnKind {
    /// Strings and nested vectors: entries decoded object by object into offsets and flat content.
    public var isStringOrNested: Bool {
        switch self {
        case .flat, .fixed, .jagged: return false
        case .doublyJagged, .string, .jaggedString: return true
        }
    }

    /// Whether the kind holds text rather than numbers.
    public var isString: Bool { self == .string || self == .jaggedString }

    /// Whether a column of this kind can be a training feature (numbers laid out per event or per object).
    public var isTrainingFeature: Bool { !isStringOrNested }

    /// Why a branch of this kind cannot be a training feature, naming the branch; nil when it can.
    public func trainingRefusal(branch: String) -> String? {
        switch self {
        case .flat, .fixed, .jagged: return nil
        case .string: return "string branch '\(branch)' cannot be a training feature"
        case .jaggedString: return "string-list branch '\(branch)' (vector<string>) cannot be a training feature"
        case .doublyJagged:
            return "doubly jagged branch '\(branch)' (vector<vector<T>>) cannot be a training feature"
        }
    }
}
