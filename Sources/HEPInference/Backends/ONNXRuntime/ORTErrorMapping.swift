/// How an ONNX Runtime status becomes an `InferenceError`: the class follows ORT's error code and, for
/// `Run`, whether the model rejected the data it was given; the message loses ONNX Runtime's own source
/// locations and C++ function signatures (they say nothing to a client and expose build paths).
enum ORTErrorMapping {
    // OrtErrorCode values (onnxruntime_c_api.h).
    static let fail: Int32 = 1, invalidArgument: Int32 = 2, noSuchFile: Int32 = 3, noModel: Int32 = 4
    static let runtimeException: Int32 = 6, invalidProtobuf: Int32 = 7, notImplemented: Int32 = 9, invalidGraph: Int32 = 10

    /// - Parameter running: the status came from `Run` (inputs already matched the model's signature).
    static func error(code: Int32, message raw: String, what: String, running: Bool) -> InferenceError {
        let message = "\(what): \(clean(raw))"
        if running {
            switch code {
            case invalidArgument, invalidGraph:
                return .invalidInput(message)
            case fail, runtimeException:
                return isKernelRejection(raw) ? .invalidInput(message) : .backend(message)
            default:
                return .backend(message)
            }
        }
        switch code {
        case invalidArgument: return .invalidInput(message)
        case noSuchFile, noModel, invalidProtobuf, invalidGraph: return .unavailable(message)
        case notImplemented: return .unsupported(message)
        default: return .backend(message)
        }
    }

    /// A node refused its inputs (shapes, sizes, values), as opposed to the process running out of memory.
    static func isKernelRejection(_ message: String) -> Bool {
        let lower = message.lowercased()
        guard lower.contains("non-zero status code returned while running") || lower.contains("invalid") || lower.contains("shape")
            || lower.contains("dimension") else { return false }
        return !(lower.contains("alloc") || lower.contains("out of memory"))
    }

    /// `message` without source locations (`/onnxruntime_src/…/file.cc:123`) and the C++ signature that
    /// follows one (`void onnxruntime::X::Init(ptrdiff_t, ptrdiff_t)`).
    static func clean(_ message: String) -> String {
        var out = ""
        var rest = Substring(message)
        while let slash = rest.firstIndex(of: "/") {
            let before = rest[..<slash]
            let atTokenStart = before.last.map { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == ":" } ?? true
            let tokenEnd = rest[slash...].firstIndex(where: { $0 == " " || $0 == "\n" || $0 == "\t" }) ?? rest.endIndex
            let token = rest[slash..<tokenEnd]
            out += before
            if atTokenStart && isSourcePath(token) {
                rest = skipSignature(rest[tokenEnd...].drop(while: { $0 == " " }))
            } else {
                out += token
                rest = rest[tokenEnd...]
            }
        }
        out += rest
        return out.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// An absolute path with a source-file suffix or a `:line`.
    static func isSourcePath(_ token: Substring) -> Bool {
        guard token.dropFirst().contains("/") else { return false }
        let noLine = token.split(separator: ":").first ?? token
        let suffixes = [".cc", ".h", ".cpp", ".hpp", ".c", ".cu", ".py"]
        return token.contains("onnxruntime") || suffixes.contains { noLine.hasSuffix($0) } || token.last?.isNumber == true
    }

    /// Drops a leading C++ function signature (`[type] ns::name(args)`), if there is one.
    static func skipSignature(_ s: Substring) -> Substring {
        guard let open = s.firstIndex(of: "("), s[..<open].contains("::"), s[..<open].split(separator: " ").count <= 4 else { return s }
        var depth = 0
        var i = open
        while i < s.endIndex {
            if s[i] == "(" { depth += 1 }
            if s[i] == ")" {
                depth -= 1
                if depth == 0 {
                    var after = s[s.index(after: i)...]
                    if after.hasPrefix(" const") { after = after.dropFirst(6) }
                    return after.drop(while: { $0 == " " })
                }
            }
            i = s.index(after: i)
        }
        return s
    }
}
