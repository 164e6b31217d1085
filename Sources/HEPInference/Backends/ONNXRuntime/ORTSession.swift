#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An ONNX model loaded into an ONNX Runtime session. `Run` is thread-safe, so one session serves
/// concurrent requests.
public final class ORTSession: InferenceBackend, @unchecked Sendable {
    public let environment: ORTEnvironment
    public let signature: ModelSignature
    private let session: OpaquePointer
    private let inputNames: [UnsafeMutablePointer<CChar>]
    private let outputNames: [UnsafeMutablePointer<CChar>]
    private var library: ORTLibrary { environment.library }

    /// Loads `path` with `intraOpThreads` threads per run (default 1: concurrency comes from requests).
    public convenience init(environment: ORTEnvironment, path: String, intraOpThreads: Int = 1) throws {
        try self.init(environment: environment, source: .path(path), intraOpThreads: intraOpThreads)
    }

    /// Loads a model from its bytes.
    public convenience init(environment: ORTEnvironment, modelBytes: [UInt8], intraOpThreads: Int = 1) throws {
        try self.init(environment: environment, source: .bytes(modelBytes), intraOpThreads: intraOpThreads)
    }

    enum Source {
        case path(String)
        case bytes([UInt8])
    }

    init(environment: ORTEnvironment, source: Source, intraOpThreads: Int) throws {
        self.environment = environment
        let lib = environment.library
        typealias OutP = UnsafeMutablePointer<OpaquePointer?>
        var options: OpaquePointer?
        try lib.check(lib.fn(.createSessionOptions, (@convention(c) (OutP) -> OpaquePointer?).self)(&options), "CreateSessionOptions")
        defer { lib.release(.releaseSessionOptions, options) }
        try lib.check(lib.fn(.setIntraOpNumThreads, (@convention(c) (OpaquePointer?, Int32) -> OpaquePointer?).self)(
            options, Int32(max(1, intraOpThreads))), "SetIntraOpNumThreads")
        try lib.check(lib.fn(.setInterOpNumThreads, (@convention(c) (OpaquePointer?, Int32) -> OpaquePointer?).self)(options, 1),
                      "SetInterOpNumThreads")
        var s: OpaquePointer?
        switch source {
        case let .path(p):
            let create = lib.fn(.createSession, (@convention(c) (OpaquePointer?, UnsafePointer<CChar>, OpaquePointer?, OutP) -> OpaquePointer?).self)
            try lib.check(create(environment.env, p, options, &s), "loading \(p)")
        case let .bytes(b):
            let create = lib.fn(.createSessionFromArray,
                                (@convention(c) (OpaquePointer?, UnsafeRawPointer?, Int, OpaquePointer?, OutP) -> OpaquePointer?).self)
            try b.withUnsafeBytes { try lib.check(create(environment.env, $0.baseAddress, $0.count, options, &s), "loading model bytes") }
        }
        guard let s else { throw InferenceError.unavailable("ONNX Runtime returned no session") }
        session = s
        do {
            let ins = try Self.specs(lib, environment, s, input: true)
            let outs = try Self.specs(lib, environment, s, input: false)
            signature = ModelSignature(inputs: ins, outputs: outs)
            inputNames = ins.map { strdup($0.name) }
            outputNames = outs.map { strdup($0.name) }
        } catch {
            lib.release(.releaseSession, s)
            throw error
        }
    }

    deinit {
        library.release(.releaseSession, session)
        inputNames.forEach { free($0) }
        outputNames.forEach { free($0) }
    }

    private static func specs(_ lib: ORTLibrary, _ env: ORTEnvironment, _ s: OpaquePointer, input: Bool) throws -> [TensorSpec] {
        typealias OutP = UnsafeMutablePointer<OpaquePointer?>
        var count = 0
        let getCount = lib.fn(input ? .sessionGetInputCount : .sessionGetOutputCount,
                              (@convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>) -> OpaquePointer?).self)
        try lib.check(getCount(s, &count), "reading the model's \(input ? "input" : "output") count")
        let getName = lib.fn(input ? .sessionGetInputName : .sessionGetOutputName,
                             (@convention(c) (OpaquePointer?, Int, OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> OpaquePointer?).self)
        let getInfo = lib.fn(input ? .sessionGetInputTypeInfo : .sessionGetOutputTypeInfo,
                             (@convention(c) (OpaquePointer?, Int, OutP) -> OpaquePointer?).self)
        let free = lib.fn(.allocatorFree, (@convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> OpaquePointer?).self)
        var out: [TensorSpec] = []
        for i in 0..<count {
            var namePtr: UnsafeMutablePointer<CChar>?
            try lib.check(getName(s, i, env.allocator, &namePtr), "reading a model tensor name")
            let name = namePtr.map { String(cString: $0) } ?? "?"
            try lib.check(free(env.allocator, namePtr), "freeing a name")
            var info: OpaquePointer?
            try lib.check(getInfo(s, i, &info), "reading the type of '\(name)'")
            defer { lib.release(.releaseTypeInfo, info) }
            var onnxType: Int32 = 0
            try lib.check(lib.fn(.getOnnxTypeFromTypeInfo, (@convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>) -> OpaquePointer?).self)(info, &onnxType), "type of '\(name)'")
            guard onnxType == 1 else {
                throw InferenceError.unsupported("model \(input ? "input" : "output") '\(name)' is not a tensor (ONNX type \(onnxType))")
            }
            var tinfo: OpaquePointer?
            try lib.check(lib.fn(.castTypeInfoToTensorInfo, (@convention(c) (OpaquePointer?, OutP) -> OpaquePointer?).self)(info, &tinfo), "tensor info of '\(name)'")
            let (code, dims) = try shape(lib, tinfo)
            guard let dt = ORTLibrary.dataType(code: code) else {
                throw InferenceError.unsupported("model tensor '\(name)' has ONNX element type \(code), which hepml does not serve")
            }
            out.append(TensorSpec(name: name, datatype: dt, shape: dims.map { Int($0) < 0 ? -1 : Int($0) }))
        }
        return out
    }

    /// Element type and dimensions of a tensor type-and-shape info.
    static func shape(_ lib: ORTLibrary, _ tinfo: OpaquePointer?) throws -> (Int32, [Int64]) {
        var code: Int32 = 0
        try lib.check(lib.fn(.getTensorElementType, (@convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>) -> OpaquePointer?).self)(tinfo, &code), "element type")
        var n = 0
        try lib.check(lib.fn(.getDimensionsCount, (@convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>) -> OpaquePointer?).self)(tinfo, &n), "dimension count")
        var dims = [Int64](repeating: 0, count: n)
        try lib.check(lib.fn(.getDimensions, (@convention(c) (OpaquePointer?, UnsafeMutablePointer<Int64>?, Int) -> OpaquePointer?).self)(tinfo, &dims, n), "dimensions")
        return (code, dims)
    }

    public func infer(_ inputs: [Tensor], outputs requested: [String]?) throws -> [Tensor] {
        let lib = library
        var ordered: [Tensor] = []
        ordered.reserveCapacity(signature.inputs.count)
        for spec in signature.inputs {
            guard let t = inputs.first(where: { $0.name == spec.name }) else {
                throw InferenceError.invalidInput("missing input '\(spec.name)'")
            }
            try spec.validate(t)
            ordered.append(t)
        }
        if let extra = inputs.first(where: { t in !signature.inputs.contains { $0.name == t.name } }) {
            throw InferenceError.invalidInput("unexpected input '\(extra.name)'")
        }
        var outIndices: [Int] = []
        if let requested {
            for name in requested {
                guard let i = signature.outputs.firstIndex(where: { $0.name == name }) else {
                    throw InferenceError.invalidInput("unknown output '\(name)'")
                }
                outIndices.append(i)
            }
        } else {
            outIndices = Array(signature.outputs.indices)
        }
        typealias OutP = UnsafeMutablePointer<OpaquePointer?>
        let createTensor = lib.fn(.createTensorWithDataAsOrtValue,
                                  (@convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int, UnsafePointer<Int64>?, Int, Int32, OutP) -> OpaquePointer?).self)
        // Inputs are copied into buffers that live until Run returns (ORT does not copy them).
        var buffers: [UnsafeMutableRawPointer] = []
        var values = [OpaquePointer?](repeating: nil, count: ordered.count)
        defer {
            values.forEach { lib.release(.releaseValue, $0) }
            buffers.forEach { $0.deallocate() }
        }
        for (k, t) in ordered.enumerated() {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(1, t.data.count), alignment: 16)
            buffers.append(buffer)
            t.data.withUnsafeBytes { if let b = $0.baseAddress { buffer.copyMemory(from: b, byteCount: $0.count) } }
            let dims = t.shape.map(Int64.init)
            guard let code = ORTLibrary.elementCode(t.datatype) else {
                throw InferenceError.unsupported("input '\(t.name)': \(t.datatype.rawValue) tensors are not supported by the ONNX backend")
            }
            try lib.check(createTensor(environment.memoryInfo, buffer, t.data.count, dims, dims.count, code, &values[k]),
                          "input '\(t.name)'", running: true)
        }
        var outs = [OpaquePointer?](repeating: nil, count: outIndices.count)
        defer { outs.forEach { lib.release(.releaseValue, $0) } }
        let run = lib.fn(.run, (@convention(c) (OpaquePointer?, OpaquePointer?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<OpaquePointer?>?, Int,
                                                 UnsafePointer<UnsafePointer<CChar>?>?, Int, UnsafeMutablePointer<OpaquePointer?>?) -> OpaquePointer?).self)
        let inNames: [UnsafePointer<CChar>?] = inputNames.map { UnsafePointer($0) }
        let outNames: [UnsafePointer<CChar>?] = outIndices.map { UnsafePointer(outputNames[$0]) }
        try lib.check(run(session, nil, inNames, values, values.count, outNames, outNames.count, &outs), "running the model",
                      running: true)
        return try outIndices.enumerated().map { k, i in try tensor(from: outs[k], name: signature.outputs[i].name) }
    }

    private func tensor(from value: OpaquePointer?, name: String) throws -> Tensor {
        let lib = library
        var info: OpaquePointer?
        try lib.check(lib.fn(.getTensorTypeAndShape, (@convention(c) (OpaquePointer?, UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?).self)(value, &info), "output '\(name)'")
        defer { lib.release(.releaseTensorTypeAndShapeInfo, info) }
        let (code, dims) = try Self.shape(lib, info)
        guard let dt = ORTLibrary.dataType(code: code) else {
            throw InferenceError.unsupported("output '\(name)' has ONNX element type \(code)")
        }
        var count = 0
        try lib.check(lib.fn(.getTensorShapeElementCount, (@convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>) -> OpaquePointer?).self)(info, &count), "output size")
        var ptr: UnsafeMutableRawPointer?
        try lib.check(lib.fn(.getTensorMutableData, (@convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> OpaquePointer?).self)(value, &ptr), "output data")
        let bytes = count * dt.byteSize
        let data = ptr.map { Array(UnsafeRawBufferPointer(start: $0, count: bytes)) } ?? []
        return Tensor(name: name, datatype: dt, shape: dims.map { Int($0) }, data: data)
    }
}
