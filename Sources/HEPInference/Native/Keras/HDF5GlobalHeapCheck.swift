/// A structural check of an HDF5 file's global heap collections (signature `GCOL`, where variable-length strings
/// such as Keras's `model_config` and `weight_names` live), made before libhdf5 sees the bytes: libhdf5 1.10 loops
/// forever on a collection whose object sizes do not add up. Each collection must lie inside the file; its
/// objects (16-byte header: index, reference count, reserved, size; data padded to 8 bytes) must fit in it, and
/// the free-space object (index 0) must cover exactly what is left.
enum HDF5GlobalHeapCheck {
    static func validate(_ d: [UInt8], name: String) throws {
        func fail(_ offset: Int, _ why: String) -> NativeEngineError {
            .malformedModel("\(name): damaged HDF5 global heap at offset \(offset): \(why)")
        }
        func le(_ at: Int, _ n: Int) -> Int {
            var v: UInt64 = 0
            for k in 0..<n { v |= UInt64(d[at + k]) << (8 * UInt64(k)) }
            return v > UInt64(Int.max) ? Int.max : Int(v)
        }
        var s = 0
        while s + 16 <= d.count {
            guard d[s] == 0x47, d[s + 1] == 0x43, d[s + 2] == 0x4F, d[s + 3] == 0x4C, d[s + 4] == 1 else { s += 1; continue }
            let size = le(s + 8, 8)
            guard size >= 16, size <= d.count - s else { throw fail(s, "collection of \(size) bytes in a file of \(d.count)") }
            let end = s + size
            var p = s + 16
            while p + 16 <= end {
                let index = le(p, 2), objectSize = le(p + 8, 8)
                if index == 0 {
                    guard objectSize == end - p else { throw fail(p, "free space of \(objectSize) bytes where \(end - p) remain") }
                    break
                }
                guard objectSize <= end - p else { throw fail(p, "object \(index) of \(objectSize) bytes overruns the collection") }
                let need = 16 + (objectSize + 7) / 8 * 8
                guard need <= end - p else { throw fail(p, "object \(index) of \(objectSize) bytes overruns the collection") }
                p += need
            }
            s = end
        }
    }
}
