import ArgumentParser
import Foundation
import ImageIO
import NeuralNet
#if canImport(Glibc)
import Glibc
#endif

/// Messages for the person at the terminal: standard error, one line each.
enum Diagnostics {
    /// `chroma: SUBJECT: REASON`; a file error about SUBJECT itself is not named twice.
    static func error(_ subject: String, _ reason: Any) {
        var text = (reason as? any Error).map { ImageIOError.reason($0, about: subject) } ?? "\(reason)"
        if case let .io(path, message)? = reason as? ModelFileError, path == subject { text = message }
        let subject = FileNames.display(subject)
        // A reason that names its subject itself ("runs/a holds no run.json …") is not prefixed with it again.
        write(text.hasPrefix(subject + " ") || text.hasPrefix(subject + ":") ? "chroma: \(text)\n" : "chroma: \(subject): \(text)\n")
    }

    static func note(_ message: String) {
        write(message + "\n")
    }

    /// Best effort: a closed or full standard error has nowhere to report to.
    static func write(_ text: String) {
        _ = try? StandardStreams.write(text, to: STDERR_FILENO)
    }
}

/// Standard input, output and error as the process found them.
enum StandardStreams {
    /// Whether standard output was closed when chroma started (`>&-`); /dev/null
    /// stands in for it, so that no file chroma opens can take its place.
    nonisolated(unsafe) private(set) static var outputWasClosed = false

    /// Puts /dev/null in place of any of the three standard descriptors that is
    /// closed: otherwise the first file opened would become "standard output",
    /// and JSON lines or an image meant for it would land inside that file.
    static func reserve() {
        for fd in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(fd, F_GETFD) == -1 {
            if fd == STDOUT_FILENO { outputWasClosed = true }
            let null = open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY)
            if null >= 0 && null != fd {
                dup2(null, fd)
                close(null)
            }
        }
    }

    /// Writes `text` whole to standard output; a closed, full or broken
    /// output throws with the system's reason.
    static func writeOutput(_ text: String) throws {
        if outputWasClosed { throw ImageIOError.fileSystem(path: "<stdout>", reason: "is closed") }
        try write(text, to: STDOUT_FILENO)
    }

    static func write(_ text: String, to fd: Int32) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ImageIOError.fileSystem(path: fd == STDOUT_FILENO ? "<stdout>" : "<stderr>", reason: String(cString: strerror(errno)))
            }
            offset += count
        }
    }
}

/// A command's failure about one thing (a file, a folder, a model): `Chroma.main`
/// reports it as the one line `chroma: SUBJECT: REASON` and exits with
/// `exitCode`. Commands throw it, through `reporting(_:_:)`, rather than each
/// printing and exiting on its own.
struct CommandFailure: Error {
    let subject: String
    let reason: any Error
    var exitCode: Int32 = 1

    init(subject: String, reason: any Error, exitCode: Int32 = 1) {
        self.subject = subject
        self.reason = reason
        self.exitCode = exitCode
    }

    /// A failure whose reason is a sentence of the command's own ("no such folder").
    init(subject: String, reason: String) {
        self.init(subject: subject, reason: Reason(description: reason))
    }

    struct Reason: Error, CustomStringConvertible {
        let description: String
    }
}

/// `body`'s result; an error it throws becomes a `CommandFailure` about
/// `subject` (a failure already about something, or an exit code, passes through).
func reporting<T>(_ subject: String, exitCode: Int32 = 1, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as CommandFailure {
        throw error
    } catch let error as ExitCode {
        throw error
    } catch {
        throw CommandFailure(subject: subject, reason: error, exitCode: exitCode)
    }
}

/// Exit code when at least one input failed while others may have succeeded.
struct SomeInputsFailed: Error, CustomStringConvertible {
    let failed: Int
    let total: Int
    var description: String { "\(failed) of \(total) inputs failed" }
}
