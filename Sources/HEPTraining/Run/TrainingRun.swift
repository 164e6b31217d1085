import Foundation

/// The whole training loop on files: data → train (validation for early stopping) → evaluate on the test
/// split → plots, metrics → ONNX model folder. Used by `hepml train` and `hepml demo`.
public enum TrainingRun {
    public struct Result: Sendable {
        public var network: DenseNetwork
        public var layout: VectorLayout
        public var history: [EpochRecord]
        public var testMetrics: Metrics
        public var testLoss: Double
        public var testRows: Int
        public var modelFolder: String
        public var reportFolder: String
        /// Seconds per stage: data, train, evaluate, export.
        public var seconds: [String: Double]
        public var trainEventsPerSecond: Double
    }

    static func since(_ t: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - t
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// - Parameters:
    ///   - memoryBudget: bytes of training rows kept in memory across epochs; beyond it epochs re-read the files.
    ///   - labels: class names for the model folder (`background`, `signal` for binary by default).
    public static func run(params: TrainingParams, specs: Specs, network spec: NetworkSpec, output: String, name: String,
                           labels: [String]? = nil, memoryBudget: Int = 1 << 30, log: (String) -> Void) async throws -> Result {
        var specs = specs
        let dataset = try TrainingDataset(params: params, specs: specs)
        specs.features = dataset.layout.featureNames
        let fm = FileManager.default
        let report = output + "/report", folder = output + "/repository/" + name
        try fm.createDirectory(atPath: report, withIntermediateDirectories: true)
        var seconds: [String: Double] = [:]

        var t = ContinuousClock.now
        let estimate = Int(Double(specs.events["total"] ?? 0) * params.split.train) * dataset.layout.width * 4 * (spec.maskFeatures ? 2 : 1)
        // Validation: a bounded sample (InMemoryData.heldOutRows) for early stopping; test rows are streamed after
        // training (only their outputs, labels and weights are kept), so memory does not grow with held-out data.
        let validation: InMemoryData, cached: InMemoryData?
        if estimate <= memoryBudget {
            // One pass over the files gives the training rows and the validation sample.
            (cached, validation) = try await InMemoryData.collectTraining(dataset.batches(split: nil), maskFeatures: spec.maskFeatures,
                                                                            seed: params.seed)
        } else {
            validation = try await InMemoryData.sample(dataset.batches(split: .validation), maskFeatures: spec.maskFeatures, seed: params.seed)
            cached = nil
        }
        seconds["data"] = since(t)
        log("data: \(cached?.rows ?? 0) train rows in memory\(cached == nil ? " (streamed each epoch)" : ""), \(validation.rows) validation "
            + "(kept for early stopping), \(dataset.summary.perSplit[.test] ?? 0) test (streamed), \(dataset.layout.width) features; "
            + "truncated events \(dataset.summary.truncatedEvents)")
        guard (cached?.rows ?? 1) > 0 else { throw TrainingError.configuration(file: "params", reason: "no training events (check cuts and split)") }

        t = ContinuousClock.now
        let inputWidth = dataset.layout.width * (spec.maskFeatures ? 2 : 1)
        var trainer = Trainer(spec: spec, inputWidth: inputWidth)
        let logPath = report + "/training.jsonl"
        fm.createFile(atPath: logPath, contents: nil)
        let logHandle = FileHandle(forWritingAtPath: logPath)
        defer { try? logHandle?.close() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let maskFeatures = spec.maskFeatures
        try await trainer.fit(train: {
            if let cached { return AsyncThrowingStream { $0.yield(cached); $0.finish() } }
            let stream = dataset.batches(split: .train)
            return AsyncThrowingStream { c in
                Task {
                    do {
                        for try await b in stream {
                            let input = Trainer.inputs(b, maskFeatures: maskFeatures)
                            c.yield(InMemoryData(x: input.x, y: b.labels, w: b.weights, rows: b.count, width: input.width))
                        }
                        c.finish()
                    } catch { c.finish(throwing: error) }
                }
            }
        }, validation: validation) { r in
            if let line = try? encoder.encode(r) { logHandle?.write(line + Data("\n".utf8)) }
            log(String(format: "epoch %3d  loss %.4f  val_loss %.4f  val_acc %.3f  val_auc %.3f  %.0f events/s", r.epoch, r.trainLoss,
                       r.validationLoss, r.validationAccuracy, r.validationAUC, r.eventsPerSecond))
        }
        seconds["train"] = since(t)

        t = ContinuousClock.now
        var testLogits: [Float] = [], testY: [Float] = [], testW: [Float] = []
        for try await b in dataset.batches(split: .test) {
            let input = Trainer.inputs(b, maskFeatures: maskFeatures)
            testLogits += trainer.logits(input.x, rows: b.count, width: input.width)
            testY += b.labels
            testW += b.weights
        }
        let test = InMemoryData(x: [], y: testY, w: testW, rows: testY.count, width: inputWidth)
        let eval = trainer.evaluate(logits: testLogits, labels: testY, weights: testW)
        let metrics = Metrics.compute(spec: spec, predictions: eval.predictions, labels: test.y, weights: test.w)
        try writeReport(report, spec: spec, history: trainer.history, metrics: metrics, loss: eval.loss, predictions: eval.predictions, test: test)
        try await writeTestArrays(report, params: params, specs: specs, predictions: eval.predictions, test: test)
        seconds["evaluate"] = since(t)

        t = ContinuousClock.now
        let onnx = try ONNXExporter.export(network: trainer.network, layout: dataset.layout, name: name)
        let classNames = labels ?? (spec.output == .sigmoid ? ["background", "signal"] : spec.output == .softmax ? (0..<spec.classes).map { "class\($0)" } : [])
        try? fm.removeItem(atPath: folder)
        try ModelFolder.write(to: folder, name: name, onnx: onnx, spec: spec, specs: specs, labels: classNames,
                              description: "hepml MLP \(spec.layers.map { "\($0.units)" }.joined(separator: "-")) on \(dataset.layout.width) features")
        seconds["export"] = since(t)
        let rate = trainer.history.map(\.eventsPerSecond).reduce(0, +) / Double(max(1, trainer.history.count))
        return Result(network: trainer.network, layout: dataset.layout, history: trainer.history, testMetrics: metrics, testLoss: eval.loss,
                      testRows: test.rows, modelFolder: folder, reportFolder: report, seconds: seconds, trainEventsPerSecond: rate)
    }

    /// `test_scores.npy`, `test_labels.npy`, `test_weights.npy` and `test_features_raw.npy` (raw values, NaN for
    /// padding: what the exported model takes) so the results can be checked with other tools.
    static func writeTestArrays(_ dir: String, params: TrainingParams, specs: Specs, predictions: [Float], test: InMemoryData) async throws {
        var raw = params
        raw.normalization = NormalizationPlan(defaultMethod: .none)
        raw.padValue = .nan
        let c = test.rows > 0 ? predictions.count / test.rows : 1
        for (name, values, shape) in [("test_scores", predictions, c == 1 ? [] : [c]), ("test_labels", test.y, []), ("test_weights", test.w, [])]
            as [(String, [Float], [Int])] {
            let w = try NPYWriter(path: "\(dir)/\(name).npy", descr: "<f4", rowShape: shape)
            try w.append(values, rows: test.rows)
            try w.finish()
        }
        let rawDataset = try TrainingDataset(params: raw, specs: specs)
        let w = try NPYWriter(path: "\(dir)/test_features_raw.npy", descr: "<f4", rowShape: [rawDataset.layout.width])
        for try await b in rawDataset.batches(split: .test) { try w.append(b.features, rows: b.count) }
        try w.finish()
    }

    static func writeReport(_ dir: String, spec: NetworkSpec, history: [EpochRecord], metrics: Metrics, loss: Double, predictions: [Float],
                            test: InMemoryData) throws {
        let epochs = history.map { Double($0.epoch) }
        try SVGPlot.lines(title: "Loss per epoch", xlabel: "epoch", ylabel: "loss",
                          series: [("train", epochs, history.map(\.trainLoss)), ("validation", epochs, history.map(\.validationLoss))])
            .write(toFile: dir + "/loss.svg", atomically: true, encoding: .utf8)
        if !metrics.rocs.isEmpty {
            let series = metrics.rocs.enumerated().map { k, r in
                (metrics.rocs.count == 1 ? String(format: "AUC %.3f", r.auc) : String(format: "class %d AUC %.3f", k, r.auc), r.fpr, r.tpr)
            }
            try SVGPlot.lines(title: "ROC (test split)", xlabel: "false positive rate", ylabel: "true positive rate", series: series, diagonal: true)
                .write(toFile: dir + "/roc.svg", atomically: true, encoding: .utf8)
            let c = spec.output == .softmax ? spec.classes : 1
            let classes = (0..<max(2, c)).map { k in
                (name: "label \(k)", values: (0..<test.rows).filter { Int(test.y[$0]) == k }.map { predictions[$0 * c + (c == 1 ? 0 : k)] })
            }
            try SVGPlot.histograms(title: "Scores per class (test split)", xlabel: "score", classes: classes)
                .write(toFile: dir + "/scores.svg", atomically: true, encoding: .utf8)
        }
        var json: [String: Any] = ["test_loss": loss, "test_rows": test.rows, "epochs": history.count]
        if !metrics.accuracy.isNaN { json["test_accuracy"] = metrics.accuracy }
        if !metrics.auc.isNaN { json["test_auc"] = metrics.auc }
        json["roc"] = metrics.rocs.map { ["auc": $0.auc.isNaN ? 0 : $0.auc, "fpr": $0.fpr, "tpr": $0.tpr] }
        json["history"] = history.map { ["epoch": $0.epoch, "train_loss": $0.trainLoss, "validation_loss": $0.validationLoss.isNaN ? 0 : $0.validationLoss] }
        try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: dir + "/metrics.json"))
    }
}
