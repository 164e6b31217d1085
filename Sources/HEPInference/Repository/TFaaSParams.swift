import Foundation

/// A TFaaS `params.json`: model and labels file names, graph node names and image geometry.
/// Both the current snake_case node keys and the older `inputNode`/`outputNode` are read.
public struct TFaaSParams: Codable, Sendable, Equatable {
    public var name: String
    public var model: String
    public var labels: String?
    public var description: String?
    public var inputNode: String?
    public var outputNode: String?
    public var inputName: String?
    public var outputName: String?
    public var imgHeight: Int?
    public var imgWidth: Int?
    public var imgChannels: Int?
    public var op: String?
    public var options: [String]?
    public var timestamp: String?

    enum CodingKeys: String, CodingKey {
        case name, model, labels, description, op, options, timestamp
        case inputNode = "input_node", outputNode = "output_node", inputName = "input_name", outputName = "output_name"
        case imgHeight = "img_height", imgWidth = "img_width", imgChannels = "img_channels"
        case legacyInputNode = "inputNode", legacyOutputNode = "outputNode"
    }

    public init(name: String, model: String, labels: String? = nil, description: String? = nil) {
        self.name = name
        self.model = model
        self.labels = labels
        self.description = description
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        model = try c.decode(String.self, forKey: .model)
        labels = try c.decodeIfPresent(String.self, forKey: .labels)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        op = try c.decodeIfPresent(String.self, forKey: .op)
        options = try c.decodeIfPresent([String].self, forKey: .options)
        timestamp = try c.decodeIfPresent(String.self, forKey: .timestamp)
        inputNode = try c.decodeIfPresent(String.self, forKey: .inputNode) ?? c.decodeIfPresent(String.self, forKey: .legacyInputNode)
        outputNode = try c.decodeIfPresent(String.self, forKey: .outputNode) ?? c.decodeIfPresent(String.self, forKey: .legacyOutputNode)
        inputName = try c.decodeIfPresent(String.self, forKey: .inputName)
        outputName = try c.decodeIfPresent(String.self, forKey: .outputName)
        imgHeight = try c.decodeIfPresent(Int.self, forKey: .imgHeight)
        imgWidth = try c.decodeIfPresent(Int.self, forKey: .imgWidth)
        imgChannels = try c.decodeIfPresent(Int.self, forKey: .imgChannels)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(model, forKey: .model)
        try c.encodeIfPresent(labels, forKey: .labels)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encodeIfPresent(op, forKey: .op)
        try c.encodeIfPresent(options, forKey: .options)
        try c.encodeIfPresent(timestamp, forKey: .timestamp)
        try c.encodeIfPresent(inputNode, forKey: .inputNode)
        try c.encodeIfPresent(outputNode, forKey: .outputNode)
        try c.encodeIfPresent(inputName, forKey: .inputName)
        try c.encodeIfPresent(outputName, forKey: .outputName)
        try c.encodeIfPresent(imgHeight, forKey: .imgHeight)
        try c.encodeIfPresent(imgWidth, forKey: .imgWidth)
        try c.encodeIfPresent(imgChannels, forKey: .imgChannels)
    }

    /// Parses `params.json` bytes with a clear error.
    public static func parse(_ bytes: [UInt8], file: String) throws -> TFaaSParams {
        do {
            return try JSONDecoder().decode(TFaaSParams.self, from: Data(bytes))
        } catch {
            throw InferenceError.invalidInput("\(file): not a valid TFaaS params.json (needs string 'name' and 'model'): \(error)")
        }
    }
}
