import Foundation
import HEPJSON
import Testing

/// The streaming KServe v2 and TFaaS request readers: typed buffers equal to the values sent, strict errors.
@Suite struct InferRequestJSONTests {
    func parse(_ text: String, reserve: (Int) throws -> Void = { _ in }) throws -> InferRequestJSON {
        try Array(text.utf8).withUnsafeBytes { try InferRequestJSON.parse($0, reserve: reserve) }
    }

    func floats(_ bytes: [UInt8]) -> [Float] {
        bytes.withUnsafeBytes { raw in (0..<(raw.count / 4)).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
    }

    @Test func fp32TensorEqualsTheValuesSent() throws {
        var rng = SystemRandomNumberGenerator()
        let values = (0..<1000).map { _ in Float.random(in: -1e6...1e6, using: &rng) }
        let json = #"{"id":"r1","inputs":[{"name":"x","datatype":"FP32","shape":[10,100],"data":"#
            + String(decoding: try JSONEncoder().encode(values), as: UTF8.self) + "}]}"
        let r = try parse(json)
        #expect(r.id == "r1")
        #expect(r.inputs.count == 1)
        #expect(r.inputs[0].shape == [10, 100])
        #expect(r.inputs[0].datatype == .FP32)
        #expect(floats(r.inputs[0].data!) == values)
    }

    @Test func nestedDataNullPaddingAndOrderOfMembers() throws {
        let r = try parse(#"{"inputs":[{"data":[[1.5,null],[-2,3e1]],"shape":[2,2],"name":"a","datatype":"FP32"}],"outputs":[{"name":"y","parameters":{"binary_data":true}}],"parameters":{"binary_data_output":true}}"#)
        let v = floats(r.inputs[0].data!)
        #expect(v[0] == 1.5 && v[1].isNaN && v[2] == -2 && v[3] == 30)
        #expect(r.outputs?.first?.name == "y" && r.outputs?.first?.binaryData == true)
        #expect(r.binaryDataOutput)
    }

    @Test func integerBoolAndBytesTypes() throws {
        let r = try parse(#"{"id":7,"inputs":[{"name":"i","datatype":"INT64","shape":[3],"data":[-9223372036854775808,9223372036854775807,2.0]},{"name":"u","datatype":"UINT64","shape":[1],"data":[18446744073709551615]},{"name":"b","datatype":"BOOL","shape":[3],"data":[true,false,1]},{"name":"s","datatype":"BYTES","shape":[2],"data":["ab","é"]},{"name":"h","datatype":"FP16","shape":[2],"data":[1.0,-2.5]}]}"#)
        #expect(r.id == "7")
        let ints = r.inputs[0].data!.withUnsafeBytes { raw in (0..<3).map { raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self) } }
        #expect(ints == [Int64.min, Int64.max, 2])
        #expect(r.inputs[1].data! == [UInt8](repeating: 0xFF, count: 8))
        #expect(r.inputs[2].data! == [1, 0, 1])
        #expect(r.inputs[3].data! == [2, 0, 0, 0, 0x61, 0x62, 2, 0, 0, 0, 0xC3, 0xA9])
        #expect(r.inputs[4].data! == [0x00, 0x3C, 0x00, 0xC1])
    }

    @Test func binaryInputsKeepTheirSize() throws {
        let r = try parse(#"{"inputs":[{"name":"x","datatype":"FP32","shape":[2],"parameters":{"binary_data_size":8}}]}"#)
        #expect(r.inputs[0].binaryDataSize == 8 && r.inputs[0].data == nil)
    }

    @Test(arguments: [
        (#"{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1]},{"name":"x","datatype":"FP32","shape":[1],"data":[2]}]}"#, "duplicate input name"),
        (#"{"inputs":[{"name":"x","datatype":"FP32","shape":[2],"data":[1,2,3]}]}"#, "more than the 2 values"),
        (#"{"inputs":[{"name":"x","datatype":"FP32","shape":[3],"data":[1,2]}]}"#, "2 values for a shape of 3"),
        (#"{"inputs":[{"name":"x","datatype":"INT8","shape":[1],"data":[300]}]}"#, "not a valid INT8"),
        (#"{"inputs":[{"name":"x","datatype":"INT32","shape":[1],"data":[1.5]}]}"#, "not a valid INT32"),
        (#"{"inputs":[{"name":"x","datatype":"INT32","shape":[1],"data":[null]}]}"#, "not a valid INT32"),
        (#"{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":["1"]}]}"#, "not a valid FP32"),
        (#"{"inputs":[{"name":"x","datatype":"FP32","shape":[1000000000000],"data":[1]}]}"#, "more than the body can hold"),
        (#"{"inputs":[{"name":"x","datatype":"FP32","shape":[-1],"data":[1]}]}"#, "non-negative integers"),
        (#"{"inputs":[{"name":"x","datatype":"FP32","shape":[4611686018427387904,4],"data":[1]}]}"#, "too large"),
        (#"{"inputs":[{"name":"x","datatype":"F32","shape":[1],"data":[1]}]}"#, "datatype"),
        (#"{"inputs":[{"name":"x","datatype":"FP32","shape":[1]}]}"#, "neither"),
        (#"{"inputs":[]}"#, "non-empty 'inputs'"),
        (#"{"inputs":[{"name":"x","name":"y","datatype":"FP32","shape":[1],"data":[1]}]}"#, "duplicate member"),
        (#"[1]"#, "must be a JSON object"),
    ] as [(String, String)])
    func refusesBadRequests(_ text: String, _ reason: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect("\(error)".contains(reason), "\(error)")
        }
    }

    @Test(arguments: ["-Infinity", "-nan", "NaN", "0x1p3", "Infinity", "01"])
    func refusesLenientNumbersInTensors(_ token: String) {
        #expect(throws: (any Error).self) {
            _ = try parse(#"{"inputs":[{"name":"x","datatype":"FP32","shape":[2],"data":[1,"# + token + "]}]}")
        }
    }

    @Test func dataBeforeShapeIsReadOnceBothAreKnown() throws {
        let r = try parse(#"{"inputs":[{"name":"x","data":[[1,2],[3,4]],"datatype":"INT32","shape":[2,2]}]}"#)
        let v = r.inputs[0].data!.withUnsafeBytes { raw in (0..<4).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self) } }
        #expect(v == [1, 2, 3, 4])
        #expect(throws: JSONParseError.self) { try parse(#"{"inputs":[{"name":"x","data":[1,-nan],"datatype":"FP32","shape":[2]}]}"#) }
    }

    /// The buffer is announced before it is allocated, once, at the tensor's size: a budget can refuse it.
    @Test func reservesTheTensorSizeBeforeAllocating() throws {
        var reserved: [Int] = []
        _ = try parse(#"{"inputs":[{"name":"x","datatype":"FP64","shape":[2,3],"data":[1,2,3,4,5,6]}]}"#) { reserved.append($0) }
        #expect(reserved == [48])
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            _ = try parse(#"{"inputs":[{"name":"x","datatype":"FP64","shape":[2],"data":[1,2]}]}"#) { _ in throw Refused() }
        }
    }

    @Test func requestDepthIsLimited() {
        let deep = String(repeating: "[", count: 200) + "1" + String(repeating: "]", count: 200)
        #expect(throws: JSONParseError.self) {
            _ = try parse(#"{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":"# + deep + "}]}")
        }
    }

    @Test func tfaasValues() throws {
        let body = Array(#"{"keys":["a","b","c"],"values":[1.5,null,-3],"model":"m"}"#.utf8)
        let r = try body.withUnsafeBytes { try TFaaSRequestJSON.parse($0) }
        #expect(r.model == "m")
        #expect(r.values.count == 3 && r.values[0] == 1.5 && r.values[1].isNaN && r.values[2] == -3)
        for bad in [#"{"values":[1,-Infinity]}"#, #"{"values":["a"]}"#, #"{"values":[]}"#, #"{"values":[1],"values":[2]}"#, "[]"] {
            #expect(throws: (any Error).self, "\(bad)") { _ = try Array(bad.utf8).withUnsafeBytes { try TFaaSRequestJSON.parse($0) } }
        }
    }
}
