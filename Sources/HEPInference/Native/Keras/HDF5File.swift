import CHDF5
import Foundation

/// Read-only access to an HDF5 file through Debian's libhdf5: groups, float datasets and string attributes,
/// what Keras weight files hold. The file is opened from bytes in memory (HDF5's core driver), so a `.keras`
/// archive's weights need no temporary file. Every HDF5 call runs under one lock (the serial library is not
/// thread-safe); failures become `NativeEngineError.malformedModel` naming the file and object.
final class HDF5File {
    private static let lock = NSLock()
    /// Images opened so far (guarded by `lock`).
    nonisolated(unsafe) private static var openCount = 0
    private let file: hid_t
    private let name: String

    /// Opens the HDF5 image `bytes`; `name` is used in error messages.
    init(bytes: [UInt8], name: String) throws {
        self.name = name
        guard bytes.count >= 8, bytes.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw NativeEngineError.malformedModel("\(name) is not an HDF5 file")
        }
        try HDF5GlobalHeapCheck.validate(bytes, name: name)
        let id: hid_t = Self.locked {
            hepml_h5_silence()
            let fapl = H5Pcreate(hepml_h5_file_access())
            defer { H5Pclose(fapl) }
            guard fapl >= 0, H5Pset_fapl_core(fapl, 1 << 16, false) >= 0 else { return -1 }
            let set = bytes.withUnsafeBytes { H5Pset_file_image(fapl, UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) }
            guard set >= 0 else { return -1 }
            // The core driver treats files of the same name as one: each image gets its own.
            Self.openCount += 1
            return H5Fopen("hepml-image-\(Self.openCount).h5", hepml_h5_read_only(), fapl)
        }
        guard id >= 0 else { throw NativeEngineError.malformedModel("\(name): HDF5 cannot open it (truncated or damaged)") }
        file = id
    }

    deinit { _ = Self.locked { H5Fclose(file) } }

    private static func locked<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func fail(_ what: String) -> NativeEngineError { .malformedModel("\(name): \(what)") }

    /// Whether the link `path` ("a/b/c") exists, checked one component at a time.
    func exists(_ path: String) -> Bool {
        Self.locked {
            var prefix = ""
            for part in path.split(separator: "/") {
                prefix += prefix.isEmpty ? String(part) : "/\(part)"
                guard H5Lexists(file, prefix, hepml_h5_default()) > 0 else { return false }
            }
            return true
        }
    }

    /// Names of the links in group `path`, in name order (empty when it is not a group).
    func children(_ path: String) -> [String] {
        Self.locked {
            let group = H5Gopen2(file, path.isEmpty ? "/" : path, hepml_h5_default())
            guard group >= 0 else { return [] }
            defer { H5Gclose(group) }
            var info = H5G_info_t()
            guard H5Gget_info(group, &info) >= 0 else { return [] }
            var names = [String]()
            for i in 0..<min(info.nlinks, 1 << 16) {
                let size = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, hepml_h5_default())
                guard size > 0, size < 1 << 16 else { continue }
                var buffer = [CChar](repeating: 0, count: Int(size) + 1)
                _ = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, buffer.count, hepml_h5_default())
                names.append(String(decoding: buffer.prefix(Int(size)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            return names
        }
    }

    /// The dataset `path` as float32 values with its shape (any numeric type is converted by HDF5).
    func floats(_ path: String) throws -> NativeTensor {
        try Self.locked {
            let ds = H5Dopen2(file, path, hepml_h5_default())
            guard ds >= 0 else { throw fail("no dataset '\(path)'") }
            defer { H5Dclose(ds) }
            let space = H5Dget_space(ds)
            guard space >= 0 else { throw fail("dataset '\(path)' has no dataspace") }
            defer { H5Sclose(space) }
            let rank = H5Sget_simple_extent_ndims(space)
            guard rank >= 0, rank <= 8 else { throw fail("dataset '\(path)' has rank \(rank)") }
            var dims = [hsize_t](repeating: 0, count: Int(rank))
            guard H5Sget_simple_extent_dims(space, &dims, nil) == rank else { throw fail("dataset '\(path)': bad dimensions") }
            var count = 1
            for d in dims {
                let (m, o) = count.multipliedReportingOverflow(by: Int(clamping: d))
                guard !o, m <= NativeLimits.maxElements else { throw fail("dataset '\(path)' of shape \(dims) is too large") }
                count = m
            }
            let buffer = FloatBuffer(capacity: count)
            guard H5Dread(ds, hepml_h5_native_float(), hepml_h5_all(), hepml_h5_all(), hepml_h5_default(), buffer.pointer) >= 0 else {
                throw fail("dataset '\(path)' cannot be read as numbers")
            }
            return NativeTensor(shape: dims.map { Int($0) }, storage: .float(buffer))
        }
    }

    /// A string (or list of strings) attribute `attribute` of the object `path`; nil when absent or not text.
    func strings(_ path: String, attribute: String) throws -> [String]? {
        try Self.locked {
            guard H5Aexists_by_name(file, path.isEmpty ? "." : path, attribute, hepml_h5_default()) > 0 else { return nil }
            let attr = H5Aopen_by_name(file, path.isEmpty ? "." : path, attribute, hepml_h5_default(), hepml_h5_default())
            guard attr >= 0 else { return nil }
            defer { H5Aclose(attr) }
            let type = H5Aget_type(attr), space = H5Aget_space(attr)
            defer { H5Tclose(type); H5Sclose(space) }
            guard type >= 0, space >= 0, H5Tget_class(type) == H5T_STRING else { return nil }
            let n = Int(H5Sget_simple_extent_npoints(space))
            guard n >= 0, n <= 1 << 20 else { throw fail("attribute '\(attribute)' of '\(path)' has \(n) values") }
            let memType = H5Tcopy(hepml_h5_c_s1())
            defer { H5Tclose(memType) }
            if H5Tis_variable_str(type) > 0 {
                H5Tset_size(memType, hepml_h5_variable())
                H5Tset_cset(memType, H5Tget_cset(type))
                var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: max(n, 1))
                guard H5Aread(attr, memType, &pointers) >= 0 else { throw fail("attribute '\(attribute)' of '\(path)' cannot be read") }
                let out = pointers.prefix(n).map { $0.map { String(cString: $0) } ?? "" }
                H5Dvlen_reclaim(memType, space, hepml_h5_default(), &pointers)
                return out
            }
            let size = H5Tget_size(type)
            guard size > 0, size <= 1 << 24, n * size <= 1 << 26 else { throw fail("attribute '\(attribute)' of '\(path)' is too large") }
            H5Tset_size(memType, size)
            var raw = [UInt8](repeating: 0, count: max(n * size, 1))
            guard H5Aread(attr, memType, &raw) >= 0 else { throw fail("attribute '\(attribute)' of '\(path)' cannot be read") }
            return (0..<n).map { i in
                let item = raw[(i * size)..<((i + 1) * size)]
                return String(decoding: item.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
    }
}
