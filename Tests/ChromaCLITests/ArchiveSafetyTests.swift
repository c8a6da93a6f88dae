import Testing
import Foundation
import ImageIO
import NeuralNet
import Colorizer
#if canImport(Glibc)
import Glibc
#endif

/// What an archive's owner must be able to count on: no input is ever
/// written over, nothing is passed by in silence, and bad requests get one
/// line and an exit code rather than a crash, a hang or a folder of the wrong name.
@Suite("archive safety", .serialized)
struct ArchiveSafetyTests {
    static func model(_ scratch: Scratch) throws -> String { try ColorizeCommandTests.model(scratch) }

    static func photo(_ width: Int = 40, _ height: Int = 24) throws -> [UInt8] {
        try ImageEncoder.encodeJPEG(testPicture(width: width, height: height))
    }

    @Test("--overwrite never writes over an input, however the names collide")
    func overwriteSparesInputs() throws {
        let scratch = try Scratch("safety-overwrite")
        defer { scratch.remove() }
        let model = try Self.model(scratch)
        // One photo's output name is another input (alb/a.jpg → alb/a-color.jpg).
        try scratch.write(try Self.photo(), "alb/a.jpg")
        let other = try Self.photo(30, 20)
        try scratch.write(other, "alb/a-color.jpg")
        let first = try CLIRunner.run(["colorize", scratch.path + "/alb", "-o", scratch.path + "/alb", "--suffix", "-color",
                                       "--overwrite", "--model", model])
        #expect(first.status == 1)
        #expect(first.stderr.contains("a-color.jpg: is one of the inputs"), "\(first.stderr)")
        #expect(try ImageFile.readBytes(scratch.path + "/alb/a-color.jpg") == other, "the input is untouched")

        // x.jpg and x.png in one folder, --format png.
        let png = try ImageEncoder.encodePNG(testPicture(width: 12, height: 8))
        try scratch.write(try Self.photo(), "same/x.jpg")
        try scratch.write(png, "same/x.png")
        let formats = try CLIRunner.run(["colorize", scratch.path + "/same", "-o", scratch.path + "/same", "--format", "png",
                                         "--overwrite", "--model", model])
        #expect(formats.status == 1, "\(formats.stderr)")
        #expect(try ImageFile.readBytes(scratch.path + "/same/x.png") == png)

        // Two input folders, the output one of them.
        try scratch.write(try Self.photo(), "da/p.jpg")
        let kept = try Self.photo(16, 16)
        try scratch.write(kept, "db/p.jpg")
        let folders = try CLIRunner.run(["colorize", scratch.path + "/da", scratch.path + "/db", "-o", scratch.path + "/db",
                                         "--overwrite", "--model", model])
        #expect(folders.status == 1)
        #expect(try ImageFile.readBytes(scratch.path + "/db/p.jpg") == kept)

        // convert DIR DIR --format png --overwrite.
        let converted = try CLIRunner.run(["convert", scratch.path + "/same", "-o", scratch.path + "/same", "--to", "rgb",
                                           "--format", "png", "--overwrite"])
        #expect(converted.status == 1)
        #expect(converted.stderr.contains("is one of the inputs"), "\(converted.stderr)")
        #expect(try ImageFile.readBytes(scratch.path + "/same/x.png") == png)

        // A hard link to an input is the input.
        #expect(link(scratch.path + "/da/p.jpg", scratch.path + "/link.jpg") == 0)
        let before = try ImageFile.readBytes(scratch.path + "/da/p.jpg")
        let linked = try CLIRunner.run(["colorize", scratch.path + "/da/p.jpg", "-o", scratch.path + "/link.jpg",
                                        "--overwrite", "--model", model])
        #expect(linked.status == 0 || linked.status == 1)
        #expect(try ImageFile.readBytes(scratch.path + "/da/p.jpg") == before)
    }

    @Test("a second run into the input folder does not colorize the first run's outputs")
    func earlierOutputs() throws {
        let scratch = try Scratch("safety-earlier")
        defer { scratch.remove() }
        let model = try Self.model(scratch)
        try scratch.write(ImageEncoder.encodePNG(testPicture()), "photos/a.png")
        let arguments = ["colorize", scratch.path + "/photos", "-o", scratch.path + "/photos", "--suffix", "-c", "--model", model]
        #expect(try CLIRunner.run(arguments).status == 0)
        let again = try CLIRunner.run(arguments + ["--skip-existing", "--verbose"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(scratch.files("photos") == ["a-c.png", "a.png"])
        #expect(again.stderr.contains("a-c.png: skipped: an earlier output of chroma"), "\(again.stderr)")
        #expect(again.stderr.contains("1 skipped: earlier outputs of chroma"), "\(again.stderr)")
        let metadata = try ImageMetadata.read(from: ImageFile.readBytes(scratch.path + "/photos/a-c.png"))
        #expect(metadata.isColorizedByChroma)
    }

    @Test("files that are not photos are counted, named with --verbose, and never block the batch")
    func passedBy() throws {
        let scratch = try Scratch("safety-passed")
        defer { scratch.remove() }
        let model = try Self.model(scratch)
        try scratch.write(try Self.photo(), "in/a.jpg")
        try scratch.write(Array("notes".utf8), "in/notes.txt")
        try scratch.write(Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0, 0x3B], "in/old.gif")
        #expect(mkfifo(scratch.path + "/in/pipe.jpg", 0o644) == 0)
        let result = try CLIRunner.run(["colorize", scratch.path + "/in", "-o", scratch.path + "/out", "--model", model, "--verbose"])
        #expect(result.status == 0, "\(result.stderr)")
        for text in ["notes.txt: skipped: not an image", "old.gif: skipped: GIF is not supported", "pipe.jpg: skipped: a FIFO",
                     "1 skipped: not an image", "1 skipped: GIF is not supported", "1 skipped: not regular files"] {
            #expect(result.stderr.contains(text), "\(text) in \(result.stderr)")
        }
        let quiet = try CLIRunner.run(["colorize", scratch.path + "/in", "-o", scratch.path + "/out2", "--model", model])
        #expect(quiet.stderr.contains("3 skipped") == false && quiet.stderr.contains("skipped: not an image"), "\(quiet.stderr)")
        let named = try CLIRunner.run(["colorize", scratch.path + "/in/old.gif", "-o", scratch.path + "/out3/", "--model", model])
        #expect(named.status == 1)
        #expect(named.stderr.contains("old.gif: GIF is not supported"), "\(named.stderr)")
    }

    @Test("-o names a file for one input and standard output with -; path errors take one line")
    func outputNames() throws {
        let scratch = try Scratch("safety-output")
        defer { scratch.remove() }
        let model = try Self.model(scratch)
        try scratch.write(try Self.photo(), "old.jpg")
        let file = try CLIRunner.run(["colorize", scratch.path + "/old.jpg", "-o", scratch.path + "/new.png", "--model", model])
        #expect(file.status == 0, "\(file.stderr)")
        #expect(ImageFile.kind(of: scratch.path + "/new.png") == .regular)
        #expect(ImageFormat.sniff(try ImageFile.readBytes(scratch.path + "/new.png")) == .png)
        let stdout = try CLIRunner.run(["colorize", scratch.path + "/old.jpg", "-o", "-", "--model", model])
        #expect(stdout.status == 0 && ImageFormat.sniff(stdout.stdout) == .jpeg, "\(stdout.stderr)")
        #expect(!ImageFile.exists(scratch.path + "/-"))
        let folder = try CLIRunner.run(["colorize", scratch.path + "/old.jpg", "-o", scratch.path + "/dir/", "--model", model])
        #expect(folder.status == 0 && ImageFile.kind(of: scratch.path + "/dir/old.jpg") == .regular, "\(folder.stderr)")

        let empty = try CLIRunner.run(["colorize", scratch.path + "/old.jpg", "-o", "", "--model", model])
        #expect(empty.status == 64 && empty.stderr.contains("empty"), "\(empty.stderr)")
        let underFile = try CLIRunner.run(["colorize", scratch.path + "/old.jpg", "-o", scratch.path + "/new.png/sub/", "--model", model])
        #expect(underFile.status != 0)
        #expect(underFile.stderr.contains("new.png: exists and is not a folder"), "\(underFile.stderr)")
        let unwritable = try CLIRunner.run(["colorize", scratch.path + "/old.jpg", "-o", "/proc/chroma-no/x/", "--model", model])
        #expect(unwritable.status == 1)
        for result in [underFile, unwritable] {
            #expect(!result.stderr.contains("NSCocoaErrorDomain") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
    }

    @Test("--json into a full or closed standard output reports the error and exits 1")
    func jsonWriteErrors() throws {
        let scratch = try Scratch("safety-json")
        defer { scratch.remove() }
        let model = try Self.model(scratch)
        try scratch.write(try Self.photo(), "in/a.jpg")
        try scratch.write(try Self.photo(20, 20), "in/b.jpg")
        for (redirect, expected) in [("> /dev/full", "No space left on device"), (">&-", "closed")] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "exec \"$0\" colorize \"$1\" -o \"$2\" --model \"$3\" --json \(redirect) 2>\"$4\"",
                                 CLIRunner.executable.path, scratch.path + "/in", scratch.path + "/out-\(expected.count)", model,
                                 scratch.path + "/err"]
            try process.run()
            process.waitUntilExit()
            let stderr = String(decoding: try ImageFile.readBytes(scratch.path + "/err"), as: UTF8.self)
            #expect(process.terminationReason == .exit, "no crash: \(stderr)")
            #expect(process.terminationStatus != 0, "\(stderr)")
            #expect(stderr.contains(expected), "\(stderr)")
            #expect(!stderr.contains("<stdout>: <stdout>"), "the stream is named once: \(stderr)")
        }
    }

    @Test("a file name that is not UTF-8 is read and written under its own bytes")
    func nonUTF8Names() throws {
        let scratch = try Scratch("safety-bytes")
        defer { scratch.remove() }
        let model = try Self.model(scratch)
        try FileManager.default.createDirectory(atPath: scratch.path + "/in", withIntermediateDirectories: true)
        let name: [UInt8] = Array("caf".utf8) + [0xE9] + Array(".png".utf8)  // café.png in Latin-1
        let photo = try ImageEncoder.encodePNG(testPicture())
        let path = Array((scratch.path + "/in/").utf8) + name + [0]
        let fd = path.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT, 0o644) } }
        #expect(fd >= 0)
        _ = photo.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let result = try CLIRunner.run(["colorize", scratch.path + "/in", "-o", scratch.path + "/out", "--model", model, "--verbose"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("caf\\xE9.png"), "shown escaped: \(result.stderr)")
        let listed = try ImageFile.listDirectory(scratch.path + "/out").map { FileNames.bytes($0.name) }
        #expect(listed == [name])
    }

    @Test("memory follows the grid: thin strips, large --tiles and hostile models are bounded or refused")
    func memoryBounds() throws {
        let scratch = try Scratch("safety-memory")
        defer { scratch.remove() }
        let model = try Self.model(scratch)
        // A 200,000 × 1 strip: its grid stays small.
        try scratch.write(ImageEncoder.encodePNG(Image<UInt8>(width: 200_000, height: 1, layout: .gray)), "strip.png")
        let strip = try CLIRunner.run(["colorize", scratch.path + "/strip.png", "-o", scratch.path + "/strip-out.png", "--model", model])
        #expect(strip.status == 0, "\(strip.stderr)")

        // --tiles 64 on a larger photo, against a small network limit.
        try scratch.write(try Self.photo(2048, 2048), "big.jpg")
        let tiles = try CLIRunner.run(["colorize", scratch.path + "/big.jpg", "-o", scratch.path + "/big-out.jpg", "--model", model,
                                       "--tiles", "64", "--max-network-mb", "16"])
        #expect(tiles.status == 1)
        #expect(tiles.stderr.contains("--max-network-mb") && tiles.stderr.contains("--tiles"), "\(tiles.stderr)")

        // A small model file whose layers blow up the grid 64 times on each side.
        let task = ColorizationTask(space: .lab, bins: BinGrid(side: 12, range: -64...64))
        let hostile = Network(architecture: try Architecture("u u u u u u c120:k1 c120:k1 c144:k1"), inputChannels: 1, seed: 1)
        try ModelFile(network: hostile, metadata: ModelMetadata(colorization: task)).save(to: scratch.path + "/hostile.chroma")
        let blown = try CLIRunner.run(["colorize", scratch.path + "/big.jpg", "-o", scratch.path + "/h.jpg",
                                       "--model", scratch.path + "/hostile.chroma"])
        #expect(blown.status == 1)
        #expect(blown.stderr.contains("limit exceeded") && blown.stderr.contains("MiB"), "\(blown.stderr)")
    }

    @Test("model files with NaN weights or settings are refused on load")
    func nonFiniteModels() throws {
        let scratch = try Scratch("safety-nan")
        defer { scratch.remove() }
        try scratch.write(try Self.photo(), "a.jpg")
        let task = ColorizationTask(space: .lab)
        let network = Network(architecture: try Architecture("c4 p c4 u:bilinear c2 sigmoid"), inputChannels: 1, seed: 5)
        network.parameters[3] = .nan
        try ModelFile(network: network, metadata: ModelMetadata(colorization: task)).save(to: scratch.path + "/nan.chroma")
        let weights = try CLIRunner.run(["colorize", scratch.path + "/a.jpg", "-o", scratch.path + "/o1.jpg", "--model", scratch.path + "/nan.chroma"])
        #expect(weights.status == 1 && weights.stderr.contains("not a finite number"), "\(weights.stderr)")
        for value in ["nan", "-1e30"] {
            let fine = Network(architecture: try Architecture("c4 p c4 u:bilinear c2 sigmoid"), inputChannels: 1, seed: 5)
            var metadata = ModelMetadata(colorization: task).entries
            metadata["saturation"] = value
            try ModelFile(network: fine, metadata: metadata).save(to: scratch.path + "/sat.chroma")
            let result = try CLIRunner.run(["colorize", scratch.path + "/a.jpg", "-o", scratch.path + "/o-\(value).jpg", "--model", scratch.path + "/sat.chroma"])
            #expect(result.status == 1 && result.stderr.contains("saturation must be in 0…4"), "\(result.stderr)")
        }
    }

    @Test("an interrupted compare's temporary folder is removed by the next run; a report never replaces its inputs")
    func compareLeftovers() throws {
        let scratch = try Scratch("safety-compare")
        defer { scratch.remove() }
        let model = try Self.model(scratch)
        try scratch.write(try Self.photo(), "photos/a.jpg")
        try scratch.write([1], ".report.tmp-999999/photos/x")  // left by a process that no longer exists
        let result = try CLIRunner.run(["compare", scratch.path + "/photos", "-o", scratch.path + "/report", "--model", model])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!ImageFile.exists(scratch.path + "/.report.tmp-999999"))
        let onInputs = try CLIRunner.run(["compare", scratch.path + "/photos", "-o", scratch.path + "/photos", "--overwrite", "--model", model])
        #expect(onInputs.status == 64)
        let onOther = try CLIRunner.run(["compare", scratch.path + "/photos", "-o", scratch.path, "--overwrite", "--model", model])
        #expect(onOther.status == 64, "a folder holding the inputs is never replaced: \(onOther.stderr)")
        #expect(ImageFile.exists(scratch.path + "/photos/a.jpg"))
    }
}

@Suite("archive safety: terminals and training folders", .serialized)
struct ArchiveSafetyMoreTests {
    @Test("image data is never written to a terminal")
    func terminal() throws {
        let scratch = try Scratch("safety-tty")
        defer { scratch.remove() }
        let model = try ColorizeCommandTests.model(scratch)
        try scratch.write(try ImageEncoder.encodeJPEG(testPicture()), "a.jpg")
        // script(1) gives the command a pseudo-terminal for its standard output.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", "'\(CLIRunner.executable.path)' colorize '\(scratch.path)/a.jpg' -o - --model '\(model)'", "/dev/null"]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1, "\(text)")
        #expect(text.contains("<stdout>: is a terminal"), "\(text)")
        #expect(!text.contains("JFIF"), "no image bytes reached the terminal")
    }

    @Test("model calibrate never writes over the model it calibrates")
    func calibrateOverInput() throws {
        let scratch = try Scratch("safety-calibrate")
        defer { scratch.remove() }
        let model = try ColorizeCommandTests.model(scratch)
        let before = try ImageFile.readBytes(model)
        let result = try CLIRunner.run(["model", "calibrate", model, "--cifar", scratch.path, "--out", scratch.path + "/./model.chroma"])
        #expect(result.status == 64 && result.stderr.contains("is the model being calibrated"), "\(result.stderr)")
        #expect(try ImageFile.readBytes(model) == before)
    }

    @Test("train --images passes over a 1-pixel photo instead of crashing")
    func onePixelPhoto() throws {
        let scratch = try Scratch("safety-1px")
        defer { scratch.remove() }
        for i in 0..<6 { try scratch.write(try ImageEncoder.encodePNG(testPicture(width: 40 + i, height: 36)), "photos/p\(i).png") }
        try scratch.write(try ImageEncoder.encodePNG(Image<UInt8>(width: 1, height: 1, layout: .rgb, samples: [200, 100, 50])), "photos/dot.png")
        let result = try CLIRunner.run(["train", "--images", scratch.path + "/photos", "--arch", "c4 p c4 u c2 sigmoid", "--epochs", "1",
                                        "--batch", "4", "--split", "60/20/20", "--out", scratch.path + "/run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(ImageFile.exists(scratch.path + "/run/model.chroma"))
    }
}

@Suite("sharded batches", .serialized)
struct ShardCommandTests {
    @Test("--shard auto under Slurm's variables, one manifest per shard, and chroma shards check")
    func slurmShards() throws {
        let scratch = try Scratch("shards")
        defer { scratch.remove() }
        let model = try ColorizeCommandTests.model(scratch)
        for i in 0..<7 { try scratch.write(ImageEncoder.encodePNG(testPicture(width: 12 + i, height: 10)), "in/p\(i).png") }
        let out = scratch.path + "/out"
        for task in 5...7 {  // --array=5-7
            let process = Process()
            process.executableURL = CLIRunner.executable
            process.arguments = ["colorize", scratch.path + "/in", "-o", out, "--model", model, "--shard", "auto"]
            process.environment = ["SLURM_ARRAY_TASK_ID": "\(task)", "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_MAX": "7",
                                   "SLURM_ARRAY_TASK_COUNT": "3"]
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        #expect(scratch.files("out/.chroma-shards") == ["shard-1-of-3.json", "shard-2-of-3.json", "shard-3-of-3.json"])
        let check = try CLIRunner.run(["shards", "check", out])
        #expect(check.status == 0, "\(String(decoding: check.stdout, as: UTF8.self))")
        #expect(String(decoding: check.stdout, as: UTF8.self).contains("7 of 7 inputs done, by 3 of 3 shards"))

        try FileManager.default.removeItem(atPath: out + "/.chroma-shards/shard-2-of-3.json")
        let missing = try CLIRunner.run(["shards", "check", out, "--json"])
        #expect(missing.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(missing.stdout)) as? [String: Any]
        #expect(object?["shardsMissing"] as? [Int] == [2] && object?["complete"] as? Bool == false)
        // Shard 2 again, by hand: --skip-existing finishes it.
        let redo = try CLIRunner.run(["colorize", scratch.path + "/in", "-o", out, "--model", model, "--shard", "2/3", "--skip-existing"])
        #expect(redo.status == 0, "\(redo.stderr)")
        #expect(try CLIRunner.run(["shards", "check", out]).status == 0)

        let noScheduler = try CLIRunner.run(["colorize", scratch.path + "/in", "-o", out, "--model", model, "--shard", "auto"])
        #expect(noScheduler.status == 64 && noScheduler.stderr.contains("found no scheduler"), "\(noScheduler.stderr)")
    }

    @Test("convert shards the same way, with --manifest naming the file")
    func convertShards() throws {
        let scratch = try Scratch("shards-convert")
        defer { scratch.remove() }
        for i in 0..<5 { try scratch.write(ImageEncoder.encodePNG(testPicture(width: 12 + i, height: 10)), "in/p\(i).png") }
        for k in 1...2 {
            let result = try CLIRunner.run(["convert", scratch.path + "/in", "-o", scratch.path + "/out", "--to", "gray", "--shard", "\(k)/2",
                                            "--manifest", scratch.path + "/out/.chroma-shards/m\(k).json"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(scratch.files("out").count == 6, "five outputs and the manifest folder")
        let before = try ImageFile.readBytes(scratch.path + "/in/p0.png")
        let onInput = try CLIRunner.run(["convert", scratch.path + "/in", "-o", scratch.path + "/out2", "--to", "gray", "--shard", "1/2",
                                         "--manifest", scratch.path + "/in/p0.png"])
        #expect(onInput.status == 1 && onInput.stderr.contains("is one of the inputs"), "\(onInput.stderr)")
        #expect(try ImageFile.readBytes(scratch.path + "/in/p0.png") == before, "a manifest never replaces an input")
        #expect(try CLIRunner.run(["shards", "check", scratch.path + "/out"]).status == 0)
    }
}
