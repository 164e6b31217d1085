import CHEPML
import Foundation
import HEPTraining
import ROOTIO

// The exported C functions of hepml.h. Each checks its pointers, runs the work through `withStatus` (errors
// become a status and the thread's last error message) and never lets a Swift error reach the caller.

@_cdecl("hepml_version")
public func cVersion() -> UnsafePointer<CChar> { UnsafePointer(CStrings.version) }

@_cdecl("hepml_last_error")
public func cLastError() -> UnsafePointer<CChar> { LastError.current }

@_cdecl("hepml_string_free")
public func cStringFree(_ s: UnsafeMutablePointer<CChar>?) { free(s) }

@_cdecl("hepml_open")
public func cOpen(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    withStatus {
        guard let path, let out else { throw InvalidArgument("hepml_open: null argument") }
        out.pointee = nil
        let file = try OpenFile.open(String(cString: path))
        out.pointee = OpaquePointer(Unmanaged.passRetained(file).toOpaque())
    }
}

@_cdecl("hepml_close")
public func cClose(_ file: OpaquePointer?) {
    guard let file else { return }
    Unmanaged<OpenFile>.fromOpaque(UnsafeRawPointer(file)).release()
}

@_cdecl("hepml_file_trees")
public func cFileTrees(_ file: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    withStatus {
        guard let file, let out else { throw InvalidArgument("hepml_file_trees: null argument") }
        let f = Unmanaged<OpenFile>.fromOpaque(UnsafeRawPointer(file)).takeUnretainedValue()
        out.pointee = strdup(try Metadata.trees(of: f))
    }
}

@_cdecl("hepml_tree_branches")
public func cTreeBranches(_ file: OpaquePointer?, _ tree: UnsafePointer<CChar>?,
                          _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    withStatus {
        guard let file, let tree, let out else { throw InvalidArgument("hepml_tree_branches: null argument") }
        let f = Unmanaged<OpenFile>.fromOpaque(UnsafeRawPointer(file)).takeUnretainedValue()
        out.pointee = strdup(try Metadata.branches(of: try f.tree(String(cString: tree))))
    }
}

@_cdecl("hepml_read_stream")
public func cReadStream(_ file: OpaquePointer?, _ tree: UnsafePointer<CChar>?, _ branches: UnsafePointer<CChar>?,
                        _ entryStart: Int64, _ entryStop: Int64, _ stepSize: Int64,
                        _ out: UnsafeMutablePointer<ArrowArrayStream>?) -> Int32 {
    withStatus {
        guard let file, let tree, let out else { throw InvalidArgument("hepml_read_stream: null argument") }
        let f = Unmanaged<OpenFile>.fromOpaque(UnsafeRawPointer(file)).takeUnretainedValue()
        let names = try branches.map { try JSONArguments.strings(String(cString: $0), what: "branches") } ?? []
        let state = try BranchStream.make(tree: try f.tree(String(cString: tree)), branches: names, entryStart: entryStart,
                                          entryStop: entryStop, stepSize: stepSize)
        state.export(into: out)
    }
}

@_cdecl("hepml_specs")
public func cSpecs(_ params: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    withStatus {
        guard let params, let out else { throw InvalidArgument("hepml_specs: null argument") }
        let p = try TrainingParams.parse(text: String(cString: params), file: "params")
        let specs = try runBlocking { try await SpecsBuilder.build(for: p) }
        out.pointee = strdup(try DatasetStream.encode(specs))
    }
}

@_cdecl("hepml_specs_part")
public func cSpecsPart(_ params: UnsafePointer<CChar>?, _ file: Int64, _ entryStart: Int64, _ entryStop: Int64,
                       _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    withStatus {
        guard let params, let out else { throw InvalidArgument("hepml_specs_part: null argument") }
        guard entryStart >= 0, entryStop >= entryStart else {
            throw InvalidArgument("hepml_specs_part: entries \(entryStart)..<\(entryStop) are not a range")
        }
        let p = try TrainingParams.parse(text: String(cString: params), file: "params")
        let specs = try runBlocking { try await SpecsBuilder.build(for: p, file: Int(file), entries: entryStart..<entryStop) }
        out.pointee = strdup(try DatasetStream.encode(specs))
    }
}

@_cdecl("hepml_dataset_info")
public func cDatasetInfo(_ params: UnsafePointer<CChar>?, _ specs: UnsafePointer<CChar>?,
                         _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    withStatus {
        guard let params, let specs, let out else { throw InvalidArgument("hepml_dataset_info: null argument") }
        let ds = try DatasetStream.dataset(params: String(cString: params), specs: String(cString: specs))
        out.pointee = strdup(try DatasetStream.info(ds))
    }
}

@_cdecl("hepml_dataset_stream")
public func cDatasetStream(_ params: UnsafePointer<CChar>?, _ specs: UnsafePointer<CChar>?, _ split: Int32,
                           _ shard: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<ArrowArrayStream>?) -> Int32 {
    withStatus {
        guard let params, let specs, let out else { throw InvalidArgument("hepml_dataset_stream: null argument") }
        let ds = try DatasetStream.dataset(params: String(cString: params), specs: String(cString: specs))
        let which: DataSplit?
        if split < 0 {
            which = nil
        } else {
            guard let s = DataSplit(rawValue: UInt8(clamping: split)), split <= 2 else {
                throw InvalidArgument("split must be 0 (train), 1 (validation), 2 (test) or -1 (all), not \(split)")
            }
            which = s
        }
        let sh = try shard.map { try JSONArguments.shard(String(cString: $0)) }
        DatasetStream.make(ds, split: which, shard: sh).export(into: out)
    }
}

/// Static C strings.
enum CStrings {
    nonisolated(unsafe) static let version: UnsafeMutablePointer<CChar> = strdup("1.0.0")
}
