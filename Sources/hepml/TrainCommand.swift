import ArgumentParser
import Foundation
import HEPTraining

/// `hepml train`: train an MLP on ROOT files, evaluate it, export it to ONNX, optionally publish it.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a fully connected network on ROOT files; write metrics, plots and an ONNX model folder.")

    @Option(name: .long, help: "Params file (JSON or YAML): files, labels, branches, cuts, defines, split, ...") var params: String
    @Option(name: .long, help: "Model file (JSON or YAML): layers, output, loss, optimizer, epochs, ...") var model: String
    @Option(name: .long, help: "Specs file (default: run the specs pass now).") var specs: String?
    @Option(name: .long, help: "Input format: root, csv, jsonl or parquet (default: from the extension).") var format: String?
    @Option(name: .long, help: "Output folder (repository/<name>/ and report/).") var out: String
    @Option(name: .long, help: "Model name.") var name: String = "model"
    @Option(name: .long, help: "OpenBLAS threads (1: reproducible for a seed).") var threads: Int = 1
    @Option(name: .long, help: "MB of training rows kept in memory across epochs (more: re-read the files each epoch).") var memory: Int = 1024
    @Option(name: .long, help: "Server URL to upload the model folder to.") var upload: String?
    @Option(name: .long, help: "Bearer token for the upload (default: $HEPML_TOKEN).") var token: String?
    @Option(name: .long, help: "Tag to point at the uploaded version (e.g. production).") var tag: String?

    func run() async throws {
        setBLASThreads(threads)
        try applyFormat(format)
        let p = try TrainingParams.load(path: params)
        let net = try NetworkSpec.load(path: model)
        let s: Specs
        if let specs {
            s = try Specs.read(from: specs)
        } else {
            s = try await SpecsBuilder.build(for: p)
        }
        let progress = ProgressLine(total: net.epochs)
        let result = try await TrainingRun.run(params: p, specs: s, network: net, output: out, name: name, memoryBudget: memory << 20) {
            progress.show($0)
        }
        progress.finish()
        print("test: \(result.testRows) events, loss \(String(format: "%.4f", result.testLoss)), accuracy \(String(format: "%.3f", result.testMetrics.accuracy)), AUC \(String(format: "%.3f", result.testMetrics.auc))")
        print("model folder: \(result.modelFolder)  (hepml serve --repository \(out)/repository)")
        print("report: \(result.reportFolder)/{metrics.json, roc.svg, loss.svg, scores.svg, training.jsonl}")
        if let upload {
            let version = try await Publisher.publish(folder: result.modelFolder, name: name, server: upload,
                                                      token: token ?? ProcessInfo.processInfo.environment["HEPML_TOKEN"], tag: tag)
            print("uploaded \(name) version \(version) to \(upload)\(tag.map { " as '\($0)'" } ?? "")")
        }
    }
}
