import Foundation
import HEPInference
import Testing
@testable import HEPTraining

@Suite(.serialized) struct TrainerTests {
    init() { setBLASThreads(1) }

    /// Analytic gradients of every layer type and loss agree with central finite differences.
    @Test(arguments: [(NetworkSpec.Output.sigmoid, Activation.tanh), (.softmax, .sigmoid), (.linear, .leaky_relu), (.sigmoid, .relu)])
    func gradientsMatchFiniteDifferences(output: NetworkSpec.Output, activation: Activation) {
        var spec = NetworkSpec(layers: [.init(units: 5, activation: activation), .init(units: 4, activation: .tanh)])
        spec.output = output
        spec.loss = output == .sigmoid ? .bce : (output == .softmax ? .cross_entropy : .mse)
        spec.classes = 3
        spec.seed = 11
        let net = DenseNetwork(spec: spec, inputWidth: 3)
        let batch = 4
        var rng = SeededGenerator(seed: 5)
        let x = (0..<(batch * 3)).map { _ in Float.random(in: -1..<1, using: &rng) }
        let y: [Float] = output == .softmax ? [0, 2, 1, 2] : (output == .linear ? [0.3, -1, 2, 0.5] : [1, 0, 1, 0])
        let w: [Float] = [1, 2, 0.5, 1]
        func loss(_ n: DenseNetwork) -> Double {
            var r = SeededGenerator(seed: 0)
            return LossFunction.evaluate(spec, logits: n.forward(x, batch: batch, rng: &r).output, labels: y, weights: w, batch: batch).loss
        }
        var r = SeededGenerator(seed: 0)
        let pass = net.forward(x, batch: batch, rng: &r)
        let grad = net.backward(pass, outputGradient: LossFunction.evaluate(spec, logits: pass.output, labels: y, weights: w, batch: batch).gradient, batch: batch)
        let eps: Float = 1e-2
        for (li, l) in net.layers.enumerated() {
            for k in stride(from: 0, to: l.weights.count, by: 3) {
                var plus = net, minus = net
                plus.layers[li].weights[k] += eps
                minus.layers[li].weights[k] -= eps
                let numeric = (loss(plus) - loss(minus)) / Double(2 * eps)
                #expect(abs(numeric - Double(grad[li].weights[k])) < 2e-3 + 2e-2 * abs(numeric), "layer \(li) w\(k) \(activation) \(output)")
            }
            for k in 0..<l.bias.count {
                var plus = net, minus = net
                plus.layers[li].bias[k] += eps
                minus.layers[li].bias[k] -= eps
                let numeric = (loss(plus) - loss(minus)) / Double(2 * eps)
                #expect(abs(numeric - Double(grad[li].bias[k])) < 2e-3 + 2e-2 * abs(numeric), "layer \(li) b\(k)")
            }
        }
    }

    static func separable(_ n: Int, seed: UInt64) -> InMemoryData {
        var rng = SeededGenerator(seed: seed)
        var x: [Float] = [], y: [Float] = []
        for _ in 0..<n {
            let a = Float.random(in: -1..<1, using: &rng), b = Float.random(in: -1..<1, using: &rng)
            x += [a, b, Float.random(in: -1..<1, using: &rng)]
            y.append(a * a + b * b < 0.5 ? 1 : 0)
        }
        return InMemoryData(x: x, y: y, w: [Float](repeating: 1, count: n), rows: n, width: 3)
    }

    static func train(_ spec: NetworkSpec, _ data: InMemoryData, _ val: InMemoryData) async throws -> Trainer {
        var t = Trainer(spec: spec, inputWidth: data.width)
        try await t.fit(train: { AsyncThrowingStream { $0.yield(data); $0.finish() } }, validation: val) { _ in }
        return t
    }

    @Test func learnsASeparableProblemAndIsDeterministic() async throws {
        var spec = NetworkSpec(layers: [.init(units: 16, activation: .relu), .init(units: 8, activation: .tanh)])
        spec.epochs = 60
        spec.batchSize = 64
        spec.learningRate = 1e-2
        let a = try await Self.train(spec, Self.separable(2000, seed: 1), Self.separable(500, seed: 2))
        let test = Self.separable(1000, seed: 3)
        #expect(a.evaluate(test).auc > 0.99)
        let b = try await Self.train(spec, Self.separable(2000, seed: 1), Self.separable(500, seed: 2))
        #expect(a.network.layers.map(\.weights) == b.network.layers.map(\.weights), "same seed, same weights")
    }

    @Test func learnsARegression() async throws {
        var rng = SeededGenerator(seed: 9)
        func data(_ n: Int) -> InMemoryData {
            var x: [Float] = [], y: [Float] = []
            for _ in 0..<n {
                let a = Float.random(in: -1..<1, using: &rng), b = Float.random(in: -1..<1, using: &rng)
                x += [a, b]
                y.append(2 * a - b + 0.5 * a * b)
            }
            return InMemoryData(x: x, y: y, w: [Float](repeating: 1, count: n), rows: n, width: 2)
        }
        var spec = NetworkSpec(layers: [.init(units: 32, activation: .tanh)])
        spec.output = .linear
        spec.loss = .mse
        spec.epochs = 80
        spec.batchSize = 32
        spec.learningRate = 1e-2
        let t = try await Self.train(spec, data(2000), data(200))
        #expect(t.evaluate(data(500)).loss < 0.01)
    }

    @Test func rocAUCMatchesDirectPairCounting() {
        var rng = SeededGenerator(seed: 4)
        let scores = (0..<300).map { _ in Float(Int.random(in: 0..<40, using: &rng)) / 40 }
        let positive = scores.map { Float.random(in: 0..<1, using: &rng) < $0 }
        var pairs = 0.0, wins = 0.0
        for i in scores.indices where positive[i] {
            for j in scores.indices where !positive[j] {
                pairs += 1
                wins += scores[i] > scores[j] ? 1 : (scores[i] == scores[j] ? 0.5 : 0)
            }
        }
        let roc = ROCCurve(scores: scores, positive: positive)
        #expect(abs(roc.auc - wins / pairs) < 1e-12)
        #expect(roc.fpr.first == 0 && roc.tpr.last == 1 && roc.fpr.last == 1)
    }

    /// The exported ONNX model (normalization in the graph, NaN = padding) gives the trainer's predictions
    /// through hepml's ONNX Runtime backend.
    @Test func exportedONNXEqualsTrainer() async throws {
        let file = TrainingFixtures.root("nanoAOD_2015_CMS_Open_Data_ttbar.root")
        var p = TrainingParams()
        p.files = [.init(path: file)]
        p.label = "MET_pt > 40"
        p.branches = ["nJet", "Jet_pt", "Jet_eta", "Muon_pt"]
        p.lengths = [("Jet_*", 4), ("Muon_*", 2)]
        p.normalization = NormalizationPlan(defaultMethod: .minmax, overrides: [("Jet_eta", .standard)])
        let specs = try await SpecsBuilder.build(files: [file], tree: "Events", branches: p.branches + ["MET_pt"], exclude: [],
                                                 transform: try EventTransform(defines: [], cuts: []), scan: nil)
        for maskFeatures in [false, true] {
            var spec = NetworkSpec(layers: [.init(units: 8, activation: .relu), .init(units: 4, activation: .leaky_relu)])
            spec.epochs = 3
            spec.maskFeatures = maskFeatures
            let dataset = try TrainingDataset(params: p, specs: specs)
            let data = try await InMemoryData.collect(dataset.batches(split: nil), maskFeatures: maskFeatures)
            var t = Trainer(spec: spec, inputWidth: data.width)
            try await t.fit(train: { AsyncThrowingStream { $0.yield(data); $0.finish() } }, validation: data) { _ in }
            let expected = t.network.predict(data.x, rows: data.rows)
            var rawParams = p
            rawParams.normalization = NormalizationPlan(defaultMethod: .none)
            rawParams.padValue = .nan
            let raw = try await InMemoryData.collect(TrainingDataset(params: rawParams, specs: specs).batches(split: nil), maskFeatures: false)
            let onnx = try ONNXExporter.export(network: t.network, layout: dataset.layout, name: "t")
            let env = try ORTEnvironment(library: try ORTLibrary(path: TrainingFixtures.packageRoot + "/" + ORTLibrary.defaultRelativePath))
            let session = try ORTSession(environment: env, modelBytes: onnx)
            let out = try session.infer([Tensor(name: "features", shape: [raw.rows, raw.width], values: raw.x)], outputs: nil)
            let probs = try #require(out.first?.values(Float.self))
            #expect(out.first?.shape == [raw.rows, 2])
            let diff = (0..<raw.rows).map { abs(probs[2 * $0 + 1] - expected[$0]) }.max() ?? 1
            #expect(diff < 1e-5, "mask features \(maskFeatures): max |diff| \(diff)")
        }
    }
}
