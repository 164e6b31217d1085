#if canImport(Glibc)
import Glibc
#endif

/// Per-epoch output: a progress bar redrawn in place on a terminal, plain lines otherwise (logs, pipes).
final class ProgressLine {
    let total: Int
    let terminal = isatty(STDOUT_FILENO) != 0
    private var drawn = false

    init(total: Int) { self.total = total }

    func show(_ line: String) {
        guard terminal, line.hasPrefix("epoch"), let n = Int(line.dropFirst(5).prefix { $0 == " " || $0.isNumber }.filter(\.isNumber)) else {
            finish()
            print(line)
            return
        }
        let width = 30
        let done = min(width, width * n / max(1, total))
        let bar = String(repeating: "█", count: done) + String(repeating: "·", count: width - done)
        print("\r[\(bar)] \(line)", terminator: "")
        fflush(nil)
        drawn = true
    }

    func finish() {
        if drawn { print("") }
        drawn = false
    }
}
