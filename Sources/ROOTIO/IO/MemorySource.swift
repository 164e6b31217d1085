import Synchronization

/// A ROOT file held in memory (a downloaded file, or bytes produced by another tool).
public final class MemorySource: ByteSource {
    public let name: String
    public let bytes: [UInt8]
    private let counters = Mutex(ByteSourceStatistics())

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    public var size: Int64 { Int64(bytes.count) }
    public var statistics: ByteSourceStatistics { counters.withLock { $0 } }

    public func read(offset: Int64, count: Int) async throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset + Int64(count) <= size else {
            throw ROOTIOError.truncated(file: name, object: "file", offset: offset, needed: count,
                                        available: max(0, Int(size - min(size, max(offset, 0)))))
        }
        counters.withLock { $0.requests += 1; $0.bytes += Int64(count) }
        return Array(bytes[Int(offset)..<(Int(offset) + count)])
    }
}
