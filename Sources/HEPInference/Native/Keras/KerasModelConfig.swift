import Foundation

/// The layer graph of a Keras model config (`config.json` of a `.keras` file, `model_config` of a legacy `.h5`):
/// Sequential or Functional, in Keras 3's form (`inbound_nodes` with `args` holding `__keras_tensor__` entries
/// and `batch_shape`) or Keras 2's (`inbound_nodes` as lists of `[layer, node, tensor, kwargs]`,
/// `batch_input_shape`).
struct KerasModelConfig {
    /// One output tensor of a layer call: (layer name, call index, output index).
    struct TensorRef: Hashable {
        var layer: String
        var node: Int
        var tensor: Int
    }

    struct Layer {
        var className: String
        var name: String
        var config: [String: Any]
        /// Per call of the layer, the tensors it reads.
        var calls: [[TensorRef]]
    }

    var name: String
    var className: String
    var layers: [Layer]
    /// Input layers with their batch shapes (-1: any size).
    var inputs: [(name: String, shape: [Int])]
    var outputs: [TensorRef]

    init(json: Any, file: String) throws {
        func bad(_ why: String) -> NativeEngineError { .malformedModel("\(file): Keras model config: \(why)") }
        guard let top = json as? [String: Any], let className = top["class_name"] as? String,
              let config = top["config"] as? [String: Any], let rawLayers = config["layers"] as? [[String: Any]] else {
            throw bad("expected {class_name, config: {layers}}")
        }
        self.className = className
        name = config["name"] as? String ?? "model"
        var parsed = [Layer]()
        for l in rawLayers {
            guard let cls = l["class_name"] as? String, let c = l["config"] as? [String: Any] else { throw bad("a layer without class_name/config") }
            guard let layerName = c["name"] as? String ?? l["name"] as? String else { throw bad("a \(cls) layer without a name") }
            let calls = (l["inbound_nodes"] as? [Any] ?? []).map { Self.tensors(in: $0) }
            parsed.append(Layer(className: cls, name: layerName, config: c, calls: calls))
        }
        inputs = []
        outputs = []
        layers = []
        switch className {
        case "Sequential":
            var previous: TensorRef?
            for var l in parsed {
                if l.className == "InputLayer" {
                    guard previous == nil else { throw bad("an InputLayer after other layers") }
                    inputs.append((l.name, try Self.batchShape(l.config, layer: l.name, file: file)))
                    previous = TensorRef(layer: l.name, node: 0, tensor: 0)
                    continue
                }
                let source: TensorRef
                if let previous {
                    source = previous
                } else {
                    // Keras 2: the first layer carries the input shape.
                    let inputName = "\(l.name)_input"
                    inputs.append((inputName, try Self.batchShape(l.config, layer: l.name, file: file)))
                    source = TensorRef(layer: inputName, node: 0, tensor: 0)
                }
                l.calls = [[source]]
                layers.append(l)
                previous = TensorRef(layer: l.name, node: 0, tensor: 0)
            }
            guard let last = previous else { throw bad("an empty Sequential model") }
            outputs = [last]
        case "Functional", "Model":
            for l in parsed {
                if l.className == "InputLayer" {
                    inputs.append((l.name, try Self.batchShape(l.config, layer: l.name, file: file)))
                } else {
                    layers.append(l)
                }
            }
            let declared = Self.refs(config["input_layers"])
            if !declared.isEmpty {
                inputs = try declared.map { r in
                    guard let i = inputs.first(where: { $0.name == r.layer }) else { throw bad("input layer '\(r.layer)' is not defined") }
                    return i
                }
            }
            outputs = Self.refs(config["output_layers"])
            guard !outputs.isEmpty else { throw bad("no output_layers") }
        default:
            throw NativeEngineError.unsupportedOp(op: "Keras model class \(className)", node: name)
        }
        guard !inputs.isEmpty else { throw bad("no input layer") }
    }

    /// `[name, node, tensor]` or a list of them.
    static func refs(_ v: Any?) -> [TensorRef] {
        guard let list = v as? [Any] else { return [] }
        if let one = ref(list) { return [one] }
        return list.compactMap { ($0 as? [Any]).flatMap(ref) }
    }

    private static func ref(_ v: [Any]) -> TensorRef? {
        guard v.count >= 3, let name = v[0] as? String, let n = (v[1] as? NSNumber)?.intValue, let t = (v[2] as? NSNumber)?.intValue else { return nil }
        return TensorRef(layer: name, node: n, tensor: t)
    }

    /// The Keras tensors one inbound node reads, in order (Keras 3 `args` dictionaries or Keras 2 lists).
    static func tensors(in node: Any) -> [TensorRef] {
        if let d = node as? [String: Any] {
            if d["class_name"] as? String == "__keras_tensor__", let c = d["config"] as? [String: Any],
               let h = c["keras_history"] as? [Any], let r = ref(h) {
                return [r]
            }
            return tensors(in: d["args"] ?? [])
        }
        if let list = node as? [Any] {
            if let r = ref(list), list.count <= 4 { return [r] }
            return list.flatMap { tensors(in: $0) }
        }
        return []
    }

    static func batchShape(_ c: [String: Any], layer: String, file: String) throws -> [Int] {
        guard let shape = (c["batch_shape"] ?? c["batch_input_shape"]) as? [Any] else {
            throw NativeEngineError.malformedModel("\(file): Keras layer '\(layer)' gives no input shape")
        }
        return shape.map { ($0 as? NSNumber)?.intValue ?? -1 }
    }
}
