import FuzzSupport
import ROOTFuzzing
import ROOTIO

/// RNTuples only (anchor, header and footer envelopes, cluster groups, page lists, pages); seeded with the
/// RNTuple files of the shared test data.
@main
enum RNTupleFuzzer {
    static func main() { runFuzzer { data, size in data.map { fuzzRNTuple($0, size) } ?? 0 } }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRNTuple(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    runBlocking { try await readEverything(input) { $0.className == RNTuple.className } }
    return 0
}
