import CHEPML
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An `ArrowArrayStream` fed by an async producer task through a `Handoff` of at most two record batches:
/// `get_next` blocks the consumer's thread until the next batch is ready; `release` cancels the producer.
final class ArrowStreamState: @unchecked Sendable {
    let schema: ArrowField
    let handoff = Handoff<ArrowNode>(capacity: 1)
    private var task: Task<Void, Never>?
    private var lastError: UnsafeMutablePointer<CChar>?

    init(schema: ArrowField) { self.schema = schema }

    /// Starts `produce`, which hands record batches to `send`.
    func start(_ produce: @escaping @Sendable (_ send: @Sendable (ArrowNode) async throws -> Void) async throws -> Void) {
        let handoff = self.handoff
        task = Task.detached(executorPreference: BridgeExecutor.shared) {
            do {
                try await produce { try await handoff.send($0) }
                handoff.finish()
            } catch {
                handoff.finish(throwing: error)
            }
        }
    }

    func setError(_ message: String) {
        free(lastError)
        lastError = strdup(message)
        LastError.set(message)
    }

    deinit {
        handoff.cancel()
        task?.cancel()
        free(lastError)
    }

    /// Exports the stream into `out` (the consumer owns it and must call its `release`).
    func export(into out: UnsafeMutablePointer<ArrowArrayStream>) {
        out.pointee = ArrowArrayStream(
            get_schema: { s, schemaOut in
                guard let s, let schemaOut, let p = s.pointee.private_data else { return EINVAL }
                let state = Unmanaged<ArrowStreamState>.fromOpaque(p).takeUnretainedValue()
                ArrowCExport.fill(schemaOut, with: state.schema)
                return 0
            },
            get_next: { s, arrayOut in
                guard let s, let arrayOut, let p = s.pointee.private_data else { return EINVAL }
                let state = Unmanaged<ArrowStreamState>.fromOpaque(p).takeUnretainedValue()
                do {
                    if let node = try state.handoff.next() {
                        ArrowCExport.fill(arrayOut, with: node)
                    } else {
                        arrayOut.pointee.release = nil
                    }
                    return 0
                } catch {
                    state.setError(describe(error))
                    return EIO
                }
            },
            get_last_error: { s in
                guard let s, let p = s.pointee.private_data else { return nil }
                return UnsafePointer(Unmanaged<ArrowStreamState>.fromOpaque(p).takeUnretainedValue().lastError)
            },
            release: { s in
                guard let s, let p = s.pointee.private_data else { return }
                Unmanaged<ArrowStreamState>.fromOpaque(p).release()
                s.pointee.private_data = nil
                s.pointee.release = nil
            },
            private_data: Unmanaged.passRetained(self).toOpaque())
    }
}
