import Testing
import Colorizer
import Foundation
import ImageIO
import NeuralNet

@Suite("chroma train and evaluate", .serialized)
struct TrainCommandTests {
    /// A CIFAR-10 folder of generated images: colour follows brightness, so there is something to learn.
    static func cifarFolder(_ scratch: Scratch, records: Int) throws -> String {
        for (index, name) in ((1...5).map { "data_batch_\($0).bin" } + ["test_batch.bin"]).enumerated() {
            var bytes: [UInt8] = []
            for i in 0..<records {
                bytes.append(UInt8(i % 10))
                let base = (i * 37 + index * 11) % 180
                for channel in 0..<3 {
                    for p in 0..<1024 {
                        let v = base + (p % 32) * 2
                        bytes.append(UInt8(channel == 0 ? v : channel == 1 ? v * 3 / 4 : v / 3))
                    }
                }
            }
            try scratch.write(bytes, "cifar/" + name)
        }
        return scratch.path + "/cifar"
    }

    @Test("train writes a run folder, resumes, and evaluate reports JSON in the documented shape")
    func trainResumeEvaluate() throws {
        let scratch = try Scratch("train")
        defer { scratch.remove() }
        let cifar = try Self.cifarFolder(scratch, records: 1100)  // 5,500 training images: 500 train, 5,000 validation
        let run = scratch.path + "/run"
        // Relative paths, from the scratch folder: run.json must still find the data from elsewhere.
        let first = try CLIRunner.run(["train", "--cifar", "cifar", "--arch", "c4 p c4 u c2 sigmoid", "--epochs", "1", "--batch", "50",
                                       "--out", "run"], in: scratch.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("epoch 1/1"))
        for file in ["model.chroma", "checkpoint.chroma", "run.json", "loss.svg", "loss.png", "samples-epoch-001.png"] {
            #expect(FileManager.default.fileExists(atPath: run + "/" + file), "\(file)")
        }
        let again = try CLIRunner.run(["train", "--cifar", cifar, "--out", run])
        #expect(again.status == 64, "an existing run is not overwritten")
        let resumed = try CLIRunner.run(["train", "--resume", run, "--epochs", "2"], in: "/")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming") && resumed.stderr.contains("epoch 2/2"))
        // The data moved: --cifar given with --resume names its new place, and run.json remembers it.
        try FileManager.default.moveItem(atPath: cifar, toPath: scratch.path + "/moved")
        let moved = try CLIRunner.run(["train", "--resume", run, "--epochs", "3", "--cifar", scratch.path + "/moved"])
        #expect(moved.status == 0 && moved.stderr.contains("epoch 3/3"), "\(moved.stderr)")
        #expect(try TrainingRun.recordedSettings(in: run).settings.cifar == scratch.path + "/moved")
        try FileManager.default.moveItem(atPath: scratch.path + "/moved", toPath: cifar)

        let evaluation = try CLIRunner.run(["evaluate", "--model", run + "/model.chroma", "--cifar", cifar, "--json"])
        #expect(evaluation.status == 0, "\(evaluation.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(evaluation.stdout)) as? [String: Any]
        let keys = Set(object?.keys.map { $0 } ?? [])
        #expect(keys == ["model", "images", "psnr", "medianPsnr", "beatsGray", "ssim", "deltaE2000", "colourfulness", "truthColourfulness", "baseline"])
        #expect(object?["images"] as? Int == 1100)
        let baseline = object?["baseline"] as? [String: Any]
        #expect(Set(baseline?.keys.map { $0 } ?? []) == ["psnr", "medianPsnr", "ssim", "deltaE2000", "colourfulness"])
    }

    @Test("--images with --cifar adds each photo's centred square and --crops crops to CIFAR's training images")
    func cifarAndPhotos() throws {
        let scratch = try Scratch("train-both")
        defer { scratch.remove() }
        let cifar = try Self.cifarFolder(scratch, records: 1010)  // 50 training images, 5,000 validation
        try ColorizeCommandTests.photos(scratch)  // 3 photos
        let run = scratch.path + "/run"
        let trained = try CLIRunner.run(["train", "--cifar", cifar, "--images", scratch.path + "/photos", "--crops", "2",
                                         "--arch", "c4 p c4 u c2 sigmoid", "--epochs", "1", "--batch", "10", "-o", run])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(trained.stderr.contains("59 training images, 5000 validation images"), "50 + 3 × (1 + 2): \(trained.stderr)")
        let settings = try TrainingRun.recordedSettings(in: run).settings
        #expect(settings.cifar == cifar && settings.images == scratch.path + "/photos" && settings.crops == 2)
        let resumed = try CLIRunner.run(["train", "--resume", run, "--epochs", "2"])
        #expect(resumed.status == 0 && resumed.stderr.contains("59 training images"), "the photos come back on --resume: \(resumed.stderr)")
        let alone = try CLIRunner.run(["train", "--images", scratch.path + "/photos", "--crops", "1", "--split", "34/66/0",
                                       "--arch", "c4 p c4 u c2 sigmoid", "--epochs", "1", "--batch", "1", "-o", scratch.path + "/alone"])
        #expect(alone.status == 0 && alone.stderr.contains("2 training images, 1 validation image"),
                "alone, the photos are divided by photo; validation gets centred squares only: \(alone.stderr)")
        let neither = try CLIRunner.run(["train", "-o", scratch.path + "/none"])
        #expect(neither.status == 64 && neither.stderr.contains("--cifar, --images, or both"), "\(neither.stderr)")
        let tooMany = try CLIRunner.run(["train", "--images", scratch.path + "/photos", "--crops", "257", "-o", scratch.path + "/many"])
        #expect(tooMany.status == 64 && tooMany.stderr.contains("--crops must be 0…256"), "memory is bounded: \(tooMany.stderr)")
        let stray = try CLIRunner.run(["train", "--cifar", cifar, "--crops", "8", "-o", scratch.path + "/stray"])
        #expect(stray.status == 64 && stray.stderr.contains("--crops belongs to --images"), "\(stray.stderr)")
    }

    @Test("model calibrate --photos scores the grid on colour photos, colorized as colorize does it")
    func calibrateOnPhotos() throws {
        let scratch = try Scratch("calibrate-photos")
        defer { scratch.remove() }
        let cifar = try Self.cifarFolder(scratch, records: 1010)
        let trained = try CLIRunner.run(["train", "--cifar", cifar, "--loss", "bins:3", "--arch", "c4 p c4 u c9", "--epochs", "1",
                                         "--batch", "25", "-o", scratch.path + "/run"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let model = scratch.path + "/run/model.chroma"
        try ColorizeCommandTests.photos(scratch)
        let gray = Image(width: 8, height: 8, layout: .gray, samples: (0..<64).map { UInt8($0 * 4) })
        try scratch.write(ImageEncoder.encodePNG(gray), "photos/gray.png")  // passed over: nothing to compare with
        let calibrated = scratch.path + "/calibrated.chroma"
        let result = try CLIRunner.run(["model", "calibrate", model, "--cifar", cifar, "--photos", scratch.path + "/photos",
                                        "--tolerance", "0", "-o", calibrated])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n")
        #expect(rows.count == 44 && rows.filter { $0.hasSuffix("← chosen") }.count == 1, "\(rows)")

        // The chosen row's PSNR is the mean over the three colour photos of what the calibrated model gives by default.
        let chosen = try #require(rows.first { $0.hasSuffix("← chosen") })
        let psnr = try #require(Double(chosen.split(separator: " ").drop { $0 != "PSNR" }.dropFirst().first ?? ""))
        let colorizer = try PhotoColorizer(model: ModelFile.load(from: calibrated))
        var total = 0.0
        for file in ["a.png", "b.jpg", "sub/c.png"] {
            let decoded = try ImageDecoder.decodeWithMetadata(ImageFile.readBytes(scratch.path + "/photos/" + file))
            let result = try colorizer.colorize(decoded).pixels.eightBit.rgb(), truth = decoded.pixels.eightBit.rgb()
            total += result.samples.withUnsafeBufferPointer { r in truth.samples.withUnsafeBufferPointer { Metrics.psnr(r, $0) } }
        }
        #expect(abs(total / 3 - psnr) < 0.0011, "\(total / 3) against \(psnr)")

        let onlyGray = try CLIRunner.run(["model", "calibrate", model, "--cifar", cifar, "--photos", scratch.path + "/photos/gray.png",
                                          "-o", scratch.path + "/x.chroma"])
        #expect(onlyGray.status == 1 && onlyGray.stderr.contains("is not a folder"), "\(onlyGray.stderr)")
        try scratch.write(ImageEncoder.encodePNG(gray), "grays/one.png")
        let noColour = try CLIRunner.run(["model", "calibrate", model, "--cifar", cifar, "--photos", scratch.path + "/grays",
                                          "-o", scratch.path + "/x.chroma"])
        #expect(noColour.status == 1 && noColour.stderr.contains("none of the 1 photo has colour"), "\(noColour.stderr)")
        try scratch.write(Array("not a picture".utf8), "photos/broken.png")
        let broken = try CLIRunner.run(["model", "calibrate", model, "--cifar", cifar, "--photos", scratch.path + "/photos",
                                        "-o", scratch.path + "/x.chroma"])
        #expect(broken.status == 1 && broken.stderr.contains("broken.png:"), "the photo is named: \(broken.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/x.chroma"), "nothing written")
    }

    @Test("a model trained on chroma bins calibrates its prior weight and temperature, evaluates and colorizes")
    func binnedModel() throws {
        let scratch = try Scratch("train-bins")
        defer { scratch.remove() }
        let cifar = try Self.cifarFolder(scratch, records: 1010)  // 50 training images, 5,000 validation
        let run = scratch.path + "/run"
        let mismatched = try CLIRunner.run(["train", "--cifar", cifar, "--loss", "bins:3", "--epochs", "1", "--out", scratch.path + "/bad"])
        #expect(mismatched.status != 0 && mismatched.stderr.contains("outputs 2 channels"), "\(mismatched.stderr)")
        let trained = try CLIRunner.run(["train", "--cifar", cifar, "--loss", "bins:3", "--arch", "c4 p c4 u c9", "--epochs", "1",
                                         "--batch", "25", "--out", run])
        #expect(trained.status == 0, "\(trained.stderr)")

        let calibrated = scratch.path + "/calibrated.chroma"
        let calibration = try CLIRunner.run(["model", "calibrate", run + "/model.chroma", "--cifar", cifar, "--limit", "40",
                                             "--colourfulness", "0", "--out", calibrated])
        #expect(calibration.status == 0, "\(calibration.stderr)")
        #expect(calibration.stderr.contains("wrote \(calibrated)"), "says what it wrote: \(calibration.stderr)")
        let again = try CLIRunner.run(["model", "calibrate", run + "/model.chroma", "--cifar", cifar, "--limit", "40", "-o", calibrated])
        #expect(again.status == 64 && again.stderr.contains("exists; give --overwrite"), "an existing file is not replaced: \(again.stderr)")
        let rows = String(decoding: calibration.stdout, as: UTF8.self).split(separator: "\n")
        #expect(rows.count == 44 && rows.allSatisfy { $0.hasPrefix("prior weight") }, "\(rows)")
        #expect(rows.filter { $0.hasSuffix("← chosen") }.count == 1)

        let evaluation = try CLIRunner.run(["evaluate", "--model", calibrated, "--cifar", cifar, "--temperature", "0.5", "--json"])
        #expect(evaluation.status == 0, "\(evaluation.stderr)")
        let metadata = try ModelFile.load(from: calibrated).metadata
        #expect(metadata["mirror-average"] == nil)
        let mirrored = scratch.path + "/mirrored.chroma"
        let mirrorCalibration = try CLIRunner.run(["model", "calibrate", run + "/model.chroma", "--cifar", cifar, "--limit", "40",
                                                   "--colourfulness", "0", "--mirror-average", "--out", mirrored])
        #expect(mirrorCalibration.status == 0, "\(mirrorCalibration.stderr)")
        #expect(try ModelMetadata(of: ModelFile.load(from: mirrored)).colorization().averagesMirror)
        // Same settings, same network: only the averaging differs, and it changes the scores.
        let mirroredEvaluation = try CLIRunner.run(["evaluate", "--model", mirrored, "--cifar", cifar, "--temperature", "0.5", "--json"])
        #expect(mirroredEvaluation.status == 0, "\(mirroredEvaluation.stderr)")
        func scores(_ output: [UInt8]) throws -> [Double] {
            let object = try JSONSerialization.jsonObject(with: Data(output)) as? [String: Any]
            return ["psnr", "deltaE2000", "colourfulness"].compactMap { object?[$0] as? Double }
        }
        #expect(try scores(evaluation.stdout).count == 3)
        #expect(try scores(mirroredEvaluation.stdout) != scores(evaluation.stdout))
        for key in ["bins", "bin-frequencies", "prior-weight", "temperature"] { #expect(metadata[key] != nil, "\(key): \(metadata)") }
        #expect(metadata["bins"] == "3" && metadata["bin-frequencies"]?.split(separator: ",").count == 9)

        try scratch.write(ImageEncoder.encodePNG(Image(width: 40, height: 24, layout: .rgb, samples: (0..<(40 * 24 * 3)).map { UInt8($0 % 251) })),
                          "photo.png")
        let colorized = try CLIRunner.run(["colorize", scratch.path + "/photo.png", "--model", calibrated, "--temperature", "0.7", "--prior-weight", "0.3",
                                           "-o", scratch.path + "/out/"])
        #expect(colorized.status == 0, "\(colorized.stderr)")
        #expect(scratch.files("out") == ["photo.png"])

        let regression = ModelFile(network: Network(architecture: try Architecture("c4 c2 sigmoid"), inputChannels: 1),
                                   metadata: ModelMetadata(colorization: ColorizationTask(space: .lab)))
        try regression.save(to: scratch.path + "/mse.chroma")
        let refused = try CLIRunner.run(["evaluate", "--model", scratch.path + "/mse.chroma", "--cifar", cifar, "--temperature", "0.5"])
        #expect(refused.status == 1 && refused.stderr.contains("a temperature needs a model trained with --loss bins:N"), "\(refused.stderr)")
        let uncalibrated = try CLIRunner.run(["evaluate", "--model", run + "/model.chroma", "--cifar", cifar, "--prior-weight", "0.2"])
        #expect(uncalibrated.status == 1 && uncalibrated.stderr.contains("calibrated"), "\(uncalibrated.stderr)")
    }

    @Test("evaluate and compare --cifar draw a progress bar on a terminal, and none in a pipe")
    func progressOnATerminal() throws {
        let scratch = try Scratch("evaluate-progress")
        defer { scratch.remove() }
        let cifar = try Self.cifarFolder(scratch, records: 600)
        let model = try ColorizeCommandTests.model(scratch)
        // script(1) from util-linux gives the command a pseudo-terminal; everything it wrote lands in its output.
        func onTerminal(_ arguments: [String]) throws -> String {
            let command = ([CLIRunner.executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
            let result = try CLIRunner.run(["-qec", command, "/dev/null"], program: URL(fileURLWithPath: "/usr/bin/script"))
            #expect(result.status == 0, "\(result.stderr)")
            return String(decoding: result.stdout, as: UTF8.self)
        }
        let evaluate = try onTerminal(["evaluate", "--model", model, "--cifar", cifar])
        #expect(evaluate.contains("evaluate ") && evaluate.contains("1200/1200") && evaluate.contains("█"), "\(evaluate)")
        let compare = try onTerminal(["compare", "--cifar", cifar, "--model", model, "-o", scratch.path + "/report", "--sample", "4"])
        #expect(compare.contains("[1/1] ") && compare.contains("1200/1200"), "\(compare)")
        let piped = try CLIRunner.run(["evaluate", "--model", model, "--cifar", cifar])
        #expect(!piped.stderr.contains("█"))
    }

    @Test("a damaged CIFAR folder is named with the reason")
    func damaged() throws {
        let scratch = try Scratch("train-damaged")
        defer { scratch.remove() }
        let cifar = try Self.cifarFolder(scratch, records: 3)
        try scratch.write([1, 2, 3], "cifar/data_batch_2.bin")
        let result = try CLIRunner.run(["train", "--cifar", cifar, "--out", scratch.path + "/run"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("data_batch_2.bin: damaged: 3 bytes is not a whole number of 3073-byte records"), "\(result.stderr)")
    }

    @Test("a CIFAR folder with too few images for CIFAR's validation split is refused in one line, not a crash")
    func tooFewToValidate() throws {
        let scratch = try Scratch("train-few")
        defer { scratch.remove() }
        let cifar = try Self.cifarFolder(scratch, records: 3)  // 15 training images, CIFAR's division validates on 5,000
        try BundledModels.load(.lab).save(to: scratch.path + "/lab.chroma")
        for command in [["train", "--cifar", cifar, "--out", scratch.path + "/run"],
                        ["model", "calibrate", scratch.path + "/lab.chroma", "--cifar", cifar, "-o", scratch.path + "/c.chroma"]] {
            let result = try CLIRunner.run(command)
            #expect(result.status == 1, "\(command[0]): \(result.stderr)")
            #expect(result.stderr.contains("\(cifar): 15 training images; CIFAR's division validates on the last 5000"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        let split = try CLIRunner.run(["train", "--cifar", cifar, "--split", "60/20/20", "--arch", "c2 sigmoid", "--epochs", "1", "--batch", "4",
                                       "--out", scratch.path + "/run"])
        #expect(split.status == 0, "a proportional split divides a small folder: \(split.stderr)")
    }

    @Test("reconstruct and denoise train with the assignment's architecture by default and evaluate as MSE, PSNR and SSIM")
    func autoencoderTasks() throws {
        let scratch = try Scratch("train-autoencoders")
        defer { scratch.remove() }
        let cifar = try Self.cifarFolder(scratch, records: 1010)
        for (task, extra) in [("reconstruct", [String]()), ("denoise", ["--noise-std", "0.158"])] {
            let run = scratch.path + "/" + task
            let trained = try CLIRunner.run(["train", "--cifar", cifar, "--task", task, "--epochs", "1", "--batch", "25", "--out", run] + extra)
            #expect(trained.status == 0, "\(trained.stderr)")
            let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/run.json"))) as? [String: Any]
            let settings = record?["settings"] as? [String: Any]
            #expect(settings?["arch"] as? String == "c8 p c12 p c16 u c12 u c3 sigmoid" && settings?["task"] as? String == task)
            let evaluation = try CLIRunner.run(["evaluate", "--model", run + "/model.chroma", "--cifar", cifar, "--json"])
            #expect(evaluation.status == 0, "\(evaluation.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(evaluation.stdout)) as? [String: Any]
            let expected: Set<String> = ["model", "task", "images", "mse", "psnr", "ssim"]
            #expect(Set(object?.keys.map { $0 } ?? []) == (task == "denoise" ? expected.union(["baseline"]) : expected))
            #expect((object?["mse"] as? Double ?? 1) < 0.2 && object?["images"] as? Int == 1010)
            if task == "denoise" {
                let baseline = object?["baseline"] as? [String: Any]
                #expect(Set(baseline?.keys.map { $0 } ?? []) == ["mse", "psnr", "ssim"])
            }
        }
        let noNoise = try CLIRunner.run(["train", "--cifar", cifar, "--task", "denoise", "--out", scratch.path + "/bad"])
        #expect(noNoise.status == 64 && noNoise.stderr.contains("--noise-std"), "\(noNoise.stderr)")
        let wrongOutputs = try CLIRunner.run(["train", "--cifar", cifar, "--task", "reconstruct", "--arch", "c2 sigmoid", "--out", scratch.path + "/bad"])
        #expect(wrongOutputs.status == 1 && wrongOutputs.stderr.contains("needs 3"), "\(wrongOutputs.stderr)")
    }

    @Test("study trains each architecture, writes the table and plot, and continues a finished study without retraining")
    func study() throws {
        let scratch = try Scratch("study")
        defer { scratch.remove() }
        let cifar = try Self.cifarFolder(scratch, records: 1010)
        let out = scratch.path + "/study"
        let arguments = ["study", "--cifar", cifar, "--task", "reconstruct", "--epochs", "1", "--batch", "25",
                         "--arch", "c4 p c4 u c3 sigmoid", "--arch", "c4 p c2 u c3 sigmoid", "--out", out]
        let first = try CLIRunner.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        for file in ["study.md", "study.csv", "latent-error.svg", "latent-error.png", "runs/01/model.chroma", "runs/02/model.chroma"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
        let csv = try String(contentsOfFile: out + "/study.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 3)
        #expect(csv[1].hasPrefix("1,c4 p c4 u c3 sigmoid,") && csv[1].contains(",1024,"), "\(csv[1])")
        #expect(csv[2].contains(",512,"), "latent 2×16×16: \(csv[2])")
        let again = try CLIRunner.run(arguments)
        #expect(again.status == 0 && !again.stderr.contains("epoch 1/1"), "a finished study is not retrained: \(again.stderr)")
        let other = try CLIRunner.run(arguments.map { $0 == "1" ? "2" : $0 })
        #expect(other.status == 1 && other.stderr.contains("other settings"), "\(other.stderr)")
        let wrong = try CLIRunner.run(["study", "--cifar", cifar, "--arch", "c4 c3 sigmoid", "--out", out])
        #expect(wrong.status == 64 && wrong.stderr.contains("needs 2"), "\(wrong.stderr)")
    }
}

@Suite("chroma evaluate --photos", .serialized)
struct PhotoEvaluationCommandTests {
    @Test("scores colour photos as colorize makes them, beside the gray baseline; gray photos are skipped and counted")
    func photos() throws {
        let scratch = try Scratch("evaluate-photos")
        defer { scratch.remove() }
        let model = try ColorizeCommandTests.model(scratch)
        try scratch.write(try ImageEncoder.encodePNG(testPicture(width: 64, height: 48)), "photos/a.png")
        try scratch.write(try ImageEncoder.encodeJPEG(testPicture(width: 50, height: 70), quality: 95), "photos/b.jpg")
        let levels: [UInt8] = (0..<(30 * 20)).map { UInt8($0 % 256) }
        let grayAsRGB = Image<UInt8>(width: 30, height: 20, layout: .rgb, samples: levels.flatMap { [$0, $0, $0] })
        try scratch.write(try ImageEncoder.encodePNG(grayAsRGB), "photos/gray.png")
        let result = try CLIRunner.run(["evaluate", "--model", model, "--photos", scratch.path + "/photos", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["photos"] as? Int == 2 && summary["skippedGray"] as? Int == 1, "\(summary)")
        #expect((object["skippedGray"] as? [String])?.first?.hasSuffix("gray.png") == true)
        let rows = try #require(object["photos"] as? [[String: Any]])
        #expect(rows.count == 2)

        // The row's figures are those of the file colorize writes for the same photo.
        let colorized = try CLIRunner.run(["colorize", scratch.path + "/photos/a.png", "-o", scratch.path + "/a-out.png", "--model", model])
        #expect(colorized.status == 0, "\(colorized.stderr)")
        var map: [Float] = []
        let expected = ImageScores(result: try ImageFile.read(scratch.path + "/a-out.png"), original: testPicture(width: 64, height: 48), deltaE: &map)
        let row = try #require(rows.first { ($0["file"] as? String)?.hasSuffix("a.png") == true })
        let scores = try #require(row["model"] as? [String: Double])
        #expect(abs(scores["psnr"]! - expected.psnr) < 1e-9 && abs(scores["deltaE2000"]! - expected.deltaE2000) < 1e-9, "\(scores) vs \(expected)")

        let text = try CLIRunner.run(["evaluate", "--model", model, "--photos", scratch.path + "/photos", "--tiles", "2"])
        #expect(text.status == 0 && String(decoding: text.stdout, as: UTF8.self).contains("2 photos (1 without colour skipped, 0 failed)"),
                "\(String(decoding: text.stdout, as: UTF8.self))")
        // A photo twice the grid's size is also seen on the finer grid, unless --single-grid; both as colorize does it.
        try scratch.write(try ImageEncoder.encodePNG(testPicture(width: 140, height: 100)), "large/c.png")
        func psnr(_ extra: [String]) throws -> (evaluated: Double, colorized: Double) {
            let run = try CLIRunner.run(["evaluate", "--model", model, "--photos", scratch.path + "/large", "--json"] + extra)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout)) as? [String: Any])
            let row = try #require((object["photos"] as? [[String: Any]])?.first?["model"] as? [String: Double])
            let colorized = try CLIRunner.run(["colorize", scratch.path + "/large/c.png", "-o", scratch.path + "/c-out.png", "--overwrite",
                                               "--model", model] + extra)
            #expect(colorized.status == 0, "\(colorized.stderr)")
            var map: [Float] = []
            return (row["psnr"]!, ImageScores(result: try ImageFile.read(scratch.path + "/c-out.png"), original: testPicture(width: 140, height: 100),
                                              deltaE: &map).psnr)
        }
        let twoGrids = try psnr([]), oneGrid = try psnr(["--single-grid"])
        #expect(abs(twoGrids.evaluated - twoGrids.colorized) < 1e-9 && abs(oneGrid.evaluated - oneGrid.colorized) < 1e-9)
        #expect(abs(twoGrids.evaluated - oneGrid.evaluated) > 1e-4, "\(twoGrids) \(oneGrid)")
        let both = try CLIRunner.run(["evaluate", "--model", model, "--photos", scratch.path, "--cifar", scratch.path])
        #expect(both.status == 64)
        // A folder that is not there is one line naming it, not a table of zeros.
        let missing = try CLIRunner.run(["evaluate", "--model", model, "--photos", scratch.path + "/nowhere"])
        #expect(missing.status == 1 && missing.stdout.isEmpty, "\(missing.stdout)")
        #expect(missing.stderr == "chroma: \(scratch.path)/nowhere: no such folder\n", "\(missing.stderr)")
        // A reason that names its subject is not prefixed with it again.
        let resume = try CLIRunner.run(["train", "--resume", scratch.path + "/photos"])
        #expect(resume.status == 1 && resume.stderr == "chroma: \(scratch.path)/photos holds no run.json to resume from\n", "\(resume.stderr)")
    }
}
