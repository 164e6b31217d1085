import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a model folder looks like on disk, cheaply: the folder's inode and, two levels deep, every entry's
/// name, inode, size and modification time, folded into two digests (tags.json apart, so a tag move does not
/// reload the models). Replicas sharing one repository folder compare fingerprints to notice uploads,
/// deletes and tag changes made by the others.
struct FolderFingerprint: Sendable, Equatable {
    /// Everything but `tags.json`.
    var content: UInt64
    /// `tags.json` (0 when absent).
    var tags: UInt64

    /// The fingerprint of `dir`, or nil when it is not a folder.
    init?(dir: String) {
        var st = stat()
        guard lstat(dir, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { return nil }
        var content = Digest()
        content.add(UInt64(st.st_ino))
        var tags = Digest()
        for name in Self.entries(dir) {
            var e = stat()
            guard lstat(dir + "/" + name, &e) == 0 else { continue }
            if name == "tags.json" {
                tags.add(e)
                continue
            }
            content.add(name)
            content.add(e)
            guard (e.st_mode & S_IFMT) == S_IFDIR else { continue }
            for inner in Self.entries(dir + "/" + name) {
                var f = stat()
                guard lstat(dir + "/" + name + "/" + inner, &f) == 0 else { continue }
                content.add(inner)
                content.add(f)
            }
        }
        self.content = content.value
        self.tags = tags.value
    }

    /// Visible entry names, sorted (dot files are staging and temporary files).
    static func entries(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// FNV-1a over the fields fed to it.
    struct Digest {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325

        mutating func add(_ x: UInt64) {
            var v = x
            for _ in 0..<8 {
                value = (value ^ (v & 0xFF)) &* 0x100_0000_01B3
                v >>= 8
            }
        }

        mutating func add(_ s: String) {
            for b in s.utf8 { value = (value ^ UInt64(b)) &* 0x100_0000_01B3 }
            add(UInt64(0))
        }

        mutating func add(_ st: stat) {
            add(UInt64(st.st_ino))
            add(UInt64(bitPattern: Int64(st.st_size)))
            add(UInt64(bitPattern: Int64(st.st_mtim.tv_sec)))
            add(UInt64(bitPattern: Int64(st.st_mtim.tv_nsec)))
        }
    }
}
