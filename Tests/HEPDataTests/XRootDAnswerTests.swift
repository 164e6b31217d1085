import NIOCore
import ROOTIO
import Testing
@testable import HEPData

/// Server answers read without a connection, as the client reads them (frames, attn, oksofar, bodies).
@Suite struct XRootDAnswerTests {
    static func bigEndian<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        withUnsafeBytes(of: v.bigEndian) { [UInt8]($0) }
    }

    static func int32(_ v: Int32) -> [UInt8] { bigEndian(v) }

    static func frame(_ sid: UInt16, _ status: UInt16, _ body: [UInt8] = []) -> [UInt8] {
        var out = bigEndian(sid)
        out += bigEndian(status)
        out += int32(Int32(body.count))
        return out + body
    }

    static func readvElement(length: Int32, offset: Int64, fill: UInt8) -> [UInt8] {
        var out: [UInt8] = [0, 0, 0, 1]
        out += int32(length)
        out += bigEndian(offset)
        return out + [UInt8](repeating: fill, count: Int(length))
    }

    @Test func answersAreInterpretedLikeTheClient() throws {
        let element = Self.readvElement(length: 3, offset: 4096, fill: 7)
        var bytes = Self.frame(1, 4000, Array("12 ".utf8))
        bytes += Self.frame(1, 0, Array("34 0 0\0".utf8))
        bytes += Self.frame(2, 4003, Self.int32(3011) + Array("no such file\0".utf8))
        bytes += Self.frame(3, 4004, Self.int32(1095) + Array("data.example.org?a=b?tok".utf8))
        bytes += Self.frame(4, 4005, Self.int32(99))
        bytes += Self.frame(0, 4001, Self.int32(5008) + [0, 0, 0, 0] + Self.frame(5, 0, element))
        bytes += Self.frame(6, 4006, Self.int32(10))
        bytes += [0, 7, 0, 0]
        let lines = try XRootDResponseReader.read(bytes, readvElements: [ByteRange(offset: 4096, count: 3)])
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("1 0: ") && lines[0].contains("stat size 34"))
        #expect(lines[1].hasPrefix("2 4003: ") && lines[1].contains("no such file"))
        #expect(lines[2].hasPrefix("3 4004: ") && lines[2].contains("data.example.org") && lines[2].contains("1095"))
        #expect(lines[3] == "4 4005: wait 30 s")
        #expect(lines[4].hasPrefix("5 0: ") && lines[4].contains("readv [3]"))
    }

    @Test func readvAnswersAreCheckedAgainstTheRequest() throws {
        let element = Self.readvElement(length: 8, offset: 0, fill: 1)
        let ok = try XRootDAnswer.readvData(ByteBuffer(bytes: element), elements: [ByteRange(offset: 0, count: 8)], name: "x")
        #expect(ok == [[UInt8](repeating: 1, count: 8)])
        let damaged: [([UInt8], Int)] = [(Array(element.prefix(10)), 8), (element, 9), (Array(element.dropLast()), 8)]
        for (body, asked) in damaged {
            #expect(throws: RemoteError.self) {
                try XRootDAnswer.readvData(ByteBuffer(bytes: body), elements: [ByteRange(offset: 0, count: asked)], name: "x")
            }
        }
    }

    @Test func oversizeFrameLengthIsAProtocolViolation() {
        let bytes = Array(Self.frame(1, 0).prefix(4)) + Self.int32(-1)
        #expect(throws: RemoteError.self) { try XRootDResponseReader.read(bytes) }
    }
}
