import CHEPML
import Foundation
import Testing

@testable import HEPMLC

/// Blocking C calls made from Swift's cooperative threads: the library's async work runs on its own
/// `BridgeExecutor` threads, so callers that block every cooperative thread still get their answers
/// (regression: such calls used to wait forever on a 2-core machine).
@Suite struct BlockingCallTests {
    static let sample: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent("examples/data/nanoAOD_2015_CMS_Open_Data_ttbar.root").path
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

    @Test func blockingCallsFromMoreTasksThanCooperativeThreads() async {
        let callers = 3 * ProcessInfo.processInfo.activeProcessorCount + 2
        let opened = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<callers {
                group.addTask {
                    var handle: OpaquePointer?
                    let status = Self.sample.withCString { cOpen($0, &handle) }
                    defer { cClose(handle) }
                    return status == Status.ok && handle != nil
                }
            }
            var all: [Bool] = []
            for await ok in group { all.append(ok) }
            return all
        }
        #expect(opened.count == callers)
        #expect(opened.allSatisfy { $0 })
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
        let getNext = try #require(stream.get_next)
        let releaseStream = try #require(stream.release)
        var rows: [Int64] = []
        while true {
            var array = ArrowArray()
            #expect(getNext(&stream, &array) == 0)
            guard let release = array.release else { break }
            rows.append(array.length)
            let jagged = array.children[0]!.pointee
            let offsets = jagged.buffers[1]!.assumingMemoryBound(to: Int64.self)
            #expect(offsets[0] == 0 && offsets[Int(array.length)] == jagged.children[0]!.pointee.length)
            release(&array)
        }
        #expect(rows == [64, 64, 64, 8])
        releaseStream(&stream)
        let streamReleased = stream.release == nil
        #expect(streamReleased)
    }
}
