#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// ONNX Runtime's C API, loaded with `dlopen`. Only the function-table slots hepml calls are declared here
/// (slot numbers are positions in the `OrtApi` table, which ONNX Runtime only ever appends to).
public final class ORTLibrary: @unchecked Sendable {
    /// API version requested from `GetApi` (every slot used here exists since version 1).
    static let apiVersion: UInt32 = 1

    enum Slot: Int {
        case getErrorCode = 1, getErrorMessage = 2, createEnv = 3, createSession = 7, createSessionFromArray = 8, run = 9
        case createSessionOptions = 10, setSessionGraphOptimizationLevel = 23, setIntraOpNumThreads = 24
        case setInterOpNumThreads = 25, sessionGetInputCount = 30, sessionGetOutputCount = 31
        case sessionGetInputTypeInfo = 33, sessionGetOutputTypeInfo = 34, sessionGetInputName = 36
        case sessionGetOutputName = 37, createTensorWithDataAsOrtValue = 49, getTensorMutableData = 51
        case castTypeInfoToTensorInfo = 55, getOnnxTypeFromTypeInfo = 56, getTensorElementType = 60
        case getDimensionsCount = 61, getDimensions = 62, getTensorShapeElementCount = 64, getTensorTypeAndShape = 65
        case createCpuMemoryInfo = 69, allocatorFree = 76, getAllocatorWithDefaultOptions = 78
        case releaseEnv = 92, releaseStatus = 93, releaseMemoryInfo = 94, releaseSession = 95, releaseValue = 96
        case releaseTypeInfo = 98, releaseTensorTypeAndShapeInfo = 99, releaseSessionOptions = 100
    }

    typealias Status = OpaquePointer?
    typealias P = OpaquePointer?

    let handle: UnsafeMutableRawPointer
    let table: UnsafeRawPointer
    public let version: String
    public let path: String

    /// The default location the set-up script extracts the library to, relative to the working directory.
    public static let defaultRelativePath = ".deps/onnxruntime/libonnxruntime.so"

    /// Loads the library from `path`, `HEPML_ORT_LIBRARY`, or `.deps/onnxruntime/`.
    public init(path explicit: String? = nil) throws {
        var candidates: [String] = []
        if let explicit { candidates.append(explicit) }
        if let env = getenv("HEPML_ORT_LIBRARY") { candidates.append(String(cString: env)) }
        candidates.append(Self.defaultRelativePath)
        if var dir = Self.executableDirectory {
            // The binary lives somewhere under the package (.build/<triple>/<config>/hepml): look upwards.
            for _ in 0..<5 {
                dir += "/.."
                candidates.append(dir + "/" + Self.defaultRelativePath)
            }
        }
        var errors: [String] = []
        var found: (UnsafeMutableRawPointer, String)?
        for c in candidates {
            if let h = dlopen(c, RTLD_NOW | RTLD_LOCAL) {
                found = (h, c)
                break
            }
            errors.append(String(cString: dlerror()))
        }
        guard let (h, p) = found else {
            throw InferenceError.unavailable(
                "ONNX Runtime library not found (tried \(candidates.joined(separator: ", "))). Run scripts/setup, which "
                    + "extracts it from the pinned onnxruntime wheel into .deps/onnxruntime/, or set HEPML_ORT_LIBRARY.")
        }
        guard let sym = dlsym(h, "OrtGetApiBase") else {
            throw InferenceError.unavailable("\(p) has no OrtGetApiBase: not an ONNX Runtime library")
        }
        typealias GetApiBase = @convention(c) () -> UnsafeRawPointer?
        typealias GetApi = @convention(c) (UInt32) -> UnsafeRawPointer?
        typealias GetVersion = @convention(c) () -> UnsafePointer<CChar>?
        guard let base = unsafeBitCast(sym, to: GetApiBase.self)() else {
            throw InferenceError.unavailable("\(p): OrtGetApiBase returned nothing")
        }
        let getApi = unsafeBitCast(base.load(as: UnsafeRawPointer.self), to: GetApi.self)
        let getVersion = unsafeBitCast(base.load(fromByteOffset: 8, as: UnsafeRawPointer.self), to: GetVersion.self)
        guard let api = getApi(Self.apiVersion) else { throw InferenceError.unavailable("\(p): GetApi(\(Self.apiVersion)) failed") }
        handle = h
        table = api
        path = p
        version = getVersion().map { String(cString: $0) } ?? "unknown"
    }

    private static var executableDirectory: String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        let path = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    }

    /// The function in `slot`, typed as `F`.
    @inline(__always)
    func fn<F>(_ slot: Slot, _: F.Type) -> F {
        unsafeBitCast(table.load(fromByteOffset: slot.rawValue * MemoryLayout<UnsafeRawPointer>.size, as: UnsafeRawPointer.self),
                      to: F.self)
    }

    /// Turns a non-null OrtStatus into an error (and releases it). `running`: the status came from `Run`,
    /// where data the model refuses is the client's mistake (400), not a server fault.
    func check(_ status: Status, _ what: String, running: Bool = false) throws {
        guard let status else { return }
        let code = fn(.getErrorCode, (@convention(c) (OpaquePointer?) -> Int32).self)(status)
        let message = fn(.getErrorMessage, (@convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?).self)(status)
            .map { String(cString: $0) } ?? "unknown error"
        fn(.releaseStatus, (@convention(c) (OpaquePointer?) -> Void).self)(status)
        throw ORTErrorMapping.error(code: code, message: message, what: what, running: running)
    }

    func release(_ slot: Slot, _ p: OpaquePointer?) {
        guard let p else { return }
        fn(slot, (@convention(c) (OpaquePointer?) -> Void).self)(p)
    }

    /// ONNX tensor element codes.
    static func elementCode(_ t: TensorDataType) -> Int32? {
        switch t {
        case .FP32: return 1
        case .UINT8: return 2
        case .INT8: return 3
        case .UINT16: return 4
        case .INT16: return 5
        case .INT32: return 6
        case .INT64: return 7
        case .BYTES: return nil
        case .BOOL: return 9
        case .FP16: return 10
        case .FP64: return 11
        case .UINT32: return 12
        case .UINT64: return 13
        }
    }

    static func dataType(code: Int32) -> TensorDataType? {
        TensorDataType.allCases.first { elementCode($0) == code }
    }
}

/// One ONNX Runtime environment per process, shared by every session.
public final class ORTEnvironment: @unchecked Sendable {
    public let library: ORTLibrary
    let env: OpaquePointer
    let memoryInfo: OpaquePointer
    let allocator: OpaquePointer

    public init(library: ORTLibrary) throws {
        self.library = library
        var env: OpaquePointer?
        let createEnv = library.fn(.createEnv, (@convention(c) (Int32, UnsafePointer<CChar>, UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?).self)
        try library.check(createEnv(3, "hepml", &env), "CreateEnv")
        var mem: OpaquePointer?
        let createMem = library.fn(.createCpuMemoryInfo, (@convention(c) (Int32, Int32, UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?).self)
        try library.check(createMem(0, 0, &mem), "CreateCpuMemoryInfo")
        var alloc: OpaquePointer?
        let getAlloc = library.fn(.getAllocatorWithDefaultOptions, (@convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?).self)
        try library.check(getAlloc(&alloc), "GetAllocatorWithDefaultOptions")
        guard let env, let mem, let alloc else { throw InferenceError.backend("ONNX Runtime returned no environment") }
        self.env = env
        memoryInfo = mem
        allocator = alloc
    }

    deinit {
        library.release(.releaseMemoryInfo, memoryInfo)
        library.release(.releaseEnv, env)
    }
}
