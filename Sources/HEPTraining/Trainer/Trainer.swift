import Foundation

/// Rows held in memory: features `[rows, width]`, labels, weights.
public struct InMemoryData: Sendable {
    public var x: [Float]
    public var y: [Float]
    public var w: [Float]
    public var rows: Int
    public var width: Int

    public init(x: [Float], y: [Float], w: [Float], rows: Int, width: Int) {
        self.x = x
        self.y = y
        self.w = w
        self.rows = rows
        self.width = width
    }

    /// Collects the rows of one pass and separates them by split (one read of the files for all three).
    public static func collectSplits(_ stream: AsyncThrowingStream<TrainingBatch, Error>, maskFeatures: Bool) async throws
        -> [DataSplit: InMemoryData]
    {
        var out: [DataSplit: InMemoryData] = [:]
        for s in DataSplit.allCases { out[s] = InMemoryData(x: [], y: [], w: [], rows: 0, width: 0) }
        for try await b in stream {
            let input = Trainer.inputs(b, maskFeatures: maskFeatures)
            for r in 0..<b.count {
                let s = DataSplit(rawValue: b.splits[r])!
                out[s]!.width = input.width
                out[s]!.x += input.x[(r * input.width)..<((r + 1) * input.width)]
                out[s]!.y.append(b.labels[r])
                out[s]!.w.append(b.weights[r])
                out[s]!.rows += 1
            }
        }
        return out
    }

    /// Collects batches (features, with the mask appended when `maskFeatures`).
    public static func collect(_ stream: AsyncThrowingStream<TrainingBatch, Error>, maskFeatures: Bool) async throws -> InMemoryData {
        var d = InMemoryData(x: [], y: [], w: [], rows: 0, width: 0)
        for try await b in stream {
            let input = Trainer.inputs(b, maskFeatures: maskFeatures)
            d.width = input.width
            d.x += input.x
            d.y += b.labels
            d.w += b.weights
            d.rows += b.count
        }
        return d
    }
}

/// One epoch's numbers (also written as a JSON line).
public struct EpochRecord: Codable, Sendable {
    public var epoch: Int
    public var trainLoss: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
    public var validationAUC: Double
    public var eventsPerSecond: Double
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case epoch, seconds
        case trainLoss = "train_loss", validationLoss = "validation_loss", validationAccuracy = "validation_accuracy"
        case validationAUC = "validation_auc", eventsPerSecond = "events_per_s"
    }
}

/// Mini-batch training of a `DenseNetwork` with early stopping on the validation loss (the best epoch's
/// weights are kept).
public struct Trainer {
    public let spec: NetworkSpec
    public private(set) var network: DenseNetwork
    public private(set) var history: [EpochRecord] = []

    public init(spec: NetworkSpec, inputWidth: Int) {
        self.spec = spec
        network = DenseNetwork(spec: spec, inputWidth: inputWidth)
    }

    /// Network inputs of a batch: features, or features followed by the mask.
    public static func inputs(_ b: TrainingBatch, maskFeatures: Bool) -> (x: [Float], width: Int) {
        guard maskFeatures else { return (b.features, b.width) }
        var x = [Float]()
        x.reserveCapacity(b.count * b.width * 2)
        for r in 0..<b.count {
            x += b.features[(r * b.width)..<((r + 1) * b.width)]
            x += b.mask[(r * b.width)..<((r + 1) * b.width)]
        }
        return (x, b.width * 2)
    }

    /// Trains for `spec.epochs` over `train` (re-read each epoch by calling it), validating on `validation`.
    public mutating func fit(train: () -> AsyncThrowingStream<InMemoryData, Error>, validation: InMemoryData,
                             onEpoch: (EpochRecord) -> Void) async throws {
        var optimizer = Optimizer(spec: spec, network: network)
        var rng = SeededGenerator(seed: spec.seed &+ 17)
        var best = (loss: Double.infinity, network: network)
        var sinceBest = 0
        for epoch in 1...spec.epochs {
            let start = ContinuousClock.now
            var lossSum = 0.0, weightSum = 0.0, events = 0
            for try await part in train() {
                var order = Array(0..<part.rows)
                order.shuffle(using: &rng)
                var s = 0
                while s < part.rows {
                    let n = min(spec.batchSize, part.rows - s)
                    var x = [Float](), y = [Float](), w = [Float]()
                    x.reserveCapacity(n * part.width)
                    for r in order[s..<(s + n)] {
                        x += part.x[(r * part.width)..<((r + 1) * part.width)]
                        y.append(part.y[r])
                        w.append(part.w[r])
                    }
                    let pass = network.forward(x, batch: n, training: true, rng: &rng)
                    let (loss, grad) = LossFunction.evaluate(spec, logits: pass.output, labels: y, weights: w, batch: n)
                    optimizer.apply(network.backward(pass, outputGradient: grad, batch: n), to: &network)
                    let bw = Double(w.reduce(0, +))
                    lossSum += loss * bw
                    weightSum += bw
                    events += n
                    s += n
                }
            }
            let val = evaluate(validation)
            let secs = Double((ContinuousClock.now - start).components.attoseconds) / 1e18 + Double((ContinuousClock.now - start).components.seconds)
            let record = EpochRecord(epoch: epoch, trainLoss: weightSum > 0 ? lossSum / weightSum : .nan, validationLoss: val.loss,
                                     validationAccuracy: val.accuracy, validationAUC: val.auc, eventsPerSecond: Double(events) / max(secs, 1e-9),
                                     seconds: secs)
            history.append(record)
            onEpoch(record)
            if validation.rows == 0 || val.loss < best.loss - 1e-12 {
                best = (validation.rows == 0 ? .infinity : val.loss, network)
                sinceBest = 0
            } else {
                sinceBest += 1
                if spec.patience > 0, sinceBest >= spec.patience { break }
            }
        }
        if validation.rows > 0 { network = best.network }
    }

    /// Loss, accuracy and AUC of the current network on `data`.
    public func evaluate(_ data: InMemoryData) -> (loss: Double, accuracy: Double, auc: Double, predictions: [Float]) {
        guard data.rows > 0 else { return (.nan, .nan, .nan, []) }
        return evaluate(logits: logits(data.x, rows: data.rows, width: data.width), labels: data.y, weights: data.w)
    }

    /// The network's outputs (before the final activation) for `rows` input rows, in slices of 4096 rows.
    public func logits(_ x: [Float], rows: Int, width: Int) -> [Float] {
        var rng = SeededGenerator(seed: 0)
        var logits: [Float] = []
        var s = 0
        while s < rows {
            let n = min(4096, rows - s)
            logits += network.forward(Array(x[(s * width)..<((s + n) * width)]), batch: n, rng: &rng).output
            s += n
        }
        return logits
    }

    /// Loss, accuracy and AUC from the logits of rows (collected batch by batch when the rows are streamed).
    public func evaluate(logits: [Float], labels: [Float], weights: [Float]) -> (loss: Double, accuracy: Double, auc: Double, predictions: [Float]) {
        let rows = labels.count
        guard rows > 0 else { return (.nan, .nan, .nan, []) }
        let loss = LossFunction.evaluate(spec, logits: logits, labels: labels, weights: weights, batch: rows).loss
        let p = network.predictions(logits: logits, batch: rows)
        let m = Metrics.compute(spec: spec, predictions: p, labels: labels, weights: weights)
        return (loss, m.accuracy, m.auc, p)
    }
}
