import Foundation

/// The bundled sample files (`examples/data/`), found from any working directory: relative to the working
/// directory, next to the binary (`<bin>/`, `<bin>/../share/hepml/`), or in the repository the binary was
/// built in (looking upwards from `.build/<config>/`).
enum SampleData {
    static let nanoAOD = "nanoAOD_2015_CMS_Open_Data_ttbar.root"

    static func candidates(_ name: String) -> [String] {
        var list = ["examples/data/" + name]
        if let exe = executableDirectory {
            list += [exe + "/" + name, exe + "/../share/hepml/" + name, exe + "/examples/data/" + name]
            var dir = exe
            for _ in 0..<5 {
                dir += "/.."
                list.append(dir + "/examples/data/" + name)
            }
        }
        return list
    }

    /// The first existing candidate path of sample `name`.
    static func path(_ name: String) throws -> String {
        let list = candidates(name)
        if let found = list.first(where: { FileManager.default.isReadableFile(atPath: $0) }) {
            return URL(fileURLWithPath: found).standardizedFileURL.path
        }
        throw CLIError("the sample \(name) was not found next to the binary, in <binary>/../share/hepml/ or in the "
            + "repository's examples/data/; pass it with --data")
    }

    private static var executableDirectory: String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        let path = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (path as NSString).deletingLastPathComponent
    }
}
