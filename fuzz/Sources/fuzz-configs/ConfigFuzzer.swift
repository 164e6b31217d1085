import FuzzSupport
import HEPInference
import HEPTraining

/// Configuration files a user or an uploaded model brings. The first byte picks the parser:
/// 0 Triton `config.pbtxt` (then its signature and JSON view), 1 TFaaS `params.json`,
/// 2 training params and 3 network (model) files, both JSON or YAML through Yams.
@main
enum ConfigsFuzzer {
    static func main() { runFuzzer { data, size in data.map { fuzzConfigs($0, size) } ?? 0 } }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigs(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let body = UnsafeBufferPointer(start: data + 1, count: size - 1)
    switch data[0] % 4 {
    case 0:
        guard let config = try? ModelConfigFile.parse(String(decoding: body, as: UTF8.self), file: "config.pbtxt") else { break }
        _ = try? ModelConfigFile.signature(of: config)
        _ = ModelConfigFile.json(config)
    case 1:
        _ = try? TFaaSParams.parse(Array(body), file: "params.json")
    case 2:
        _ = try? TrainingParams.parse(text: String(decoding: body, as: UTF8.self), file: "params.yaml")
    default:
        _ = try? NetworkSpec.parse(text: String(decoding: body, as: UTF8.self), file: "model.yaml")
    }
    return 0
}
