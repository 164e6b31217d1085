import Foundation
import SwiftProtobuf

/// A TensorFlow checkpoint in TensorBundle form (`variables/variables.index` + `variables.data-0000k-of-0000n`):
/// the index maps each tensor's key to its shard, byte offset, size, type and shape.
struct TensorBundle {
    let prefix: String
    private let entries: [String: Tensorflow_BundleEntryProto]
    private let shards: Int

    /// Opens the bundle at `prefix` (e.g. ".../variables/variables").
    init(prefix: String) throws {
        self.prefix = prefix
        guard let data = FileManager.default.contents(atPath: prefix + ".index") else {
            throw NativeEngineError.malformedModel("cannot read variables/variables.index")
        }
        var map = [String: Tensorflow_BundleEntryProto]()
        var shards = 1
        for (k, v) in try SSTableReader.entries([UInt8](data), file: "variables.index") {
            do {
                if k.isEmpty {
                    let header = try Tensorflow_BundleHeaderProto(serializedBytes: v)
                    guard header.endianness == 0 else { throw NativeEngineError.malformedModel("variables.index: big-endian bundle") }
                    guard header.numShards >= 1, header.numShards <= 100_000 else {
                        throw NativeEngineError.malformedModel("variables.index: \(header.numShards) shards")
                    }
                    shards = Int(header.numShards)
                } else {
                    map[String(decoding: k, as: UTF8.self)] = try Tensorflow_BundleEntryProto(serializedBytes: v)
                }
            } catch let e as NativeEngineError {
                throw e
            } catch {
                throw NativeEngineError.malformedModel("variables.index: bad entry (\(error))")
            }
        }
        entries = map
        self.shards = shards
    }

    var keys: [String] { Array(entries.keys) }

    func contains(_ key: String) -> Bool { entries[key] != nil }

    /// The raw bytes of tensor `key`.
    func bytes(_ key: String) throws -> (entry: Tensorflow_BundleEntryProto, data: Data) {
        guard let e = entries[key] else { throw NativeEngineError.malformedModel("variables: no tensor '\(key)'") }
        guard e.shardID >= 0, Int(e.shardID) < shards, e.offset >= 0, e.size >= 0, e.size <= Int64(NativeLimits.maxElements) * 8 else {
            throw NativeEngineError.malformedModel("variables: bad entry for '\(key)'")
        }
        let shard = prefix + String(format: ".data-%05d-of-%05d", Int(e.shardID), shards)
        guard let h = FileHandle(forReadingAtPath: shard) else {
            throw NativeEngineError.malformedModel("cannot read variables shard \(Int(e.shardID)) of \(shards)")
        }
        defer { try? h.close() }
        let length = (try? h.seekToEnd()) ?? 0
        guard UInt64(e.offset) + UInt64(e.size) <= length else {
            throw NativeEngineError.malformedModel("variables: '\(key)' extends past the end of its data shard")
        }
        try h.seek(toOffset: UInt64(e.offset))
        let data = try h.read(upToCount: Int(e.size)) ?? Data()
        guard data.count == Int(e.size) else { throw NativeEngineError.malformedModel("variables: short read of '\(key)'") }
        return (e, data)
    }

    /// Tensor `key` as a native tensor (float, double and integer types).
    func tensor(_ key: String) throws -> NativeTensor {
        let (e, data) = try bytes(key)
        let count = TFTensorDecoder.shape(e.shape).reduce(1) { $0.multipliedReportingOverflow(by: max($1, 0)).partialValue }
        guard !data.isEmpty || count == 0 else { throw NativeEngineError.malformedModel("variables: '\(key)' has no data") }
        var proto = Tensorflow_TensorProto()
        proto.dtype = e.dtype
        proto.tensorShape = e.shape
        proto.tensorContent = data
        guard let t = try TFTensorDecoder.decode(proto, node: key) else {
            throw NativeEngineError.malformedModel("variables: '\(key)' has type \(e.dtype), which the engine cannot hold")
        }
        return t
    }

    /// A scalar string tensor (the object graph): varint length, 4-byte checksum of the lengths, the bytes.
    func scalarString(_ key: String) throws -> [UInt8] {
        let (e, data) = try bytes(key)
        guard e.dtype == .dtString else { throw NativeEngineError.malformedModel("variables: '\(key)' is not a string") }
        let b = [UInt8](data)
        var c = ByteCursor(b, start: 0, end: b.count)
        let n = try c.varint("variables")
        _ = try c.bytes(4, "variables")
        return try c.bytes(n, "variables")
    }
}
