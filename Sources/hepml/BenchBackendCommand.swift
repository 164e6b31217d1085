import ArgumentParser
import Dispatch
import HEPInference

/// `hepml bench-backend`: time a backend's `infer` on random inputs (benchmark helper): ONNX Runtime, or
/// hepml's native engine (`--backend native`, ONNX or TensorFlow `.pb`).
struct BenchBackendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-backend", abstract: "Time a backend's infer on one model (microseconds per call).", shouldDisplay: false)

    @Argument(help: "An ONNX model file.") var model: String
    @Option(name: .long, help: "Batch size (the first dimension).") var batch: Int = 1
    @Option(name: .long, help: "Timed calls.") var iterations: Int = 20_000
    @Option(name: .long, help: "Path of libonnxruntime.so.") var ortLibrary: String?
    @Option(name: .long, help: "ort or native.") var backend: String = "ort"

    func run() throws {
        let loadStart = DispatchTime.now().uptimeNanoseconds
        let session: any InferenceBackend
        if backend == "native" {
            session = try NativeModelLoader.load(path: model)
        } else {
            session = try ORTSession(environment: try ORTEnvironment(library: try ORTLibrary(path: ortLibrary)), path: model)
        }
        let loadMs = Double(DispatchTime.now().uptimeNanoseconds - loadStart) / 1e6
        var state: UInt64 = 12345
        let inputs = session.signature.inputs.map { spec -> Tensor in
            let shape = spec.shape.enumerated().map { i, d in d >= 0 ? d : (i == 0 ? batch : 1) }
            let n = shape.reduce(1, *)
            let values = (0..<n).map { _ -> Float in
                state = state &* 6364136223846793005 &+ 1
                return Float(state >> 40) / Float(1 << 24)
            }
            return Tensor(name: spec.name, shape: shape, values: values)
        }
        for _ in 0..<100 { _ = try session.infer(inputs, outputs: nil) }
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { _ = try session.infer(inputs, outputs: nil) }
        let us = Double(DispatchTime.now().uptimeNanoseconds - start) / 1000 / Double(iterations)
        print("{\"tool\":\"hepml-\(backend)\",\"model\":\"\(model)\",\"batch\":\(batch),\"us_per_call\":\(us),\"load_ms\":\(loadMs)}")
    }
}
