/// A Keras model's weights by layer name, in the order of the layer's `weights` (e.g. kernel, bias; for
/// recurrent layers kernel, recurrent kernel, bias):
/// - Keras 3 `model.weights.h5`: group `layers/<group>` per layer, whose `vars` group carries the layer name as
///   attribute `name` and holds datasets `0`, `1`, ...; wrapped layers keep theirs in sub-groups (`cell`, `layer`);
/// - legacy `.h5`: group `model_weights/<layer name>` with attribute `weight_names`, dataset paths inside it.
struct KerasWeights {
    private let file: HDF5File
    private let legacy: Bool
    /// Keras 3 files: layer name → its group path.
    private var groups = [String: String]()

    init(file: HDF5File, legacy: Bool, layerOrder: [(name: String, className: String)]) throws {
        self.file = file
        self.legacy = legacy
        guard !legacy else { return }
        let root = "layers"
        var byName = [String: String]()
        for child in file.children(root) {
            let path = "\(root)/\(child)"
            if let name = try file.strings("\(path)/vars", attribute: "name")?.first { byName[name] = path }
        }
        // Files without the name attribute: groups are the snake-case class names made unique, in layer order.
        var counts = [String: Int]()
        for (name, className) in layerOrder {
            if let g = byName[name] { groups[name] = g; continue }
            let base = Self.snakeCase(className)
            let k = counts[base, default: 0]
            counts[base] = k + 1
            groups[name] = "\(root)/\(k == 0 ? base : "\(base)_\(k)")"
        }
    }

    /// The weights of layer `name` (empty for layers without any).
    func weights(of name: String) throws -> [NativeTensor] {
        if legacy {
            let group = "model_weights/\(name)"
            guard let names = try file.strings(group, attribute: "weight_names") else { return [] }
            return try names.map { try file.floats("\(group)/\($0)") }
        }
        guard let group = groups[name], file.exists(group) else { return [] }
        return try collect(group)
    }

    /// `vars/0`, `vars/1`, ... of `group`, then those of its sub-groups in name order.
    private func collect(_ group: String) throws -> [NativeTensor] {
        var out = [NativeTensor]()
        let vars = file.children("\(group)/vars").compactMap { Int($0) }.sorted()
        for v in vars { out.append(try file.floats("\(group)/vars/\(v)")) }
        for child in file.children(group) where child != "vars" {
            out += try collect("\(group)/\(child)")
        }
        return out
    }

    /// "BatchNormalization" → "batch_normalization", "Conv2D" → "conv2d".
    static func snakeCase(_ s: String) -> String {
        var out = ""
        let chars = Array(s)
        for (i, c) in chars.enumerated() {
            if c.isUppercase, i > 0, chars[i - 1].isLowercase || (i + 1 < chars.count && chars[i + 1].isLowercase && chars[i - 1].isUppercase) {
                out.append("_")
            }
            out.append(contentsOf: c.lowercased())
        }
        return out
    }
}
