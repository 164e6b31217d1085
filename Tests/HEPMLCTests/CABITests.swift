import CHEPML
import Foundation
import Testing

@testable import HEPMLC

/// Parts of the C ABI that do not block a thread (blocking C calls belong on foreign threads and are tested
/// from Python: Tests/Integration/test_python_*.py): per-thread messages and the hand-off's cancellation.
@Suite struct CABITests {
    @Test func lastErrorIsPerThread() async {
        // A fresh thread starts without a message; setting one there does not touch this thread's.
        LastError.set("this thread's message")
        let mine = String(cString: cLastError())
        LastError.clear()
        let other = await withCheckedContinuation { (c: CheckedContinuation<(String, String), Never>) in
            Thread {
                let before = String(cString: cLastError())
                LastError.set("other thread's message")
                c.resume(returning: (before, String(cString: cLastError())))
            }.start()
        }
        #expect(mine == "this thread's message")
        #expect(other.0 == "")
        #expect(other.1 == "other thread's message")
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
