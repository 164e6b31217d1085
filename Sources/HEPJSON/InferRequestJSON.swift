/// A KServe v2 / Triton inference request read in one pass: each input's `data` goes straight into a typed
/// little-endian buffer (memory ≈ the tensors' size, no document tree). When `data` comes before its input's
/// `datatype` or `shape`, its span is checked and read again once both are known.
public struct InferRequestJSON: Sendable {
    public struct Input: Sendable {
        public var name: String
        public var datatype: JSONTensorDataType
        public var shape: [Int]
        /// Element count (product of `shape`).
        public var count: Int
        /// The values, little-endian (BYTES: 4-byte length + bytes per element); nil for a binary input.
        public var data: [UInt8]?
        /// `parameters.binary_data_size`: the input's bytes follow the JSON header.
        public var binaryDataSize: Int?
    }

    public struct Output: Sendable {
        public var name: String
        /// `parameters.binary_data`.
        public var binaryData: Bool?
    }

    public var id: String?
    public var inputs: [Input]
    public var outputs: [Output]?
    /// Request-level `parameters.binary_data_output`.
    public var binaryDataOutput: Bool

    /// Nesting limit for requests (tensors of rank up to ~60 plus the envelope).
    public static let maxDepth = 64

    /// Parses a request header. `reserve(n)` is called before `n` bytes of tensor data are allocated and may
    /// throw to refuse them. Errors: `JSONParseError` (syntax) or `JSONRequestError` (content).
    public static func parse(_ bytes: UnsafeRawBufferPointer, reserve: (Int) throws -> Void = { _ in }) throws -> InferRequestJSON {
        var s = JSONScanner(bytes, maxDepth: maxDepth)
        var request = InferRequestJSON(id: nil, inputs: [], outputs: nil, binaryDataOutput: false)
        var seen = Set<String>()
        guard try s.peek() == UInt8(ascii: "{") else { throw JSONRequestError("the inference request must be a JSON object") }
        if try s.beginObject(depth: 0) {
            repeat {
                let key = try s.key()
                guard seen.insert(key).inserted else { throw JSONRequestError("duplicate member '\(key)' in the request") }
                switch key {
                case "id": request.id = try s.requestID()
                case "inputs":
                    guard try s.peek() == UInt8(ascii: "[") else { throw JSONRequestError("'inputs' must be an array") }
                    var names = Set<String>()
                    if try s.beginArray(depth: 1) {
                        repeat {
                            let input = try s.input(depth: 2, reserve: reserve)
                            guard names.insert(input.name).inserted else {
                                throw JSONRequestError("duplicate input name '\(input.name)'")
                            }
                            request.inputs.append(input)
                        } while try s.commaOr(UInt8(ascii: "]"))
                    }
                case "outputs":
                    guard try s.peek() == UInt8(ascii: "[") else { throw JSONRequestError("'outputs' must be an array") }
                    var outputs: [Output] = []
                    if try s.beginArray(depth: 1) {
                        repeat { outputs.append(try s.output(depth: 2)) } while try s.commaOr(UInt8(ascii: "]"))
                    }
                    request.outputs = outputs
                case "parameters":
                    request.binaryDataOutput = try s.parameter("binary_data_output", depth: 1)?.boolValue ?? false
                default: try s.skipValue(depth: 1)
                }
            } while try s.commaOr(UInt8(ascii: "}"))
        }
        try s.finish()
        guard !request.inputs.isEmpty else { throw JSONRequestError("the request needs a non-empty 'inputs' array") }
        return request
    }
}

extension JSONScanner {
    /// `id`: a string, or a number written as an integer when it is one.
    mutating func requestID() throws -> String {
        switch try peek() {
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "-"), 0x30...0x39:
            let n = try number()
            if let v = n.int64(in: bytes), abs(Double(v)) < 1e15 { return String(v) }
            return "\(n.double(in: bytes))"
        default:
            try skipValue(depth: 1)
            return ""
        }
    }

    /// Reads a `parameters` object and returns the member `name` (small values only; others are skipped).
    mutating func parameter(_ name: String, depth: Int) throws -> JSONValue? {
        guard try peek() == UInt8(ascii: "{") else { throw JSONRequestError("'parameters' must be an object") }
        var found: JSONValue?
        if try beginObject(depth: depth) {
            repeat {
                if try key() == name {
                    guard found == nil else { throw JSONRequestError("duplicate parameter '\(name)'") }
                    let c = try peek()
                    guard c != UInt8(ascii: "["), c != UInt8(ascii: "{") else { throw JSONRequestError("parameter '\(name)' must be a scalar") }
                    found = try value(depth: depth + 1)
                } else {
                    try skipValue(depth: depth + 1)
                }
            } while try commaOr(UInt8(ascii: "}"))
        }
        return found
    }

    mutating func output(depth: Int) throws -> InferRequestJSON.Output {
        guard try peek() == UInt8(ascii: "{") else { throw JSONRequestError("each requested output must be an object") }
        var name: String?
        var binary: Bool?
        if try beginObject(depth: depth) {
            repeat {
                switch try key() {
                case "name":
                    guard try peek() == UInt8(ascii: "\"") else { throw JSONRequestError("an output 'name' must be a string") }
                    name = try string()
                case "parameters": binary = try parameter("binary_data", depth: depth + 1)?.boolValue
                default: try skipValue(depth: depth + 1)
                }
            } while try commaOr(UInt8(ascii: "}"))
        }
        guard let name else { throw JSONRequestError("a requested output has no 'name'") }
        return .init(name: name, binaryData: binary)
    }

    mutating func input(depth: Int, reserve: (Int) throws -> Void) throws -> InferRequestJSON.Input {
        guard try peek() == UInt8(ascii: "{") else { throw JSONRequestError("each input must be an object") }
        var name: String?
        var datatype: JSONTensorDataType?
        var shape: [Int]?
        var count = 0
        var data: [UInt8]?
        var deferredData: Int?
        var binarySize: Int?
        var seen = Set<String>()
        if try beginObject(depth: depth) {
            repeat {
                let key = try key()
                guard seen.insert(key).inserted else { throw JSONRequestError("duplicate member '\(key)' in an input") }
                let label = name ?? "#\(seen.count)"
                switch key {
                case "name":
                    guard try peek() == UInt8(ascii: "\"") else { throw JSONRequestError("an input 'name' must be a string") }
                    name = try string()
                case "datatype":
                    guard try peek() == UInt8(ascii: "\""), let t = JSONTensorDataType(name: try string()) else {
                        throw JSONRequestError("input '\(label)': missing or unknown 'datatype'")
                    }
                    datatype = t
                case "shape":
                    (shape, count) = try tensorShape(name: label, depth: depth + 1)
                case "data":
                    if let datatype, let shape {
                        _ = shape
                        data = try tensorData(type: datatype, count: count, name: label, depth: depth + 1, reserve: reserve)
                    } else {
                        deferredData = i
                        try skipValue(depth: depth + 1)
                    }
                case "parameters":
                    if let v = try parameter("binary_data_size", depth: depth + 1) {
                        guard let n = v.intValue, n >= 0 else {
                            throw JSONRequestError("input '\(label)': binary_data_size must be a non-negative integer")
                        }
                        binarySize = n
                    }
                default: try skipValue(depth: depth + 1)
                }
            } while try commaOr(UInt8(ascii: "}"))
        }
        guard let name else { throw JSONRequestError("an input has no 'name'") }
        guard let datatype else { throw JSONRequestError("input '\(name)': missing or unknown 'datatype'") }
        guard let shape else { throw JSONRequestError("input '\(name)': 'shape' must be a list of non-negative integers") }
        if let start = deferredData {
            var again = JSONScanner(bytes, from: start, maxDepth: maxDepth)
            data = try again.tensorData(type: datatype, count: count, name: name, depth: depth + 1, reserve: reserve)
        }
        if binarySize != nil, data != nil {
            throw JSONRequestError("input '\(name)' has both 'data' and binary_data_size")
        }
        if binarySize == nil, data == nil {
            throw JSONRequestError("input '\(name)' has neither 'data' nor binary_data_size")
        }
        return .init(name: name, datatype: datatype, shape: shape, count: count, data: data, binaryDataSize: binarySize)
    }

    /// A shape: non-negative integers whose product (and byte size at 8 bytes per element) fits in an Int.
    mutating func tensorShape(name: String, depth: Int) throws -> ([Int], Int) {
        let bad = JSONRequestError("input '\(name)': 'shape' must be a list of non-negative integers")
        guard try peek() == UInt8(ascii: "[") else { throw bad }
        var dims: [Int] = []
        if try beginArray(depth: depth) {
            repeat {
                let c = try peek()
                guard c == UInt8(ascii: "-") || isDigit(c), let v = try number().int64(in: bytes), v >= 0 else { throw bad }
                guard dims.count < 64 else { throw JSONRequestError("input '\(name)': shape has more than 64 dimensions") }
                dims.append(Int(v))
            } while try commaOr(UInt8(ascii: "]"))
        }
        var product = 1
        for d in dims + [8] {
            let (p, overflow) = product.multipliedReportingOverflow(by: d)
            guard !overflow else { throw JSONRequestError("input '\(name)': shape \(dims) is too large") }
            product = p
        }
        return (dims, product / 8)
    }
}
