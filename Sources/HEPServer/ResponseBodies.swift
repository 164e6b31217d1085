/// JSON bodies of metadata and control responses, encoded with `JSONEncoder` (tensor outputs are written by
/// `KServeCodec`, which needs null for non-finite values and speed on large tensors).

/// `{"error": ...}`, the error shape of KServe, Triton and TFaaS.
struct ErrorBody: Encodable {
    var error: String
}

/// `GET /v2`.
struct ServerMetadataBody: Encodable {
    var name: String
    var version: String
    var extensions: [String]
}

/// A tensor in model metadata.
struct TensorMetadataBody: Encodable {
    var name: String
    var datatype: String
    var shape: [Int]
    /// Input variable names, for models that name them (lwtnn); absent otherwise.
    var variables: [String]? = nil
    /// Output labels, for models that carry them (lwtnn); absent otherwise.
    var labels: [String]? = nil
}

/// `GET /v2/models/{m}`.
struct ModelMetadataBody: Encodable {
    var name: String
    var versions: [String]
    var platform: String
    var inputs: [TensorMetadataBody]
    var outputs: [TensorMetadataBody]
}

/// One entry of `POST /v2/repository/index`.
struct RepositoryIndexEntryBody: Encodable {
    var name: String
    var version: String?
    var state: String
    var reason: String
}

/// `POST /upload`.
struct UploadResultBody: Encodable {
    var name: String
    var versions: [Int]
}

/// `DELETE /delete/{m}`.
struct DeleteResultBody: Encodable {
    var deleted: String
}

/// `POST /tag`.
struct TagResultBody: Encodable {
    var model: String
    var tag: String
    var version: Int
}

/// `POST /params`.
struct DefaultModelBody: Encodable {
    var defaultModel: String

    enum CodingKeys: String, CodingKey { case defaultModel = "default_model" }
}

/// A TFaaS-style model description (`GET /params/{m}` without a params.json, and each `GET /models` entry):
/// every params.json key present, plus the serving state in `/models`.
struct ModelSummaryBody: Encodable {
    var name: String
    var model: String
    var labels: String
    var description: String
    var inputNode: String
    var outputNode: String
    var inputName: String
    var outputName: String
    var imgChannels: Int
    var op: String
    var options: [String]
    var timestamp: String
    var platform: String
    var version: Int?
    var state: String?
    var reason: String?

    enum CodingKeys: String, CodingKey {
        case name, model, labels, description, op, options, timestamp, platform, version, state, reason
        case inputNode = "input_node", outputNode = "output_node", inputName = "input_name", outputName = "output_name"
        case imgChannels = "img_channels"
    }
}

/// `GET /status`.
struct StatusBody: Encodable {
    struct Memory: Encodable {
        var rssBytes: Int
        var inflightBytes: Int
        var inflightLimitBytes: Int

        enum CodingKeys: String, CodingKey {
            case rssBytes = "rss_bytes", inflightBytes = "inflight_bytes", inflightLimitBytes = "inflight_limit_bytes"
        }
    }
    struct Model: Encodable {
        var name: String
        var version: Int
        var state: String
    }
    var version: String
    var uptime: Double
    var requests: [String: Int]
    var memory: Memory
    var models: [Model]
    var defaultModel: String

    enum CodingKeys: String, CodingKey {
        case version, uptime, requests, memory, models
        case defaultModel = "default_model"
    }
}
