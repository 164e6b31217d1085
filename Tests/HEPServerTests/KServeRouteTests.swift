import Foundation
import HEPInference
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing
@testable import HEPServer

/// KServe v2 routes through the router (no sockets): every shared ONNX model answers its reference
/// inputs with its reference outputs, as JSON and with the binary tensor extension.
@Suite struct KServeRouteTests {
    static func repository(with models: [String]) throws -> String {
        let root = NSTemporaryDirectory() + "hepml-server-" + UUID().uuidString
        let fm = FileManager.default
        for m in models {
            try fm.createDirectory(atPath: "\(root)/\(m)/1", withIntermediateDirectories: true)
            try fm.copyItem(atPath: "\(ModelFixtures.modelsDirectory)/\(m)/model.onnx", toPath: "\(root)/\(m)/1/model.onnx")
        }
        return root
    }

    static func server(_ root: String, token: String? = nil) throws -> HEPMLServer {
        try HEPMLServer(configuration: ServerConfiguration(repository: root, token: token),
                        factory: BackendFactory(onnxEnvironment: ModelFixtures.environment))
    }

    static func jsonRequest(_ ref: ModelFixtures.Reference) -> String {
        let inputs = ref.inputs.map { t in
            #"{"name":"\#(t.name)","datatype":"\#(t.datatype.rawValue)","shape":\#(t.shape),"data":[\#(t.doubles().map { "\($0)" }.joined(separator: ","))]}"#
        }
        return #"{"id":"req-7","inputs":[\#(inputs.joined(separator: ","))]}"#
    }

    static func outputs(_ body: ByteBuffer, headerLength: Int?) throws -> [Tensor] {
        let bytes = Array(body.readableBytesView)
        let jsonEnd = headerLength ?? bytes.count
        let obj = try JSONSerialization.jsonObject(with: Data(bytes[0..<jsonEnd])) as! [String: Any]
        var offset = jsonEnd
        return try (obj["outputs"] as! [[String: Any]]).map { o in
            let dt = TensorDataType(name: o["datatype"] as! String)!
            let shape = (o["shape"] as! [NSNumber]).map(\.intValue)
            if let size = (o["parameters"] as? [String: Any])?["binary_data_size"] as? Int {
                defer { offset += size }
                return Tensor(name: o["name"] as! String, datatype: dt, shape: shape, data: Array(bytes[offset..<(offset + size)]))
            }
            let values = (o["data"] as! [Any]).map { ($0 as? NSNumber)?.doubleValue ?? (($0 as? Bool) == true ? 1 : 0) }
            return try Tensor.from(doubles: values, name: o["name"] as! String, datatype: dt, shape: shape)
        }
    }

    static let models = ["deepdoublex-bvl", "deepjet-run3", "particlenet-ak4-hlt", "particlenet-ak4-sonic", "sklearn-gbdt",
                         "sklearn-mlp", "xgboost-bdt"]

    @Test(arguments: models)
    func inferJSONAndBinary(model: String) async throws {
        let root = try Self.repository(with: [model])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let app = Application(router: try Self.server(root).router())
        let ref = try ModelFixtures.reference(model)
        try await app.test(.router) { client in
            try await client.execute(uri: "/v2/models/\(model)/infer", method: .post, body: ByteBuffer(string: Self.jsonRequest(ref))) { r in
                #expect(r.status == .ok)
                let got = try Self.outputs(r.body, headerLength: nil)
                for e in ref.outputs {
                    let g = try #require(got.first { $0.name == e.name })
                    #expect(ModelFixtures.close(g, e, abs: ref.absTolerance, rel: ref.relTolerance), "\(model) JSON \(e.name)")
                }
                #expect(String(buffer: r.body).contains(#""id":"req-7""#))
            }
            // Binary extension: JSON header + raw little-endian tensors, binary outputs requested.
            let header = #"{"inputs":[\#(ref.inputs.map { #"{"name":"\#($0.name)","datatype":"\#($0.datatype.rawValue)","shape":\#($0.shape),"parameters":{"binary_data_size":\#($0.data.count)}}"# }.joined(separator: ","))],"parameters":{"binary_data_output":true}}"#
            var body = ByteBuffer(string: header)
            for t in ref.inputs { body.writeBytes(t.data) }
            var headers = HTTPFields()
            headers[HTTPField.Name("Inference-Header-Content-Length")!] = String(header.utf8.count)
            try await client.execute(uri: "/v2/models/\(model)/versions/1/infer", method: .post, headers: headers, body: body) { r in
                #expect(r.status == .ok)
                let len = r.headers[HTTPField.Name("Inference-Header-Content-Length")!].flatMap { Int($0) }
                #expect(len != nil)
                let got = try Self.outputs(r.body, headerLength: len)
                for e in ref.outputs {
                    let g = try #require(got.first { $0.name == e.name })
                    #expect(ModelFixtures.close(g, e, abs: ref.absTolerance, rel: ref.relTolerance), "\(model) binary \(e.name)")
                }
            }
        }
    }

    @Test func errorsAreJSONWithTritonStatusCodes() async throws {
        let root = try Self.repository(with: ["sklearn-mlp"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let app = Application(router: try Self.server(root).router())
        try await app.test(.router) { client in
            let cases: [(String, String, HTTPResponse.Status)] = [
                ("/v2/models/nope/infer", #"{"inputs":[]}"#, .notFound),
                ("/v2/models/sklearn-mlp/infer", "{not json", .badRequest),
                ("/v2/models/sklearn-mlp/infer", #"{"inputs":[{"name":"X","datatype":"FP32","shape":[1,3],"data":[1,2,3]}]}"#, .badRequest),
                ("/v2/models/sklearn-mlp/infer", #"{"inputs":[{"name":"X","datatype":"FP64","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,12]}]}"#, .badRequest),
                ("/v2/models/sklearn-mlp/infer", #"{"inputs":[{"name":"X","datatype":"FP32","shape":[1,12],"data":[1,2]}]}"#, .badRequest),
                ("/v2/models/sklearn-mlp/versions/9/infer", #"{"inputs":[]}"#, .notFound),
            ]
            for (uri, body, status) in cases {
                try await client.execute(uri: uri, method: .post, body: ByteBuffer(string: body)) { r in
                    #expect(r.status == status, "\(uri) \(body)")
                    #expect(String(buffer: r.body).hasPrefix(#"{"error":"#), "\(uri)")
                }
            }
            try await client.execute(uri: "/v2/health/live", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/v2/models/sklearn-mlp/ready", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/v2/models/nope/ready", method: .get) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(String(buffer: r.body).contains("hepml_inference_requests_total"))
            }
        }
    }

    @Test func writesNeedTheToken() async throws {
        let root = try Self.repository(with: ["sklearn-mlp"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let app = Application(router: try Self.server(root, token: "s3cret").router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/v2/repository/models/sklearn-mlp/unload", method: .post) { r in #expect(r.status == .unauthorized) }
            try await client.execute(uri: "/delete/sklearn-mlp", method: .delete) { r in #expect(r.status == .unauthorized) }
            var h = HTTPFields()
            h[.authorization] = "Bearer s3cret"
            try await client.execute(uri: "/v2/repository/models/sklearn-mlp/unload", method: .post, headers: h) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/v2/models/sklearn-mlp", method: .get) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/v2/repository/models/sklearn-mlp/load", method: .post, headers: h) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/v2/models/sklearn-mlp", method: .get) { r in #expect(r.status == .ok) }
        }
        let open = try HEPMLServer(configuration: ServerConfiguration(host: "0.0.0.0", repository: root),
                                   factory: BackendFactory(onnxEnvironment: ModelFixtures.environment))
        try await Application(router: open.router()).test(.router) { client in
            try await client.execute(uri: "/delete/sklearn-mlp", method: .delete) { r in #expect(r.status == .forbidden) }
        }
    }
}
