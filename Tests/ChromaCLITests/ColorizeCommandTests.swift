import Testing
import Foundation
import ImageIO
import NeuralNet
import Colorizer

@Suite("chroma colorize", .serialized)
struct ColorizeCommandTests {
    /// A small untrained Lab model: the tests are about files, not colours.
    static func model(_ scratch: Scratch) throws -> String {
        let task = ColorizationTask(space: .lab)
        let network = Network(architecture: try Architecture("c4 p c4 u:bilinear c2 sigmoid"), inputChannels: 1, seed: 5)
        let path = scratch.path + "/model.chroma"
        try ModelFile(network: network, metadata: ModelMetadata(colorization: task)).save(to: path)
        return path
    }

    /// photos/a.png, photos/b.jpg, photos/sub/c.png (RGBA).
    static func photos(_ scratch: Scratch) throws {
        try scratch.write(ImageEncoder.encodePNG(testPicture()), "photos/a.png")
        try scratch.write(ImageEncoder.encodeJPEG(testPicture(width: 48, height: 30)), "photos/b.jpg")
        var rgba = testPicture(width: 20, height: 16)
        rgba = Image(width: 20, height: 16, layout: .rgba,
                     samples: stride(from: 0, to: rgba.samples.count, by: 3).flatMap { rgba.samples[$0..<$0 + 3] + [UInt8($0 % 256)] })
        try scratch.write(ImageEncoder.encodePNG(rgba), "photos/sub/c.png")
    }

    @Test("folders mirror names and formats; alpha is kept; --json prints a line per photo")
    func folders() throws {
        let scratch = try Scratch("colorize-folders")
        defer { scratch.remove() }
        try Self.photos(scratch)
        let model = try Self.model(scratch)
        let out = scratch.path + "/out"
        let result = try CLIRunner.run(["colorize", scratch.path + "/photos", "-o", out, "--model", model, "--recursive",
                                        "--suffix", "-color", "--json", "--jobs", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "no chatter without --verbose: \(result.stderr)")
        #expect(scratch.files("out") == ["a-color.png", "b-color.jpg", "sub"])
        #expect(scratch.files("out/sub") == ["c-color.png"])
        let a = try ImageFile.read(out + "/a-color.png")
        #expect(a.width == 40 && a.height == 24 && a.layout == .rgb)
        #expect(ImageFormat.sniff(try ImageFile.readBytes(out + "/b-color.jpg")) == .jpeg)
        #expect(try ImageFile.read(out + "/sub/c-color.png").layout == .rgba)
        let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(Set(object?.keys.map { $0 } ?? []) == ["input", "output", "width", "height", "seconds", "error"])
            #expect(object?["error"] is NSNull)
        }
    }

    @Test("the bundled models are installed and used by default, in both spaces", arguments: ["lab", "ycbcr"])
    func bundled(space: String) throws {
        let jpeg = try ImageEncoder.encodeJPEG(testPicture(width: 96, height: 64))
        let result = try CLIRunner.run(["colorize", "-", "--space", space], stdin: jpeg)
        #expect(result.status == 0, "\(result.stderr)")
        let image = try ImageDecoder.decode(result.stdout)
        #expect(image.width == 96 && image.height == 64 && image.layout == .rgb)
    }

    @Test("a copy of the program anywhere colorizes with its built-in models; CHROMA_MODELS replaces them")
    func installedAnywhere() throws {
        let scratch = try Scratch("installed")
        defer { scratch.remove() }
        let copy = URL(fileURLWithPath: scratch.path + "/bin/chroma")
        try FileManager.default.createDirectory(atPath: scratch.path + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CLIRunner.executable, to: copy)
        let jpeg = try ImageEncoder.encodeJPEG(testPicture(width: 96, height: 64))
        for space in ["lab", "ycbcr"] {
            let result = try CLIRunner.run(["colorize", "-", "--space", space], stdin: jpeg, in: scratch.path, program: copy)
            #expect(result.status == 0, "\(space): \(result.stderr)")
            #expect(try ImageDecoder.decode(result.stdout).width == 96)
        }
        // A folder of replacements: its lab.chroma is used (a tiny test model, whose output differs from the built-in one's).
        try FileManager.default.createDirectory(atPath: scratch.path + "/models", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try Self.model(scratch), toPath: scratch.path + "/models/lab.chroma")
        let builtIn = try CLIRunner.run(["colorize", "-", "--space", "lab", "--format", "png"], stdin: jpeg, program: copy)
        let replaced = try CLIRunner.run(["colorize", "-", "--space", "lab", "--format", "png"], stdin: jpeg, program: copy,
                                         environment: ["CHROMA_MODELS": scratch.path + "/models"])
        #expect(builtIn.status == 0 && replaced.status == 0, "\(replaced.stderr)")
        #expect(builtIn.stdout != replaced.stdout)
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: scratch.path + "/models/lab.chroma"))
        let broken = try CLIRunner.run(["colorize", "-", "--space", "lab"], stdin: jpeg, program: copy,
                                       environment: ["CHROMA_MODELS": scratch.path + "/models"])
        #expect(broken.status == 1 && broken.stderr.contains(scratch.path + "/models/lab.chroma"), "\(broken.stderr)")
    }

    @Test("folders named with a trailing slash never give doubled slashes in messages, JSON or run folders")
    func trailingSlashes() throws {
        let scratch = try Scratch("slashes")
        defer { scratch.remove() }
        try Self.photos(scratch)
        try scratch.write(Array("not an image".utf8), "photos/bad.png")
        let model = try Self.model(scratch)
        let colorized = try CLIRunner.run(["colorize", "photos/", "-o", "out/", "--recursive", "--json", "--model", model], in: scratch.path)
        let text = String(decoding: colorized.stdout, as: UTF8.self) + colorized.stderr
        #expect(colorized.status == 1 && text.contains("photos/bad.png") && text.contains("out/sub/c.png"), "\(text)")
        #expect(!text.contains("//"), "\(text)")
        let converted = try CLIRunner.run(["convert", "photos/", "-o", "gray/", "--recursive"], in: scratch.path)
        #expect(converted.stderr.contains("photos/bad.png") && !converted.stderr.contains("//"), "\(converted.stderr)")
        try FileManager.default.removeItem(atPath: scratch.path + "/photos/bad.png")
        let trained = try CLIRunner.run(["train", "--images", "photos/", "--split", "50/50/0", "--epochs", "1", "--batch", "1",
                                         "--arch", "c4 p c4 u c2 sigmoid", "--out", "run/"], in: scratch.path)
        #expect(trained.status == 0 && trained.stderr.contains("is run/model.chroma") && !trained.stderr.contains("//"), "\(trained.stderr)")
    }

    @Test("JPEG to JPEG with the YCbCr model keeps the input's luminance, unless --quality or --subsampling asks for another encoding")
    func keptLuminance() throws {
        let scratch = try Scratch("colorize-kept-luminance")
        defer { scratch.remove() }
        try scratch.write(ImageEncoder.encodeJPEG(testPicture(width: 160, height: 96), quality: 97, subsampling: .s444), "in.jpg")
        var options = DecodingOptions()
        options.jpegLuminanceOnly = true
        func luminance(_ name: String) throws -> [UInt8] { try ImageDecoder.decode(ImageFile.readBytes(scratch.path + "/" + name), options: options).samples }
        for (name, extra, kept) in [("kept.jpg", [String](), true), ("quality.jpg", ["--quality", "97"], false),
                                    ("subsampled.jpg", ["--subsampling", "444"], false)] {
            let result = try CLIRunner.run(["colorize", scratch.path + "/in.jpg", "--space", "ycbcr", "-o", scratch.path + "/" + name] + extra)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try (luminance(name) == luminance("in.jpg")) == kept, "\(name)")
        }
    }

    @Test("standard input to standard output")
    func pipeline() throws {
        let scratch = try Scratch("colorize-pipe")
        defer { scratch.remove() }
        let jpeg = try ImageEncoder.encodeJPEG(testPicture())
        let result = try CLIRunner.run(["colorize", "-", "--model", try Self.model(scratch)], stdin: jpeg)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(ImageFormat.sniff(result.stdout) == .jpeg)
        #expect(try ImageDecoder.decode(result.stdout).width == 40)
    }

    @Test("existing outputs are refused, skipped with --skip-existing, replaced with --overwrite")
    func repeatedRuns() throws {
        let scratch = try Scratch("colorize-repeat")
        defer { scratch.remove() }
        try Self.photos(scratch)
        let model = try Self.model(scratch)
        let out = scratch.path + "/out"
        try scratch.write([1, 2, 3], "out/a.png")  // as if left by someone else
        let first = try CLIRunner.run(["colorize", scratch.path + "/photos", "-o", out, "--model", model])
        #expect(first.status == 1)
        #expect(first.stderr.contains("a.png") && first.stderr.contains("exists"), "\(first.stderr)")
        #expect(try ImageFile.readBytes(out + "/a.png") == [1, 2, 3], "an existing file is not replaced")
        #expect(FileManager.default.fileExists(atPath: out + "/b.jpg"), "the batch goes on after a failure")
        let skipping = try CLIRunner.run(["colorize", scratch.path + "/photos", "-o", out, "--model", model, "--skip-existing", "--json"])
        #expect(skipping.status == 0, "\(skipping.stderr)")
        let lines = try String(decoding: skipping.stdout, as: UTF8.self).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        #expect(lines.count == 2 && lines.allSatisfy { $0["skipped"] as? Bool == true && $0["error"] is NSNull }, "\(lines)")
        let replacing = try CLIRunner.run(["colorize", scratch.path + "/photos", "-o", out, "--model", model, "--overwrite"])
        #expect(replacing.status == 0, "\(replacing.stderr)")
        #expect(try ImageFile.read(out + "/a.png").width == 40)
        #expect(scratch.files("out").allSatisfy { !$0.hasPrefix(".") }, "no temporary files are left: \(scratch.files("out"))")
    }

    @Test("bad inputs are named, the rest are colorized, and inputs are never overwritten")
    func failures() throws {
        let scratch = try Scratch("colorize-bad")
        defer { scratch.remove() }
        try Self.photos(scratch)
        try scratch.write(Array("not an image".utf8), "photos/broken.png")
        let truncated = try ImageEncoder.encodeJPEG(testPicture())
        try scratch.write(Array(truncated.prefix(truncated.count / 2)), "photos/cut.jpg")
        let model = try Self.model(scratch)
        let photos = scratch.path + "/photos"
        let result = try CLIRunner.run(["colorize", photos, "-o", scratch.path + "/out", "--model", model])
        #expect(result.status == 1)
        #expect(result.stderr.contains("broken.png") && result.stderr.contains("cut.jpg"), "\(result.stderr)")
        #expect(result.stderr.contains("2 failed of 4 photos"), "\(result.stderr)")
        #expect(scratch.files("out") == ["a.png", "b.jpg"])

        // Into the input folder itself: refused without a suffix, even with --overwrite.
        let before = try ImageFile.readBytes(photos + "/a.png")
        let inPlace = try CLIRunner.run(["colorize", photos + "/a.png", "-o", photos, "--model", model, "--overwrite"])
        #expect(inPlace.status == 1)
        #expect(inPlace.stderr.contains("is one of the inputs"), "\(inPlace.stderr)")
        #expect(try ImageFile.readBytes(photos + "/a.png") == before)
        let beside = try CLIRunner.run(["colorize", photos + "/a.png", "-o", photos, "--model", model, "--suffix", "-color"])
        #expect(beside.status == 0, "\(beside.stderr)")
        #expect(FileManager.default.fileExists(atPath: photos + "/a-color.png"))

        // An output folder that cannot be written.
        let unwritable = try CLIRunner.run(["colorize", photos + "/a.png", "-o", "/proc/chroma-cannot-write", "--model", model])
        #expect(unwritable.status == 1)
        #expect(unwritable.stderr.contains("/proc/chroma-cannot-write"), "\(unwritable.stderr)")
        let missingModel = try CLIRunner.run(["colorize", photos + "/a.png", "-o", scratch.path + "/o2", "--model", scratch.path + "/none.chroma"])
        #expect(missingModel.status == 1 && missingModel.stderr.contains("none.chroma"), "\(missingModel.stderr)")
    }

    @Test("an interrupted batch leaves only whole outputs, and --skip-existing finishes it")
    func interrupted() throws {
        let scratch = try Scratch("colorize-interrupt")
        defer { scratch.remove() }
        for i in 0..<30 { try scratch.write(ImageEncoder.encodePNG(testPicture(width: 600, height: 400 + i)), "photos/p\(i).png") }
        let model = try Self.model(scratch)
        let process = Process()
        process.executableURL = CLIRunner.executable
        process.arguments = ["colorize", scratch.path + "/photos", "-o", scratch.path + "/out", "--model", model, "--jobs", "1"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(300_000)
        process.interrupt()  // Ctrl-C: no new photo is started, the current one is finished
        process.waitUntilExit()
        #expect(process.terminationStatus == 130 || process.terminationStatus == 0)
        let written = scratch.files("out")
        #expect(written.allSatisfy { !$0.hasPrefix(".") }, "no temporary files: \(written)")
        for name in written { #expect(try ImageFile.read(scratch.path + "/out/" + name).width == 600, "\(name) is whole") }
        let finish = try CLIRunner.run(["colorize", scratch.path + "/photos", "-o", scratch.path + "/out", "--model", model, "--skip-existing"])
        #expect(finish.status == 0, "\(finish.stderr)")
        #expect(scratch.files("out").count == 30)
    }

    @Test("--shard K/N splits the sorted inputs into disjoint slices that cover them all")
    func shards() throws {
        let scratch = try Scratch("colorize-shard")
        defer { scratch.remove() }
        for i in 0..<7 { try scratch.write(ImageEncoder.encodePNG(testPicture(width: 8 + i, height: 8)), "photos/p\(i).png") }
        let model = try Self.model(scratch)
        var seen: [String] = []
        for k in 1...3 {
            let result = try CLIRunner.run(["colorize", scratch.path + "/photos", "-o", scratch.path + "/out\(k)", "--model", model, "--shard", "\(k)/3"])
            #expect(result.status == 0, "\(result.stderr)")
            seen += scratch.files("out\(k)").filter { !$0.hasPrefix(".") }
            #expect(scratch.files("out\(k)/.chroma-shards") == ["shard-\(k)-of-3.json"], "each shard leaves its manifest")
        }
        #expect(seen.sorted() == (0..<7).map { "p\($0).png" })
        let bad = try CLIRunner.run(["colorize", scratch.path + "/photos", "-o", scratch.path + "/o", "--model", model, "--shard", "4/3"])
        #expect(bad.status == 64)
    }
}
