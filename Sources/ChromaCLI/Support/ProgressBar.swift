import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on standard error, drawn only when it is a terminal.
final class ProgressBar {
    let enabled = isatty(STDERR_FILENO) == 1
    private var lastDraw = Date.distantPast

    func show(_ label: String, done: Int, total: Int, detail: String, secondsLeft: Double) {
        guard enabled, Date().timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
        lastDraw = Date()
        let width = 24, filled = total > 0 ? width * done / total : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let left = secondsLeft.isFinite ? String(format: "%d:%02d left", Int(secondsLeft) / 60, Int(secondsLeft) % 60) : ""
        FileHandle.standardError.write(Data("\r\u{1B}[K\(label) \(bar) \(done)/\(total)  \(detail)  \(left)".utf8))
    }

    /// A progress callback for the library (`Evaluator.Progress`) that draws this bar
    /// under `label`, with the time left estimated from the pace so far.
    func reporter(_ label: String) -> (Int, Int) -> Void {
        let start = Date()
        return { done, total in
            let elapsed = Date().timeIntervalSince(start)
            self.show(label, done: done, total: total, detail: "",
                      secondsLeft: done == 0 ? .nan : elapsed / Double(done) * Double(total - done))
        }
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// Ctrl-C as a request to stop at the next safe point; a second Ctrl-C stops at once.
enum Interrupt {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    static var requested: Bool { flag != 0 }

    static func install() {
        signal(SIGINT) { _ in
            if Interrupt.flag != 0 { _exit(130) }
            Interrupt.flag = 1
        }
    }
}
