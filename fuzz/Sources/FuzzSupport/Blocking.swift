import Dispatch

/// Runs async parser code to completion from libFuzzer's synchronous callback.
/// Thrown errors are the expected outcome for bad input and are ignored; crashes and sanitizer reports are findings.
public func runBlocking(_ body: @escaping @Sendable () async throws -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { try await body() } catch {}
        done.signal()
    }
    done.wait()
}

/// The fuzzer's input as an array.
public func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}
