import Foundation

/// Keeps a damaged HDF5 file from taking a long-running process down. libhdf5 trusts some on-disk references
/// (a global-heap object an attribute points at) and can crash on a crafted file, which no check before the call
/// can fully rule out. When `probeExecutable` is set (the server sets it to its own executable), a Keras file is
/// first read by `EXE model inspect --platform keras FILE` in a child process; only if that child does not crash
/// or hang is the file read in this process.
public enum HDF5Isolation {
    /// The hepml executable that tries Keras files in a child process; nil: files are read in-process only.
    nonisolated(unsafe) public static var probeExecutable: String?
    /// How long the child may take before the file is refused.
    nonisolated(unsafe) public static var probeTimeout: TimeInterval = 60

    /// The path of the running executable (what the server passes as `probeExecutable`).
    public static var currentExecutable: String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }

    /// Throws when the child reading `path` crashed or hung; a normal failure is left to the in-process load,
    /// which reports it as a typed error.
    static func check(path: String, name: String) throws {
        guard let executable = probeExecutable else { return }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = ["model", "inspect", "--platform", "keras", path]
        child.standardInput = FileHandle.nullDevice
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        do {
            try child.run()
        } catch {
            throw NativeEngineError.malformedModel("\(name): cannot start the HDF5 check (\(error.localizedDescription))")
        }
        let timer = DispatchWorkItem { if child.isRunning { child.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + probeTimeout, execute: timer)
        child.waitUntilExit()
        timer.cancel()
        guard child.terminationReason == .uncaughtSignal else { return }
        if child.terminationStatus == SIGTERM {
            throw NativeEngineError.malformedModel("\(name): reading it as HDF5 did not finish in \(Int(probeTimeout)) s")
        }
        throw NativeEngineError.malformedModel("\(name): the HDF5 library crashed reading it (a damaged or crafted file)")
    }
}
