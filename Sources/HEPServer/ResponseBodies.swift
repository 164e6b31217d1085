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
