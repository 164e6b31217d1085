import Foundation
import HEPInference

/// Converts between the gRPC inference messages and hepml tensors: inputs from `raw_input_contents` (one
/// entry per input, in order) or from typed `contents`; outputs always as `raw_output_contents`, as Triton
/// answers (tritonclient reads outputs only from there).
enum GRPCTensorCoding {
    /// The request's input tensors. `reserve` is told each tensor's size before it is built (the server's
    /// in-flight memory budget).
    static func inputs(of request: Inference_ModelInferRequest, reserve: (Int) throws -> Void = { _ in }) throws -> [Tensor] {
        let raw = request.rawInputContents
        guard raw.isEmpty || raw.count == request.inputs.count else {
            throw InferenceError.invalidInput(
                "expected \(request.inputs.count) raw_input_contents (one per input), got \(raw.count)")
        }
        var tensors: [Tensor] = []
        tensors.reserveCapacity(request.inputs.count)
        for (k, input) in request.inputs.enumerated() {
            guard let datatype = TensorDataType(rawValue: input.datatype) else {
                throw InferenceError.invalidInput("input '\(input.name)': unknown datatype '\(input.datatype.prefix(32))'")
            }
            let shape = try self.shape(input.shape, what: "input '\(input.name)'")
            let count = try elementCount(shape, what: "input '\(input.name)'")
            let data: [UInt8]
            if !raw.isEmpty {
                guard !input.hasContents else {
                    throw InferenceError.invalidInput("input '\(input.name)': contents and raw_input_contents cannot be used together")
                }
                try reserve(raw[k].count)
                data = [UInt8](raw[k])
            } else {
                data = try typedData(input.contents, datatype: datatype, count: count, name: input.name, reserve: reserve)
            }
            if datatype != .BYTES, data.count != count * datatype.byteSize {
                throw InferenceError.invalidInput(
                    "input '\(input.name)': \(data.count) bytes for shape \(shape) of \(datatype.rawValue) (\(count * datatype.byteSize) expected)")
            }
            tensors.append(Tensor(name: input.name, datatype: datatype, shape: shape, data: data))
        }
        return tensors
    }

    /// The response: output metadata plus one raw entry per output.
    static func response(model: LoadedModel, id: String, outputs: [Tensor]) -> Inference_ModelInferResponse {
        var r = Inference_ModelInferResponse()
        r.modelName = model.name
        r.modelVersion = String(model.version)
        r.id = id
        r.outputs = outputs.map { t in
            var o = Inference_ModelInferResponse.InferOutputTensor()
            o.name = t.name
            o.datatype = t.datatype.rawValue
            o.shape = t.shape.map(Int64.init)
            return o
        }
        r.rawOutputContents = outputs.map { Data($0.data) }
        return r
    }

    static func shape(_ dims: [Int64], what: String) throws -> [Int] {
        guard dims.allSatisfy({ $0 >= 0 && $0 <= Int64(Int32.max) }) else {
            throw InferenceError.invalidInput("\(what): shape \(dims) has a negative or too large dimension")
        }
        return dims.map { Int($0) }
    }

    static func elementCount(_ shape: [Int], what: String) throws -> Int {
        var n = 1
        for d in shape {
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow, p <= Int(Int32.max) else {
                throw InferenceError.invalidInput("\(what): shape \(shape) has too many elements")
            }
            n = p
        }
        return n
    }

    /// Little-endian bytes of typed `contents`, checked against the element count and the type's range.
    static func typedData(_ c: Inference_InferTensorContents, datatype: TensorDataType, count: Int, name: String,
                          reserve: (Int) throws -> Void) throws -> [UInt8] {
        func check(_ n: Int, _ field: String) throws {
            guard n == count else {
                throw InferenceError.invalidInput("input '\(name)': \(n) values in \(field), the shape needs \(count)")
            }
            try reserve(count * max(1, datatype.byteSize))
        }
        func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
        func narrowed<T: FixedWidthInteger, S: BinaryInteger>(_ values: [S], _: T.Type) throws -> [UInt8] {
            var out = [T]()
            out.reserveCapacity(values.count)
            for v in values {
                guard let x = T(exactly: v) else {
                    throw InferenceError.invalidInput("input '\(name)': \(v) is not a valid \(datatype.rawValue)")
                }
                out.append(x)
            }
            return bytes(out)
        }
        switch datatype {
        case .BOOL:
            try check(c.boolContents.count, "bool_contents")
            return c.boolContents.map { $0 ? 1 : 0 }
        case .INT8:
            try check(c.intContents.count, "int_contents")
            return try narrowed(c.intContents, Int8.self)
        case .INT16:
            try check(c.intContents.count, "int_contents")
            return try narrowed(c.intContents, Int16.self)
        case .INT32:
            try check(c.intContents.count, "int_contents")
            return bytes(c.intContents)
        case .INT64:
            try check(c.int64Contents.count, "int64_contents")
            return bytes(c.int64Contents)
        case .UINT8:
            try check(c.uintContents.count, "uint_contents")
            return try narrowed(c.uintContents, UInt8.self)
        case .UINT16:
            try check(c.uintContents.count, "uint_contents")
            return try narrowed(c.uintContents, UInt16.self)
        case .UINT32:
            try check(c.uintContents.count, "uint_contents")
            return bytes(c.uintContents)
        case .UINT64:
            try check(c.uint64Contents.count, "uint64_contents")
            return bytes(c.uint64Contents)
        case .FP32:
            try check(c.fp32Contents.count, "fp32_contents")
            return bytes(c.fp32Contents)
        case .FP64:
            try check(c.fp64Contents.count, "fp64_contents")
            return bytes(c.fp64Contents)
        case .FP16:
            throw InferenceError.invalidInput("input '\(name)': FP16 data must be sent in raw_input_contents")
        case .BYTES:
            try check(c.bytesContents.count, "bytes_contents")
            var out = [UInt8]()
            for element in c.bytesContents {
                withUnsafeBytes(of: UInt32(element.count).littleEndian) { out.append(contentsOf: $0) }
                out.append(contentsOf: element)
            }
            return out
        }
    }
}
