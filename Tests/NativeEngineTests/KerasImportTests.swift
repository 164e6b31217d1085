import Foundation
import HEPInference
import Testing
import TestSupport

/// Keras `.keras` and legacy `.h5` files on the native engine, against Keras's own outputs.
@Suite struct KerasImportTests {
    static let files = KerasFixtures.models.flatMap { ["\($0).keras", "\($0).h5"] }

    @Test(arguments: files)
    func matchesKeras(file: String) throws {
        let model = String(file.prefix { $0 != "." })
        let ref = try KerasFixtures.reference(model)
        let backend = try NativeModelLoader.load(path: KerasFixtures.path(file))
        #expect(backend.signature.inputs.map(\.name) == ref.inputs.map(\.name))
        #expect(backend.signature.outputs.map(\.name) == ref.kerasOutputs.map(\.name))
        let got = try backend.infer(ref.inputs, outputs: nil)
        let difference = KerasFixtures.relativeDifference(got, ref.kerasOutputs)
        #expect(difference < 1e-5, "\(file): largest relative difference \(difference)")
    }

    @Test func inspectionShowsLayersAndParameters() throws {
        let model = try KerasImporter.load(path: KerasFixtures.path("lstm.keras"))
        #expect(model.kerasClass == "Sequential")
        #expect(model.graph.sourceOpHistogram == ["LSTM": 2, "TimeDistributed": 1, "Dense": 1])
        // LSTM(8) on 4 features, Dense(3) per step, LSTM(5) on 3, Dense(2): Keras counts 416 + 27 + 180 + 12.
        #expect(model.graph.parameterCount == 416 + 27 + 180 + 12 + 8 * 4 + 5 * 4)
        #expect(model.configJSON.contains("\"LSTM\""))
    }

    @Test func unsupportedLayerIsALoadErrorNamingIt() {
        #expect(throws: InferenceError.self) { try NativeModelLoader.load(path: KerasFixtures.path("unknown_layer.keras")) }
        do {
            _ = try KerasImporter.load(path: KerasFixtures.path("unknown_layer.keras"))
            Issue.record("unknown layer loaded")
        } catch {
            #expect("\(error)".contains("LayerNormalization"))
        }
    }

    @Test func truncatedH5IsALoadError() {
        #expect(throws: NativeEngineError.self) { try KerasImporter.load(path: KerasFixtures.path("truncated.h5")) }
    }

    /// A global-heap object size that does not add up (libhdf5 1.10 would loop forever) is refused first.
    @Test func inconsistentGlobalHeapIsRefused() {
        do {
            _ = try KerasImporter.load(path: KerasFixtures.path("heap_loop.h5"))
            Issue.record("a damaged global heap loaded")
        } catch {
            #expect("\(error)".contains("global heap"))
        }
    }

    @Test func archiveEntryClimbingOutIsRefused() {
        do {
            _ = try KerasImporter.load(path: KerasFixtures.path("traversal.keras"))
            Issue.record("an archive with a '..' entry loaded")
        } catch {
            #expect("\(error)".contains("../evil.json"))
        }
    }

    /// Random bytes, cut files and a zip without weights give errors, never a crash.
    @Test func damagedFilesAreLoadErrors() throws {
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: KerasFixtures.path("lstm.keras"))))
        for cut in [4, 30, 100, good.count / 3, good.count - 22] {
            #expect(throws: NativeEngineError.self) { try KerasImporter.load(bytes: Array(good.prefix(cut)), name: "cut.keras") }
        }
        var flipped = good
        for i in stride(from: 200, to: flipped.count, by: 97) { flipped[i] ^= 0x5A }
        _ = try? KerasImporter.load(bytes: flipped, name: "flipped.keras")
        let h5 = try [UInt8](Data(contentsOf: URL(fileURLWithPath: KerasFixtures.path("gru.h5"))))
        for cut in [8, 512, h5.count / 2] {
            #expect(throws: NativeEngineError.self) { try KerasImporter.load(bytes: Array(h5.prefix(cut)), name: "cut.h5") }
        }
    }
}
