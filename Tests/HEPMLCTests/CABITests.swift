import CHEPML
import Foundation
import Testing

@testable import HEPMLC

/// Parts of the C ABI that do not block a thread (blocking C calls belong on foreign threads and are tested
/// from Python: Tests/Integration/test_python_*.py): per-thread messages and the hand-off's cancellation.
@Suite struct CABITests {
    @Test func lastErrorIsPerThread() async {
        LastError.set("main thread message")
        let other = await Task.detached { String(cString: cLastError()) }.value
        #expect(String(cString: cLastError()) == "main thread message")
        #expect(other != "main thread message")
        LastError.clear()
    }

    @Test func cancelStopsAWaitingProducer() async {
        let handoff = Handoff<Int>(capacity: 1)
        let producer = Task.detached { () -> Bool in
            do {
                for i in 0..<100 { try await handoff.send(i) }
                return false
            } catch {
                return error is CancellationError
            }
        }
        try? await Task.sleep(for: .milliseconds(100))
        handoff.cancel()
        #expect(await producer.value)
    }
}
