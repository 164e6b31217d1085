import CCodecsZlib
import Foundation

/// Packs a folder into a gzipped ustar archive (regular files only), e.g. to upload a model folder.
public enum TarGzWriter {
    /// Archives `folder` under the top-level name `root`.
    public static func archive(folder: String, root: String) throws -> [UInt8] {
        let fm = FileManager.default
        guard let items = fm.enumerator(atPath: folder)?.compactMap({ $0 as? String }).sorted() else {
            throw TrainingError.configuration(file: folder, reason: "cannot list the folder")
        }
        var tar: [UInt8] = []
        for rel in items {
            var isDir: ObjCBool = false
            fm.fileExists(atPath: folder + "/" + rel, isDirectory: &isDir)
            guard !isDir.boolValue, let data = fm.contents(atPath: folder + "/" + rel) else { continue }
            tar += try header(name: root + "/" + rel, size: data.count)
            tar += [UInt8](data)
            tar += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
        }
        tar += [UInt8](repeating: 0, count: 1024)
        return try gzip(tar)
    }

    static func header(name: String, size: Int) throws -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        var nameBytes = Array(name.utf8)
        var prefix: [UInt8] = []
        if nameBytes.count > 100, let cut = name.lastIndex(of: "/") {
            prefix = Array(name[..<cut].utf8)
            nameBytes = Array(name[name.index(after: cut)...].utf8)
        }
        guard nameBytes.count <= 100, prefix.count <= 155 else { throw TrainingError.configuration(file: name, reason: "path too long for tar") }
        func put(_ s: [UInt8], _ at: Int) { for (i, b) in s.enumerated() { h[at + i] = b } }
        func octal(_ v: Int, _ width: Int) -> [UInt8] {
            let s = String(v, radix: 8)
            return Array((String(repeating: "0", count: width - 1 - s.count) + s).utf8) + [0]
        }
        put(nameBytes, 0)
        put(octal(0o644, 8), 100)
        put(octal(0, 8), 108)
        put(octal(0, 8), 116)
        put(octal(size, 12), 124)
        put(octal(0, 12), 136)
        put(Array("        ".utf8), 148)
        h[156] = UInt8(ascii: "0")
        put(Array("ustar".utf8) + [0], 257)
        put(Array("00".utf8), 263)
        put(prefix, 345)
        let sum = h.reduce(0) { $0 + Int($1) }
        put(octal(sum, 7) + [UInt8(ascii: " ")], 148)
        return h
    }

    static func gzip(_ input: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw TrainingError.configuration(file: "gzip", reason: "zlib could not start")
        }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 64)
        var input = input
        let rc = input.withUnsafeMutableBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { o -> Int32 in
                stream.next_in = inp.baseAddress
                stream.avail_in = uInt(inp.count)
                stream.next_out = o.baseAddress
                stream.avail_out = uInt(o.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard rc == Z_STREAM_END else { throw TrainingError.configuration(file: "gzip", reason: "deflate failed (\(rc))") }
        return Array(out[0..<Int(stream.total_out)])
    }
}
