import Foundation

/// What a model file is, judged by its content (then its extension), so uploads and folders need no
/// declared platform. JSON files are told apart by their top-level keys.
public enum ModelFileKind: String, Sendable, CaseIterable {
    case onnx
    case tensorflowGraphDef
    /// lwtnn sequential (`inputs`, `layers`, `outputs`) or graph (`nodes`, `input_sequences`) JSON.
    case lwtnn
    /// XGBoost's JSON model (`learner`).
    case xgboostJSON
    case unknown

    /// The platform name the backend factory loads this kind with (nil: unknown).
    public var platform: String? {
        switch self {
        case .onnx: return "onnxruntime_onnx"
        case .tensorflowGraphDef: return "tensorflow_graphdef"
        case .lwtnn: return "lwtnn"
        case .xgboostJSON: return "xgboost"
        case .unknown: return nil
        }
    }

    /// Looks at the file at `path`: a JSON object by its top-level keys, anything else by its extension.
    public static func detect(path: String) -> ModelFileKind {
        guard let handle = FileHandle(forReadingAtPath: path) else { return byExtension(path) }
        defer { try? handle.close() }
        // Only JSON is read whole: binary models (ONNX, GraphDef) can be large.
        guard let head = try? handle.read(upToCount: 64),
              head.first(where: { ![0x20, 0x0A, 0x0D, 0x09, 0xEF, 0xBB, 0xBF].contains($0) }) == UInt8(ascii: "{"),
              let rest = try? handle.readToEnd()
        else { return byExtension(path) }
        return detect(bytes: [UInt8](head) + [UInt8](rest), fileName: path)
    }

    /// Same as `detect(path:)` for bytes in memory (uploads); `fileName` gives the extension fallback.
    public static func detect(bytes: [UInt8], fileName: String) -> ModelFileKind {
        if let keys = JSONTopLevelKeys.scan(bytes) {
            if keys.contains("learner") { return .xgboostJSON }
            if keys.contains("layers"), keys.contains("inputs") || keys.contains("nodes") { return .lwtnn }
            return .unknown
        }
        return byExtension(fileName)
    }

    static func byExtension(_ name: String) -> ModelFileKind {
        if name.hasSuffix(".onnx") { return .onnx }
        if name.hasSuffix(".pb") { return .tensorflowGraphDef }
        return .unknown
    }
}

/// The keys of a JSON document's top-level object, found without building its values (model files can be
/// large). nil when the bytes do not start like a JSON object.
enum JSONTopLevelKeys {
    static func scan(_ b: [UInt8]) -> Set<String>? {
        var i = 0
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        if b.count >= i + 3, b[i] == 0xEF, b[i + 1] == 0xBB, b[i + 2] == 0xBF { i += 3 }
        guard i < b.count, b[i] == UInt8(ascii: "{") else { return nil }
        var keys = Set<String>()
        var depth = 0
        var expectKey = false
        while i < b.count {
            let c = b[i]
            switch c {
            case UInt8(ascii: "\""):
                let start = i + 1
                i += 1
                while i < b.count, b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
                if depth == 1, expectKey {
                    keys.insert(String(decoding: b[start..<min(i, b.count)], as: UTF8.self))
                    expectKey = false
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectKey = depth == 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return keys }
            case UInt8(ascii: ","):
                expectKey = depth == 1
            default:
                break
            }
            i += 1
        }
        return keys
    }
}
