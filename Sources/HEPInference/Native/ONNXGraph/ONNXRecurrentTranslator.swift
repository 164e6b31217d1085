/// ONNX LSTM and GRU nodes as one native recurrent op (`NativeRecurrent` follows ONNX's conventions, so the
/// weights are used as stored).
enum ONNXRecurrentTranslator {
    static func translate(_ n: Onnx_NodeProto, name: String, a: ONNXAttributes, into b: NativeGraphBuilder) throws {
        func invalid(_ reason: String) -> NativeEngineError { .invalidNode(node: name, reason: reason) }
        let isLSTM = n.opType == "LSTM"
        guard let hidden = a.int("hidden_size"), hidden > 0, hidden < 1 << 20 else { throw invalid("hidden_size missing or out of range") }
        guard let direction = NativeRecurrent.Direction(rawValue: a.string("direction") ?? "forward") else {
            throw invalid("direction \(a.string("direction") ?? "")")
        }
        guard a.float("clip") == nil else { throw invalid("cell clipping is not supported") }
        guard (a.int("input_forget") ?? 0) == 0 else { throw invalid("input_forget=1 is not supported") }
        guard n.input.count < 8 || n.input[7].isEmpty else { throw invalid("peephole weights (P) are not supported") }
        let layout = a.int("layout") ?? 0
        guard layout == 0 || layout == 1 else { throw invalid("layout \(layout)") }
        let perDirection = isLSTM ? 3 : 2
        let names = try n.attribute.first { $0.name == "activations" }.map { try strings($0, name) } ?? (isLSTM ? ["Sigmoid", "Tanh", "Tanh"] : ["Sigmoid", "Tanh"])
        guard names.count == perDirection * (direction == .bidirectional ? 2 : 1),
              direction != .bidirectional || Array(names.prefix(perDirection)) == Array(names.suffix(perDirection)) else {
            throw invalid("activations \(names) (directions with different activations are not supported)")
        }
        // activation_alpha/beta are consumed in order by the activations that take them (here HardSigmoid);
        // a missing value takes the ONNX operator's default.
        var alphas = (a.floats("activation_alpha") ?? [])[...], betas = (a.floats("activation_beta") ?? [])[...]
        var acts = [NativeActivation]()
        for s in names.prefix(perDirection) {
            if s == "HardSigmoid" {
                acts.append(.hardSigmoid(alpha: alphas.popFirst() ?? 0.2, beta: betas.popFirst() ?? 0.5))
                continue
            }
            guard let f = ONNXOpTranslator.unary[s], [.sigmoid, .tanh, .relu].contains(f) || s == "Softplus" else {
                throw invalid("activation \(s) is not supported")
            }
            acts.append(f)
        }
        let cell: NativeRecurrent.Cell = isLSTM ? .lstm : .gru(linearBeforeReset: (a.int("linear_before_reset") ?? 0) != 0)
        let op = NativeRecurrent(cell: cell, hiddenSize: hidden, direction: direction, batchMajor: layout == 1,
                                 gateActivation: acts[0], candidateActivation: acts[1], outputActivation: isLSTM ? acts[2] : .tanh,
                                 zeroSkippedOutputs: true)
        guard n.input.count >= 3, !n.input[0].isEmpty, !n.input[1].isEmpty, !n.input[2].isEmpty else {
            throw invalid("needs inputs X, W and R")
        }
        let absent = "\(name)/absent"
        if !b.hasValue(absent) { b.addConstant(absent, NativeTensor(shape: [0], floats: [])) }
        let inputs = (0..<(isLSTM ? 7 : 6)).map { i in i < n.input.count && !n.input[i].isEmpty ? n.input[i] : absent }
        let outputs = (0..<(isLSTM ? 3 : 2)).map { i in i < n.output.count && !n.output[i].isEmpty ? n.output[i] : "\(name)/unused_\(i)" }
        b.addNode(name: name, op: .recurrent(op), inputs: inputs, outputs: outputs)
    }

    /// An attribute's `strings` (field 9; the project's ONNX subset proto leaves it among the unknown fields).
    static func strings(_ attr: Onnx_AttributeProto, _ node: String) throws -> [String] {
        let bytes = [UInt8](attr.unknownFields.data)
        var out = [String]()
        var i = 0
        func varint() throws -> Int {
            var v = 0, shift = 0
            while i < bytes.count, shift < 63 {
                let byte = bytes[i]
                i += 1
                v |= Int(byte & 0x7F) << shift
                if byte < 0x80 { return v }
                shift += 7
            }
            throw NativeEngineError.invalidNode(node: node, reason: "malformed attribute '\(attr.name)'")
        }
        while i < bytes.count {
            let key = try varint()
            switch key & 7 {
            case 0: _ = try varint()
            case 1: i += 8
            case 5: i += 4
            case 2:
                let length = try varint()
                guard length >= 0, length <= bytes.count - i else {
                    throw NativeEngineError.invalidNode(node: node, reason: "malformed attribute '\(attr.name)'")
                }
                if key >> 3 == 9 { out.append(String(decoding: bytes[i..<(i + length)], as: UTF8.self)) }
                i += length
            default:
                throw NativeEngineError.invalidNode(node: node, reason: "malformed attribute '\(attr.name)'")
            }
        }
        return out
    }
}
