import CHEPML
import Foundation
import Testing

@testable import HEPMLC

/// The C ABI from Swift: statuses and thread-local messages, Arrow stream structs and their release, the
/// bounded hand-off between producer and consumer.
@Suite struct CABITests {
    static let sample: String = {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return here.appendingPathComponent("examples/data/nanoAOD_2015_CMS_Open_Data_ttbar.root").path
    }()

    @Test func badPathGivesStatusAndMessage() {
        var handle: OpaquePointer?
        let status = "/nonexistent/file.root".withCString { cOpen($0, &handle) }
        let message = String(cString: cLastError())
        let nullStatus = cOpen(nil, &handle)
        #expect(status == Status.error)
        #expect(handle == nil)
        #expect(message.contains("cannot open"))
        #expect(nullStatus == Status.invalidArgument)
    }

    @Test func lastErrorIsPerThread() async {
        LastError.set("main thread message")
        let other = await Task.detached { String(cString: cLastError()) }.value
        #expect(String(cString: cLastError()) == "main thread message")
        #expect(other != "main thread message")
        LastError.clear()
    }

    @Test func readStreamDeliversBatchesAndReleases() throws {
        var handle: OpaquePointer?
        let openStatus = Self.sample.withCString { cOpen($0, &handle) }
        #expect(openStatus == Status.ok)
        defer { cClose(handle) }
        var stream = ArrowArrayStream()
        let status = "Events".withCString { tree in
            #"["Jet_pt", "MET_pt"]"#.withCString { names in cReadStream(handle, tree, names, 0, -1, 64, &stream) }
        }
        #expect(status == Status.ok)
        var schema = ArrowSchema()
        let getSchema = try #require(stream.get_schema), getNext = try #require(stream.get_next)
        let releaseStream = try #require(stream.release)
        let schemaStatus = getSchema(&stream, &schema)
        #expect(schemaStatus == 0)
        #expect(schema.n_children == 2)
        #expect(String(cString: schema.children[0]!.pointee.format) == "+L")
        #expect(String(cString: schema.children[1]!.pointee.format) == "f")
        let releaseSchema = try #require(schema.release)
        releaseSchema(&schema)
        let schemaReleased = schema.release == nil
        #expect(schemaReleased)
        var rows: [Int64] = []
        while true {
            var array = ArrowArray()
            let nextStatus = getNext(&stream, &array)
            #expect(nextStatus == 0)
            guard let release = array.release else { break }
            rows.append(array.length)
            let jagged = array.children[0]!.pointee
            let offsets = jagged.buffers[1]!.assumingMemoryBound(to: Int64.self)
            #expect(offsets[0] == 0 && offsets[Int(array.length)] == jagged.children[0]!.pointee.length)
            release(&array)
            let arrayReleased = array.release == nil
            #expect(arrayReleased)
        }
        #expect(rows == [64, 64, 64, 8])
        releaseStream(&stream)
        let streamReleased = stream.release == nil
        #expect(streamReleased)
    }

    @Test func handoffHoldsAtMostItsCapacity() async throws {
        let handoff = Handoff<Int>(capacity: 1)
        let sent = ManagedCounter()
        let producer = Task.detached {
            for i in 0..<5 {
                try await handoff.send(i)
                sent.increment()
            }
            handoff.finish()
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(sent.value <= 1, "the producer ran ahead of the consumer")
        var got: [Int] = []
        while let v = try handoff.next() { got.append(v) }
        #expect(got == [0, 1, 2, 3, 4])
        try await producer.value
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

/// A counter shared with a producer task.
final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}
