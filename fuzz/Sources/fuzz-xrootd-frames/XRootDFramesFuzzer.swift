import FuzzSupport
import HEPData
import ROOTIO

/// XRootD server answers as the client reads them: frame splitting, kXR_attn unwrapping, kXR_oksofar
/// joining, error/redirect/wait interpretation and the open, stat and readv reply bodies.
@main
enum XRootDFramesFuzzer {
    static func main() { runFuzzer { data, size in data.map { fuzzXRootDFrames($0, size) } ?? 0 } }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXRootDFrames(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let elements = [ByteRange(offset: 0, count: 16), ByteRange(offset: 4096, count: 8)]
    _ = try? XRootDResponseReader.read(bytes(data, size), readvElements: elements)
    return 0
}
