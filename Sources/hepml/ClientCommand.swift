import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `hepml client`: talk to a hepml (or TFaaS-compatible) server, like TFaaS's `tfaas_client.py`.
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Client for a running hepml server: models, params, upload, delete, predict, image, infer.",
        subcommands: [Models.self, Params.self, Upload.self, Delete.self, Predict.self, Image.self, Infer.self])

    struct Connection: ParsableArguments {
        @Option(name: .long, help: "Server URL.")
        var url: String = "http://127.0.0.1:8083"

        @Option(name: .long, help: "Bearer token for write endpoints (default: $HEPML_TOKEN).")
        var token: String?

        /// Sends a request and prints the body; a non-2xx answer becomes one error line and exit code 1.
        func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = []) async throws
            -> [UInt8]
        {
            let base = url.hasSuffix("/") ? String(url.dropLast()) : url
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            for (k, v) in headers { request.headers.add(name: k, value: v) }
            if let t = token ?? ProcessInfo.processInfo.environment["HEPML_TOKEN"] {
                request.headers.add(name: "Authorization", value: "Bearer \(t)")
            }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let response: HTTPClientResponse
            do {
                response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
            } catch {
                throw CLIError("cannot reach \(base): \(error)")
            }
            let bytes = Array((try await response.body.collect(upTo: 1 << 30)).readableBytesView)
            guard (200..<300).contains(Int(response.status.code)) else {
                let text = String(decoding: bytes, as: UTF8.self)
                throw CLIError("\(method.rawValue) \(path): HTTP \(response.status.code): \(text)")
            }
            return bytes
        }
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        guard let d = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
        return [UInt8](d)
    }

    static func printBody(_ b: [UInt8]) { print(String(decoding: b, as: UTF8.self)) }

    struct Models: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the served models.")
        @OptionGroup var connection: Connection
        func run() async throws { ClientCommand.printBody(try await connection.send(.GET, "/models")) }
    }

    struct Params: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a model's params.json.")
        @OptionGroup var connection: Connection
        @Argument(help: "Model name.") var model: String
        func run() async throws { ClientCommand.printBody(try await connection.send(.GET, "/params/\(model)")) }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a model.")
        @OptionGroup var connection: Connection
        @Argument(help: "Model name.") var model: String
        func run() async throws { ClientCommand.printBody(try await connection.send(.DELETE, "/delete/\(model)")) }
    }

    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload a model: --upload upload.json ({name, params, model, labels} paths), the same as options, or --bundle model.tar.gz.")
        @OptionGroup var connection: Connection
        @Option(name: .long, help: "JSON file with the paths of 'params', 'model', 'labels' and the 'name'.") var upload: String?
        @Option(name: .long, help: "Model name.") var name: String?
        @Option(name: .long, help: "params.json path.") var params: String?
        @Option(name: .long, help: "Model file path.") var model: String?
        @Option(name: .long, help: "Labels file path.") var labels: String?
        @Option(name: .long, help: "A .tar.gz of one model folder (Triton or TFaaS layout).") var bundle: String?

        func run() async throws {
            if let bundle {
                let bytes = try ClientCommand.readFile(bundle)
                ClientCommand.printBody(try await connection.send(.POST, "/upload", body: bytes,
                                                                  headers: [("Content-Type", "application/octet-stream"), ("Content-Encoding", "gzip")]))
                return
            }
            var fields: [String: String] = [:]
            if let upload {
                guard let obj = try JSONSerialization.jsonObject(with: Data(try ClientCommand.readFile(upload))) as? [String: String] else {
                    throw ValidationError("\(upload): expected a JSON object of strings")
                }
                fields = obj
            }
            if let name { fields["name"] = name }
            if let params { fields["params"] = params }
            if let model { fields["model"] = model }
            if let labels { fields["labels"] = labels }
            guard let paramsPath = fields["params"], let modelPath = fields["model"] else {
                throw ValidationError("upload needs params and model paths (or --bundle)")
            }
            let boundary = "hepml-\(UUID().uuidString)"
            var body: [UInt8] = []
            func part(_ n: String, filename: String?, _ bytes: [UInt8]) {
                var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(n)\""
                if let filename { head += "; filename=\"\(filename)\"" }
                head += "\r\n\r\n"
                body += Array(head.utf8) + bytes + Array("\r\n".utf8)
            }
            let paramsBytes = try ClientCommand.readFile(paramsPath)
            let modelName = fields["name"] ?? ((try? JSONSerialization.jsonObject(with: Data(paramsBytes)) as? [String: Any])?["name"] as? String) ?? ""
            part("name", filename: nil, Array(modelName.utf8))
            part("params", filename: "params.json", paramsBytes)
            part("model", filename: (modelPath as NSString).lastPathComponent, try ClientCommand.readFile(modelPath))
            if let l = fields["labels"] { part("labels", filename: (l as NSString).lastPathComponent, try ClientCommand.readFile(l)) }
            body += Array("--\(boundary)--\r\n".utf8)
            ClientCommand.printBody(try await connection.send(.POST, "/upload", body: body,
                                                              headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")]))
        }
    }

    struct Predict: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "TFaaS /json prediction: --predict input.json, or --model M --values 1,2,3.")
        @OptionGroup var connection: Connection
        @Option(name: .long, help: "A TFaaS request file {\"keys\", \"values\", \"model\"}.") var predict: String?
        @Option(name: .long, help: "Model name.") var model: String?
        @Option(name: .long, help: "Comma-separated input values.") var values: String?

        func run() async throws {
            var body: [UInt8]
            if let predict {
                body = try ClientCommand.readFile(predict)
                if let model, var obj = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
                    obj["model"] = model
                    body = [UInt8](try JSONSerialization.data(withJSONObject: obj))
                }
            } else if let values {
                let nums = try values.split(separator: ",").map { s -> Double in
                    guard let d = Double(s.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("bad value '\(s)'") }
                    return d
                }
                body = [UInt8](try JSONSerialization.data(withJSONObject: ["values": nums, "model": model ?? ""] as [String: Any]))
            } else {
                throw ValidationError("give --predict FILE or --values")
            }
            ClientCommand.printBody(try await connection.send(.POST, "/json", body: body, headers: [("Content-Type", "application/json")]))
        }
    }

    struct Image: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "TFaaS /image prediction of a PNG or JPEG file.")
        @OptionGroup var connection: Connection
        @Option(name: .long, help: "Image file.") var image: String
        @Option(name: .long, help: "Model name.") var model: String

        func run() async throws {
            let boundary = "hepml-\(UUID().uuidString)"
            var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n\(model)\r\n".utf8)
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"\((image as NSString).lastPathComponent)\"\r\n\r\n".utf8)
            body += try ClientCommand.readFile(image) + Array("\r\n--\(boundary)--\r\n".utf8)
            ClientCommand.printBody(try await connection.send(.POST, "/image", body: body,
                                                              headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")]))
        }
    }

    struct Infer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "KServe v2 inference with a JSON request file.")
        @OptionGroup var connection: Connection
        @Option(name: .long, help: "Model name.") var model: String
        @Option(name: .long, help: "Version or tag.") var version: String?
        @Option(name: .long, help: "KServe v2 JSON request ({\"inputs\": [...]}).") var input: String

        func run() async throws {
            let path = "/v2/models/\(model)" + (version.map { "/versions/\($0)" } ?? "") + "/infer"
            ClientCommand.printBody(try await connection.send(.POST, path, body: try ClientCommand.readFile(input),
                                                              headers: [("Content-Type", "application/json")]))
        }
    }
}
