import Foundation
import ImageIO

/// One input to process and where its output goes.
struct Job {
    let input: String
    let output: String
}

/// Expanding command-line inputs (files, folders, `-`) into jobs.
enum InputFiles {
    /// Extensions a folder scan picks up; a named file is read whatever its name.
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "jpe", "jfif"]

    /// Image files under `folder`, sorted, as paths relative to it.
    static func scan(_ folder: String, recursive: Bool) throws -> [String] {
        let manager = FileManager.default
        var found: [String] = []
        if recursive {
            guard let walker = manager.enumerator(atPath: folder) else {
                throw ImageIOError.fileSystem(path: folder, reason: "cannot be read")
            }
            while let relative = walker.nextObject() as? String {
                if isImageName(relative) && !ImageFile.isDirectory(folder + "/" + relative) { found.append(relative) }
            }
        } else {
            do {
                found = try manager.contentsOfDirectory(atPath: folder).filter {
                    isImageName($0) && !ImageFile.isDirectory(folder + "/" + $0)
                }
            } catch {
                throw ImageIOError.fileSystem(path: folder, reason: "cannot be read")
            }
        }
        return found.filter { !$0.split(separator: "/").contains { $0.hasPrefix(".") } }.sorted()
    }

    static func isImageName(_ path: String) -> Bool {
        imageExtensions.contains(Paths.pathExtension(path).lowercased())
    }

    /// `path` with its extension replaced by that of `format`, and `suffix` added to its name.
    static func renamed(_ path: String, format: ImageFormat, suffix: String = "") -> String {
        Paths.deletingExtension(path) + suffix + "." + format.fileExtension
    }

    /// Whether two paths name the same existing file (so an output would overwrite an input).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var first = stat(), second = stat()
        guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }
}
