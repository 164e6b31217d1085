/// Rules for model names and file names that come from clients (uploads, URLs, tarballs).
public enum ModelName {
    /// Letters, digits, `_`, `-` and `.`; not starting with `.`; at most 128 characters.
    public static func validate(_ name: String) throws {
        guard !name.isEmpty, name.count <= 128, !name.hasPrefix("."),
              name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0)
                  || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" || $0 == "." })
        else {
            throw InferenceError.invalidInput(
                "invalid model name '\(name.prefix(64))': use letters, digits, '_', '-', '.' (not first), at most 128 characters")
        }
    }

    /// A relative path inside a model folder: no absolute paths, no `..`, no empty or hidden components,
    /// no control characters. Returns its components.
    public static func safeRelativePath(_ path: String) throws -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        guard !path.hasPrefix("/"), !parts.isEmpty,
              parts.allSatisfy({ $0 != ".." && !$0.hasPrefix(".") && !$0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } })
        else {
            throw InferenceError.invalidInput("unsafe file path '\(path.prefix(128))' (absolute, '..', hidden or control characters)")
        }
        return parts
    }
}
