import Foundation

/// Streams rows into a NumPy `.npy` file (format 1.0, little-endian); the header is rewritten with the
/// final row count on `finish()`.
public final class NPYWriter {
    public let path: String
    let descr: String
    let rowShape: [Int]
    let handle: FileHandle
    public private(set) var rows = 0
    static let headerSize = 128

    /// - Parameters:
    ///   - descr: NumPy type string (`<f4`, `<u1`, `<f8`).
    ///   - rowShape: shape of one row (`[F]`, `[C, H, W]`, or `[]` for a vector).
    public init(path: String, descr: String, rowShape: [Int]) throws {
        self.path = path
        self.descr = descr
        self.rowShape = rowShape
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw TrainingError.configuration(file: path, reason: "cannot create the file")
        }
        handle = h
        try handle.write(contentsOf: header(rows: 0))
    }

    func header(rows: Int) throws -> Data {
        let shape = ([rows] + rowShape).map(String.init)
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.joined(separator: ", ") + ")"
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let room = Self.headerSize - 10 - 1
        guard dict.utf8.count <= room else { throw TrainingError.configuration(file: path, reason: "array shape too long for the header") }
        dict += String(repeating: " ", count: room - dict.utf8.count) + "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let len = UInt16(dict.utf8.count)
        d.append(contentsOf: [UInt8(len & 0xFF), UInt8(len >> 8)])
        d.append(contentsOf: Array(dict.utf8))
        return d
    }

    /// Appends `values` (a whole number of rows) as raw little-endian elements.
    public func append<T>(_ values: [T], rows n: Int) throws {
        try values.withUnsafeBytes { try handle.write(contentsOf: $0) }
        rows += n
    }

    public func finish() throws {
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: header(rows: rows))
        try handle.close()
    }
}
