import Foundation
import ImageIO
import NeuralNet
import Testing

/// ../shared beside the repository: the conformance files and the photos.
enum Shared {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared").path
    static var available: Bool {
        FileManager.default.fileExists(atPath: root + "/testdata/pngsuite/basn0g01.png")
            && FileManager.default.fileExists(atPath: root + "/photos")
    }

    static func files(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + folder)) ?? [])
            .filter { !ImageFile.isDirectory(root + "/" + folder + "/" + $0) }.sorted()
    }
}

/// One `chroma colorize` run over everything ../shared/testdata holds, plus
/// truncated and bit-flipped copies of every photo: nothing may crash, every
/// bad file is named with a reason, every good one is colorized, and a run
/// killed at random moments finishes with --skip-existing.
@Suite("chroma colorize on a hostile batch", .serialized, .enabled(if: Shared.available, "needs ../shared"))
struct HostileBatchTests {
    /// The batch: name → bytes.
    static func batch() throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: Shared.root + "/" + path))) }
        for (folder, prefix) in [("testdata/pngsuite", "png-"), ("testdata/jpeg", "jpeg-"), ("testdata/jpeg/exif-orientation", "exif-")] {
            for name in Shared.files(folder) { files[prefix + name] = try read(folder + "/" + name) }
        }
        var random = SeededRandom(seed: 2026)
        for name in Shared.files("photos") where InputFilesName.isImage(name) {
            let bytes = try read("photos/" + name)
            files["photo-" + name] = bytes
            let (stem, ext) = InputFilesName.split(name)
            for cut in [bytes.count / 10, bytes.count / 2, bytes.count * 9 / 10, bytes.count - 1] {
                files["cut\(cut)-\(stem).\(ext)"] = Array(bytes[..<cut])
            }
            for flips in [1, 8, 64] {
                var damaged = bytes
                for _ in 0..<flips { damaged[Int.random(in: 0..<damaged.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random) }
                files["flip\(flips)-\(stem).\(ext)"] = damaged
            }
        }
        return files
    }

    /// The output name `chroma colorize` gives an input.
    static func outputName(_ input: String) -> String {
        let (stem, ext) = InputFilesName.split(input)
        return ["png", "jpg", "jpeg"].contains(ext.lowercased()) ? input : stem + ".png"
    }

    @Test("no crash; every bad file named with a reason, every good file colorized; a correct summary; nothing else written")
    func hostileBatch() throws {
        let scratch = try Scratch("hostile-batch")
        defer { scratch.remove() }
        let files = try Self.batch()
        for (name, bytes) in files { try scratch.write(bytes, "in/" + name) }
        // What the decoder itself says of each file decides what colorize must do.
        var good: [String: (Int, Int)] = [:]
        for (name, bytes) in files {
            if let image = try? ImageDecoder.decode(bytes) { good[name] = (image.width, image.height) }
        }
        let bad = Set(files.keys).subtracting(good.keys)
        #expect(good.count > 150 && bad.count > 50, "\(good.count) good, \(bad.count) bad")

        let inputs = files.keys.sorted().map { scratch.path + "/in/" + $0 }
        let result = try CLIRunner.run(["colorize"] + inputs + ["-o", scratch.path + "/out", "--json", "--jobs", "2"])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("chroma: \(good.count) colorized, \(bad.count) failed of \(files.count) photos in ") },
                "summary: \(lines.last ?? "")")
        for name in bad {
            let line = lines.first { $0.hasPrefix("chroma: \(scratch.path)/in/\(name): ") }
            #expect(line != nil, "\(name) is not reported")
            if let line { #expect(line.count > "chroma: \(scratch.path)/in/\(name): ".count + 5, "a reason: \(line)") }
        }
        // One JSON object per photo, whose error is null exactly for the good ones.
        let records = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n")
        #expect(records.count == files.count)
        for record in records {
            let object = try JSONSerialization.jsonObject(with: Data(record.utf8)) as! [String: Any]
            let name = String((object["input"] as! String).dropFirst(scratch.path.count + 4))
            #expect((object["error"] is NSNull) == (good[name] != nil), "\(name): \(object["error"] ?? "")")
        }
        // Exactly the good files' outputs, whole; the inputs untouched.
        #expect(scratch.files("out") == good.keys.map(Self.outputName).sorted())
        for (name, size) in good {
            let output = try ImageFile.read(scratch.path + "/out/" + Self.outputName(name))
            #expect(output.width == size.0 && output.height == size.1, "\(name)")
        }
        for (name, bytes) in files { #expect(try ImageFile.readBytes(scratch.path + "/in/" + name) == bytes, "\(name) unchanged") }
    }

    @Test("killed at random moments and restarted with --skip-existing, a batch ends with every output whole and as an uninterrupted run writes it")
    func killedAndResumed() throws {
        let scratch = try Scratch("hostile-kill")
        defer { scratch.remove() }
        var count = 0
        for (name, bytes) in try Self.batch() where (try? ImageDecoder.decode(bytes)) != nil {
            try scratch.write(bytes, "in/" + name)
            count += 1
        }
        let arguments = ["colorize", scratch.path + "/in", "--jobs", "2"]
        let reference = try CLIRunner.run(arguments + ["-o", scratch.path + "/reference"])
        #expect(reference.status == 0, "\(reference.stderr)")
        #expect(scratch.files("reference").count == count)

        var random = SeededRandom(seed: 7)
        var kills = 0
        for _ in 0..<6 {
            let process = Process()
            process.executableURL = CLIRunner.executable
            process.arguments = arguments + ["-o", scratch.path + "/out", "--skip-existing"]
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 50_000...900_000, using: &random))
            if process.isRunning { kill(process.processIdentifier, SIGKILL); kills += 1 }
            process.waitUntilExit()
            #expect(scratch.files("out").allSatisfy { !$0.hasPrefix(".") }, "no temporary file after a kill")
        }
        #expect(kills > 0)
        let finish = try CLIRunner.run(arguments + ["-o", scratch.path + "/out", "--skip-existing"])
        #expect(finish.status == 0, "\(finish.stderr)")
        #expect(scratch.files("out") == scratch.files("reference"))
        for name in scratch.files("reference") {
            #expect(try ImageFile.readBytes(scratch.path + "/out/" + name) == ImageFile.readBytes(scratch.path + "/reference/" + name),
                    "\(name) is whole and the same as without kills")
        }
    }
}

/// File-name helpers (the CLI's own are internal to the executable).
enum InputFilesName {
    static func split(_ name: String) -> (stem: String, ext: String) {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
        return (String(name[..<dot]), String(name[name.index(after: dot)...]))
    }

    static func isImage(_ name: String) -> Bool { ["png", "jpg", "jpeg"].contains(split(name).ext.lowercased()) }
}
