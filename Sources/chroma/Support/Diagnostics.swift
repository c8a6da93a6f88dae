import Foundation
import ImageIO

/// Messages for the person at the terminal: standard error, one line each.
enum Diagnostics {
    /// `chroma: SUBJECT: REASON`; a file-system error about SUBJECT itself is not named twice.
    static func error(_ subject: String, _ reason: Any) {
        if case let .fileSystem(path, text)? = reason as? ImageIOError, path == subject {
            write("chroma: \(subject): \(text)\n")
        } else {
            write("chroma: \(subject): \(reason)\n")
        }
    }

    static func note(_ message: String) {
        write(message + "\n")
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Exit code when at least one input failed while others may have succeeded.
struct SomeInputsFailed: Error, CustomStringConvertible {
    let failed: Int
    let total: Int
    var description: String { "\(failed) of \(total) inputs failed" }
}
