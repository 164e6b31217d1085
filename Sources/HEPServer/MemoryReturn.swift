#if canImport(Glibc)
import Glibc
#endif

/// Gives memory freed after large requests back to the system (glibc keeps freed heap memory otherwise, so
/// resident memory would stay at its peak after a burst of large requests).
enum MemoryReturn {
    /// Serves blocks of 1 MiB and more with their own mappings, released on free (glibc's default threshold
    /// grows up to 32 MiB after the first large free, and blocks below it stay in the heap).
    static func configure() {
        #if canImport(Glibc)
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let sym = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(sym, to: MallOpt.self)
        _ = mallopt(-3, 1 << 20)  // M_MMAP_THRESHOLD
        _ = mallopt(-1, 8 << 20)  // M_TRIM_THRESHOLD
        #endif
    }

    /// Returns free heap pages of every malloc arena to the system (`malloc_trim`).
    static func trim() {
        #if canImport(Glibc)
        typealias MallocTrim = @convention(c) (Int) -> Int32
        guard let sym = dlsym(nil, "malloc_trim") else { return }
        _ = unsafeBitCast(sym, to: MallocTrim.self)(0)
        #endif
    }
}
