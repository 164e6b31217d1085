import Foundation

/// Activation functions of dense layers.
public enum Activation: String, Sendable, Codable {
    case relu, tanh, sigmoid, leaky_relu, linear
}

/// The model file of `hepml train` (JSON or YAML): a fully connected network and how to train it.
public struct NetworkSpec: Sendable, Equatable {
    public struct Layer: Sendable, Equatable {
        public var units: Int
        public var activation: Activation
        public var dropout: Float
        public init(units: Int, activation: Activation = .relu, dropout: Float = 0) {
            self.units = units
            self.activation = activation
            self.dropout = dropout
        }
    }
    /// `sigmoid` (binary), `softmax` (classes) or `linear` (regression).
    public enum Output: String, Sendable { case sigmoid, softmax, linear }
    public enum Loss: String, Sendable { case bce, cross_entropy, mse }
    public enum Optimizer: String, Sendable { case adam, sgd }

    public var layers: [Layer]
    public var output: Output = .sigmoid
    public var classes = 2
    public var loss: Loss = .bce
    public var optimizer: Optimizer = .adam
    public var learningRate: Float = 1e-3
    public var weightDecay: Float = 0
    public var momentum: Float = 0.9
    public var epochs = 10
    public var batchSize = 256
    /// Epochs without validation-loss improvement before stopping (0: never stop early).
    public var patience = 0
    public var seed: UInt64 = 1
    /// Append the padding mask to the features.
    public var maskFeatures = false

    public init(layers: [Layer]) { self.layers = layers }

    /// Output units: 1 for sigmoid and linear, `classes` for softmax.
    public var outputUnits: Int { output == .softmax ? classes : 1 }

    static let keys: Set<String> = ["layers", "output", "classes", "loss", "optimizer", "learning_rate", "weight_decay", "momentum",
                                    "epochs", "batch_size", "patience", "seed", "mask_features"]

    public static func load(path: String) throws -> NetworkSpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainingError.configuration(file: path, reason: "cannot read the model file")
        }
        return try parse(text: String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses the text of a JSON or YAML model file; `file` names it in errors.
    public static func parse(text: String, file: String) throws -> NetworkSpec {
        guard let d = try YAMLText.load(text, file: file) as? [String: Any] else {
            throw TrainingError.configuration(file: file, reason: "not a JSON or YAML mapping")
        }
        return try parse(d, file: file)
    }

    public static func parse(_ d: [String: Any], file: String) throws -> NetworkSpec {
        func bad(_ r: String) -> TrainingError { .configuration(file: file, reason: r) }
        if let k = d.keys.filter({ !keys.contains($0) }).sorted().first { throw bad("unknown key '\(k)' (known: \(keys.sorted().joined(separator: ", ")))") }
        func num(_ k: String) throws -> Double? {
            guard let v = d[k] else { return nil }
            if let i = v as? Int { return Double(i) }
            if let x = v as? Double { return x }
            throw bad("'\(k)' must be a number")
        }
        guard let list = d["layers"] as? [Any] else { throw bad("'layers' must be a list of {units, activation, dropout}") }
        var spec = NetworkSpec(layers: try list.map { item in
            guard let m = item as? [String: Any], let units = m["units"] as? Int, units > 0 else { throw bad("each layer needs positive 'units'") }
            if let k = m.keys.first(where: { !["units", "activation", "dropout"].contains($0) }) { throw bad("unknown layer key '\(k)'") }
            let act = try (m["activation"] as? String).map { s -> Activation in
                guard let a = Activation(rawValue: s) else { throw bad("activation '\(s)': relu, tanh, sigmoid, leaky_relu or linear") }
                return a
            } ?? .relu
            let dropout = (m["dropout"] as? Double) ?? Double(m["dropout"] as? Int ?? 0)
            guard dropout >= 0, dropout < 1 else { throw bad("dropout must be in [0, 1)") }
            return Layer(units: units, activation: act, dropout: Float(dropout))
        })
        if let o = d["output"] as? String {
            guard let v = Output(rawValue: o) else { throw bad("output must be sigmoid, softmax or linear") }
            spec.output = v
            spec.loss = v == .sigmoid ? .bce : (v == .softmax ? .cross_entropy : .mse)
        }
        if let l = d["loss"] as? String {
            guard let v = Loss(rawValue: l) else { throw bad("loss must be bce, cross_entropy or mse") }
            spec.loss = v
        }
        if let o = d["optimizer"] as? String {
            guard let v = Optimizer(rawValue: o) else { throw bad("optimizer must be adam or sgd") }
            spec.optimizer = v
        }
        if let c = try num("classes") { spec.classes = Int(c) }
        if let v = try num("learning_rate") { spec.learningRate = Float(v) }
        if let v = try num("weight_decay") { spec.weightDecay = Float(v) }
        if let v = try num("momentum") { spec.momentum = Float(v) }
        if let v = try num("epochs") { spec.epochs = Int(v) }
        if let v = try num("batch_size") { spec.batchSize = Int(v) }
        if let v = try num("patience") { spec.patience = Int(v) }
        if let v = try num("seed") { spec.seed = UInt64(v) }
        if let v = d["mask_features"] { guard let b = v as? Bool else { throw bad("mask_features must be true or false") }; spec.maskFeatures = b }
        let pairs: [(Output, Loss)] = [(.sigmoid, .bce), (.softmax, .cross_entropy), (.linear, .mse)]
        guard pairs.contains(where: { $0 == (spec.output, spec.loss) }) else { throw bad("output \(spec.output) goes with loss \(pairs.first { $0.0 == spec.output }!.1)") }
        guard spec.epochs > 0, spec.batchSize > 0, spec.learningRate > 0, spec.output != .softmax || spec.classes >= 2 else {
            throw bad("epochs, batch_size and learning_rate must be positive; softmax needs classes ≥ 2")
        }
        return spec
    }
}
