#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The message of the last failing C call, kept per thread (`hepml_last_error`).
enum LastError {
    /// One malloc'd C string per thread, freed when the thread ends or the next message replaces it.
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { p in free(p) }
        return k
    }()

    nonisolated(unsafe) private static let empty: UnsafeMutablePointer<CChar> = strdup("")

    static func set(_ message: String) {
        let old = pthread_getspecific(key)
        pthread_setspecific(key, strdup(message))
        free(old)
    }

    static func clear() {
        let old = pthread_getspecific(key)
        pthread_setspecific(key, nil)
        free(old)
    }

    static var current: UnsafePointer<CChar> {
        if let p = pthread_getspecific(key) { return UnsafePointer(p.assumingMemoryBound(to: CChar.self)) }
        return UnsafePointer(empty)
    }
}

/// Status codes of the C ABI (`HEPML_OK`, ...).
enum Status {
    static let ok: Int32 = 0
    static let error: Int32 = -1
    static let invalidArgument: Int32 = -2
}

/// A bad argument of a C call (null pointer, bad JSON, bad option).
struct InvalidArgument: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body`, turning a thrown error into a status and the thread's last error message.
func withStatus(_ body: () throws -> Void) -> Int32 {
    do {
        try body()
        LastError.clear()
        return Status.ok
    } catch let e as InvalidArgument {
        LastError.set(e.description)
        return Status.invalidArgument
    } catch {
        LastError.set(describe(error))
        return Status.error
    }
}

/// The user-facing message of an error (its description, one line).
func describe(_ error: Error) -> String {
    if error is CancellationError { return "cancelled" }
    return String(describing: error)
}
