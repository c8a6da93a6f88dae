import Testing
import Foundation
import ColorSpace
import Datasets
import NeuralNet
import ImageIO
@testable import Colorizer

@Suite("Autoencoder tasks: reconstruction, denoising, RGB colorization, the architecture study")
struct AutoencoderTaskTests {
    static let tasks: [TrainingTask] = [.colorize(ColorizationTask(space: .lab, gammas: [0.5])), .colorizeRGB(space: .ycbcr),
                                        .reconstruct, .denoise(noiseStd: 0.1)]

    @Test("every task survives its model metadata, and examples have the task's channels", arguments: tasks)
    func metadataAndExamples(task: TrainingTask) throws {
        #expect(try ModelMetadata(entries: ModelMetadata(task: task).entries).task == task)
        let examples = task.examples(ColorizerTests.images(3))
        #expect(examples.sources.count == 3 * examples.sourceChannels * 64)
        #expect(examples.targets.count == 3 * task.outputChannels * 64)
        #expect((examples.sources + examples.targets).allSatisfy { (0...1).contains($0) })
    }

    @Test("unknown or incomplete task metadata is refused")
    func badMetadata() {
        #expect(throws: ColorizerError.unknownTask("sharpen")) { try ModelMetadata(entries: ["task": "sharpen"]) }
        #expect(throws: ColorizerError.badMetadata(key: "noise-std", value: "", expected: "a positive number")) {
            try ModelMetadata(entries: ["task": "denoise"])
        }
        #expect(throws: ColorizerError.notAColorizer) { try ModelMetadata(task: .reconstruct).colorization() }
    }

    @Test("denoising inputs: clean plus clamped noise of the asked deviation, the same for an image in any batch")
    func noise() throws {
        let set = ColorizerTests.images(40, side: 16)
        let task = TrainingTask.denoise(noiseStd: 0.05)
        let examples = task.examples(set)
        let plane = examples.plane, size = 3 * plane
        var whole = [Float](repeating: 0, count: 40 * size), part = [Float](repeating: 0, count: 10 * size)
        examples.sources.withUnsafeBufferPointer { sources in
            task.makeInputs(sources: sources.baseAddress!, count: 40, plane: plane, into: &whole) { TrainingTask.evaluationNoise(image: $0) }
            task.makeInputs(sources: sources.baseAddress! + 30 * size, count: 10, plane: plane, into: &part) { TrainingTask.evaluationNoise(image: 30 + $0) }
        }
        #expect(Array(whole[(30 * size)...]) == part)
        let differences = zip(whole, examples.sources).map { Double($0 - $1) }
        let inside = zip(whole, differences).filter { $0.0 > 0 && $0.0 < 1 }.map(\.1)  // unclamped samples
        let mean = inside.reduce(0, +) / Double(inside.count)
        let std = (inside.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(inside.count)).squareRoot()
        #expect(abs(mean) < 0.005 && abs(std - 0.05) < 0.005, "mean \(mean), std \(std)")
        #expect(whole.allSatisfy { (0...1).contains($0) })
    }

    /// Trains `task` briefly on generated images; returns the trainer and the validation loss before training.
    static func trained(_ task: TrainingTask, arch: String, epochs: Int = 20) throws -> (Trainer, Float) {
        var configuration = TrainingConfiguration(task: task, architecture: try Architecture(arch))
        configuration.batchSize = 16
        configuration.learningRate = 3e-3
        let trainer = try Trainer(configuration: configuration, training: task.examples(ColorizerTests.images(64)),
                                  validation: task.examples(ColorizerTests.images(16, seed: 2)))
        let before = try trainer.loss()
        for epoch in 1...epochs { _ = try trainer.trainEpoch(epoch) }
        return (trainer, before)
    }

    @Test("reconstruction learns, and its report's MSE, PSNR and SSIM match direct computations")
    func reconstruction() throws {
        let (trainer, before) = try Self.trained(.reconstruct, arch: "c8 c8 c3 sigmoid")
        #expect(try trainer.loss() < before / 4)
        let test = ColorizerTests.images(8, seed: 3)
        let report = try Evaluator.autoencoder(trainer.network, task: .reconstruct, set: test)
        #expect(report.baseline == nil)
        let outputs = try trainer.network.predict(test.pixels.map { Float($0) / 255 }, count: 8, shape: Shape(channels: 3, height: 8, width: 8))
        let mse = zip(outputs, test.pixels).map { Double($0 - Float($1) / 255) * Double($0 - Float($1) / 255) }.reduce(0, +) / Double(outputs.count)
        #expect(abs(report.result.mse - mse) < 1e-9)
        let result = Evaluator.images(unitRGB: outputs, like: test).stacked(), truth = test.stacked()
        var psnr = 0.0, ssim = 0.0
        for i in 0..<8 {
            let r = Array(result.samples[i * 192..<(i + 1) * 192]), t = Array(truth.samples[i * 192..<(i + 1) * 192])
            r.withUnsafeBufferPointer { r in t.withUnsafeBufferPointer { t in
                psnr += Metrics.psnr(r, t); ssim += SSIM.rgb(r, t, width: 8, height: 8)
            } }
        }
        #expect(abs(report.result.psnr - psnr / 8) < 1e-9 && abs(report.result.ssim - ssim / 8) < 1e-9)
        #expect(report.result.psnr > 20, "\(report.result.psnr)")
    }

    @Test("a denoiser beats its identity baseline, the noisy input")
    func denoising() throws {
        let task = TrainingTask.denoise(noiseStd: 0.15)
        let (trainer, _) = try Self.trained(task, arch: "c16 c16 c3 sigmoid", epochs: 30)
        let report = try Evaluator.autoencoder(trainer.network, task: task, set: ColorizerTests.images(16, seed: 3))
        let baseline = try #require(report.baseline)
        #expect(report.result.mse < baseline.mse && report.result.psnr > baseline.psnr + 3, "\(report.result) vs \(baseline)")
        #expect(baseline.psnr > 15 && baseline.psnr < 20, "noise of σ 0.15 gives about 16.5 dB: \(baseline.psnr)")
    }

    @Test("RGB colorization trains and is scored with the colorization metrics against gray")
    func colorizationRGB() throws {
        let (trainer, before) = try Self.trained(.colorizeRGB(space: .lab), arch: "c8 c8 c3 sigmoid", epochs: 30)
        #expect(try trainer.loss() < before / 4)
        let report = try Evaluator.colorizationRGB(trainer.network, space: .lab, set: ColorizerTests.images(16, seed: 3))
        #expect(report.result.psnr > report.baseline.psnr, "\(report.result.psnr) vs gray \(report.baseline.psnr)")
        #expect(report.baseline.colourfulness < 1)
    }

    @Test("a task refuses an architecture with the wrong number of outputs, and gamma augmentation of RGB")
    func mismatches() throws {
        let images = TrainingTask.reconstruct.examples(ColorizerTests.images(16))
        #expect(throws: ColorizerError.self) {
            try Trainer(configuration: TrainingConfiguration(task: .reconstruct, architecture: try Architecture("c2 sigmoid")),
                        training: images, validation: images)
        }
        var configuration = TrainingConfiguration(task: .reconstruct, architecture: try Architecture("c3 sigmoid"))
        configuration.gammaAugmentation = 0.5...2
        #expect(throws: ColorizerError.self) { try Trainer(configuration: configuration, training: images, validation: images) }
    }

    @Test("study tables: Markdown, CSV with quoting, and the latent-size correlation")
    func studyTables() throws {
        let rows = [ArchitectureStudy.Row(arch: "a", parameters: 10, latentSize: 256, testMSE: 0.03, testPSNR: 15, testSSIM: 0.5, trainingSeconds: 1),
                    ArchitectureStudy.Row(arch: "b, wide", parameters: 20, latentSize: 1024, testMSE: 0.02, testPSNR: 17, testSSIM: 0.6, trainingSeconds: 2),
                    ArchitectureStudy.Row(arch: "c", parameters: 30, latentSize: 4096, testMSE: 0.01, testPSNR: 20, testSSIM: 0.7, trainingSeconds: 3)]
        let markdown = ArchitectureStudy.markdown(rows, title: "t")
        #expect(markdown.contains("| 2 | `b, wide` | 20 | 1024 | 0.02000 | 17.00 | 0.600 | 2 |"))
        #expect(markdown.contains("Lowest test MSE: #3."))
        #expect(abs(try #require(ArchitectureStudy.correlation(rows)) + 1) < 1e-9)  // MSE falls linearly in log₂(latent)
        #expect(ArchitectureStudy.csv(rows).split(separator: "\n")[2] == "2,\"b, wide\",20,1024,0.020000,17.0000,0.6000,2.0")
        #expect(ArchitectureStudy.correlation(Array(rows.prefix(2))) == nil)
        let png = try ArchitectureStudy.png(rows)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(ArchitectureStudy.svg(rows, title: "t").components(separatedBy: "<circle").count == 4)
    }
}

@Suite("Comparison reports")
struct ComparisonReportTests {
    static func report() -> ComparisonReport {
        let a = ImageScores(psnr: 20, ssim: 0.9, deltaE2000: 10, colourfulness: 15)
        let b = ImageScores(psnr: 21, ssim: 0.8, deltaE2000: 12, colourfulness: 15)
        let gray = ImageScores(psnr: 18, ssim: 0.85, deltaE2000: 14, colourfulness: 0)
        return ComparisonReport(title: "t", models: [.init(name: "lab", file: "l", space: "lab"), .init(name: "ycbcr", file: "y", space: "ycbcr")],
                                baselines: ["gray (L*)"],
                                entries: [.init(name: "x.png", file: "x.png", hasColour: true, scores: ["lab": a, "ycbcr": b, "gray (L*)": gray]),
                                          .init(name: "g.png", file: "g.png", hasColour: false),
                                          .init(name: "bad.png", file: "bad.png", hasColour: false, error: "damaged")])
    }

    @Test("the better model per metric: higher PSNR, SSIM; lower ΔE; a tie marks none")
    func best() {
        let report = Self.report()
        let entry = report.entries[0]
        #expect(report.best(.psnr, in: entry) == "ycbcr" && report.best(.ssim, in: entry) == "lab")
        #expect(report.best(.deltaE2000, in: entry) == "lab" && report.best(.colourfulness, in: entry) == nil)
        #expect(report.total.images == 1 && report.total.scores["lab"] == entry.scores["lab"])
        #expect(report.markdown().contains("| lab | 20.00 | 0.9000 ★ | 10.00 ★ | 15.00 |"))
        #expect(report.csv().contains("bad.png,,0,,,,,damaged"))
    }

    @Test("the page escapes names and encodes paths")
    func page() {
        var report = Self.report()
        report.entries[0].name = "<b>&"
        report.entries[0].pictures = ["lab": "photos/a b#1.png"]
        report.pictureColumns = ["lab"]
        let html = report.html()
        #expect(html.contains("&lt;b&gt;&amp;") && html.contains("src=\"photos/a%20b%231.png\""))
    }

    @Test("heat map ramp ends and sheet fitting: shrink to the box, enlarge small images by whole factors")
    func sheetPieces() {
        #expect(HeatMap.colour(0) == (0, 0, 0) && HeatMap.colour(1000) == HeatMap.colour(HeatMap.maximum))
        let large = ContactSheet.fit(Image(width: 400, height: 100, layout: .gray), width: 200, height: 150)
        #expect(large.width == 200 && large.height == 50 && large.layout == .rgb)
        let small = ContactSheet.fit(Image(width: 32, height: 32, layout: .rgb), width: 96, height: 96)
        #expect(small.width == 96 && small.height == 96)
    }
}
