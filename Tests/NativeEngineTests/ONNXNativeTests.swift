import Foundation
import HEPInference
import Testing
import TestSupport

/// The ONNX subset on hepml's native engine, against ONNX Runtime on the same files and inputs.
@Suite struct ONNXNativeTests {
    func path(_ model: String) -> String { "\(ModelFixtures.modelsDirectory)/\(model)/model.onnx" }

    func native(_ model: String) throws -> NativeGraphBackend {
        NativeGraphBackend(graph: try ONNXGraphImporter.load(path: path(model)), format: "ONNX")
    }

    func ort(_ model: String) throws -> ORTSession { try ORTSession(environment: ModelFixtures.environment, path: path(model)) }

    /// Largest |a - b| / max(1, |b|) over all outputs.
    func relativeDifference(_ a: [Tensor], _ b: [Tensor]) -> Double {
        var worst = 0.0
        for (x, y) in zip(a, b) {
            guard x.shape == y.shape else { return .infinity }
            for (p, q) in zip(x.doubles(), y.doubles()) { worst = max(worst, abs(p - q) / max(1, abs(q))) }
        }
        return a.count == b.count ? worst : .infinity
    }

    /// DeepJet (three LSTMs with initial states from ConstantOfShape) and DeepDoubleX (GRUs with HardSigmoid gates)
    /// run natively too.
    @Test(arguments: ["tfaas-dense42", "sklearn-mlp", "deepjet-run3", "deepdoublex-bvl"])
    func agreesWithONNXRuntime(model: String) throws {
        let ref = try ModelFixtures.reference(model)
        var inputs = ref.inputs
        let n = try native(model), o = try ort(model)
        #expect(n.signature.inputs.map(\.name) == o.signature.inputs.map(\.name))
        #expect(n.signature.outputs.map(\.name) == o.signature.outputs.map(\.name))
        for k in inputs.indices { inputs[k].name = o.signature.inputs[k].name }
        let got = try n.infer(inputs, outputs: nil), want = try o.infer(inputs, outputs: nil)
        #expect(got.map(\.datatype) == want.map(\.datatype))
        #expect(relativeDifference(got, want) < 1e-5)
    }

    @Test func image28AgreesWithONNXRuntimeAndTensorFlow() throws {
        let dir = "\(ModelFixtures.modelsDirectory)/tfaas-image28"
        let png = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(dir)/digit.png")))
        let n = try native("tfaas-image28"), o = try ort("tfaas-image28")
        let input = try ImageDecoder.decode(png, channels: 1).tensor(name: o.signature.inputs[0].name)
        let got = try n.infer([input], outputs: nil), want = try o.infer([input], outputs: nil)
        #expect(relativeDifference(got, want) < 1e-5)
        let expected = (try ModelFixtures.json("\(dir)/reference.json")["outputs"] as! [[NSNumber]]).flatMap { $0.map(\.doubleValue) }
        #expect(zip(got[0].doubles(), expected).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    /// `parameters { key: "backend" value { string_value: "native" } }` pins an ONNX model to the native engine.
    @Test func configPinsONNXToNativeEngine() throws {
        var c = Inference_ModelConfig()
        c.platform = "onnxruntime_onnx"
        var p = Inference_ModelParameter()
        p.stringValue = "native"
        c.parameters["backend"] = p
        let platform = BackendFactory.platform(config: c)
        #expect(platform == "hepml_native_onnx")
        let backend = try BackendFactory(onnxEnvironment: nil).backend(platform: platform, path: path("tfaas-dense42"))
        #expect(backend is NativeGraphBackend)
        let ref = try ModelFixtures.reference("tfaas-dense42")
        var inputs = ref.inputs
        inputs[0].name = backend.signature.inputs[0].name
        #expect(ModelFixtures.close(try backend.infer(inputs, outputs: nil)[0], ref.outputs[0], abs: 1e-5, rel: 0))
    }

    /// Models with ops outside the subset fail naming the op and node (they stay on ONNX Runtime).
    @Test func opsOutsideTheSubsetAreNamed() throws {
        #expect(throws: NativeEngineError.unsupportedOp(op: "TopK", node: "/pn/edge_convs.0/TopK")) {
            _ = try native("particlenet-ak4-hlt")
        }
    }
}
