import ArgumentParser
import Dispatch
import HEPInference

/// `hepml bench-backend`: time the ONNX Runtime backend's `infer` on random inputs (benchmark helper).
struct BenchBackendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-backend", abstract: "Time ORTSession.infer on one model (microseconds per call).", shouldDisplay: false)

    @Argument(help: "An ONNX model file.") var model: String
    @Option(name: .long, help: "Batch size (the first dimension).") var batch: Int = 1
    @Option(name: .long, help: "Timed calls.") var iterations: Int = 20_000
    @Option(name: .long, help: "Path of libonnxruntime.so.") var ortLibrary: String?

    func run() throws {
        let env = try ORTEnvironment(library: try ORTLibrary(path: ortLibrary))
        let session = try ORTSession(environment: env, path: model)
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
        print("{\"tool\":\"hepml-ort\",\"model\":\"\(model)\",\"batch\":\(batch),\"us_per_call\":\(us)}")
    }
}
