import FuzzSupport
import ROOTFuzzing

/// A ROOT file from memory, every TTree (and RNTuple) read through the reader; see `readEverything`.
@main
enum RootFileFuzzer {
    static func main() { runFuzzer { data, size in data.map { fuzzRootFile($0, size) } ?? 0 } }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRootFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    runBlocking { try await readEverything(input) { _ in true } }
    return 0
}
