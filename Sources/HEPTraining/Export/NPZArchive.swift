import CCodecsZlib
import Foundation

/// Packs `.npy` files into an uncompressed `.npz` (a ZIP archive of the arrays), as `numpy.savez` does.
public enum NPZArchive {
    public static func write(_ files: [(name: String, path: String)], to output: String) throws {
        var out = Data()
        var central = Data()
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        for (name, path) in files {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TrainingError.configuration(file: path, reason: "cannot read for the .npz")
            }
            guard data.count < Int(UInt32.max), out.count < Int(UInt32.max) else {
                throw TrainingError.configuration(file: output, reason: "arrays over 4 GiB: use the .npy files")
            }
            let crc = data.withUnsafeBytes { Int(crc32(0, $0.bindMemory(to: Bytef.self).baseAddress, uInt($0.count))) }
            let fileName = Array(name.utf8)
            let offset = out.count
            out.append(contentsOf: le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(crc)
                       + le32(data.count) + le32(data.count) + le16(fileName.count) + le16(0) + fileName)
            out.append(data)
            central.append(contentsOf: le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(crc)
                           + le32(data.count) + le32(data.count) + le16(fileName.count) + le16(0) + le16(0) + le16(0) + le16(0)
                           + le32(0) + le32(offset) + fileName)
        }
        let centralOffset = out.count
        out.append(central)
        out.append(contentsOf: le32(0x0605_4B50) + le16(0) + le16(0) + le16(files.count) + le16(files.count) + le32(central.count)
                   + le32(centralOffset) + le16(0))
        try out.write(to: URL(fileURLWithPath: output))
    }
}
