import HEPInference

/// Reads the regular files of a (ustar/GNU) tar archive. Directories are implied; links, devices and
/// paths that escape the archive root are refused.
enum TarArchive {
    struct Entry {
        var path: [String]
        var bytes: [UInt8]
    }

    static func read(_ data: [UInt8]) throws -> [Entry] {
        var entries: [Entry] = []
        var offset = 0
        var longName: String?
        while offset + 512 <= data.count {
            let header = Array(data[offset..<(offset + 512)])
            if header.allSatisfy({ $0 == 0 }) { break }
            guard checksumOK(header) else { throw APIError.badRequest("tar: bad header checksum at offset \(offset)") }
            let size = try octal(header[124..<136], offset: offset)
            let type = header[156]
            var name = string(header[0..<100])
            let prefix = string(header[345..<500])
            if header[257..<262].elementsEqual(Array("ustar".utf8)), !prefix.isEmpty { name = prefix + "/" + name }
            if let l = longName { name = l; longName = nil }
            let start = offset + 512
            guard size >= 0, start + size <= data.count else { throw APIError.badRequest("tar: entry '\(name)' runs past the archive end") }
            let body = Array(data[start..<(start + size)])
            offset = start + (size + 511) / 512 * 512
            switch type {
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                do {
                    entries.append(Entry(path: try ModelName.safeRelativePath(name), bytes: body))
                } catch {
                    throw APIError.badRequest("tar: refused entry '\(name.prefix(128))': absolute, '..' or hidden path")
                }
            case UInt8(ascii: "5"), UInt8(ascii: "g"), UInt8(ascii: "x"):
                continue
            case UInt8(ascii: "L"):
                longName = string(body[...])
            default:
                throw APIError.badRequest("tar: entry '\(name.prefix(128))' is a link or special file (type \(Character(UnicodeScalar(type))))")
            }
        }
        return entries
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    static func octal(_ bytes: ArraySlice<UInt8>, offset: Int) throws -> Int {
        let text = string(bytes).trimmingCharacters(in: " ")
        guard let v = Int(text.isEmpty ? "0" : text, radix: 8) else { throw APIError.badRequest("tar: bad size field at offset \(offset)") }
        return v
    }

    static func checksumOK(_ h: [UInt8]) -> Bool {
        guard let stored = try? octal(h[148..<156], offset: 0) else { return false }
        var sum = 8 * 32
        for i in 0..<148 { sum += Int(h[i]) }
        for i in 156..<h.count { sum += Int(h[i]) }
        return sum == stored
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
