import ArgumentParser
import Foundation
import HEPInference
import HEPServer
import HEPTraining
import Logging
import NIOHTTP1
import ServiceLifecycle

/// `hepml demo`: the whole MLaaS loop on the bundled CMS NanoAOD sample, in one command.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "specs → train → evaluate → export → serve → upload → predict, on the bundled CMS open-data NanoAOD sample.")

    @Option(name: .long, help: "NanoAOD file (default: the bundled sample, found next to the binary or in the repository).")
    var data: String?
    @Option(name: .long, help: "Output folder.") var out: String = "demo-output"
    @Option(name: .long, help: "Training epochs.") var epochs: Int = 60

    /// The demonstration label: events whose scalar sum of jet pT (HT) is above 80 GeV. HT itself is not a
    /// feature; the network has to learn it from the individual (normalized, padded) jets.
    static let label = "HT > 80"
    static let branches = ["nJet", "Jet_pt", "Jet_eta", "Jet_phi", "Jet_mass", "nMuon", "Muon_pt", "Muon_eta", "Muon_phi",
                           "nElectron", "Electron_pt", "Electron_eta", "Electron_phi", "HT", "MET_pt"]

    func run() async throws {
        let data = try self.data ?? SampleData.path(SampleData.nanoAOD)
        setBLASThreads(1)
        let total = ContinuousClock.now
        print("hepml demo on \(data)\nlabel (a demonstration): \(Self.label) with HT = sum(Jet_pt); features: MET, jets (6), muons (2), electrons (2)")
        try? FileManager.default.removeItem(atPath: out)

        var t = ContinuousClock.now
        let transform = try EventTransform(defines: ["HT = sum(Jet_pt)"], cuts: [])
        let specs = try await SpecsBuilder.build(files: [data], tree: "Events", branches: Self.branches.filter { $0 != "HT" }, exclude: [],
                                                 transform: transform, scan: nil)
        let specsSeconds = seconds(since: t)
        let events = specs.events["total"] ?? 0
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try specs.write(to: out + "/specs.json")
        print("1 specs     \(specs.branches.count) columns, \(events) events, \(fmt(specsSeconds, 3)) s (\(fmt(Double(events) / specsSeconds, 0)) events/s)")

        var params = TrainingParams()
        params.files = [.init(path: data)]
        params.label = Self.label
        params.branches = Self.branches
        params.defines = ["HT = sum(Jet_pt)"]
        params.lengths = [("Jet_*", 6), ("Muon_*", 2), ("Electron_*", 2)]
        params.split = (0.6, 0.2, 0.2)
        params.seed = 7
        var net = NetworkSpec(layers: [.init(units: 32, activation: .relu), .init(units: 16, activation: .relu)])
        net.epochs = epochs
        net.batchSize = 32
        net.learningRate = 3e-3
        net.patience = 15
        net.seed = 3
        let result = try await TrainingRun.run(params: params, specs: specs, network: net, output: out, name: "demo") { line in
            if line.hasPrefix("data") { print("2 data      " + line.dropFirst(6)) }
        }
        let last = result.history.last
        print("3 train     \(result.history.count) epochs, \(fmt(result.seconds["train"] ?? 0, 2)) s, \(fmt(result.trainEventsPerSecond, 0)) events/s, "
            + "final val_loss \(fmt(last?.validationLoss ?? .nan, 4))")
        print("4 evaluate  test \(result.testRows) events: AUC \(fmt(result.testMetrics.auc, 3)), accuracy \(fmt(result.testMetrics.accuracy, 3))")
        print("5 export    \(result.modelFolder) (config.pbtxt, 1/model.onnx, labels.txt, params.json, specs.json) in \(fmt(result.seconds["export"] ?? 0, 3)) s")

        // Serve an empty repository in-process, then upload the model to it like a remote user would.
        let token = UUID().uuidString
        let repo = out + "/served"
        let server = try HEPMLServer(configuration: ServerConfiguration(host: "127.0.0.1", port: 0, repository: repo, token: token),
                                     factory: .standard())
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "hepml.demo")
        logger.logLevel = .critical
        let app = server.application(logger: logger) { port in portContinuation.yield(port) }
        let serving = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { serving.cancel() }
        var port = 0
        for await p in portStream { port = p; break }
        let url = "http://127.0.0.1:\(port)"
        t = ContinuousClock.now
        let version = try await Publisher.publish(folder: result.modelFolder, name: "demo", server: url, token: token, tag: "production")
        print("6 serve     \(url): uploaded 'demo' version \(version), tagged 'production' in \(fmt(seconds(since: t), 3)) s")

        // Predict the first test events with raw values (padding as null) and compare with the trainer.
        var rawParams = params
        rawParams.normalization = NormalizationPlan(defaultMethod: .none)
        rawParams.padValue = .nan
        let raw = try TrainingDataset(params: rawParams, specs: specs)
        var rows: TrainingBatch?
        for try await b in raw.batches(split: .test) { rows = b; break }
        guard let rows, rows.count > 0 else { throw CLIError("no test events to predict") }
        let n = min(4, rows.count), w = rows.width
        let normalized = try TrainingDataset(params: params, specs: specs)
        var norm: TrainingBatch?
        for try await b in normalized.batches(split: .test) { norm = b; break }
        let expected = result.network.predict(Array(norm!.features[0..<(n * w)]), rows: n)
        let jsonValues: [Any] = rows.features[0..<w].map { $0.isNaN ? NSNull() : Double($0) as Any }
        t = ContinuousClock.now
        let tfaas = try await Publisher.send(url + "/json", method: .POST,
                                             body: [UInt8](try JSONSerialization.data(withJSONObject: ["model": "demo", "values": jsonValues])),
                                             headers: [("Content-Type", "application/json")], token: nil)
        let data2d: [Any] = rows.features[0..<(n * w)].map { $0.isNaN ? NSNull() : Double($0) as Any }
        let v2Body: [String: Any] = ["inputs": [["name": "features", "shape": [n, w], "datatype": "FP32", "data": data2d]]]
        let v2 = try await Publisher.send(url + "/v2/models/demo/versions/production/infer", method: .POST,
                                          body: [UInt8](try JSONSerialization.data(withJSONObject: v2Body)),
                                          headers: [("Content-Type", "application/json")], token: nil)
        let predictSeconds = seconds(since: t)
        let outputs = ((try JSONSerialization.jsonObject(with: Data(v2.utf8)) as? [String: Any])?["outputs"] as? [[String: Any]])?.first
        let served = (outputs?["data"] as? [Double] ?? []).enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        let diff = zip(served, expected).map { abs($0 - Double($1)) }.max() ?? .nan
        print("7 predict   /json (event 0): \(tfaas)")
        print("            /v2/models/demo/versions/production/infer (\(n) events): signal = \(served.map { fmt($0, 4) }.joined(separator: ", ")); "
            + "trainer: \(expected.map { fmt(Double($0), 4) }.joined(separator: ", ")); max |diff| \(String(format: "%.1e", diff)) "
            + "(\(fmt(predictSeconds * 1000, 1)) ms for both requests)")
        guard served.count == n, diff < 1e-4 else { throw CLIError("served predictions differ from the trainer's (max |diff| \(diff))") }
        print("summary     AUC \(fmt(result.testMetrics.auc, 3)); total \(fmt(seconds(since: total), 1)) s")
        print("            plots: \(result.reportFolder)/roc.svg, loss.svg, scores.svg; metrics: \(result.reportFolder)/metrics.json")
        print("            model folder: \(result.modelFolder); serve it with: hepml serve --repository \(out)/repository")
    }
}
