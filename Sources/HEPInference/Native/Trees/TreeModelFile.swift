import Foundation

/// Recognises and loads tree-ensemble model files by content.
public enum TreeModelFile {
    /// Largest model file read (bigger files are refused before reading).
    public static let maxBytes = 1 << 30

    /// The hepml platform a file's bytes imply ("xgboost", "lightgbm", "tmva"), or nil when none matches.
    /// XGBoost JSON has a top-level "learner"; UBJSON starts with '{' and a typed/counted or 'learner' key;
    /// LightGBM text starts with the line "tree"; TMVA XML has a `<MethodSetup Method="BDT::`.
    public static func platform(of head: [UInt8], fileName: String) -> String? {
        let text = String(decoding: head.prefix(4096), as: UTF8.self)
        let trimmed = text.drop { $0.isWhitespace }
        if trimmed.hasPrefix("tree\n") || trimmed.hasPrefix("tree\r\n") { return "lightgbm" }
        if trimmed.hasPrefix("<"), text.contains("<MethodSetup"), text.contains("Method=\"BDT::") { return "tmva" }
        if XGBoostModelImporter.isJSON(head) {
            return text.contains("\"learner\"") ? "xgboost" : nil
        }
        if head.first == UInt8(ascii: "{"), head.count > 8, fileName.hasSuffix(".ubj") || text.contains("learner") {
            return "xgboost"
        }
        return nil
    }

    /// Reads and parses `path` for `platform` ("xgboost", "lightgbm", "fil", "tmva", "onnx"); `name` is shown in errors.
    public static func load(path: String, platform: String, name: String) throws -> TreeModel {
        let bytes = try read(path, name: name)
        do {
            switch platform {
            case "xgboost": return try XGBoostModelImporter.load(bytes)
            case "lightgbm": return try LightGBMModelImporter.load(bytes)
            case "tmva": return try TMVAModelImporter.load(bytes)
            case "onnx": return try ONNXTreeEnsembleImporter.load(bytes)
            case "fil":
                switch self.platform(of: Array(bytes.prefix(4096)), fileName: name) {
                case "xgboost"?: return try XGBoostModelImporter.load(bytes)
                case "lightgbm"?: return try LightGBMModelImporter.load(bytes)
                default: throw TreeModelError.unsupported("FIL", "\(name) is neither an XGBoost nor a LightGBM model")
                }
            default: throw TreeModelError.unsupported(platform, "no tree importer for this platform")
            }
        } catch let e as TreeModelError {
            switch e.kind {
            case .malformed: throw InferenceError.invalidInput("\(name): \(e)")
            case .unsupported: throw InferenceError.unsupported("\(name): \(e)")
            }
        }
    }

    static func read(_ path: String, name: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InferenceError.unavailable("\(name) cannot be read")
        }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        guard size <= UInt64(maxBytes) else { throw InferenceError.invalidInput("\(name) is larger than \(maxBytes) bytes") }
        try? handle.seek(toOffset: 0)
        return [UInt8]((try? handle.readToEnd()) ?? Data())
    }

    /// The first bytes of `path` (for content sniffing), empty when unreadable.
    public static func head(_ path: String, count: Int = 4096) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        return [UInt8]((try? handle.read(upToCount: count)) ?? Data())
    }
}
