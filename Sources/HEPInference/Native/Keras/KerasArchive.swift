import Foundation
import ZIPFoundation

/// The parts of a Keras 3 `.keras` file (a zip archive, read with ZIPFoundation): `config.json` and
/// `model.weights.h5`. An archive with an entry whose path is absolute or climbs out with `..` is refused, as
/// are entries larger than the model size limit.
struct KerasArchive {
    var config: [UInt8]
    var weights: [UInt8]

    /// Largest entry accepted (models of this engine are small; a zip bomb must not fill memory).
    static let maxEntryBytes = 1 << 31

    /// Reads the archive in `bytes` through a temporary file: ZIPFoundation's in-memory archives trap on offsets
    /// past the end of a damaged archive, its file-backed ones report an error.
    init(bytes: [UInt8], name: String) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hepml-keras-\(UUID().uuidString).zip")
        do {
            try Data(bytes).write(to: url)
        } catch {
            throw NativeEngineError.malformedModel("\(name): cannot stage the archive for reading")
        }
        defer { try? FileManager.default.removeItem(at: url) }
        try self.init(url: url, name: name)
    }

    init(url: URL, name: String) throws {
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw NativeEngineError.malformedModel("\(name) is not a zip archive (\(error))")
        }
        var found = [String: [UInt8]]()
        for entry in archive {
            let path = entry.path
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard !path.hasPrefix("/"), !path.contains("\\"), !parts.contains("..") else {
                throw NativeEngineError.malformedModel("\(name): archive entry '\(path)' points outside the archive")
            }
            guard path == "config.json" || path == "model.weights.h5" else { continue }
            guard entry.type == .file, entry.uncompressedSize <= UInt64(Self.maxEntryBytes) else {
                throw NativeEngineError.malformedModel("\(name): archive entry '\(path)' is not a file of acceptable size")
            }
            var data = [UInt8]()
            data.reserveCapacity(Int(entry.uncompressedSize))
            do {
                _ = try archive.extract(entry) { chunk in
                    guard data.count + chunk.count <= Self.maxEntryBytes else { throw NativeEngineError.malformedModel("\(name): '\(path)' is too large") }
                    data.append(contentsOf: chunk)
                }
            } catch let e as NativeEngineError {
                throw e
            } catch {
                throw NativeEngineError.malformedModel("\(name): archive entry '\(path)' cannot be read (\(error))")
            }
            found[path] = data
        }
        guard let config = found["config.json"] else { throw NativeEngineError.malformedModel("\(name): no config.json in the Keras archive") }
        guard let weights = found["model.weights.h5"] else {
            throw NativeEngineError.malformedModel("\(name): no model.weights.h5 in the Keras archive")
        }
        self.config = config
        self.weights = weights
    }
}
