#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A local file read with `pread`, safe to share between tasks.
public final class LocalFileSource: ByteSource {
    public let name: String
    public let size: Int64
    private let fd: Int32
    private let counters = Mutex(ByteSourceStatistics())

    /// Opens `path` read-only.
    public init(path: String) throws {
        name = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw ROOTIOError.io(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd)
            throw ROOTIOError.io(file: path, message: "cannot stat: \(String(cString: strerror(errno)))")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw ROOTIOError.io(file: path, message: "is a directory")
        }
        self.fd = fd
        size = Int64(st.st_size)
    }

    deinit { close(fd) }

    public var statistics: ByteSourceStatistics { counters.withLock { $0 } }

    public func read(offset: Int64, count: Int) async throws -> [UInt8] {
        try readSync(offset: offset, count: count)
    }

    /// Synchronous `pread` of exactly `count` bytes.
    public func readSync(offset: Int64, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset + Int64(count) <= size else {
            throw ROOTIOError.truncated(file: name, object: "file", offset: offset, needed: count,
                                        available: max(0, Int(size - min(size, max(offset, 0)))))
        }
        var out = [UInt8](unsafeUninitializedCapacity: count) { buf, initialized in
            var done = 0
            while done < count {
                let n = pread(fd, buf.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if n <= 0 { break }
                done += n
            }
            initialized = done
        }
        if out.count != count {
            let got = out.count
            out = []
            throw ROOTIOError.truncated(file: name, object: "file", offset: offset + Int64(got), needed: count, available: got)
        }
        counters.withLock { $0.requests += 1; $0.bytes += Int64(count) }
        return out
    }
}
